"""Which model fields the incident JSON file carries, as plain data (``exports.jsonio`` writes
and reads them). Split out of ``jsonio`` to keep that module within the size limit."""

from __future__ import annotations

INCIDENT_FIELDS = (
    "reference",
    "title",
    "summary",
    "severity",
    "status",
    "team",
    "data_categories",
    "external_attack",
    "sensitive_data",
    "unique_identifiers",
    "extra_facts",
    "is_reconstruction",
)
ENTITY_FIELDS = (
    "name",
    "name_local",
    "country",
    "role",
    "ict_service_provider",
    "sec_registrant",
    "hipaa_covered_entity",
    "eu_financial_entity",
    "nis2_entity",
    "kr_financial_company",
    "credit_information_company",
    "app_entity_au",
    "jurisdictions",
    "reference_tz",
)
EVENT_FIELDS = (
    "kind",
    "precision",
    "entered_tz",
    "title",
    "description",
    "source_title",
    "source_url",
    "confidence",
    "basis",
    "data",
    "correction_reason",
)
DEADLINE_FIELDS = (
    "code",
    "title",
    "without_delay",
    "explanation",
    "adhoc_spec",
    "status",
    "applicability",
    "applicability_reasons",
    "not_applicable_reason",
    "late_by_seconds",
    "verdict",
)
DEADLINE_TIMES = (
    "trigger_at",
    "due_at",
    "internal_target_at",
    "not_applicable_at",
    "filed_at",
    "verdict_frozen_at",
)
FILING_FIELDS = ("recipient", "channel", "reference_number", "acknowledgement", "notes")
# Added with date-only filings and withdrawal (issue 13/14): optional on import, so exports made
# before them still load (as exact, not withdrawn).
FILING_OPTIONAL = {"precision": "exact", "entered_tz": "", "withdrawal_reason": ""}
