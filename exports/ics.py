"""ICS calendar feeds of deadlines: per user (every deadline they may see) or per incident.

Times are written in UTC (``DTSTART:...Z``), the stored instant itself; the zone-local wall time
is in the description. Each deadline keeps one UID (``deadline-<id>@<host>``) for its whole life,
so a calendar moves the entry when the deadline moves, and ``SEQUENCE`` counts the moves.
Alarms follow each deadline's reminder policy (reminders): by default 24 h, 4 h and
1 h before the due time, and at the due time.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone

from exports.data import verdict_text
from incidents.models import Deadline, DeadlineStatus
from reminders.services import policy_for

DEFAULT_OFFSETS_HOURS = (24, 4, 1)
PRODID = "-//Incident Clock//Deadlines//EN"


def alarm_offsets(deadline: Deadline | None = None) -> list[timedelta]:
    """How long before the due time each alarm fires: the deadline's reminder policy (its
    obligation's own, else the global default), keeping the offsets at or before the due time."""
    if deadline is None:
        hours = getattr(settings, "REMINDER_DEFAULT_OFFSETS_HOURS", DEFAULT_OFFSETS_HOURS)
        return [timedelta(hours=float(h)) for h in hours]

    policy = policy_for(deadline)
    return [timedelta(seconds=-seconds) for seconds in policy.relative if seconds <= 0]


def uid_for(deadline: Deadline) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "incident-clock.invalid"
    return f"deadline-{deadline.pk}@{host}"


def feed_deadlines(queryset: QuerySet[Deadline]) -> QuerySet[Deadline]:
    return (
        queryset.filter(due_at__isnull=False)
        .select_related("incident", "legal_entity", "regulator")
        .annotate(moves=Count("recomputations"))
        .order_by("due_at", "id")
    )


def ics_bytes(deadlines: QuerySet[Deadline], *, name: str) -> bytes:
    from icalendar import Alarm, Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "UTC")
    now = timezone.now().astimezone(UTC)
    base = settings.SITE_URL.rstrip("/")
    for deadline in feed_deadlines(deadlines):
        assert deadline.due_at is not None  # noqa: S101  (filtered above)
        due = deadline.due_at.astimezone(UTC)
        event = Event()
        event.add("uid", uid_for(deadline))
        event.add("dtstamp", now)
        event.add("dtstart", due)
        event.add("last-modified", deadline.updated_at.astimezone(UTC))
        event.add("sequence", int(getattr(deadline, "moves", 0)))
        prefix = ""
        if deadline.status == DeadlineStatus.FILED:
            _css, verdict = verdict_text(
                deadline.verdict, deadline.late_by_seconds, language="en", due_at=deadline.due_at
            )
            prefix = f"[filed, {verdict}] "
        event.add(
            "summary",
            f"{prefix}{deadline.incident.reference}: {deadline.title} ({deadline.legal_entity.name})",
        )
        steps = "\n".join(
            f"- {step.get('en', '')}\n  {step.get('ko', '')}" for step in deadline.explanation or []
        )
        regulator = deadline.regulator
        recipient = f"{regulator.name_en} / {regulator.name_ko}\n" if regulator else ""
        event.add(
            "description",
            f"{deadline.incident.reference} {deadline.incident.title}\n{recipient}{steps}",
        )
        event.add("url", f"{base}/incidents/{deadline.incident.reference}/")
        if deadline.status in (DeadlineStatus.NOT_APPLICABLE, DeadlineStatus.SUPERSEDED):
            # Keep the UID so calendars that already hold it remove or grey it out.
            event.add("status", "CANCELLED")
        else:
            event.add("status", "CONFIRMED")
        if deadline.status == DeadlineStatus.OPEN:
            for offset in alarm_offsets(deadline):
                alarm = Alarm()
                alarm.add("action", "DISPLAY")
                alarm.add("description", f"Due: {deadline.title}")
                alarm.add("trigger", -offset)
                event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()
