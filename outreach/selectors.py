"""Reads: the population of each notice and its progress, in a fixed number of queries per
incident (the incident page and the API list count them).

Callers check need-to-know first (incidents.permissions.incident_for); these functions take an
incident the user may already see.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, Sum

from incidents.choices import DeadlineStatus
from incidents.models import AffectedCountRevision, Deadline, Incident
from outreach.law import NOTICE_KINDS, population_jurisdictions, substitute_rule_for
from outreach.models import NoticeBatch, NoticeCampaign, NoticeMethod

if TYPE_CHECKING:
    from outreach.law import SubstituteRule


@dataclass
class CountNow:
    count: int
    as_of: datetime
    source: str
    previous: int | None  # the count before the latest revision, if it was revised


def latest_counts(incident_id: int) -> dict[str, CountNow]:
    """Latest affected count per jurisdiction, with the one it replaced (one query)."""
    found: dict[str, CountNow] = {}
    for revision in AffectedCountRevision.objects.filter(incident_id=incident_id).order_by(
        "jurisdiction", "as_of", "id"
    ):
        before = found.get(revision.jurisdiction)
        found[revision.jurisdiction] = CountNow(
            count=int(revision.count),
            as_of=revision.as_of,
            source=revision.source,
            previous=before.count if before else None,
        )
    return found


def population_for(campaign: NoticeCampaign) -> dict[str, int]:
    counts = latest_counts(campaign.incident_id)
    code = campaign.deadline.code
    return {j: counts[j].count for j in population_jurisdictions(code, counts)}


@dataclass
class JurisdictionProgress:
    jurisdiction: str
    population: int
    count_as_of: datetime
    count_source: str
    previous_population: int | None
    sent: int = 0
    failed: int = 0
    by_substitute: int = 0
    batches: int = 0
    # The population the latest batch was recorded against, when the count changed since.
    population_at_last_batch: int | None = None

    @property
    def notified(self) -> int:
        return self.sent - self.failed

    @property
    def to_notify(self) -> int:
        return max(self.population - self.notified, 0)

    @property
    def over(self) -> int:
        return max(self.notified - self.population, 0)

    @property
    def percent(self) -> int:
        if self.population <= 0:
            return 100 if self.notified else 0
        return min(100, (self.notified * 100) // self.population)

    @property
    def count_revised_since_batch(self) -> bool:
        return (
            self.population_at_last_batch is not None
            and self.population_at_last_batch != self.population
        )


@dataclass
class NoticeProgress:
    """One notice deadline, its campaign (if set up) and the progress per jurisdiction."""

    deadline: Deadline
    campaign: NoticeCampaign | None
    rule: SubstituteRule
    rows: list[JurisdictionProgress] = field(default_factory=list)

    @property
    def population(self) -> int:
        return sum(r.population for r in self.rows)

    @property
    def notified(self) -> int:
        return sum(r.notified for r in self.rows)

    @property
    def failed(self) -> int:
        return sum(r.failed for r in self.rows)

    @property
    def to_notify(self) -> int:
        return sum(r.to_notify for r in self.rows)

    @property
    def percent(self) -> int:
        population = self.population
        if population <= 0:
            return 0
        return min(100, (min(self.notified, population) * 100) // population)


def notice_progress(incident: Incident | int) -> list[NoticeProgress]:
    """Every live notice deadline of the incident with its campaign's progress (four queries)."""
    incident_id = incident if isinstance(incident, int) else int(incident.pk)
    deadlines = list(
        Deadline.objects.filter(incident_id=incident_id, code__in=list(NOTICE_KINDS))
        .exclude(status=DeadlineStatus.SUPERSEDED)
        .select_related("legal_entity", "regulator")
        .order_by("due_at", "id")
    )
    if not deadlines:
        return []
    campaigns = {
        c.deadline_id: c
        for c in NoticeCampaign.objects.filter(incident_id=incident_id).select_related("created_by")
    }
    sums: dict[tuple[int, str], dict[str, Any]] = defaultdict(dict)
    for totals in (
        NoticeBatch.objects.filter(incident_id=incident_id)
        .values("campaign_id", "jurisdiction")
        .annotate(
            sent=Sum("count"),
            failed=Sum("failures"),
            n=Count("id"),
            substitute_sent=Sum("count", filter=Q(method=NoticeMethod.WEBSITE)),
            substitute_failed=Sum("failures", filter=Q(method=NoticeMethod.WEBSITE)),
        )
        .order_by()
    ):
        sums[(totals["campaign_id"], totals["jurisdiction"])] = dict(totals)
    last_population: dict[tuple[int, str], int | None] = {}
    for campaign_id, jurisdiction, population in (
        NoticeBatch.objects.filter(incident_id=incident_id)
        .order_by("campaign_id", "jurisdiction", "recorded_at", "id")
        .values_list("campaign_id", "jurisdiction", "population_at_record")
    ):
        last_population[(campaign_id, jurisdiction)] = population
    counts = latest_counts(incident_id)
    result = []
    for deadline in deadlines:
        campaign = campaigns.get(deadline.pk)
        progress = NoticeProgress(
            deadline=deadline, campaign=campaign, rule=substitute_rule_for(deadline.code)
        )
        for jurisdiction in population_jurisdictions(deadline.code, counts):
            now = counts[jurisdiction]
            row = JurisdictionProgress(
                jurisdiction=jurisdiction,
                population=now.count,
                count_as_of=now.as_of,
                count_source=now.source,
                previous_population=now.previous,
            )
            if campaign is not None:
                found = sums.get((campaign.pk, jurisdiction), {})
                row.sent = int(found.get("sent") or 0)
                row.failed = int(found.get("failed") or 0)
                row.batches = int(found.get("n") or 0)
                row.by_substitute = int(found.get("substitute_sent") or 0) - int(
                    found.get("substitute_failed") or 0
                )
                row.population_at_last_batch = last_population.get((campaign.pk, jurisdiction))
            progress.rows.append(row)
        result.append(progress)
    return result


def batches_of(campaign: NoticeCampaign) -> list[NoticeBatch]:
    return list(campaign.batches.select_related("recorded_by").order_by("sent_at", "id"))
