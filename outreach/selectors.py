"""Reads: the population of each notice and its progress, in a fixed number of queries per
incident (the incident page and the API list count them).

Callers check need-to-know first (incidents.permissions.incident_for); these functions take an
incident the user may already see.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from incidents.choices import DeadlineStatus
from incidents.models import AffectedCountRevision, Deadline, Incident
from outreach.law import NOTICE_KINDS, population_jurisdictions, substitute_rule_for
from outreach.models import SUBSTITUTE_METHODS, NoticeBatch, NoticeCampaign

if TYPE_CHECKING:
    from outreach.law import SubstituteRule


@dataclass
class CountNow:
    count: int
    as_of: datetime
    source: str
    previous: int | None  # the count before the latest revision, if it was revised


@dataclass
class Counts:
    latest: dict[str, CountNow]
    # Per revision id: its jurisdiction and the increase it recorded over the count before it.
    increases: dict[int, tuple[str, CountNow]]


def latest_counts(
    incident_id: int, revisions: Iterable[AffectedCountRevision] | None = None
) -> Counts:
    """Latest affected count per jurisdiction, with the one it replaced (one query, none when the
    caller passes the incident's revisions, as the incident page does)."""
    found: dict[str, CountNow] = {}
    increases: dict[int, tuple[str, CountNow]] = {}
    if revisions is None:
        rows = list(AffectedCountRevision.objects.filter(incident_id=incident_id))
    else:
        rows = [r for r in revisions if r.incident_id == incident_id]
    for revision in sorted(rows, key=lambda r: (r.jurisdiction, r.as_of, r.pk)):
        before = found.get(revision.jurisdiction)
        increases[revision.pk] = (
            revision.jurisdiction,
            CountNow(
                count=max(int(revision.count) - (before.count if before else 0), 0),
                as_of=revision.as_of,
                source=revision.source,
                previous=None,
            ),
        )
        found[revision.jurisdiction] = CountNow(
            count=int(revision.count),
            as_of=revision.as_of,
            source=revision.source,
            previous=before.count if before else None,
        )
    return Counts(latest=found, increases=increases)


def populations(deadline: Deadline, counts: Counts) -> dict[str, CountNow]:
    """Whom the notice is owed to, per jurisdiction.

    A notice to *newly identified* people (a clock a count revision started: the deadline's
    ``trigger_revision``) is owed to the increase that revision recorded, not to everyone; every
    other notice to the latest count.
    """
    jurisdictions = population_jurisdictions(deadline.code, counts.latest)
    increase = counts.increases.get(deadline.trigger_revision_id or 0)
    if increase is None:
        return {j: counts.latest[j] for j in jurisdictions}
    jurisdiction, grown = increase
    return {jurisdiction: grown} if jurisdiction in jurisdictions else {}


def population_for(campaign: NoticeCampaign) -> dict[str, int]:
    counts = latest_counts(campaign.incident_id)
    return {j: c.count for j, c in populations(campaign.deadline, counts).items()}


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
    batches: list[NoticeBatch] = field(default_factory=list)

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


def notice_progress(
    incident: Incident | int,
    deadlines: list[Deadline] | None = None,
    revisions: Iterable[AffectedCountRevision] | None = None,
    *,
    has_campaigns: bool = True,
) -> list[NoticeProgress]:
    """Every live notice deadline of the incident with its campaign's progress (four queries;
    one less for each of the incident's deadlines and count revisions the caller passes, as the
    incident page does; none for the campaigns and batches when ``has_campaigns`` is False, i.e.
    the caller knows that the incident has no campaign)."""
    incident_id = incident if isinstance(incident, int) else int(incident.pk)
    if deadlines is None:
        deadlines = list(
            Deadline.objects.filter(incident_id=incident_id, code__in=list(NOTICE_KINDS))
            .select_related("legal_entity", "regulator", "obligation")
            .order_by("due_at", "id")
        )
    deadlines = [
        d
        for d in deadlines
        if d.code in NOTICE_KINDS
        and d.incident_id == incident_id
        and d.status != DeadlineStatus.SUPERSEDED
    ]
    if not deadlines:
        return []
    campaigns: dict[int, NoticeCampaign] = {}
    batches: list[NoticeBatch] = []
    if has_campaigns:
        campaigns = {
            c.deadline_id: c
            for c in NoticeCampaign.objects.filter(incident_id=incident_id).select_related(
                "created_by"
            )
        }
    if campaigns:
        # All batches in one query: the sums, the population each latest batch saw, and the list
        # the page shows all come from it.
        batches = list(
            NoticeBatch.objects.filter(incident_id=incident_id)
            .select_related("recorded_by")
            .order_by("sent_at", "id")
        )
    sums: dict[tuple[int, str], dict[str, int]] = defaultdict(
        lambda: {"sent": 0, "failed": 0, "n": 0, "substitute": 0}
    )
    last_population: dict[tuple[int, str], tuple[Any, int | None]] = {}
    by_campaign: dict[int, list[NoticeBatch]] = defaultdict(list)
    for batch in batches:
        key = (batch.campaign_id, batch.jurisdiction)
        totals = sums[key]
        totals["sent"] += int(batch.count)
        totals["failed"] += int(batch.failures)
        totals["n"] += 1
        if batch.method in SUBSTITUTE_METHODS:
            totals["substitute"] += int(batch.count) - int(batch.failures)
        seen = last_population.get(key)
        if seen is None or (batch.recorded_at, batch.pk) > seen[0]:
            last_population[key] = ((batch.recorded_at, batch.pk), batch.population_at_record)
        by_campaign[batch.campaign_id].append(batch)
    counts = latest_counts(incident_id, revisions)
    result = []
    for deadline in deadlines:
        campaign = campaigns.get(deadline.pk)
        progress = NoticeProgress(
            deadline=deadline, campaign=campaign, rule=substitute_rule_for(deadline.code)
        )
        for jurisdiction, now in populations(deadline, counts).items():
            row = JurisdictionProgress(
                jurisdiction=jurisdiction,
                population=now.count,
                count_as_of=now.as_of,
                count_source=now.source,
                previous_population=now.previous,
            )
            found = (campaign.pk, jurisdiction) if campaign is not None else None
            if found is not None and found in sums:
                row.sent = sums[found]["sent"]
                row.failed = sums[found]["failed"]
                row.batches = sums[found]["n"]
                row.by_substitute = sums[found]["substitute"]
                row.population_at_last_batch = last_population[found][1]
            progress.rows.append(row)
        if campaign is not None:
            progress.batches = by_campaign.get(campaign.pk, [])
        result.append(progress)
    return result


def batches_of(campaign: NoticeCampaign) -> list[NoticeBatch]:
    return list(campaign.batches.select_related("recorded_by").order_by("sent_at", "id"))
