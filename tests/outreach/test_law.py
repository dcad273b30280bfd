"""outreach/law.py stays in step with the rule catalogue."""

from __future__ import annotations

from outreach.law import NOTICE_KINDS, SUBSTITUTE_RULES, population_jurisdictions
from regulators.engine.catalogue import CATALOGUE


def test_every_catalogue_notice_to_data_subjects_is_a_notice_kind():
    to_subjects = {e.code for e in CATALOGUE if e.regulator == "DATA-SUBJECTS"}
    assert to_subjects
    assert to_subjects <= set(NOTICE_KINDS)
    assert set(NOTICE_KINDS) <= {e.code for e in CATALOGUE}


def test_every_notice_kind_states_a_substitute_condition():
    for kind in NOTICE_KINDS.values():
        rule = SUBSTITUTE_RULES[kind.regime]
        assert str(rule.condition)
        assert rule.citation
        assert rule.confidence


def test_states_replace_the_country_total_in_a_us_population():
    counted = ["US", "US-CA", "US-TX", "KR", "DE"]
    assert population_jurisdictions("us-hipaa-individuals", counted) == ["US-CA", "US-TX"]
    assert population_jurisdictions("us-hipaa-individuals", ["US", "KR"]) == ["US"]
    assert population_jurisdictions("eu-gdpr-34", counted) == ["DE"]
    assert population_jurisdictions("kr-pipa-34-subject-notice", counted) == ["KR"]
