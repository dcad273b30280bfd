"""Throughput benchmark of the deadline engine: full results, explanation included.

Run: ``python -m tools.engine_bench`` (target: at least 20,000 computations per second per
unit on one core).
"""

from __future__ import annotations

import random
import time as _time
from datetime import UTC, datetime, timedelta

from regulators.engine.calendars import builtin_calendar
from regulators.engine.rules import RuleSpec, Trigger, adhoc_rule, compute_due
from regulators.engine.vocabulary import Unit

__all__ = ["CASES", "run"]

# (label, rule); the calendars are warmed before timing so that holiday loading is not measured.
CASES: tuple[tuple[str, RuleSpec], ...] = (
    (
        "h (72 h, Asia/Seoul)",
        adhoc_rule(72, Unit.HOURS, calendar_code=None, reference_tz="Asia/Seoul"),
    ),
    (
        "cd (60 cd, America/New_York)",
        adhoc_rule(60, Unit.CALENDAR_DAYS, calendar_code=None, reference_tz="America/New_York"),
    ),
    (
        "bd (US-EDGAR +4, 17:30)",
        adhoc_rule(
            4,
            Unit.BUSINESS_DAYS,
            calendar_code="US-EDGAR",
            reference_tz="America/New_York",
            cutoff=datetime(2000, 1, 1, 17, 30).time(),  # noqa: DTZ001 - a bare wall time
        ),
    ),
    (
        "mo (1 month, Europe/Brussels)",
        adhoc_rule(1, Unit.MONTHS, calendar_code=None, reference_tz="Europe/Brussels"),
    ),
    (
        "bd (KR +3)",
        adhoc_rule(3, Unit.BUSINESS_DAYS, calendar_code="KR", reference_tz="Asia/Seoul"),
    ),
)

_START = datetime(2024, 1, 1, tzinfo=UTC)
_SPAN_SECONDS = int((datetime(2028, 1, 1, tzinfo=UTC) - _START).total_seconds())


def _triggers(n: int, seed: int = 20251117) -> list[Trigger]:
    rng = random.Random(seed)  # noqa: S311 - benchmark data, not security
    return [Trigger(_START + timedelta(seconds=rng.randrange(_SPAN_SECONDS))) for _ in range(n)]


def run(seconds_per_unit: float = 2.0) -> list[tuple[str, float]]:
    """Computations per second for each case, over random triggers in 2024-2027."""
    triggers = _triggers(4096)
    for code in ("KR", "US-EDGAR"):
        cal = builtin_calendar(code)
        for year in range(2023, 2030):
            cal.is_business_day(datetime(year, 6, 1, tzinfo=UTC).date())
    results: list[tuple[str, float]] = []
    for label, spec in CASES:
        for trig in triggers[:256]:  # warm caches (zones, holiday years)
            compute_due(spec, trig).to_dict()
        done = 0
        began = _time.perf_counter()
        deadline = began + seconds_per_unit
        while True:
            for trig in triggers:
                compute_due(spec, trig)
            done += len(triggers)
            now = _time.perf_counter()
            if now >= deadline:
                break
        results.append((label, done / (now - began)))
    return results


if __name__ == "__main__":
    rows = run()
    width = max(len(label) for label, _ in rows)
    print(f"{'unit'.ljust(width)}  computations/s")  # noqa: T201
    for label, rate in rows:
        print(f"{label.ljust(width)}  {rate:>14,.0f}")  # noqa: T201
