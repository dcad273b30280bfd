"""Reminder models: the persisted schedule and every delivery of it.

The tables keep their ``incidents_*`` names from before this app existed (``Meta.db_table``).

- ``ReminderPolicy``: when to remind (offsets relative to the due time) and whom to escalate to.
- ``Reminder``: one row per deadline and offset, with its fire time and state. The sweep claims
  due rows with a lease (``claimed_at``) and fans each out into deliveries.
- ``Delivery``: one (reminder or digest, recipient, channel). Recorded before it is sent, claimed
  by a conditional UPDATE, marked sent after. Its id travels with the message (Message-ID,
  X-Incident-Clock-Delivery) so that a receiver can tell a retransmission from a new message.
- ``WebhookEndpoint``: an outbound Slack-compatible webhook, HMAC-signed.
- ``DigestRun``: one per user and local date, so the 09:00 digest goes out once a day.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from actions.models import ActionItem
from incidents.models import Deadline, Notification
from regulators.models import Obligation
from reminders.policy import PolicyError, parse_policy
from reminders.webhook_guard import validate_webhook_url


def default_offsets() -> list[str]:
    return ["created", "half", "-24h", "-4h", "-1h", "0", "every 12h"]


def default_escalation() -> list[dict[str, str]]:
    return [{"after": "0h", "role": "legal"}, {"after": "24h", "role": "admin"}]


class ReminderPolicy(models.Model):
    """When a deadline's reminders fire and who is escalated to once it is overdue.

    The row with an empty ``obligation_code`` is the global default; a row with a code applies to
    every version of that obligation (and ``regulator-request`` to ad hoc regulator requests).

    ``offsets`` is a list of: ``"created"`` (a notice when the deadline is created), ``"half"``
    (half of the window from trigger to due), ``"-24h"``/``"-90m"``/``"-2d"`` (before due),
    ``"0"`` (at the due time), ``"+6h"`` (after due, once) and ``"every 12h"`` (repeated while
    overdue). ``escalation`` is a list of ``{"after": "24h", "role": "admin"}`` steps counted from
    the due time: the roles reached are added to the recipients of overdue reminders.
    """

    obligation_code = models.CharField(
        _("obligation code"),
        max_length=60,
        blank=True,
        unique=True,
        help_text=_(
            "Empty for the global default; otherwise a rule code, regulator-request, or "
            "action-item (task reminders)."
        ),
    )
    offsets = models.JSONField(_("offsets"), default=default_offsets)
    without_delay_every = models.CharField(
        _("nudge for 'without delay' obligations every"),
        max_length=10,
        default="24h",
        help_text=_("e.g. 24h; empty for no nudges."),
    )
    escalation = models.JSONField(_("escalation ladder"), default=default_escalation, blank=True)
    recipient_roles = models.JSONField(
        _("roles reminded among the incident's members"),
        default=list,
        blank=True,
        help_text=_('Besides the owner; default ["compliance"].'),
    )
    email = models.BooleanField(_("send e-mail"), default=True)
    in_app = models.BooleanField(_("send in-app notifications"), default=True)
    webhook = models.BooleanField(_("call webhooks"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "incidents_reminderpolicy"  # moved from the incidents app; the table stayed
        ordering = ["obligation_code"]
        verbose_name = _("reminder policy")
        verbose_name_plural = _("reminder policies")

    def __str__(self) -> str:
        return self.obligation_code or str(_("global default"))

    def clean(self) -> None:
        try:
            parse_policy(self)
        except PolicyError as exc:
            raise ValidationError({exc.field: str(exc)}) from exc
        if (
            self.obligation_code
            and self.obligation_code not in {"regulator-request", "action-item"}
            and not Obligation.objects.filter(code=self.obligation_code).exists()
        ):
            raise ValidationError(
                {
                    "obligation_code": _("Unknown rule code %(code)s.")
                    % {"code": self.obligation_code}
                }
            )


class ReminderKind(models.TextChoices):
    CREATED = "created", _("deadline created")
    HALF = "half", _("half of the window")
    BEFORE = "before", _("before due")
    DUE = "due", _("due now")
    AFTER = "after", _("overdue")
    OVERDUE = "overdue", _("overdue (repeated)")
    NUDGE = "nudge", _("without delay: daily nudge")


class ReminderState(models.TextChoices):
    PENDING = "pending", _("pending")
    CLAIMED = "claimed", _("claimed by a sweep")
    DONE = "done", _("deliveries recorded")
    CANCELLED = "cancelled", _("cancelled")


class Reminder(models.Model):
    """One scheduled reminder of one deadline, or of one action item (exactly one of the two:
    ``reminder_deadline_xor_action_item``): fire time, state, and the due time it was for.

    ``key`` is unique per deadline and names the offset and the due time it was computed from
    (``"before-86400@2025-11-18T07:12:00+00:00"``), so a moved deadline gets new rows and the
    old ones are cancelled rather than sent stale.
    """

    deadline = models.ForeignKey(
        Deadline, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    # Task reminders (issue 16): the same schedule, sweep, claims and deliveries as deadlines'.
    action_item = models.ForeignKey(
        ActionItem, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    key = models.CharField(max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=ReminderKind.choices)
    offset_seconds = models.BigIntegerField(
        _("offset from due (s)"), null=True, blank=True, help_text=_("Negative: before due.")
    )
    seq = models.PositiveIntegerField(default=0)
    due_at = models.DateTimeField(_("due time it was planned for"), null=True, blank=True)
    fire_at = models.DateTimeField(_("fires at"))
    state = models.CharField(
        _("state"), max_length=10, choices=ReminderState.choices, default=ReminderState.PENDING
    )
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    escalated_roles = models.JSONField(default=list, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "incidents_reminder"  # moved from the incidents app; the table stayed
        ordering = ["fire_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["deadline", "key"], name="reminder_unique_key"),
            models.UniqueConstraint(
                fields=["action_item", "key"],
                condition=models.Q(action_item__isnull=False),
                name="reminder_unique_action_item_key",
            ),
            models.CheckConstraint(
                condition=models.Q(deadline__isnull=False, action_item__isnull=True)
                | models.Q(deadline__isnull=True, action_item__isnull=False),
                name="reminder_deadline_xor_action_item",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "fire_at"], name="reminder_state_fire"),
            models.Index(fields=["claim_token"], name="reminder_claim_token"),
        ]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self) -> str:
        subject = self.deadline_id if self.deadline_id else f"task {self.action_item_id}"
        return f"{subject} {self.key} at {self.fire_at:%Y-%m-%d %H:%M}Z ({self.state})"

    @property
    def of_deadline(self) -> Deadline:
        """The deadline of a deadline reminder (typed; ``action_item_id`` is None)."""
        if self.deadline is None:
            raise ValueError(f"reminder {self.pk} is a task reminder")
        return self.deadline

    @property
    def of_task(self) -> ActionItem:
        """The action item of a task reminder (typed; ``deadline_id`` is None)."""
        if self.action_item is None:
            raise ValueError(f"reminder {self.pk} is a deadline reminder")
        return self.action_item

    @property
    def is_overdue_notice(self) -> bool:
        return self.kind in {ReminderKind.AFTER, ReminderKind.OVERDUE}


class WebhookEndpoint(models.Model):
    """An outbound webhook (Slack-compatible JSON), signed with HMAC-SHA256 over the body.

    ``status_url`` is optional: a receiver that can answer ``GET status_url?delivery=<id>`` with
    200 (received) or 404 (not received) lets the sender settle an attempt whose outcome is unknown
    (the worker died after sending) without sending twice. Without it, such an attempt is sent
    again with the same delivery id, which the receiver must use to ignore the repeat.
    """

    name = models.CharField(_("name"), max_length=100)
    # Public addresses only (reminders/webhook_guard.py); checked again at each send.
    url = models.URLField(_("URL"), max_length=500, validators=[validate_webhook_url])
    secret = models.CharField(_("signing secret"), max_length=200)
    status_url = models.URLField(
        _("status URL (optional)"),
        max_length=500,
        blank=True,
        validators=[validate_webhook_url],
    )
    active = models.BooleanField(_("active"), default=True)
    overdue_only = models.BooleanField(_("only overdue reminders and escalations"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "incidents_webhookendpoint"  # moved from the incidents app; the table stayed
        ordering = ["name"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.name


class DigestRun(models.Model):
    """The daily digest of one user for one local date: created once, whatever runs twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_runs"
    )
    local_date = models.DateField(_("local date"))
    time_zone = models.CharField(_("time zone"), max_length=64)
    due_count = models.PositiveIntegerField(default=0)
    overdue_count = models.PositiveIntegerField(default=0)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "incidents_digestrun"  # moved from the incidents app; the table stayed
        ordering = ["-local_date", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "local_date"], name="digest_unique_user_date"),
        ]
        verbose_name = _("digest run")
        verbose_name_plural = _("digest runs")

    def __str__(self) -> str:
        return f"{self.user_id} {self.local_date}"


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    IN_APP = "inapp", _("in-app")
    WEBHOOK = "webhook", _("webhook")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("pending")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")


class Delivery(models.Model):
    """One message to one recipient on one channel, for a reminder or a digest.

    Life cycle: pending -> (dispatched to a send task) -> sending (claimed, with a lease) -> sent.
    A sending row whose lease ran out was interrupted: before sending again, the channel is asked
    whether the message already left (see ``channels.Channel.confirm``).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reminder = models.ForeignKey(
        Reminder, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    digest = models.ForeignKey(
        DigestRun, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    recipient_key = models.CharField(max_length=40, help_text="u:<user id> or w:<endpoint id>")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminder_deliveries",
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    escalation = models.BooleanField(_("escalation"), default=False)
    state = models.CharField(
        _("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    dispatched_at = models.DateTimeField(null=True, blank=True)
    dispatch_token = models.UUIDField(null=True, blank=True, editable=False)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    confirmed_after_interruption = models.BooleanField(default=False)
    last_error = models.CharField(max_length=500, blank=True)
    notification = models.OneToOneField(
        Notification, on_delete=models.SET_NULL, null=True, blank=True, related_name="delivery"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "incidents_delivery"  # moved from the incidents app; the table stayed
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["reminder", "recipient_key", "channel"],
                condition=models.Q(reminder__isnull=False),
                name="delivery_unique_reminder_recipient_channel",
            ),
            models.UniqueConstraint(
                fields=["digest", "channel"],
                condition=models.Q(digest__isnull=False),
                name="delivery_unique_digest_channel",
            ),
            models.CheckConstraint(
                condition=models.Q(reminder__isnull=False, digest__isnull=True)
                | models.Q(reminder__isnull=True, digest__isnull=False),
                name="delivery_reminder_xor_digest",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "dispatched_at"], name="delivery_state_dispatched"),
            models.Index(fields=["dispatch_token"], name="delivery_dispatch_token"),
            models.Index(fields=["claim_token"], name="delivery_claim_token"),
        ]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.channel} {self.recipient_key} {self.state} ({self.id})"


__all__ = [
    "Channel",
    "Delivery",
    "DeliveryState",
    "DigestRun",
    "Reminder",
    "ReminderKind",
    "ReminderPolicy",
    "ReminderState",
    "WebhookEndpoint",
]
