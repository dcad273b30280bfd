"""Sending a batch of deliveries: claim with a lease, send, record, each step safe to repeat.

The order for one delivery is: claimed (state ``sending``, ``attempts`` + 1, a lease) -> if an
earlier attempt was interrupted, ask the channel whether it already left -> send -> mark sent.
The mark is conditional on this batch's claim token and is retried through a dropped database
connection, because once the message has left, forgetting that would send it again.

A batch never sends on an expired lease: before each message it renews the lease if less than
half is left, and stops if it cannot (the rows are then reclaimed by a later sweep).
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from incidents.models import Notification
from reminders import action_items, channels
from reminders.digest import digest_content
from reminders.models import (
    Channel,
    Delivery,
    DeliveryState,
    ReminderState,
)
from reminders.services import deadline_wants_reminders

logger = logging.getLogger(__name__)
T = TypeVar("T")


def send_lease() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "REMINDER_SEND_LEASE_SECONDS", 60)))


def max_attempts() -> int:
    return int(getattr(settings, "REMINDER_MAX_ATTEMPTS", 6))


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min ... capped at 1 h, with up to 20 % jitter so retries do not stampede."""
    base = min(30 * 2 ** max(attempts - 1, 0), 3600)
    return timedelta(seconds=base * (1 + random.random() * 0.2))  # noqa: S311


def claimable_q(now: datetime) -> Q:
    return (
        Q(state=DeliveryState.PENDING)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    ) | Q(state=DeliveryState.SENDING, lease_until__lt=now)


def with_db_retry(action: Callable[[], T], *, what: str) -> T:
    """Run ``action`` until the database answers (bounded), reconnecting after a dropped link."""
    limit = time.monotonic() + float(getattr(settings, "REMINDER_DB_RETRY_SECONDS", 60))
    pause = 0.1
    while True:
        try:
            return action()
        except (OperationalError, InterfaceError):
            if time.monotonic() > limit or connection.in_atomic_block:
                raise
            logger.warning("database unavailable while %s; retrying", what)
            connection.close()
            time.sleep(pause)
            pause = min(pause * 2, 3.0)


def relax_this_commit() -> None:
    """Let the commit of the current transaction return before its WAL flush (PostgreSQL).

    Called first thing inside the transactions that mark deliveries sent, and nowhere else.
    ``SET LOCAL`` ends with the transaction, so the worker's connection (kept for CONN_MAX_AGE and
    reused by its next tasks: exports, audit writes) is back to synchronous commits right after.
    Only for an outermost transaction: inside a caller's one it would relax the caller's commit.

    A killed *worker* loses nothing by it: the server has the commit. A crashed *database
    server* may lose the last fraction of a second of commits, always a suffix of them, and never
    past a claim, which commits synchronously (see ``claim``): so a lost "sent" mark leaves its
    row "sending" with attempts >= 1, and the retry asks the sink before sending again.
    Waiting for the flush on every "sent" mark costs ~10 ms each: 17 minutes for 100,000.
    """
    if connection.vendor != "postgresql" or len(connection.atomic_blocks) != 1:
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")


def durable_commit() -> None:
    """This transaction commits only once it is on disk (and so is everything before it)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO ON")


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    confirmed: int = 0
    cancelled: int = 0
    retry: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class LeaseLost(Exception):
    pass


class _Batch:
    def __init__(self, token: uuid.UUID, lease_until: datetime) -> None:
        self.token = token
        self.lease_until = lease_until
        self.unmarked: list[tuple[Any, bool]] = []
        self.last_flush = time.monotonic()

    def ensure_lease(self) -> None:
        now = timezone.now()
        lease = send_lease()
        if self.lease_until - now > lease / 2:
            return
        new_until = now + lease
        try:
            renewed = Delivery.objects.filter(
                claim_token=self.token, state=DeliveryState.SENDING
            ).update(lease_until=new_until)
        except DatabaseError as exc:
            raise LeaseLost(str(exc)) from exc
        if not renewed:
            raise LeaseLost("no rows left under this claim")
        self.lease_until = new_until

    def mark_sent(self, delivery: Delivery, *, confirmed: bool = False) -> None:
        """Record that ``delivery`` left. Marks are written in small groups (at most
        ``REMINDER_MARK_GROUP`` messages or half a second): one UPDATE per message costs more
        than sending it. A sender killed before a group is written leaves those rows "sending";
        their retry asks the sink first (outbox, status URL) or resends with the same id."""
        self.unmarked.append((delivery.pk, confirmed))
        group = int(getattr(settings, "REMINDER_MARK_GROUP", 20))
        if len(self.unmarked) >= group or time.monotonic() - self.last_flush >= 0.5:
            self.flush()

    def flush(self) -> None:
        if not self.unmarked:
            self.last_flush = time.monotonic()
            return
        pending, self.unmarked = self.unmarked, []

        def _mark() -> int:
            now = timezone.now()
            count = 0
            with transaction.atomic():
                relax_this_commit()
                for confirmed in (False, True):
                    ids = [pk for pk, flag in pending if flag is confirmed]
                    if ids:
                        count += Delivery.objects.filter(pk__in=ids, claim_token=self.token).update(
                            state=DeliveryState.SENT,
                            sent_at=now,
                            lease_until=None,
                            last_error="",
                            confirmed_after_interruption=confirmed,
                        )
            return count

        marked = with_db_retry(_mark, what="recording sent deliveries")
        if marked < len(pending):
            # Reclaimed by another sender meanwhile; it will ask the sink before sending again.
            logger.warning("%s deliveries were reclaimed while being sent", len(pending) - marked)
        self.last_flush = time.monotonic()

    def mark_retry(self, delivery: Delivery, error: str) -> str:
        now = timezone.now()
        if delivery.attempts >= max_attempts():
            state, next_at = DeliveryState.FAILED, None
        else:
            state, next_at = DeliveryState.PENDING, now + backoff(delivery.attempts)
        with_db_retry(
            lambda: Delivery.objects.filter(pk=delivery.pk, claim_token=self.token).update(
                state=state,
                next_attempt_at=next_at,
                dispatched_at=None,
                lease_until=None,
                last_error=error[:500],
            ),
            what="recording a failed attempt",
        )
        return state

    def mark(self, delivery: Delivery, state: str, error: str) -> None:
        with_db_retry(
            lambda: Delivery.objects.filter(pk=delivery.pk, claim_token=self.token).update(
                state=state, lease_until=None, last_error=error[:500]
            ),
            what="recording a delivery outcome",
        )


def _stale_reason(delivery: Delivery) -> str | None:
    reminder = delivery.reminder
    if reminder is None:
        return None
    if reminder.state == ReminderState.CANCELLED:
        return reminder.cancelled_reason or "reminder cancelled"
    if reminder.action_item_id is not None:
        return action_items.stale_reason(reminder, reminder.of_task)
    deadline = reminder.of_deadline
    if not deadline_wants_reminders(deadline):
        return f"deadline {deadline.status}"
    if reminder.kind != "created" and reminder.due_at != deadline.due_at:
        return "due time moved"
    return None


def claim(ids: list[str], *, now: datetime | None = None) -> tuple[_Batch, list[Delivery]]:
    now = now or timezone.now()
    batch = _Batch(uuid.uuid4(), now + send_lease())
    with transaction.atomic():
        # Durable: "attempts" must survive a database crash for the retry to ask the sink
        # (explicit, in case the server's own default is asynchronous).
        durable_commit()
        Delivery.objects.filter(claimable_q(now), pk__in=ids).update(
            state=DeliveryState.SENDING,
            claim_token=batch.token,
            lease_until=batch.lease_until,
            attempts=F("attempts") + 1,
        )
    rows = list(
        Delivery.objects.filter(claim_token=batch.token, state=DeliveryState.SENDING)
        .select_related(
            "reminder__deadline__incident",
            "reminder__deadline__obligation",
            "reminder__action_item__incident",
            "reminder__action_item__owner",
            "digest",
            "user__profile",
            "endpoint",
        )
        .order_by("reminder_id", "digest_id", "channel", "recipient_key")
    )
    return batch, rows


def send_deliveries(ids: list[str], *, now: datetime | None = None) -> BatchResult:
    """Claim and send the given deliveries; those already claimed elsewhere or sent are skipped."""

    result = BatchResult()
    batch, rows = claim(ids, now=now)
    result.claimed = len(rows)
    if not rows:
        return result
    cache: dict[tuple[Any, ...], channels.Content] = {}

    def content_for(delivery: Delivery) -> channels.Content:
        if delivery.user is not None:
            language, zone = channels.recipient_prefs(delivery.user)
        else:
            language, zone = "en", "UTC"
        at = timezone.now()
        if delivery.digest is not None:
            key: tuple[Any, ...] = ("d", delivery.digest_id, language, zone)
            if key not in cache:
                cache[key] = digest_content(delivery.digest, language=language, zone=zone)
            return cache[key]
        if delivery.reminder is None:  # the check constraint makes this impossible
            raise ValueError(f"delivery {delivery.pk} has neither reminder nor digest")
        # Minute resolution keeps "due in 3 h 59 min" right while sharing renders in a batch.
        key = (
            "r",
            delivery.reminder_id,
            language,
            zone,
            delivery.escalation,
            at.replace(second=0, microsecond=0),
        )
        if key not in cache and delivery.reminder.action_item_id is not None:
            cache[key] = action_items.item_content(
                delivery.reminder,
                delivery.reminder.of_task,
                language=language,
                zone=zone,
                escalation=delivery.escalation,
                now=at,
            )
        if key not in cache:
            cache[key] = channels.reminder_content(
                delivery.reminder,
                language=language,
                zone=zone,
                escalation=delivery.escalation,
                now=at,
            )
        return cache[key]

    live: list[Delivery] = []
    for delivery in rows:
        reason = _stale_reason(delivery)
        if reason:
            batch.mark(delivery, DeliveryState.CANCELLED, reason)
            result.cancelled += 1
        else:
            live.append(delivery)

    in_app = [d for d in live if d.channel == Channel.IN_APP]
    if in_app:
        _send_in_app(batch, in_app, content_for, result)

    email = [d for d in live if d.channel == Channel.EMAIL]
    webhooks = [d for d in live if d.channel == Channel.WEBHOOK]
    try:
        if email:
            _send_email(batch, email, content_for, result)
        for delivery in webhooks:
            _send_one(batch, delivery, result, _webhook_sender(delivery, content_for))
    except LeaseLost as exc:
        # The rest stays claimed until its lease runs out; a later sweep reclaims it.
        logger.warning("stopping batch %s: lease lost (%s)", batch.token, exc)
        result.errors.append(f"lease lost: {exc}")
    finally:
        batch.flush()
    return result


Sender = tuple[Callable[[], None], Callable[[], bool | None]]


def _send_one(batch: _Batch, delivery: Delivery, result: BatchResult, sender: Sender) -> None:
    send, confirm = sender
    batch.ensure_lease()
    # An earlier attempt may have left before its sender died: ask the sink first.
    if delivery.attempts > 1 and confirm() is True:
        batch.mark_sent(delivery, confirmed=True)
        result.confirmed += 1
        return
    try:
        send()
    except channels.PermanentError as exc:
        batch.mark(delivery, DeliveryState.FAILED, str(exc))
        result.failed += 1
        return
    except channels.TransientError as exc:
        state = batch.mark_retry(delivery, str(exc))
        if state == DeliveryState.FAILED:
            result.failed += 1
        else:
            result.retry += 1
        return
    batch.mark_sent(delivery)
    result.sent += 1


def _send_email(
    batch: _Batch,
    deliveries: list[Delivery],
    content_for: Callable[[Delivery], channels.Content],
    result: BatchResult,
) -> None:
    connection_ = channels.email_connection()
    connection_.open()
    templates = channels.EmailTemplates()
    try:
        for delivery in deliveries:
            user = delivery.user
            if user is None or not user.email:
                batch.mark(delivery, DeliveryState.FAILED, "no e-mail address")
                result.failed += 1
                continue
            content = content_for(delivery)
            reference = (
                f"reminder:{delivery.reminder_id}"
                if delivery.reminder_id
                else f"digest:{delivery.digest_id}"
            )
            message = templates.build(delivery, content, user.email, reference)

            def send(message: Any = message) -> None:
                channels.email_send(connection_, message)

            def confirm(delivery: Delivery = delivery) -> bool | None:
                return channels.email_confirm(connection_, delivery)

            _send_one(batch, delivery, result, (send, confirm))
    finally:
        try:
            connection_.close()
        except OSError:
            logger.warning("closing the e-mail connection failed", exc_info=True)


def _webhook_sender(
    delivery: Delivery, content_for: Callable[[Delivery], channels.Content]
) -> Sender:
    endpoint = delivery.endpoint
    reminder = delivery.reminder

    def send() -> None:
        if endpoint is None or reminder is None or not endpoint.active:
            raise channels.PermanentError("webhook endpoint gone or inactive")
        if reminder.action_item_id is not None:
            payload = action_items.item_webhook_payload(delivery, reminder, content_for(delivery))
        else:
            payload = channels.webhook_payload(delivery, reminder, content_for(delivery))
        channels.webhook_send(endpoint, delivery, payload)

    def confirm() -> bool | None:
        return channels.webhook_confirm(endpoint, delivery) if endpoint else None

    return send, confirm


def _send_in_app(
    batch: _Batch,
    deliveries: list[Delivery],
    content_for: Callable[[Delivery], channels.Content],
    result: BatchResult,
) -> None:
    """In-app messages live in our own database: notification and "sent" commit together."""

    def write() -> int:
        with transaction.atomic():
            relax_this_commit()
            # Lock the rows still under this claim, so that nobody reclaims them meanwhile.
            owned = set(
                Delivery.objects.select_for_update()
                .filter(
                    pk__in=[d.pk for d in deliveries],
                    claim_token=batch.token,
                    state=DeliveryState.SENDING,
                )
                .values_list("pk", flat=True)
            )
            mine = [d for d in deliveries if d.pk in owned]
            notifications = []
            for delivery in mine:
                content = content_for(delivery)
                reminder = delivery.reminder
                subject = (reminder.action_item or reminder.deadline) if reminder else None
                notifications.append(
                    Notification(
                        user=delivery.user,
                        incident=subject.incident if subject else None,
                        deadline=_deadline_of(reminder),
                        kind=(
                            "digest"
                            if delivery.digest_id
                            else ("escalation" if delivery.escalation else "reminder")
                        ),
                        title=content.title,
                        body=content.text[:4000],
                        url=content.url[:300],
                    )
                )
            Notification.objects.bulk_create(notifications)
            _mark_in_app_sent(
                [(d.pk, n.pk) for d, n in zip(mine, notifications, strict=True)], timezone.now()
            )
            return len(mine)

    result.sent += with_db_retry(write, what="writing in-app notifications")


def _mark_in_app_sent(pairs: list[tuple[Any, Any]], now: datetime) -> None:
    """Mark deliveries sent and link each to its notification, in one statement where possible
    (Django's bulk_update builds a CASE per row and costs half a second per batch)."""
    if not pairs:
        return
    if connection.vendor != "postgresql":
        rows = Delivery.objects.in_bulk([pk for pk, _n in pairs])
        for pk, note in pairs:
            rows[pk].state = DeliveryState.SENT
            rows[pk].sent_at = now
            rows[pk].lease_until = None
            rows[pk].notification_id = note
        Delivery.objects.bulk_update(
            rows.values(), ["state", "sent_at", "lease_until", "notification"]
        )
        return
    table = Delivery._meta.db_table
    values = ", ".join(["(%s::uuid, %s::bigint)"] * len(pairs))
    params: list[Any] = [DeliveryState.SENT, now]
    for pk, note in pairs:
        params += [str(pk), note]
    with connection.cursor() as cursor:
        cursor.execute(
            # Table name from model metadata; every value is a bound parameter.
            f"UPDATE {table} AS d SET state = %s, sent_at = %s, lease_until = NULL, "  # noqa: S608  # nosec B608
            f"notification_id = v.nid FROM (VALUES {values}) AS v(did, nid) WHERE d.id = v.did",
            [params[0], params[1], *params[2:]],
        )


def _deadline_of(reminder: Any) -> Any:
    """The deadline an in-app notification links to: the reminder's, or its task's."""
    if reminder is None:
        return None
    if reminder.action_item_id is not None:
        return reminder.action_item.deadline
    return reminder.deadline
