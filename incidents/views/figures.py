"""The two dashboard figures, defined in docs/dashboard.md.

Both are computed over the incidents the viewer may see, in a fixed number of queries (the
aggregation runs in the database; only one row per incident and regulator reaches Python).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min, Q, QuerySet

from incidents.models import Deadline, DeadlineStatus, EventKind, Filing, Incident, TimelineEvent
from regulators.models import Regulator


@dataclass(frozen=True)
class OnTimeRate:
    on_time: int
    late: int
    no_legal_due: int
    # Date-only filings on the due date: counted as filed but not on time (docs/dashboard.md).
    uncertain: int = 0

    @property
    def filed(self) -> int:
        return self.on_time + self.late + self.uncertain

    @property
    def rate(self) -> float | None:
        return self.on_time / self.filed if self.filed else None


@dataclass(frozen=True)
class RegulatorMedian:
    regulator: Regulator
    median_seconds: float
    incidents: int


def on_time_rate(incidents: QuerySet[Incident]) -> OnTimeRate:
    """Filed deadlines answered at or before their due time, over all filed deadlines that had a
    legal due time. "Without delay" deadlines have no due time and are counted apart."""
    row = Deadline.objects.filter(incident__in=incidents, filed_at__isnull=False).aggregate(
        on_time=Count("id", filter=Q(verdict="on_time")),
        late=Count("id", filter=Q(verdict="late")),
        no_due=Count("id", filter=Q(verdict="no_legal_due")),
        uncertain=Count("id", filter=Q(verdict="uncertain")),
    )
    return OnTimeRate(
        on_time=row["on_time"],
        late=row["late"],
        no_legal_due=row["no_due"],
        uncertain=row["uncertain"],
    )


def median_awareness_to_first_report(incidents: QuerySet[Incident]) -> list[RegulatorMedian]:
    """Per regulator: the median, over incidents, of (first filing to that regulator) minus (the
    incident's earliest current awareness event). Filings before awareness are skipped (they are
    data errors or reconstructions and would make the figure meaningless)."""
    awareness: dict[int, datetime] = dict(
        TimelineEvent.objects.filter(
            incident__in=incidents, kind=EventKind.AWARENESS, superseded_by__isnull=True
        )
        .values("incident")
        .annotate(first=Min("occurred_at"))
        .values_list("incident", "first")
    )
    firsts = (
        Filing.objects.filter(
            incident__in=incidents, regulator__isnull=False, withdrawn_at__isnull=True
        )
        .exclude(deadline__status=DeadlineStatus.NOT_APPLICABLE)
        .values("incident", "regulator")
        .annotate(first=Min("submitted_at"))
        .values_list("incident", "regulator", "first")
    )
    spans: dict[int, list[float]] = {}
    for incident_id, regulator_id, first in firsts:
        aware = awareness.get(incident_id)
        if aware is None or first < aware:
            continue
        spans.setdefault(regulator_id, []).append((first - aware).total_seconds())
    regulators = Regulator.objects.in_bulk(list(spans))
    result = [
        RegulatorMedian(regulators[rid], statistics.median(values), len(values))
        for rid, values in spans.items()
        if rid in regulators
    ]
    return sorted(result, key=lambda m: (m.median_seconds, m.regulator.code))
