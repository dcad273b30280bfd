"""The shipped rule catalogue: exactly the codes of REGULATIONS.md section A, well formed."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date

import pytest

from regulators.engine.applicability import validate_conditions
from regulators.engine.catalogue import (
    CATALOGUE,
    CODES,
    TRIGGER_KINDS,
    CatalogueEntry,
    Confidence,
    entries_for,
    regulators,
    trigger_labels,
)
from regulators.engine.rules import Unit

SECTION_A_CODES = {
    "kr-network-act-48-3-initial",
    "kr-network-act-48-3-supplementary",
    "kr-pipa-34-subject-notice",
    "kr-pipa-34-pipc-report",
    "kr-credit-info-39-4-report",
    "kr-efta-21-5-report",
    "us-sec-8k-1-05",
    "us-sec-8k-1-05-amendment",
    "us-sec-8k-5-02",
    "us-hipaa-individuals",
    "us-hipaa-hhs-500",
    "us-hipaa-media",
    "us-ca-1798-82",
    "us-ca-1798-82-ag",
    "us-tx-521-053-ag",
    "us-co-6-1-716",
    "eu-gdpr-33",
    "eu-gdpr-34",
    "uk-gdpr-33",
    "eu-nis2-early-warning",
    "eu-nis2-notification",
    "eu-nis2-final",
    "eu-dora-initial",
    "eu-dora-intermediate",
    "eu-dora-final",
    "jp-appi-26-preliminary",
    "jp-appi-26-final",
    "jp-appi-26-final-unlawful",
    "sg-pdpa-26d",
    "au-ndb-assessment",
}
# Issue #14: follow-up clocks when the scope grows, regulator orders and appeal windows.
ISSUE_14_CODES = {
    "kr-pipa-34-subject-notice-supplementary",
    "kr-pipa-34-pipc-supplementary",
    "kr-network-act-48-4-preservation",
    "kr-network-act-64-materials",
    "kr-pipa-63-materials",
    "kr-pipa-63-inspection",
    "kr-network-act-48-4-corrective-report",
    "kr-pipa-64-corrective-report",
    "kr-admin-appeal-27",
    "kr-admin-litigation-20",
}

ENTRY_IDS = [f"{e.code}-v{e.version}" for e in CATALOGUE]


def test_catalogue_has_exactly_the_section_a_and_issue_14_codes() -> None:
    assert set(CODES) == SECTION_A_CODES | ISSUE_14_CODES
    assert len(CODES) == len(SECTION_A_CODES) + len(ISSUE_14_CODES)


def test_versions_are_unique_and_do_not_overlap_per_code() -> None:
    by_code: dict[str, list[CatalogueEntry]] = defaultdict(list)
    for entry in CATALOGUE:
        by_code[entry.code].append(entry)
    for code, entries in by_code.items():
        versions = [e.version for e in entries]
        assert len(versions) == len(set(versions)), code
        ranges = sorted(
            (e.rule.effective_from or date.min, e.rule.effective_to or date.max) for e in entries
        )
        for (_, end), (start, _) in itertools.pairwise(ranges):
            assert end <= start, f"{code}: versions overlap"


def test_network_act_initial_has_the_immediately_and_24h_versions() -> None:
    old, new = entries_for("kr-network-act-48-3-initial")

    assert old.rule.period_unit is Unit.WITHOUT_DELAY
    assert old.rule.effective_to == date(2024, 8, 14)
    assert new.rule.period_amount == 24
    assert new.rule.period_unit is Unit.HOURS
    assert new.rule.effective_from == date(2024, 8, 14)


@pytest.mark.parametrize("entry", CATALOGUE, ids=ENTRY_IDS)
def test_each_entry_is_complete_and_its_conditions_validate(entry: CatalogueEntry) -> None:
    validate_conditions(entry.conditions)
    assert entry.conditions, "every shipped rule states when it applies"
    assert entry.rule.title_en
    assert any("\uac00" <= ch <= "\ud7a3" for ch in entry.rule.title_ko), "Korean title in Hangul"
    assert entry.recipient_en
    assert entry.recipient_ko
    assert entry.citation
    assert entry.source
    assert entry.notes
    assert entry.confidence in {level.value for level in Confidence}
    en, ko = trigger_labels(entry.trigger_kind)
    assert en
    assert ko
    assert entry.regulator in {r[0] for r in regulators()}


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("eu-nis2-final", "filing_of:eu-nis2-notification"),
        ("us-ca-1798-82-ag", "filing_of:us-ca-1798-82"),
        ("eu-dora-intermediate", "filing_of:eu-dora-initial"),
        ("eu-dora-final", "filing_of:eu-dora-intermediate"),
        ("us-sec-8k-1-05-amendment", "new_fact"),
        ("us-sec-8k-1-05", "materiality_determination"),
        ("eu-dora-initial", "classification_major"),
        ("sg-pdpa-26d", "assessment_notifiable"),
    ],
)
def test_chained_and_special_triggers(code: str, kind: str) -> None:
    assert entries_for(code)[-1].trigger_kind == kind


def test_chained_triggers_name_existing_codes() -> None:
    for entry in CATALOGUE:
        if entry.trigger_kind.startswith("filing_of:"):
            assert entry.trigger_kind.removeprefix("filing_of:") in SECTION_A_CODES
        else:
            assert entry.trigger_kind in TRIGGER_KINDS


def test_unconfirmed_facts_are_marked_in_the_notes() -> None:
    notes = {e.code: e.notes for e in CATALOGUE}

    assert "NOT CONFIRMED" in notes["kr-credit-info-39-4-report"]
    assert "NOT CONFIRMED" in notes["jp-appi-26-final"]
    assert entries_for("kr-credit-info-39-4-report")[0].confidence == "unconfirmed"


def test_sec_rules_use_edgar_calendar_new_york_and_1730() -> None:
    for code in ("us-sec-8k-1-05", "us-sec-8k-1-05-amendment", "us-sec-8k-5-02"):
        spec = entries_for(code)[-1].rule
        assert spec.calendar_code == "US-EDGAR"
        assert spec.reference_tz == "America/New_York"
        assert spec.cutoff is not None
        assert spec.cutoff.isoformat() == "17:30:00"


def test_dora_initial_has_the_24h_long_stop_and_jp_preliminary_an_internal_target() -> None:
    assert entries_for("eu-dora-initial")[-1].rule.long_stop_hours == 24
    jp = entries_for("jp-appi-26-preliminary")[-1].rule
    assert jp.period_unit is Unit.WITHOUT_DELAY
    assert (jp.internal_target_amount, jp.internal_target_unit) == (3, Unit.CALENDAR_DAYS)


def test_regulators_are_unique_and_complete() -> None:
    rows = regulators()
    codes = [r[0] for r in rows]

    assert len(codes) == len(set(codes))
    assert {e.regulator for e in CATALOGUE} <= set(codes)
    for code, name_en, name_ko, country, website, channel in rows:
        assert code
        assert name_en
        assert name_ko
        assert country
        assert channel
        assert website == "" or website.startswith("https://")


def test_unknown_code_and_trigger_kind_are_reported() -> None:
    with pytest.raises(KeyError, match="no-such-rule"):
        entries_for("no-such-rule")
    with pytest.raises(ValueError, match="Unknown trigger kind"):
        trigger_labels("rumour")
