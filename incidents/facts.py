"""The facts an incident's applicability conditions are evaluated against (entity flags,
incident facts, affected counts, filings already made). Split out of ``incidents.deadlines``,
which schedules the clocks, to keep that module within the size limit."""

from __future__ import annotations

from collections.abc import Iterable

from incidents.models import AffectedCountRevision, Incident, LegalEntity

# Every fact ``entity_facts`` derives from the affected counts starts with this.
COUNT_FACTS_PREFIX = "affected."
SEC_8K_CODE = "us-sec-8k-1-05"


class Facts(dict[str, object]):
    """Fact mapping in which, once any affected count is recorded, a jurisdiction without a
    count reads as 0: the team records counts for every place it knows people are affected,
    and "unknown" for every other state and country on earth would bury the real clocks."""

    counted: bool = False

    def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
        if key in self:
            return self[key]
        if self.counted and key.startswith("affected."):
            return 0
        return default


def entity_facts(
    entity: LegalEntity, incident: Incident, counts: dict[str, int], filed_codes: set[str]
) -> Facts:
    """The flat fact mapping that applicability conditions are evaluated against."""
    categories = set(incident.data_categories or [])
    facts = Facts(
        {
            "ict_service_provider": entity.ict_service_provider,
            "sec_registrant": entity.sec_registrant,
            "hipaa_covered_entity": entity.hipaa_covered_entity,
            "eu_financial_entity": entity.eu_financial_entity,
            "nis2_entity": entity.nis2_entity,
            "kr_financial_company": entity.kr_financial_company,
            "credit_information_company": entity.credit_information_company,
            "app_entity_au": entity.app_entity_au,
            "jurisdictions": list(entity.jurisdictions) if entity.jurisdictions else None,
            "external_attack": incident.external_attack,
            "sensitive_data": incident.sensitive_data,
            "unique_identifiers": incident.unique_identifiers,
            "credit_information": ("credit_information" in categories) if categories else None,
            "phi": ("phi" in categories) if categories else None,
        }
    )
    facts.counted = bool(counts)
    facts.update(incident.extra_facts or {})
    # Counts are recorded per incident; they count for an entity only where it operates (or for
    # every entity when its jurisdictions are not recorded). Otherwise a US parent would inherit
    # the EU subsidiary's GDPR clock just because EU residents are affected.
    scope = set(entity.jurisdictions or [])
    own = {
        jurisdiction: count
        for jurisdiction, count in counts.items()
        if not scope or jurisdiction.split("-", 1)[0] in scope
    }
    if counts:
        facts["affected.total"] = sum(v for k, v in own.items() if "-" not in k)
        states = [v for k, v in own.items() if k.startswith("US-")]
        facts["affected.us_state_max"] = max(states, default=0)
        for jurisdiction, count in own.items():
            facts[f"affected.{jurisdiction}"] = count
    for code in filed_codes:
        facts[f"filed.{code}"] = True
    facts["8k_filed"] = SEC_8K_CODE in filed_codes or None
    return facts


def facts_set_by_filing(code: str) -> frozenset[str]:
    """The facts ``entity_facts`` derives from a filing answering a deadline of ``code``."""
    return frozenset({f"filed.{code}", *(("8k_filed",) if code == SEC_8K_CODE else ())})


def current_counts(incident: Incident) -> dict[str, int]:
    """Latest count per jurisdiction (by as_of, then by recording order)."""
    return latest_counts(AffectedCountRevision.objects.filter(incident=incident))


def latest_counts(revisions: Iterable[AffectedCountRevision]) -> dict[str, int]:
    """Latest count per jurisdiction of ``revisions`` (by as_of, then by recording order)."""
    latest: dict[str, int] = {}
    for revision in sorted(revisions, key=lambda r: (r.jurisdiction, r.as_of, r.pk)):
        latest[revision.jurisdiction] = revision.count
    return latest
