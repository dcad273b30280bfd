"""Vocabulary shared by the engine modules: units, precision, explanation steps, zones, text.

Split out of ``rules`` so that the counting modules (``rules``, ``local_days``, ``orders``) can
share it without importing each other. Pure Python, no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .vocabulary import DayZone, Precision, Unit, WeekendRelief

__all__ = ["DayZone", "Precision", "Unit", "WeekendRelief"]  # re-exported for the engine modules


END_OF_DAY: Final = time(23, 59, 59)
DAY_UNITS: Final = frozenset({Unit.CALENDAR_DAYS, Unit.BUSINESS_DAYS, Unit.MONTHS})

_UNIT_EN: Final = {
    Unit.HOURS: "clock hours",
    Unit.CALENDAR_DAYS: "calendar days",
    Unit.BUSINESS_DAYS: "business days",
    Unit.MONTHS: "months",
    Unit.WITHOUT_DELAY: "without delay",
}
_UNIT_KO: Final = {
    Unit.HOURS: "시간",
    Unit.CALENDAR_DAYS: "일(역일)",
    Unit.BUSINESS_DAYS: "영업일",
    Unit.MONTHS: "개월",
    Unit.WITHOUT_DELAY: "지체 없이",
}


@cache
def zone(key: str) -> ZoneInfo:
    """Cached ``ZoneInfo``; raises ValueError for an unknown key."""
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"Unknown time zone {key!r} (expected an IANA name such as 'Asia/Seoul')."
        ) from exc


@dataclass(frozen=True)
class Step:
    """One line of the explanation, in English and Korean."""

    en: str
    ko: str


# -- formatting ----------------------------------------------------------------------------------


def _offset(dt: datetime) -> str:
    off = dt.utcoffset()
    secs = int(off.total_seconds()) if off is not None else 0
    sign = "-" if secs < 0 else "+"
    secs = abs(secs)
    return f"{sign}{secs // 3600:02d}:{secs % 3600 // 60:02d}"


def format_instant(dt: datetime) -> str:
    """'2025-11-24 17:30 EST (-05:00)'; seconds only when non-zero; no fake abbreviations."""
    t = f"{dt.hour:02d}:{dt.minute:02d}"
    if dt.second:
        t += f":{dt.second:02d}"
    name = dt.tzname()
    off = _offset(dt)
    if name and name[0] not in "+-" and name != "UTC":
        return f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d} {t} {name} ({off})"
    if name == "UTC":
        return f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d} {t} UTC ({off})"
    return f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d} {t} ({off})"


def _short(d: date, ref_year: int) -> str:
    return f"{d.month:02d}-{d.day:02d}" if d.year == ref_year else d.isoformat()


def _period_text(amount: int | None, unit: Unit, calendar_code: str | None) -> tuple[str, str]:
    if unit is Unit.WITHOUT_DELAY or amount is None:
        return ("without delay (no legal number)", "지체 없이(법정 기한 수치 없음)")
    if unit is Unit.HOURS:
        return (f"{amount} h (elapsed clock hours)", f"{amount}시간(경과 시간)")
    if unit is Unit.CALENDAR_DAYS:
        return (f"{amount} calendar days", f"역일 {amount}일")
    if unit is Unit.BUSINESS_DAYS:
        cal = calendar_code or "WEEKENDS"
        return (f"{amount} {cal} business days", f"{cal} 영업일 {amount}일")
    return (f"{amount} month{'s' if amount != 1 else ''}", f"{amount}개월")


def _td_parts(td: timedelta) -> tuple[str, int, int, int]:
    total = int(td.total_seconds())
    sign = "-" if total < 0 else ""
    total = abs(total)
    return sign, total // 3600, total % 3600 // 60, total % 60


def format_duration_en(td: timedelta) -> str:
    """'29 h 35 min'; under a minute: '40 s'; negative durations get a leading '-'."""
    sign, h, m, s = _td_parts(td)
    if h == 0 and m == 0:
        return f"{sign}{s} s"
    if h == 0:
        return f"{sign}{m} min"
    if m == 0:
        return f"{sign}{h} h"
    return f"{sign}{h} h {m} min"


def format_duration_ko(td: timedelta) -> str:
    """'29시간 35분'; under a minute: '40초'."""
    sign, h, m, s = _td_parts(td)
    if h == 0 and m == 0:
        return f"{sign}{s}초"
    if h == 0:
        return f"{sign}{m}분"
    if m == 0:
        return f"{sign}{h}시간"
    return f"{sign}{h}시간 {m}분"
