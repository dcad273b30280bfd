"""Template helpers for times, durations and the two languages.

Every instant is shown in the viewer's zone (activated by ``UserTimezoneMiddleware``) *with* its
UTC offset, because a deadline read without its offset is a deadline misread.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from django import template
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from incidents.models import Deadline
from incidents.selectors import notifications_for

register = template.Library()


def is_korean() -> bool:
    return (get_language() or "").startswith("ko")


def _offset(dt: datetime) -> str:
    off = dt.utcoffset() or timedelta(0)
    secs = int(off.total_seconds())
    sign = "-" if secs < 0 else "+"
    secs = abs(secs)
    return f"{sign}{secs // 3600:02d}:{secs % 3600 // 60:02d}"


def _date_text(local: datetime) -> str:
    """``date_format(local, "Y-m-d (D)")``, spelled out: Django's formatter builds an object and
    splits the pattern on every call (~20 us), and the pages show up to ~70 instants each (a
    timeline's labels). Equal to it for every instant and language (tests/incidents/
    test_clock_text.py)."""
    weekday = WEEKDAYS_ABBR[local.weekday()]
    return f"{local.year:04d}-{local.month:02d}-{local.day:02d} ({weekday})"


def instant_text(dt: datetime, tz: ZoneInfo | None = None, *, seconds: bool = False) -> str:
    """'2025-11-18 (Tue) 16:00 KST +09:00' in the active (or given) zone and language."""
    local = dt.astimezone(tz or timezone.get_current_timezone())
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if seconds or local.second:
        clock += f":{local.second:02d}"
    name = local.tzname() or ""
    abbreviation = f" {name}" if name and name[0] not in "+-" else ""
    return f"{_date_text(local)} {clock}{abbreviation} {_offset(local)}"


@register.filter
def when(value: datetime | None, zone_name: str = "") -> SafeString | str:
    """A ``<time>`` element in the viewer's zone, or in ``zone_name`` when given."""
    if value is None:
        return ""
    tz = ZoneInfo(zone_name) if zone_name else None
    return format_html(
        '<time datetime="{}">{}</time>', value.isoformat(), instant_text(value, tz=tz)
    )


@register.filter
def when_date(value: datetime | None, zone_name: str = "") -> str:
    if value is None:
        return ""
    tz = ZoneInfo(zone_name) if zone_name else timezone.get_current_timezone()
    return _date_text(value.astimezone(tz))


def duration_text(seconds: float, *, korean: bool | None = None) -> str:
    """Compact, localised: '3 d 4 h', '29 h 35 min', '12 min 5 s' (Korean: '3일 4시간' ...);
    ``korean`` when the caller knows the language already (None: the active one)."""
    total = abs(int(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    ko = is_korean() if korean is None else korean
    if days >= 2:
        return f"{days}일 {hours}시간" if ko else f"{days} d {hours} h"
    hours += days * 24
    if hours:
        return f"{hours}시간 {minutes}분" if ko else f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes}분 {secs}초" if ko else f"{minutes} min {secs} s"
    return f"{secs}초" if ko else f"{secs} s"


@register.filter
def duration(seconds: float | int | None) -> str:
    if seconds is None:
        return ""
    return duration_text(float(seconds))


@register.filter
def in_lang(value: dict[str, str] | None) -> str:
    """The current language's text of a {"en": ..., "ko": ...} pair."""
    if not value:
        return ""
    if is_korean():
        return value.get("ko") or value.get("en", "")
    return value.get("en") or value.get("ko", "")


@register.filter
def steps(explanation: list[dict[str, str]] | None) -> list[str]:
    return [in_lang(step) for step in explanation or []]


@register.filter
def localized_name(obj: Any) -> str:
    """``name_ko``/``name_en`` (regulators) or ``title_ko``/``title_en`` (obligations)."""
    if obj is None:
        return ""
    for base in ("name", "title", "recipient"):
        en = getattr(obj, f"{base}_en", None)
        if en is not None:
            ko = getattr(obj, f"{base}_ko", "")
            return (ko or en) if is_korean() else en
    return str(obj)


@register.filter
def deadline_title(deadline: Deadline) -> str:
    if deadline.obligation_id is not None and deadline.obligation is not None:
        return localized_name(deadline.obligation)
    return deadline.title


@register.filter
def verdict_label(verdict: str) -> str:
    return {
        "on_time": _("on time"),
        "late": _("late"),
        "no_legal_due": _("no legal due time"),
        "uncertain": _("uncertain (date only)"),
    }.get(verdict, "")


def _signed_duration(seconds: float) -> str:
    text = duration(abs(int(seconds)))
    return f"-{text}" if seconds < 0 else text


@register.filter
def earliest_lateness(deadline: Deadline) -> str:
    """Lateness if a date-only filing was made at 00:00 (negative: that much to spare)."""
    if deadline.filed_at is None or deadline.due_at is None:
        return ""
    return _signed_duration((deadline.filed_at - deadline.due_at).total_seconds())


@register.filter
def latest_lateness(deadline: Deadline) -> str:
    """Lateness if a date-only filing was made at the very end of its day."""
    latest = deadline.filed_latest_at or deadline.filed_at
    if latest is None or deadline.due_at is None:
        return ""
    return _signed_duration((latest - deadline.due_at).total_seconds())


@register.filter
def local_day(value: datetime, zone: str) -> str:
    """The calendar day of ``value`` in ``zone`` (a date-only filing's day)."""
    return value.astimezone(ZoneInfo(zone)).date().isoformat()


class Countdowns:
    """The urgency and the countdown of deadlines at one instant (``urgency`` and ``countdown``
    for one): a list drawing fifty reads each translated sentence once, not fifty times."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.korean = is_korean()

    @cached_property
    def _late(self) -> str:
        return _("late by %(duration)s")

    @cached_property
    def _within(self) -> str:
        return _("in %(duration)s")

    @cached_property
    def _no_due(self) -> SafeString:
        return format_html('<span class="pill pill-nodue">{}</span>', _("without delay"))

    def urgency(self, due_at: datetime | None) -> str:
        """'overdue', 'soon' (due within 24 h), 'open' or 'nodue' for an open deadline."""
        if due_at is None:
            return "nodue"
        remaining = (due_at - self.now).total_seconds()
        if remaining < 0:
            return "overdue"
        return "soon" if remaining <= 86400 else "open"

    def html(self, due_at: datetime | None) -> SafeString:
        """Server-rendered remaining time, kept live by static/js/countdown.js."""
        if due_at is None:
            return self._no_due
        remaining = (due_at - self.now).total_seconds()
        duration = duration_text(remaining, korean=self.korean)
        if remaining < 0:
            text = self._late % {"duration": duration}
            css = "countdown overdue"
        else:
            text = self._within % {"duration": duration}
            css = "countdown soon" if remaining <= 86400 else "countdown"
        # The class is one of three constants and an ISO time has nothing to escape; the text
        # (a translated sentence) is escaped: what format_html gave, without two escapes a row.
        return mark_safe(  # noqa: S308  # nosec B308 B703
            f'<span class="{css}" data-due="{due_at.isoformat()}">{escape(text)}</span>'
        )


@register.filter
def urgency(deadline: Deadline, now: datetime) -> str:
    """'overdue', 'soon' (due within 24 h), 'open' or 'nodue' for an open deadline."""
    return Countdowns(now).urgency(deadline.due_at)


@register.simple_tag
def countdown(deadline: Deadline, now: datetime) -> SafeString | str:
    """Server-rendered remaining time, kept live by static/js/countdown.js."""
    return Countdowns(now).html(deadline.due_at)


@register.simple_tag
def unread_notifications(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    # Read with the user at the start of the request (accounts.backends), if it was.
    known: int | None = getattr(user, "unread_notifications", None)
    if known is not None:
        return known
    return notifications_for(user).filter(read_at__isnull=True).count()


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (for pagination links); a
    parameter given as None is dropped."""
    request: HttpRequest | None = context.get("request")
    params = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "?" + params.urlencode()


@register.filter
def pct(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.0f}%"


@register.filter
def rule_zone(deadline: Deadline) -> str:
    """The zone the deadline's rule counts in (the obligation's, or the request's own)."""
    if deadline.obligation_id is not None and deadline.obligation is not None:
        return deadline.obligation.reference_tz
    return str((deadline.adhoc_spec or {}).get("tz") or "")


@register.filter
def tristate(value: bool | None) -> str:
    if value is None:
        return _("unknown")
    return _("yes") if value else _("no")


@register.filter
def step_text(step: Any) -> str:
    """One engine explanation step (``Step`` with .en/.ko) in the current language."""
    return str(getattr(step, "ko" if is_korean() else "en", "") or getattr(step, "en", ""))


@register.simple_tag
def countdown_pattern(kind: str) -> str:
    """The countdown sentence with a %(duration)s hole, for static/js/app.js."""
    if kind == "late":
        return _("late by %(duration)s")
    return _("in %(duration)s")


@register.filter
def basis_label(value: str) -> str:
    """Whose position an event records: the usual values translated, others as entered."""
    known = {
        "company": _("company"),
        "investigators": _("investigators"),
        "class action": _("class action"),
    }
    return str(known.get(value, value))
