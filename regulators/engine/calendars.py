"""Business-day calendars: weekends, public holidays (observed dates) and admin closures.

Pure Python, no Django. Holiday data comes from the PyPI ``holidays`` package (pinned: the
Korean substitute-day rules and one-off holidays depend on the version, see REGULATIONS.md D.3).

Holiday years are loaded lazily, as far as a computation reaches, and cached at module level per
(source, year), so building a ``BusinessCalendar`` (for example from database rows on every
request) costs only a few attribute assignments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Final

import holidays

__all__ = [
    "BUILTIN_CALENDAR_CODES",
    "HOLIDAY_SOURCES",
    "BusinessCalendar",
    "Closure",
    "builtin_calendar",
]

ONE_DAY: Final = timedelta(days=1)

#: Holiday sources a calendar may name, with a short description for admins.
HOLIDAY_SOURCES: Final[dict[str, str]] = {
    "KR": "South Korea public holidays (holidays.KR, category PUBLIC, substitute days included)",
    "US": "US federal holidays, observed dates (holidays.US, category PUBLIC)",
}

_WEEKDAY_EN: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY_KO: Final = ("월요일", "화요일", "수요일", "목요일", "금요일", "토요일", "일요일")

# holidays.US has no Korean translation; the explanation is bilingual, so name the 11 federal
# holidays ourselves. Unknown names fall back to English.
_US_NAMES_KO: Final[dict[str, str]] = {
    "New Year's Day": "신정(New Year's Day)",
    "Martin Luther King Jr. Day": "마틴 루터 킹 주니어의 날",
    "Washington's Birthday": "워싱턴 탄생일(대통령의 날)",
    "Memorial Day": "메모리얼 데이(현충일)",
    "Juneteenth National Independence Day": "준틴스 국가 독립기념일",
    "Independence Day": "독립기념일",
    "Labor Day": "노동절(Labor Day)",
    "Columbus Day": "콜럼버스의 날",
    "Veterans Day": "재향군인의 날",
    "Thanksgiving Day": "추수감사절",
    "Christmas Day": "성탄절",
}
_OBSERVED_SUFFIX: Final = " (observed)"


def _us_name_ko(name_en: str) -> str:
    parts = []
    for part in name_en.split("; "):
        observed = part.endswith(_OBSERVED_SUFFIX)
        base = part.removesuffix(_OBSERVED_SUFFIX)
        ko = _US_NAMES_KO.get(base, base)
        parts.append(f"{ko} 대체 휴일" if observed else ko)
    return "; ".join(parts)


# (source, year) -> {date in that year: (name_en, name_ko)}
_HOLIDAY_CACHE: dict[tuple[str, int], dict[date, tuple[str, str]]] = {}


def _load_year(source: str, year: int) -> dict[date, tuple[str, str]]:
    """Holidays of ``source`` that fall in ``year`` (cached).

    The package attributes some observed days to a neighbouring year (New Year's Day 2028 is
    observed on 2027-12-31), so the neighbouring years are loaded too and filtered by date.
    """
    key = (source, year)
    cached = _HOLIDAY_CACHE.get(key)
    if cached is not None:
        return cached
    years = (year - 1, year, year + 1)
    result: dict[date, tuple[str, str]] = {}
    if source == "KR":
        en = holidays.country_holidays(
            "KR", years=years, categories=(holidays.PUBLIC,), language="en_US"
        )
        ko = holidays.country_holidays(
            "KR", years=years, categories=(holidays.PUBLIC,), language="ko"
        )
        for day, name in en.items():
            if day.year == year:
                result[day] = (name, ko.get(day) or name)
    elif source == "US":
        us = holidays.country_holidays("US", years=years, categories=(holidays.PUBLIC,))
        for day, name in us.items():
            if day.year == year:
                result[day] = (name, _us_name_ko(name))
    else:
        raise ValueError(
            f"Unknown holiday source {source!r}; expected one of {sorted(HOLIDAY_SOURCES)} or None."
        )
    _HOLIDAY_CACHE[key] = result
    return result


@dataclass(frozen=True)
class Closure:
    """A one-off day on which the filing office is (or may be) closed, entered by an admin.

    ``confirmed=False`` means "announced for the government but not confirmed for this office"
    (e.g. EDGAR on 2025-12-24): the day still counts as a business day, and the explanation
    names it and gives the later date that would apply if it were a holiday.
    """

    day: date
    confirmed: bool
    label: str


class BusinessCalendar:
    """Mon-Fri minus public holidays (observed dates) minus confirmed closures.

    ``removed`` lists dates an admin declares not to be holidays (e.g. a library error); they do
    not remove closures, only package holidays.
    """

    __slots__ = ("_closed", "_confirmed", "_removed", "_unconfirmed", "code", "holiday_source")

    def __init__(
        self,
        code: str,
        holiday_source: str | None,
        closures: Iterable[Closure] = (),
        removed: Iterable[date] = (),
    ) -> None:
        if holiday_source is not None and holiday_source not in HOLIDAY_SOURCES:
            raise ValueError(
                f"Unknown holiday source {holiday_source!r} for calendar {code!r}; "
                f"expected one of {sorted(HOLIDAY_SOURCES)} or None (weekends only)."
            )
        self.code = code
        self.holiday_source = holiday_source
        confirmed: dict[date, Closure] = {}
        unconfirmed: dict[date, Closure] = {}
        for closure in closures:
            # A confirmed entry wins over an unconfirmed one for the same day.
            if closure.confirmed:
                confirmed[closure.day] = closure
                unconfirmed.pop(closure.day, None)
            elif closure.day not in confirmed:
                unconfirmed[closure.day] = closure
        self._confirmed: dict[date, Closure] = confirmed
        self._unconfirmed: dict[date, Closure] = unconfirmed
        self._removed: frozenset[date] = frozenset(removed)
        # year -> weekdays that are not business days (holidays and confirmed closures)
        self._closed: dict[int, frozenset[date]] = {}

    def __repr__(self) -> str:
        return (
            f"BusinessCalendar({self.code!r}, {self.holiday_source!r}, "
            f"closures={len(self._confirmed) + len(self._unconfirmed)}, removed={len(self._removed)})"
        )

    # -- lookups -------------------------------------------------------------------------------

    def _holidays(self, year: int) -> Mapping[date, tuple[str, str]]:
        if self.holiday_source is None:
            return {}
        return _load_year(self.holiday_source, year)

    def _closed_in(self, year: int) -> frozenset[date]:
        closed = self._closed.get(year)
        if closed is None:
            days = {d for d in self._holidays(year) if d not in self._removed}
            days.update(d for d in self._confirmed if d.year == year)
            closed = frozenset(d for d in days if d.weekday() < 5)
            self._closed[year] = closed
        return closed

    def is_business_day(self, d: date) -> bool:
        """Mon-Fri, not a holiday of the calendar (unless removed), not a confirmed closure.

        Unconfirmed closures count as business days (the earlier, safer reading).
        """
        return d.weekday() < 5 and d not in self._closed_in(d.year)

    def holiday_name(self, d: date) -> str | None:
        """English name of the holiday or confirmed closure on ``d`` (also on a weekend), else None."""
        names = self._names(d)
        return names[0] if names else None

    def _names(self, d: date) -> tuple[str, str] | None:
        closure = self._confirmed.get(d)
        if closure is not None:
            return (closure.label, closure.label)
        if d in self._removed:
            return None
        return self._holidays(d.year).get(d)

    def unconfirmed_closure(self, d: date) -> Closure | None:
        """The unconfirmed closure entered for ``d``, if any (``d`` still counts as a business day)."""
        return self._unconfirmed.get(d)

    @property
    def unconfirmed_closures(self) -> tuple[Closure, ...]:
        return tuple(sorted(self._unconfirmed.values(), key=lambda c: c.day))

    @property
    def confirmed_closures(self) -> tuple[Closure, ...]:
        return tuple(sorted(self._confirmed.values(), key=lambda c: c.day))

    def non_business_reason(self, d: date) -> tuple[str, str] | None:
        """Why ``d`` is not a business day, in English and Korean; None for a business day."""
        if self.is_business_day(d):
            return None
        wd = d.weekday()
        names = self._names(d)
        if wd >= 5:
            if names:
                return (f"{_WEEKDAY_EN[wd]}, {names[0]}", f"{_WEEKDAY_KO[wd]}, {names[1]}")
            return (_WEEKDAY_EN[wd], _WEEKDAY_KO[wd])
        if names:
            return names
        return ("closed", "휴무일")  # pragma: no cover - closed days always have a name

    # -- arithmetic ----------------------------------------------------------------------------

    def count_business_days(
        self, start: date, n: int, *, unconfirmed_closed: bool = False
    ) -> tuple[date, list[date], list[date]]:
        """Day 0 is ``start``; count ``n`` business days after it.

        Returns (due date, counted days, skipped days). With ``unconfirmed_closed`` the
        unconfirmed closures are treated as holidays (used for the "if it were a holiday" date).
        """
        if n < 0:
            raise ValueError(f"Cannot count a negative number of business days ({n}).")
        counted: list[date] = []
        skipped: list[date] = []
        extra = self._unconfirmed if unconfirmed_closed else None
        d = start
        year = d.year
        closed = self._closed_in(year)
        while len(counted) < n:
            d += ONE_DAY
            if d.year != year:
                year = d.year
                closed = self._closed_in(year)
            if d.weekday() < 5 and d not in closed and (extra is None or d not in extra):
                counted.append(d)
            else:
                skipped.append(d)
        return d, counted, skipped

    def add_business_days(
        self, start: date, n: int
    ) -> tuple[date, list[date], list[tuple[date, str]]]:
        """Day 0 is ``start``; return (due date, counted days, skipped days with English reasons)."""
        due, counted, skipped = self.count_business_days(start, n)
        return due, counted, [(d, self._reason_en(d)) for d in skipped]

    def _reason_en(self, d: date) -> str:
        reason = self.non_business_reason(d)
        return reason[0] if reason else "unconfirmed closure"

    def next_business_day(self, d: date) -> date:
        """The first business day strictly after ``d``."""
        d += ONE_DAY
        while not self.is_business_day(d):
            d += ONE_DAY
        return d


# -- built-in calendars --------------------------------------------------------------------------

BUILTIN_CALENDAR_CODES: Final = ("KR", "US-EDGAR", "WEEKENDS")

_EDGAR_CLOSURES: Final = (
    Closure(date(2025, 1, 9), True, "National Day of Mourning for President Carter"),
    Closure(
        date(2025, 12, 24),
        False,
        "Executive-order federal closure (Christmas Eve); EDGAR treatment not confirmed",
    ),
    Closure(
        date(2025, 12, 26),
        False,
        "Executive-order federal closure (day after Christmas); EDGAR treatment not confirmed",
    ),
)


@cache
def builtin_calendar(code: str) -> BusinessCalendar:
    """The calendars shipped with the engine. Instances are shared; they are never mutated."""
    if code == "KR":
        return BusinessCalendar("KR", "KR")
    if code == "US-EDGAR":
        return BusinessCalendar("US-EDGAR", "US", closures=_EDGAR_CLOSURES)
    if code == "WEEKENDS":
        return BusinessCalendar("WEEKENDS", None)
    raise ValueError(
        f"Unknown built-in calendar {code!r}; expected one of {', '.join(BUILTIN_CALENDAR_CODES)}."
    )
