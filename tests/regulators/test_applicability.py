"""Applicability conditions: three-valued logic, thresholds, any-of, validation."""

from __future__ import annotations

from typing import Any

import pytest

from regulators.engine.applicability import FACTS, Status, evaluate, validate_conditions
from regulators.engine.catalogue import entries_for


def pipc_report_conditions() -> Any:
    return entries_for("kr-pipa-34-pipc-report")[-1].conditions


NO_OTHER_GROUNDS = {"sensitive_data": False, "unique_identifiers": False, "external_attack": False}


@pytest.mark.parametrize(
    ("affected", "expected"),
    [
        pytest.param(999, Status.DOES_NOT_APPLY, id="999-below-threshold"),
        pytest.param(1000, Status.APPLIES, id="1000-meets-threshold"),
        pytest.param(33_700_034, Status.APPLIES, id="coupang-scale"),
    ],
)
def test_pipc_report_threshold_is_1000_data_subjects(affected: int, expected: Status) -> None:
    result = evaluate(pipc_report_conditions(), {"affected.KR": affected, **NO_OTHER_GROUNDS})

    assert result.status is expected


def test_pipc_report_below_threshold_names_the_fact_and_values() -> None:
    result = evaluate(pipc_report_conditions(), {"affected.KR": 999, **NO_OTHER_GROUNDS})

    text = " ".join(r.en for r in result.reasons)
    assert "affected.KR = 999" in text
    assert "≥ 1000" in text
    assert any("1000 이상" in r.ko for r in result.reasons)


def test_hacking_alone_triggers_the_pipc_report_below_1000() -> None:
    facts = {"affected.KR": 12, **NO_OTHER_GROUNDS, "external_attack": True}

    result = evaluate(pipc_report_conditions(), facts)

    assert result.status is Status.APPLIES
    assert any("external_attack = yes" in r.en for r in result.reasons)


def test_missing_fact_makes_any_of_unknown_unless_another_branch_is_true() -> None:
    unknown = evaluate(pipc_report_conditions(), {"affected.KR": 999})
    known_true = evaluate(pipc_report_conditions(), {"affected.KR": 999, "sensitive_data": True})

    assert unknown.status is Status.UNKNOWN
    assert any("sensitive_data is not known" in r.en for r in unknown.reasons)
    assert known_true.status is Status.APPLIES


def test_all_is_false_when_any_child_is_false_even_if_others_are_unknown() -> None:
    conditions = {
        "all": [{"fact": "sec_registrant", "op": "true"}, {"fact": "8k_filed", "op": "true"}]
    }

    result = evaluate(conditions, {"sec_registrant": False})

    assert result.status is Status.DOES_NOT_APPLY
    assert [r.en for r in result.reasons] == [
        "sec_registrant = no, which does not meet sec_registrant is yes."
    ]


def test_all_is_unknown_when_no_child_is_false_and_one_is_unknown() -> None:
    conditions = {
        "all": [{"fact": "sec_registrant", "op": "true"}, {"fact": "8k_filed", "op": "true"}]
    }

    assert evaluate(conditions, {"sec_registrant": True}).status is Status.UNKNOWN
    assert evaluate(conditions, {"sec_registrant": True, "8k_filed": None}).status is Status.UNKNOWN
    assert evaluate(conditions, {"sec_registrant": True, "8k_filed": True}).status is Status.APPLIES


def test_any_is_false_only_when_every_child_is_false() -> None:
    conditions = {
        "any": [{"fact": "high_risk", "op": "true"}, {"fact": "breach_risk", "op": "true"}]
    }

    assert evaluate(conditions, {"high_risk": False, "breach_risk": False}).status is (
        Status.DOES_NOT_APPLY
    )
    assert evaluate(conditions, {"high_risk": False}).status is Status.UNKNOWN
    assert evaluate(conditions, {"breach_risk": True}).status is Status.APPLIES


@pytest.mark.parametrize("conditions", [None, {}])
def test_empty_conditions_apply(conditions: Any) -> None:
    assert evaluate(conditions, {}).status is Status.APPLIES


@pytest.mark.parametrize(
    ("leaf", "facts", "expected"),
    [
        (
            {"fact": "affected.US-CA", "op": "gt", "value": 500},
            {"affected.US-CA": 501},
            Status.APPLIES,
        ),
        (
            {"fact": "affected.US-CA", "op": "gt", "value": 500},
            {"affected.US-CA": 500},
            Status.DOES_NOT_APPLY,
        ),
        (
            {"fact": "affected.total", "op": "lte", "value": 10},
            {"affected.total": 10},
            Status.APPLIES,
        ),
        (
            {"fact": "affected.total", "op": "lt", "value": 10},
            {"affected.total": 10},
            Status.DOES_NOT_APPLY,
        ),
        (
            {"fact": "jurisdictions", "op": "contains", "value": "KR"},
            {"jurisdictions": ["US", "KR"]},
            Status.APPLIES,
        ),
        (
            {"fact": "jurisdictions", "op": "contains", "value": "JP"},
            {"jurisdictions": ["US", "KR"]},
            Status.DOES_NOT_APPLY,
        ),
        (
            {"fact": "jurisdictions", "op": "eq", "value": ["KR"]},
            {"jurisdictions": ["KR"]},
            Status.APPLIES,
        ),
        (
            {"fact": "affected.total", "op": "ne", "value": 0},
            {"affected.total": 0},
            Status.DOES_NOT_APPLY,
        ),
        (
            {"fact": "affected.total", "op": "in", "value": [1, 2, 3]},
            {"affected.total": 2},
            Status.APPLIES,
        ),
        ({"fact": "phi", "op": "false"}, {"phi": False}, Status.APPLIES),
        ({"fact": "phi", "op": "true"}, {"phi": "yes"}, Status.UNKNOWN),
        (
            {"fact": "affected.total", "op": "gte", "value": 1},
            {"affected.total": "many"},
            Status.UNKNOWN,
        ),
    ],
)
def test_leaf_operators(leaf: Any, facts: dict[str, object], expected: Status) -> None:
    assert evaluate(leaf, facts).status is expected


def test_reasons_are_bilingual() -> None:
    result = evaluate({"fact": "phi", "op": "true"}, {})

    assert result.reasons[0].en == "phi is not known (needed: phi is yes)."
    assert result.reasons[0].ko.startswith("phi 값이 없습니다")


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        ({"fact": "phi", "op": "gteq", "value": 1}, "unknown op 'gteq'"),
        ({"fact": "phi"}, "missing op"),
        ({"op": "true"}, "missing fact"),
        ({"fact": "affected.KR", "op": "gte"}, "needs a 'value'"),
        ({"fact": "affected.KR", "op": "gte", "value": "1000"}, "needs a number"),
        ({"fact": "affected.KR", "op": "gte", "value": True}, "needs a number"),
        ({"fact": "phi", "op": "true", "value": True}, "takes no 'value'"),
        ({"fact": "affected.total", "op": "in", "value": 3}, "needs a list"),
        ({"all": []}, "non-empty list"),
        ({"any": {"fact": "phi", "op": "true"}}, "non-empty list"),
        ({"all": [{"fact": "phi", "op": "true"}], "any": []}, "exactly one key"),
        (
            {"all": [{"fact": "phi", "op": "true"}, "phi"]},
            r"conditions\.all\[1\]: expected an object",
        ),
        ({"fact": "phi", "op": "true", "extra": 1}, "unexpected keys"),
        ({"fact": "affected.korea", "op": "gte", "value": 1}, "unknown fact"),
        ({"fact": "", "op": "true"}, "expected a fact name"),
        (["phi"], "expected an object"),
    ],
)
def test_malformed_conditions_are_rejected_with_a_clear_message(
    conditions: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        validate_conditions(conditions)


def test_evaluate_rejects_malformed_conditions() -> None:
    with pytest.raises(ValueError, match="unknown op"):
        evaluate({"fact": "phi", "op": "is"}, {"phi": True})


def test_fact_vocabulary_documents_the_required_facts_in_both_languages() -> None:
    required = {
        "ict_service_provider",
        "sec_registrant",
        "hipaa_covered_entity",
        "eu_financial_entity",
        "nis2_entity",
        "kr_financial_company",
        "credit_information_company",
        "app_entity_au",
        "jurisdictions",
        "external_attack",
        "sensitive_data",
        "unique_identifiers",
        "credit_information",
        "phi",
        "affected.total",
        "affected.KR",
        "affected.US-CA",
        "breach_risk",
        "high_risk",
        "significant_incident",
        "major_incident",
        "unlawful_purpose",
        "notifiable_sg",
        "8k_filed",
    }
    assert required <= FACTS.keys()
    for en, ko in FACTS.values():
        assert en
        assert ko
