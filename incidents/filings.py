"""Filings: recording, withdrawing, and the verdict they give a deadline.

The earliest filing decides. A deadline's verdict is that of the earliest submitted, not withdrawn
filing answering it, whatever order or concurrency the filings were recorded in: recording a later
filing never changes it; back-entering an earlier one, or withdrawing the deciding one, does, and
that change is kept as a ``DeadlineRecomputation`` with its reason.

Every write takes the incident row and then the deadline row with ``SELECT ... FOR UPDATE`` and
re-reads the filings inside the transaction, so two filings recorded at the same moment are
judged one after the other against what the other committed.

Date-only filings (``precision = "date"``) name a calendar day in a zone (by default the
deadline's own zone: the rule's reference zone, in which regulators date what they receive). The
filing happened somewhere in [00:00, 24:00) of that day: before the due date it is on time, after
it late, and on the due date the verdict is ``uncertain`` (with the earliest and latest possible
lateness) until someone records the time.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.zones import default_time_zone
from incidents.concurrency import check_version, lock, lock_incident
from incidents.deadlines import deadlines_schedule_for, verdict_for
from incidents.models import (
    Deadline,
    DeadlineRecomputation,
    DeadlineStatus,
    Filing,
    FilingPrecision,
    Incident,
    LegalEntity,
)
from incidents.signals import deadlines_changed
from incidents.triggers import NOTHING, Scope, scope_for_filing
from regulators.models import Regulator
from regulators.validators import validate_time_zone


def deadline_zone(deadline: Deadline | None) -> str:
    """The zone whose calendar days a deadline is counted in (rule, request, entity, default)."""
    if deadline is not None:
        obligation = deadline.obligation if deadline.obligation_id is not None else None
        if obligation is not None and obligation.reference_tz:
            return obligation.reference_tz
        zone = (deadline.adhoc_spec or {}).get("tz")
        if isinstance(zone, str) and zone:
            return zone
        if deadline.legal_entity_id is not None and deadline.legal_entity.reference_tz:
            return deadline.legal_entity.reference_tz
    return default_time_zone()


def day_start(day: date, zone: str) -> datetime:
    """00:00 of ``day`` in ``zone`` (a day starting in a DST gap starts at the first real time)."""
    return datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(zone))


def filing_window(filing: Filing) -> tuple[datetime, datetime]:
    """Earliest and latest possible submission instant (the latest is exclusive for a day)."""
    if filing.precision == FilingPrecision.DATE:
        zone = ZoneInfo(filing.entered_tz)
        day = filing.submitted_at.astimezone(zone).date()
        return day_start(day, filing.entered_tz), day_start(
            day + timedelta(days=1), filing.entered_tz
        )
    return filing.submitted_at, filing.submitted_at


def earliest_window(filings: list[Filing]) -> tuple[datetime, datetime] | None:
    """When the first of ``filings`` was submitted, at the earliest and at the latest."""
    windows = [filing_window(f) for f in filings]
    if not windows:
        return None
    return min(w[0] for w in windows), min(w[1] for w in windows)


def _refresh_verdict(deadline: Deadline, *, reason: str, changed_by: User | None) -> Deadline:
    """Recompute a locked deadline's filing time and verdict from its remaining filings."""
    filings = list(deadline.filings.filter(withdrawn_at__isnull=True))
    window = earliest_window(filings)
    filed_at, filed_latest = window if window is not None else (None, None)
    if (filed_at, filed_latest) == (deadline.filed_at, deadline.filed_latest_at):
        return deadline  # a later filing: the earliest one still decides
    old_verdict, was_filed = deadline.verdict, deadline.filed_at is not None
    deadline.filed_at, deadline.filed_latest_at = filed_at, filed_latest
    if filed_at is None:
        deadline.verdict, deadline.late_by_seconds, deadline.verdict_frozen_at = "", None, None
        if deadline.status == DeadlineStatus.FILED:
            deadline.status = DeadlineStatus.OPEN
    else:
        deadline.verdict, deadline.late_by_seconds = verdict_for(
            deadline.due_at, filed_at, filed_latest
        )
        deadline.verdict_frozen_at = timezone.now()
        if deadline.status == DeadlineStatus.OPEN:
            deadline.status = DeadlineStatus.FILED
    deadline.save(
        update_fields=[
            "filed_at",
            "filed_latest_at",
            "verdict",
            "late_by_seconds",
            "verdict_frozen_at",
            "status",
            "updated_at",
        ]
    )
    for alternative in deadline.alternatives.all():
        if filed_at is None:
            alternative.verdict, alternative.late_by_seconds = "", None
        else:
            alternative.verdict, alternative.late_by_seconds = verdict_for(
                alternative.due_at, filed_at, filed_latest
            )
        alternative.save(update_fields=["verdict", "late_by_seconds"])
    if was_filed:
        DeadlineRecomputation.objects.create(
            deadline=deadline,
            old_due_at=deadline.due_at,
            new_due_at=deadline.due_at,
            old_verdict=old_verdict,
            new_verdict=deadline.verdict,
            reason=reason[:500],
            changed_by=changed_by,
        )
    deadlines_changed.send(sender=Deadline, deadline=deadline)
    return deadline


def _normalise_time(submitted_at: datetime, precision: str, zone: str) -> datetime:
    if timezone.is_naive(submitted_at):
        raise ValidationError(
            {"submitted_at": _("Give a time zone or a UTC offset with the time.")}
        )
    if precision not in FilingPrecision.values:
        raise ValidationError({"precision": _("Precision is “exact” or “date”.")})
    if precision == FilingPrecision.DATE:
        return day_start(submitted_at.astimezone(ZoneInfo(zone)).date(), zone)
    return submitted_at


def filing_submit(
    *,
    incident: Incident,
    recipient: str,
    submitted_at: datetime,
    precision: str = FilingPrecision.EXACT,
    entered_tz: str | None = None,
    deadline: Deadline | None = None,
    legal_entity: LegalEntity | None = None,
    regulator: Regulator | None = None,
    channel: str = "",
    reference_number: str = "",
    acknowledged_at: datetime | None = None,
    acknowledgement: str = "",
    notes: str = "",
    submitted_by: User | None = None,
) -> Filing:
    """Record a filing. For a date-only one, ``submitted_at`` names the day (in ``entered_tz``,
    by default the deadline's zone). The earliest filing answering a deadline decides its
    verdict."""
    with transaction.atomic():
        incident = lock_incident(incident)
        if deadline is not None:
            if deadline.incident_id != incident.pk:
                raise ValidationError({"deadline": _("That deadline belongs to another incident.")})
            deadline = lock(Deadline, deadline.pk)
            legal_entity = legal_entity or deadline.legal_entity
            regulator = regulator or deadline.regulator
        zone = entered_tz or deadline_zone(deadline)
        try:
            validate_time_zone(zone)
        except ValidationError as exc:
            raise ValidationError({"entered_tz": exc.messages}) from exc
        if acknowledged_at is not None and timezone.is_naive(acknowledged_at):
            raise ValidationError(
                {"acknowledged_at": _("Give a time zone or a UTC offset with the time.")}
            )
        filing = Filing(
            incident=incident,
            deadline=deadline,
            legal_entity=legal_entity,
            regulator=regulator,
            recipient=recipient,
            submitted_at=_normalise_time(submitted_at, precision, zone),
            precision=precision,
            entered_tz=zone,
            channel=channel,
            reference_number=reference_number,
            acknowledged_at=acknowledged_at,
            acknowledgement=acknowledgement,
            notes=notes,
            submitted_by=submitted_by,
        )
        # The incident and the deadline are locked above, the user is the caller: no existence
        # query for each of them (the database's foreign keys hold them anyway).
        filing.full_clean(exclude=["incident", "deadline", "submitted_by"])
        filing.save()
        if deadline is not None:
            _refresh_verdict(
                deadline,
                reason=_("earlier filing recorded: %(recipient)s, %(when)s")
                % {"recipient": recipient, "when": filing.submitted_at.isoformat()},
                changed_by=submitted_by,
            )
        # Only what a filing of this deadline's rule can move (nothing, for a filing that
        # answers no deadline); the filed deadline's own verdict was settled just above.
        deadlines_schedule_for(
            incident=incident,
            changed_by=submitted_by,
            reason=_("filing recorded"),
            scope=scope_for_filing(deadline.code) if deadline is not None else NOTHING,
        )
        return filing


def filing_withdraw(*, filing: Filing, reason: str, withdrawn_by: User | None) -> Filing:
    """Withdraw a filing recorded in error: it is kept, marked withdrawn with the reason, and its
    deadline's verdict is recomputed from the remaining filings (recorded as a recomputation)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the filing is withdrawn.")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("At most 500 characters.")})
    with transaction.atomic():
        incident = lock_incident(filing.incident_id)
        deadline = lock(Deadline, filing.deadline_id) if filing.deadline_id else None
        filing = lock(Filing, filing.pk)
        if filing.withdrawn_at is not None:
            raise ValidationError({"reason": _("That filing has already been withdrawn.")})
        filing.withdrawn_at = timezone.now()
        filing.withdrawn_by = withdrawn_by  # type: ignore[assignment]
        filing.withdrawal_reason = reason
        filing.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
        if deadline is not None:
            _refresh_verdict(
                deadline,
                reason=_("filing withdrawn: %(reason)s") % {"reason": reason},
                changed_by=withdrawn_by,
            )
        # What a filing of this rule can move, and the deadline itself: with no filing left its
        # verdict is no longer frozen, and it is computed again like any open clock.
        deadlines_schedule_for(
            incident=incident,
            changed_by=withdrawn_by,
            reason=_("filing withdrawn"),
            scope=(
                scope_for_filing(deadline.code) | Scope.of(deadline.code)
                if deadline is not None
                else NOTHING
            ),
        )
        return filing


# --- Acknowledgements (the browser's and the API's door) -------------------------------------

_UNSET: Any = object()

# A regulator's portal clock and ours may differ by a little; more than this is a typo.
ACK_CLOCK_SKEW = timedelta(minutes=5)


def filing_acknowledge(
    *,
    filing: Filing,
    acknowledged_at: datetime | None = _UNSET,
    acknowledgement: str = _UNSET,
    reference_number: str = _UNSET,
    channel: str = _UNSET,
    changed_by: User | None = None,
    expected_version: str | None = None,
) -> Filing:
    """Record or edit the regulator's acknowledgement of a filing: when, what it said, the
    reference number it gave and the channel. Only the fields given change. The submission
    time, and so the deadline's frozen verdict, is never touched here.

    The filing row is re-read with ``SELECT ... FOR UPDATE`` and judged as committed: two
    acknowledgements at once are applied one after the other (each keeps the fields the other
    did not give). With ``expected_version`` (``version_of`` the filing the editor saw), a write
    over a newer version raises ``StaleWrite`` instead. Returns the filing as written."""
    with transaction.atomic():
        caller_copy, filing = filing, lock(Filing, filing.pk)
        check_version(filing, expected_version)
        values = {
            "acknowledged_at": acknowledged_at,
            "acknowledgement": acknowledgement,
            "reference_number": reference_number,
            "channel": channel,
        }
        given: dict[str, Any] = {k: v for k, v in values.items() if v is not _UNSET}
        when = given.get("acknowledged_at")
        if when is not None:
            if timezone.is_naive(when):
                raise ValidationError(
                    {"acknowledged_at": _("Give a time zone or a UTC offset with the time.")}
                )
            if when < filing.submitted_at:
                raise ValidationError(
                    {"acknowledged_at": _("An acknowledgement cannot come before the submission.")}
                )
            if when > timezone.now() + ACK_CLOCK_SKEW:
                raise ValidationError({"acknowledged_at": _("That time is in the future.")})
        for name in ("acknowledgement", "reference_number", "channel"):
            if name in given:
                given[name] = (given[name] or "").strip()
        text = given.get("acknowledgement", filing.acknowledgement)
        at = given.get("acknowledged_at", filing.acknowledged_at)
        if text and at is None:
            raise ValidationError(
                {"acknowledged_at": _("Give the time of the acknowledgement with its text.")}
            )
        changed = [name for name, value in given.items() if getattr(filing, name) != value]
        if not changed:
            return filing
        for name in changed:
            setattr(filing, name, given[name])
        filing.full_clean()
        filing.save(update_fields=changed)
        for name in changed:  # the caller's copy shows what was saved, as before
            setattr(caller_copy, name, getattr(filing, name))
        return filing


__all__ = [
    "ACK_CLOCK_SKEW",
    "deadline_zone",
    "earliest_window",
    "filing_acknowledge",
    "filing_submit",
    "filing_window",
    "filing_withdraw",
]
