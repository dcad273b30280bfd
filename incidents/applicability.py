"""Reads that explain applicability in the browser: which obligations bind each legal entity and
why (or why not), the one-line meaning of each fact, and what a change did to the deadlines.

Nothing here writes. The verdicts come from the same engine call and the same facts that
``incidents.deadlines`` schedules with (``entity_facts``), so the page and the stored deadlines
cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.functional import lazy
from django.utils.translation import gettext as _

from incidents.deadlines import entity_facts
from incidents.facts import Facts
from incidents.models import (
    AffectedCountRevision,
    Applicability,
    Deadline,
    DeadlineStatus,
    Filing,
    Incident,
    LegalEntity,
)
from incidents.templatetags.clock import deadline_title, instant_text, is_korean
from regulators.engine import applicability as engine_applicability
from regulators.engine.applicability import FACTS
from regulators.models import Obligation
from regulators.rows import catalogue_rows

ENTITY_FACT_NAMES = (
    "ict_service_provider",
    "sec_registrant",
    "hipaa_covered_entity",
    "eu_financial_entity",
    "nis2_entity",
    "kr_financial_company",
    "credit_information_company",
    "app_entity_au",
)


def _fact_text(name: str) -> str:
    en, ko = FACTS.get(name, ("", ""))
    return ko if is_korean() else en


# Lazy: form classes are built at import time, before any request picks a language.
fact_explanation = lazy(_fact_text, str)


@dataclass
class ObligationVerdict:
    obligation: Obligation
    status: str
    reasons: list[str]

    @property
    def label(self) -> str:
        return str(dict(Applicability.choices).get(self.status, self.status))


@dataclass
class EntityApplicability:
    entity: LegalEntity
    verdicts: list[ObligationVerdict] = field(default_factory=list)

    def with_status(self, status: str) -> list[ObligationVerdict]:
        return [v for v in self.verdicts if v.status == status]

    @property
    def applies(self) -> list[ObligationVerdict]:
        return self.with_status(Applicability.APPLIES)

    @property
    def unknown(self) -> list[ObligationVerdict]:
        return self.with_status(Applicability.UNKNOWN)

    @property
    def does_not_apply(self) -> list[ObligationVerdict]:
        return self.with_status(Applicability.DOES_NOT_APPLY)

    @property
    def fact_lines(self) -> list[tuple[str, str]]:
        """Each entity fact as ("yes"/"no"/"unknown", its one-line meaning), yes first."""
        lines = []
        for name in ENTITY_FACT_NAMES:
            value = getattr(self.entity, name)
            state = "unknown" if value is None else ("yes" if value else "no")
            lines.append((state, _fact_text(name)))
        order = {"yes": 0, "unknown": 1, "no": 2}
        return sorted(lines, key=lambda line: order[line[0]])

    @property
    def groups(self) -> list[dict[str, object]]:
        """For the page: what applies and what is unknown open, what does not apply folded."""
        return [
            {"status": "applies", "label": _("Applies"), "rows": self.applies, "open": True},
            {
                "status": "unknown",
                "label": _("Unknown: a fact is missing"),
                "rows": self.unknown,
                "open": True,
            },
            {
                "status": "does_not_apply",
                "label": _("Does not apply"),
                "rows": self.does_not_apply,
                "open": False,
            },
        ]


@dataclass(frozen=True)
class EntityFacts:
    """One legal entity and the facts its applicability conditions are evaluated against."""

    entity: LegalEntity
    facts: Facts

    @property
    def state(self) -> tuple[object, ...]:
        """Everything the overview shows for this entity apart from the catalogue, for a cache
        key: the entity's id and name and every fact (its own, the incident's, counts, filings)."""
        return (
            self.entity.pk,
            self.entity.name,
            self.facts.counted,
            sorted(self.facts.items(), key=lambda item: item[0]),
        )


def applicability_facts(
    incident: Incident,
    entities: Iterable[LegalEntity],
    revisions: Iterable[AffectedCountRevision],
    filings: Iterable[Filing],
) -> list[EntityFacts]:
    """The facts of each entity, from rows the page already loaded (no query)."""
    filings = list(filings)
    counts: dict[str, int] = {}
    for revision in sorted(revisions, key=lambda r: (r.jurisdiction, r.as_of, r.pk)):
        counts[revision.jurisdiction] = revision.count
    result = []
    for entity in entities:
        filed = {
            f.deadline.code
            for f in filings
            if f.deadline is not None and f.deadline.legal_entity_id == entity.pk
        }
        result.append(EntityFacts(entity, entity_facts(entity, incident, counts, filed)))
    return result


def overview_of(entity_facts_list: Iterable[EntityFacts]) -> list[EntityApplicability]:
    """For each entity, every obligation of the catalogue (latest version) with its verdict and
    reasons. The catalogue's rows are held per process (regulators.rows): one query when its
    generation is new to this process, none otherwise; none without entities."""
    entity_facts_list = list(entity_facts_list)
    if not entity_facts_list:
        return []
    latest = catalogue_rows().latest()
    korean = is_korean()
    order: dict[str, int] = {
        Applicability.APPLIES: 0,
        Applicability.UNKNOWN: 1,
        Applicability.DOES_NOT_APPLY: 2,
    }
    overview = []
    for item_facts in entity_facts_list:
        item = EntityApplicability(entity=item_facts.entity)
        for obligation in latest:
            verdict = engine_applicability.evaluate(obligation.conditions or None, item_facts.facts)
            item.verdicts.append(
                ObligationVerdict(
                    obligation=obligation,
                    status=str(verdict.status),
                    reasons=[r.ko if korean else r.en for r in verdict.reasons],
                )
            )
        item.verdicts.sort(key=lambda v: (order.get(v.status, 3), v.obligation.code))
        overview.append(item)
    return overview


def applicability_overview(
    incident: Incident,
    entities: Iterable[LegalEntity],
    revisions: Iterable[AffectedCountRevision],
    filings: Iterable[Filing],
) -> list[EntityApplicability]:
    """For each entity, every obligation of the catalogue (latest version) with its verdict and
    reasons. One query (the catalogue): the rest comes from rows the page already loaded."""
    return overview_of(applicability_facts(incident, entities, revisions, filings))


# --- What a change did ------------------------------------------------------------------------

Snapshot = dict[int, tuple[str, str, str, datetime | None]]


def deadlines_snapshot(incident: Incident) -> Snapshot:
    """Status, applicability and due time of every deadline, to compare after a change."""
    return {
        pk: (status, applicability, code, due_at)
        for pk, status, applicability, code, due_at in Deadline.objects.filter(
            incident=incident
        ).values_list("pk", "status", "applicability", "code", "due_at")
    }


def _running(status: str, applicability: str) -> bool:
    return status == DeadlineStatus.OPEN and applicability != Applicability.DOES_NOT_APPLY


def describe_changes(incident: Incident, before: Snapshot) -> list[str]:
    """Sentences saying which clocks started, stopped or moved since ``before``."""
    rows = list(
        Deadline.objects.filter(incident=incident).select_related(
            "legal_entity", "obligation", "regulator"
        )
    )
    lines: list[str] = []
    for deadline in rows:
        name = f"{deadline_title(deadline)} ({deadline.legal_entity.name})"
        due = instant_text(deadline.due_at) if deadline.due_at else _("without delay")
        now_running = _running(deadline.status, deadline.applicability)
        old = before.get(deadline.pk)
        if old is None:
            if now_running:
                lines.append(_("Now runs: %(name)s, due %(due)s.") % {"name": name, "due": due})
            continue
        was_running = _running(old[0], old[1])
        reasons = "; ".join(
            str(r.get("ko" if is_korean() else "en", "")) for r in deadline.applicability_reasons
        )
        if was_running and not now_running:
            lines.append(
                _("No longer runs: %(name)s (%(why)s).")
                % {"name": name, "why": reasons or deadline.get_status_display()}
            )
        elif now_running and not was_running:
            lines.append(_("Runs again: %(name)s, due %(due)s.") % {"name": name, "due": due})
        elif now_running and old[3] != deadline.due_at:
            lines.append(
                _("Due time moved: %(name)s, from %(old)s to %(new)s.")
                % {
                    "name": name,
                    "old": instant_text(old[3]) if old[3] else _("without delay"),
                    "new": due,
                }
            )
    return lines


__all__ = [
    "EntityApplicability",
    "EntityFacts",
    "applicability_facts",
    "applicability_overview",
    "deadlines_snapshot",
    "describe_changes",
    "fact_explanation",
    "overview_of",
]
