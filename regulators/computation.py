"""The one place a due time is computed from stored law.

Every caller that turns "this rule, this trigger" into a due time goes through here: the incident
scheduler (``incidents.deadlines``), the web what-if page, the API what-if and
``manage.py deadline``. The steps are always the same, in this order:

1. the rule's versions (one ``RuleSpec`` per ``Obligation`` row, or one ad hoc spec);
2. the version in force on the trigger's date (``select_version``);
3. that version's calendar, from the database with its admin closures (``Calendar.engine_for``);
4. the trigger's precision and, for rules with a long stop, the awareness time;
5. the pure engine (``compute_for_versions``).

Bad input raises ``django.core.exceptions.ValidationError`` keyed by field name (``code``,
``offset``, ``calendar``, ``tz``, ``trigger``), so forms, serializers and commands can show it.
Nothing here knows about incidents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from regulators.engine.calendars import BusinessCalendar
from regulators.engine.rules import (
    DeadlineResult,
    Precision,
    RuleSpec,
    Trigger,
    Unit,
    adhoc_rule,
    compute_for_versions,
    parse_offset,
    select_version,
    zone,
)
from regulators.models import Calendar, Obligation


@dataclass
class CalendarCache:
    """Engine calendars read from the database once per computation run (a scheduler pass
    computes dozens of clocks against the same two or three calendars)."""

    _by_code: dict[str, BusinessCalendar] = field(default_factory=dict)

    def get(self, code: str | None) -> BusinessCalendar | None:
        if not code:
            return None
        if code not in self._by_code:
            try:
                self._by_code[code] = Calendar.engine_for(code)
            except ValueError as exc:
                raise ValidationError(
                    {"calendar": _("Unknown calendar %(code)s.") % {"code": code}}
                ) from exc
        return self._by_code[code]


@dataclass(frozen=True)
class Computation:
    """A due time and what it was computed from."""

    result: DeadlineResult
    spec: RuleSpec
    obligation: Obligation | None


def compute(
    versions: Sequence[RuleSpec],
    trigger: Trigger,
    *,
    awareness: Trigger | None = None,
    calendars: CalendarCache | None = None,
    entity_tz: str | None = None,
    relief_excluded: bool | None = None,
) -> DeadlineResult:
    """Steps 2 to 5 for rule versions already loaded: the chosen version's own calendar.

    ``entity_tz`` is the obliged entity's zone (rules counting the entity's days);
    ``relief_excluded`` the DORA weekend-relief fact (None = unknown, the stricter time)."""
    if not versions:
        raise ValidationError({"code": _("A rule needs at least one version.")})
    calendars = calendars or CalendarCache()
    chosen = select_version(versions, trigger.at) or versions[0]
    calendar = calendars.get(chosen.calendar_code)
    try:
        return compute_for_versions(
            versions,
            trigger,
            calendar=calendar,
            awareness=awareness,
            entity_tz=entity_tz,
            relief_excluded=relief_excluded,
        )
    except (ValueError, OverflowError) as exc:
        raise ValidationError({"trigger": str(exc)}) from exc


def obligation_versions(code: str) -> list[Obligation]:
    rows = list(
        Obligation.objects.filter(code=code)
        .select_related("calendar", "regulator")
        .order_by("version")
    )
    if not rows:
        raise ValidationError({"code": _("Unknown rule code %(code)s.") % {"code": code}})
    return rows


def adhoc_spec(
    *,
    offset: Any,
    calendar: Any = "",
    tz: Any = "",
    roll_forward: Any = False,
    calendars: CalendarCache | None = None,
) -> RuleSpec:
    """The rule for an ad hoc period (a regulator's request, the what-if tool).

    The rules for a period live here and nowhere else: a readable offset, business days only
    with a calendar that exists, a real time zone.
    """
    try:
        amount, unit = parse_offset(offset)
    except ValueError as exc:
        raise ValidationError(
            {"offset": _("Write a number and a unit (h, cd, bd or mo), for example 5bd.")}
        ) from exc
    if calendar is not None and not isinstance(calendar, str):
        raise ValidationError({"calendar": _("Give a calendar code, e.g. KR.")})
    if tz is not None and not isinstance(tz, str):
        raise ValidationError({"tz": _("Give a time zone name, e.g. Asia/Seoul.")})
    if not isinstance(roll_forward, bool):
        raise ValidationError({"roll_forward": _("Give true or false.")})
    calendar_code = (calendar or "").strip() or None
    if unit is Unit.BUSINESS_DAYS and calendar_code is None:
        raise ValidationError({"calendar": _("Business days need a calendar.")})
    if calendar_code is not None:
        (calendars or CalendarCache()).get(calendar_code)
    # Without a zone, the installation's default zone (settings.TIME_ZONE), as everywhere else.
    reference_tz = (tz or "").strip() or settings.TIME_ZONE
    try:
        zone(reference_tz)
    except Exception as exc:  # zoneinfo raises several exception types for bad keys
        raise ValidationError(
            {"tz": _("Unknown time zone %(tz)s.") % {"tz": reference_tz}}
        ) from exc
    return adhoc_rule(
        amount,
        unit,
        calendar_code=calendar_code,
        reference_tz=reference_tz,
        roll_forward=roll_forward,
    )


def deadline_compute(
    *,
    trigger_at: datetime,
    precision: str = Precision.EXACT,
    awareness_at: datetime | None = None,
    awareness_precision: str = Precision.EXACT,
    code: str | None = None,
    versions: Sequence[Obligation] | None = None,
    offset: Any = None,
    calendar: Any = "",
    tz: Any = "",
    roll_forward: Any = False,
    calendars: CalendarCache | None = None,
    entity_tz: str | None = None,
    relief_excluded: bool | None = None,
) -> Computation:
    """The entry point: an obligation (``code``, or its already loaded ``versions``) or an ad hoc
    ``offset``, a trigger, and optionally the awareness time for rules with a long stop."""
    if (code is None and versions is None) == (offset is None):
        raise ValidationError(_("Give either an obligation code or an offset."))
    try:
        trigger = Trigger(at=trigger_at, precision=Precision(precision))
        awareness = (
            Trigger(at=awareness_at, precision=Precision(awareness_precision))
            if awareness_at is not None
            else None
        )
    except ValueError as exc:
        raise ValidationError({"trigger": str(exc)}) from exc
    calendars = calendars or CalendarCache()
    if offset is not None:
        spec = adhoc_spec(
            offset=offset, calendar=calendar, tz=tz, roll_forward=roll_forward, calendars=calendars
        )
        result = compute(
            [spec],
            trigger,
            awareness=awareness,
            calendars=calendars,
            entity_tz=entity_tz,
            relief_excluded=relief_excluded,
        )
        return Computation(result=result, spec=spec, obligation=None)
    rows = list(versions) if versions is not None else obligation_versions(str(code))
    specs = [row.to_spec() for row in rows]
    result = compute(
        specs,
        trigger,
        awareness=awareness,
        calendars=calendars,
        entity_tz=entity_tz,
        relief_excluded=relief_excluded,
    )
    row = next((r for r in rows if r.version == result.version), rows[-1])
    spec = next((s for s in specs if s.version == row.version), specs[-1])
    return Computation(result=result, spec=spec, obligation=row)


__all__ = [
    "CalendarCache",
    "Computation",
    "adhoc_spec",
    "compute",
    "deadline_compute",
    "obligation_versions",
]
