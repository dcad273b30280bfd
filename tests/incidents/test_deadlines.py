"""Incident deadlines: created with the trigger, recomputed on correction, frozen at filing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from incidents import services
from incidents.deadlines import deadline_mark_not_applicable, deadlines_schedule_for
from incidents.models import (
    Applicability,
    Deadline,
    DeadlineRecomputation,
    DeadlineStatus,
    EventKind,
)
from regulators.models import Obligation
from tests.factories import IncidentFactory, LegalEntityFactory

KST = ZoneInfo("Asia/Seoul")
ET = ZoneInfo("America/New_York")
pytestmark = pytest.mark.usefixtures("catalogue")


@pytest.fixture
def kr_incident(alice):
    incident = IncidentFactory(owner=alice, external_attack=True)
    LegalEntityFactory(incident=incident, name="KR Co.")
    return incident


def _awareness(incident, when, *, basis="", user=None, supersedes=None, reason=""):
    return services.timeline_event_record(
        incident=incident,
        kind=EventKind.AWARENESS,
        occurred_at=when,
        title="aware",
        basis=basis,
        recorded_by=user,
        supersedes=supersedes,
        correction_reason=reason,
    )


def test_recording_awareness_creates_the_korean_deadlines_in_the_same_transaction(kr_incident):
    _awareness(kr_incident, datetime(2025, 11, 17, 16, 0, tzinfo=KST))
    codes = set(Deadline.objects.filter(incident=kr_incident).values_list("code", flat=True))
    assert {"kr-network-act-48-3-initial", "kr-pipa-34-subject-notice"} <= codes
    network = Deadline.objects.get(incident=kr_incident, code="kr-network-act-48-3-initial")
    assert network.due_at == datetime(2025, 11, 18, 16, 0, tzinfo=KST)
    # Worked by hand: 16:00 on 17 November + 24 clock hours = 16:00 on 18 November (KST).
    assert network.explanation == [
        {
            "en": "awareness 2025-11-17 16:00 KST (+09:00) + 24 h (elapsed clock hours; nights, "
            "weekends and holidays all count); due 2025-11-18 16:00 KST (+09:00)",
            "ko": "인지 2025-11-17 16:00 KST (+09:00) + 24시간(경과 시간 기준, 야간·주말·공휴일 "
            "모두 포함); 기한 2025-11-18 16:00 KST (+09:00)",
        }
    ]
    notice = Deadline.objects.get(incident=kr_incident, code="kr-pipa-34-subject-notice")
    # 72 clock hours: 16:00 on Monday 17 November to 16:00 on Thursday 20 November.
    assert notice.explanation == [
        {
            "en": "awareness 2025-11-17 16:00 KST (+09:00) + 72 h (elapsed clock hours; nights, "
            "weekends and holidays all count); due 2025-11-20 16:00 KST (+09:00)",
            "ko": "인지 2025-11-17 16:00 KST (+09:00) + 72시간(경과 시간 기준, 야간·주말·공휴일 "
            "모두 포함); 기한 2025-11-20 16:00 KST (+09:00)",
        }
    ]


def test_pipc_report_applies_only_from_1000_data_subjects_without_other_triggers(alice):
    incident = IncidentFactory(owner=alice, external_attack=False)
    LegalEntityFactory(incident=incident)
    services.affected_count_revise(
        incident=incident,
        jurisdiction="KR",
        count=999,
        as_of=datetime(2025, 11, 17, 10, 0, tzinfo=KST),
    )
    _awareness(incident, datetime(2025, 11, 17, 16, 0, tzinfo=KST))
    assert not Deadline.objects.filter(incident=incident, code="kr-pipa-34-pipc-report").exists()
    services.affected_count_revise(
        incident=incident,
        jurisdiction="KR",
        count=1000,
        as_of=datetime(2025, 11, 18, 10, 0, tzinfo=KST),
    )
    deadline = Deadline.objects.get(incident=incident, code="kr-pipa-34-pipc-report")
    assert deadline.applicability == Applicability.APPLIES
    assert deadline.due_at == datetime(2025, 11, 20, 16, 0, tzinfo=KST)


def test_correcting_the_trigger_recomputes_and_records_old_new_why_and_who(kr_incident, alice):
    first = _awareness(kr_incident, datetime(2025, 11, 18, 22, 52, tzinfo=KST))
    _awareness(
        kr_incident,
        datetime(2025, 11, 17, 16, 0, tzinfo=KST),
        user=alice,
        supersedes=first,
        reason="joint investigation finding",
    )
    deadline = Deadline.objects.get(incident=kr_incident, code="kr-network-act-48-3-initial")
    assert deadline.due_at == datetime(2025, 11, 18, 16, 0, tzinfo=KST)
    change = DeadlineRecomputation.objects.get(deadline=deadline)
    assert change.old_due_at == datetime(2025, 11, 19, 22, 52, tzinfo=KST)
    assert change.new_due_at == datetime(2025, 11, 18, 16, 0, tzinfo=KST)
    assert "joint investigation finding" in change.reason
    assert change.changed_by == alice
    first.refresh_from_db()
    assert first.is_superseded  # the old event stays, marked as superseded


def test_an_event_can_be_corrected_only_once_and_needs_a_reason(kr_incident):
    first = _awareness(kr_incident, datetime(2025, 11, 18, 22, 52, tzinfo=KST))
    with pytest.raises(ValidationError, match="why"):
        _awareness(kr_incident, datetime(2025, 11, 17, 16, 0, tzinfo=KST), supersedes=first)
    _awareness(kr_incident, datetime(2025, 11, 17, 16, 0, tzinfo=KST), supersedes=first, reason="x")
    with pytest.raises(ValidationError, match="already been corrected"):
        _awareness(
            kr_incident, datetime(2025, 11, 17, 15, 0, tzinfo=KST), supersedes=first, reason="y"
        )


def test_filing_freezes_the_verdict_against_catalogue_edits(kr_incident):
    _awareness(kr_incident, datetime(2025, 11, 17, 16, 0, tzinfo=KST))
    deadline = Deadline.objects.get(incident=kr_incident, code="kr-network-act-48-3-initial")
    services.filing_submit(
        incident=kr_incident,
        deadline=deadline,
        recipient="KISA",
        submitted_at=datetime(2025, 11, 19, 21, 35, tzinfo=KST),
    )
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.FILED
    assert deadline.verdict == "late"
    assert deadline.late_by_seconds == (29 * 60 + 35) * 60
    # An admin lengthens the rule to 72 h; the filed verdict must not move.
    Obligation.objects.filter(code="kr-network-act-48-3-initial", version=2).update(
        period_amount=72
    )
    deadlines_schedule_for(incident=kr_incident, reason="catalogue edited")
    deadline.refresh_from_db()
    assert deadline.verdict == "late"
    assert deadline.due_at == datetime(2025, 11, 18, 16, 0, tzinfo=KST)


def test_correcting_the_trigger_of_a_filed_deadline_re_evaluates_and_keeps_both_verdicts(
    kr_incident,
):
    first = _awareness(kr_incident, datetime(2025, 11, 17, 16, 0, tzinfo=KST))
    deadline = Deadline.objects.get(incident=kr_incident, code="kr-network-act-48-3-initial")
    services.filing_submit(
        incident=kr_incident,
        deadline=deadline,
        recipient="KISA",
        submitted_at=datetime(2025, 11, 19, 21, 35, tzinfo=KST),
    )
    _awareness(
        kr_incident,
        datetime(2025, 11, 18, 22, 52, tzinfo=KST),
        supersedes=first,
        reason="company's stated time",
    )
    deadline.refresh_from_db()
    assert deadline.verdict == "on_time"
    change = deadline.recomputations.get()
    assert (change.old_verdict, change.new_verdict) == ("late", "on_time")


def test_company_and_investigator_triggers_are_shown_side_by_side(kr_incident):
    _awareness(kr_incident, datetime(2025, 11, 18, 22, 52, tzinfo=KST), basis="company")
    _awareness(kr_incident, datetime(2025, 11, 17, 16, 0, tzinfo=KST), basis="investigators")
    deadline = Deadline.objects.get(incident=kr_incident, code="kr-network-act-48-3-initial")
    # The primary clock runs from the earliest position (the safer reading).
    assert deadline.due_at == datetime(2025, 11, 18, 16, 0, tzinfo=KST)
    alternative = deadline.alternatives.get()
    assert alternative.basis == "company"
    assert alternative.due_at == datetime(2025, 11, 19, 22, 52, tzinfo=KST)
    services.filing_submit(
        incident=kr_incident,
        deadline=deadline,
        recipient="KISA",
        submitted_at=datetime(2025, 11, 19, 21, 35, tzinfo=KST),
    )
    deadline.refresh_from_db()
    alternative.refresh_from_db()
    assert (deadline.verdict, alternative.verdict) == ("late", "on_time")


def test_several_filings_answer_one_obligation_and_all_are_kept(kr_incident):
    _awareness(kr_incident, datetime(2025, 11, 18, 22, 52, tzinfo=KST))
    deadline = Deadline.objects.get(incident=kr_incident, code="kr-pipa-34-pipc-report")
    for day in (20, 29):
        services.filing_submit(
            incident=kr_incident,
            deadline=deadline,
            recipient="PIPC",
            submitted_at=datetime(2025, 11, day, 12, 0, tzinfo=KST),
        )
    deadline.refresh_from_db()
    assert deadline.filings.count() == 2
    assert deadline.filed_at == datetime(2025, 11, 20, 12, 0, tzinfo=KST)
    assert deadline.verdict == "on_time"


def test_materiality_determination_starts_the_8k_clock_for_the_registrant_only(alice):
    incident = IncidentFactory(owner=alice)
    kr = LegalEntityFactory(incident=incident, name="KR Co.")
    us = LegalEntityFactory(
        incident=incident,
        name="US Inc.",
        country="US",
        sec_registrant=True,
        ict_service_provider=False,
        jurisdictions=["US"],
    )
    services.timeline_event_record(
        incident=incident,
        kind=EventKind.MATERIALITY_DETERMINATION,
        occurred_at=datetime(2025, 11, 18, 10, 0, tzinfo=ET),
        title="material",
        legal_entity=us,
    )
    deadline = Deadline.objects.get(incident=incident, code="us-sec-8k-1-05")
    assert deadline.legal_entity == us
    assert deadline.due_at == datetime(2025, 11, 24, 17, 30, tzinfo=ET)
    assert not Deadline.objects.filter(legal_entity=kr, code="us-sec-8k-1-05").exists()


def test_filing_a_chained_obligation_starts_the_next_clock(alice):
    incident = IncidentFactory(owner=alice, extra_facts={"significant_incident": True})
    eu = LegalEntityFactory(
        incident=incident,
        country="DE",
        nis2_entity=True,
        ict_service_provider=False,
        jurisdictions=["EU"],
        # The NIS2 final report counts the entity's own (Member State) days since issue #14.
        reference_tz="Europe/Berlin",
    )
    berlin = ZoneInfo("Europe/Berlin")
    services.timeline_event_record(
        incident=incident,
        kind=EventKind.AWARENESS,
        title="aware",
        occurred_at=datetime(2026, 10, 24, 9, 0, tzinfo=berlin),
        legal_entity=eu,
    )
    notification = Deadline.objects.get(incident=incident, code="eu-nis2-notification")
    assert not Deadline.objects.filter(incident=incident, code="eu-nis2-final").exists()
    services.filing_submit(
        incident=incident,
        deadline=notification,
        recipient="CSIRT",
        submitted_at=datetime(2026, 10, 27, 8, 0, tzinfo=berlin),
    )
    final = Deadline.objects.get(incident=incident, code="eu-nis2-final")
    assert final.due_at == datetime(2026, 11, 27, 23, 59, 59, tzinfo=ZoneInfo("Europe/Brussels"))


def test_regulator_request_gets_its_own_business_day_deadline(kr_incident):
    services.timeline_event_record(
        incident=kr_incident,
        kind=EventKind.REGULATOR_REQUEST,
        title="Submit materials",
        occurred_at=datetime(2025, 10, 2, 10, 0, tzinfo=KST),
        data={"offset": "3bd", "calendar": "KR", "tz": "Asia/Seoul"},
    )
    deadline = Deadline.objects.get(incident=kr_incident, code="regulator-request")
    assert deadline.due_at == datetime(2025, 10, 14, 23, 59, 59, tzinfo=KST)


def test_mark_not_applicable_needs_a_justification_and_records_who(kr_incident, bob):
    _awareness(kr_incident, datetime(2025, 11, 17, 16, 0, tzinfo=KST))
    deadline = Deadline.objects.get(incident=kr_incident, code="kr-pipa-34-subject-notice")
    with pytest.raises(ValidationError):
        deadline_mark_not_applicable(deadline=deadline, justification="  ", marked_by=bob)
    deadline_mark_not_applicable(deadline=deadline, justification="No personal data", marked_by=bob)
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.NOT_APPLICABLE
    assert deadline.not_applicable_by == bob
    assert deadline.not_applicable_at is not None


def test_naive_times_are_refused_and_nothing_is_saved(kr_incident):
    with pytest.raises(ValidationError):
        services.timeline_event_record(
            incident=kr_incident,
            kind=EventKind.AWARENESS,
            title="x",
            occurred_at=datetime(2025, 11, 17, 16, 0),  # noqa: DTZ001  (the bad input under test)
        )
    assert not kr_incident.events.exists()
    assert not Deadline.objects.filter(incident=kr_incident).exists()


def test_negative_count_is_refused(kr_incident):
    with pytest.raises(ValidationError):
        services.affected_count_revise(
            incident=kr_incident,
            jurisdiction="KR",
            count=-1,
            as_of=datetime(2025, 11, 17, tzinfo=KST),
        )


def test_date_only_trigger_counts_from_the_start_of_the_day_and_says_so(kr_incident):
    services.timeline_event_record(
        incident=kr_incident,
        kind=EventKind.AWARENESS,
        title="aware (day known)",
        occurred_at=datetime(2025, 11, 17, 12, 0, tzinfo=KST),
        precision="date",
    )
    deadline = Deadline.objects.get(incident=kr_incident, code="kr-network-act-48-3-initial")
    assert deadline.due_at == datetime(2025, 11, 18, 0, 0, tzinfo=KST)
    # Only the day is known: the clock starts at its earliest instant, 00:00 KST, + 24 h.
    assert deadline.explanation == [
        {
            "en": "The awareness time is known only to the date (date-only precision): counted "
            "from the earliest possible instant, the start of 2025-11-17 in Asia/Seoul, "
            "2025-11-17 00:00 KST (+09:00).",
            "ko": "인지 시각이 날짜까지만 알려져 있어(날짜 정밀도) 가장 이른 시점인 Asia/Seoul "
            "기준 2025-11-17 0시(2025-11-17 00:00 KST (+09:00))부터 계산했습니다.",
        },
        {
            "en": "awareness 2025-11-17 00:00 KST (+09:00) + 24 h (elapsed clock hours; nights, "
            "weekends and holidays all count); due 2025-11-18 00:00 KST (+09:00)",
            "ko": "인지 2025-11-17 00:00 KST (+09:00) + 24시간(경과 시간 기준, 야간·주말·공휴일 "
            "모두 포함); 기한 2025-11-18 00:00 KST (+09:00)",
        },
    ]


def test_a_trigger_before_the_rule_was_in_force_uses_the_version_then(kr_incident):
    _awareness(kr_incident, datetime(2024, 8, 1, 9, 0, tzinfo=KST))
    deadline = Deadline.objects.get(incident=kr_incident, code="kr-network-act-48-3-initial")
    assert deadline.without_delay
    assert deadline.due_at is None
    assert deadline.obligation.version == 1


def test_schedule_is_idempotent(kr_incident):
    _awareness(kr_incident, datetime(2025, 11, 17, 16, 0, tzinfo=KST))
    before = list(Deadline.objects.filter(incident=kr_incident).values_list("id", "due_at"))
    deadlines_schedule_for(incident=kr_incident, reason="again")
    deadlines_schedule_for(incident=kr_incident, reason="again")
    after = list(Deadline.objects.filter(incident=kr_incident).values_list("id", "due_at"))
    assert before == after
    assert not DeadlineRecomputation.objects.exists()


@pytest.mark.parametrize(("covered", "expected"), [(True, 1), (False, 0)])
def test_officer_departure_starts_an_8k_502_clock_only_for_a_covered_officer(
    alice, covered, expected
):
    incident = IncidentFactory(owner=alice)
    us = LegalEntityFactory(
        incident=incident,
        name="US Inc.",
        country="US",
        sec_registrant=True,
        ict_service_provider=False,
        jurisdictions=["US"],
    )
    services.timeline_event_record(
        incident=incident,
        kind=EventKind.EXECUTIVE_RESIGNATION,
        title="CFO resigns",
        occurred_at=datetime(2025, 12, 10, 9, 0, tzinfo=ET),
        legal_entity=us,
        data={"covered_officer": covered},
    )
    deadlines = Deadline.objects.filter(incident=incident, code="us-sec-8k-5-02")
    assert deadlines.count() == expected
    if expected:
        deadline = deadlines.get()
        assert deadline.due_at == datetime(2025, 12, 16, 17, 30, tzinfo=ET)
        # Wednesday 10 December + 4 business days (Thu 11, Fri 12, Mon 15, Tue 16) by 17:30 ET.
        assert deadline.explanation == [
            {
                "en": "officer/director departure 2025-12-10 (America/New_York date) + 4 US-EDGAR "
                "business days: 12-11, 12-12, 12-15, 12-16; due 2025-12-16 17:30 EST (-05:00)",
                "ko": "임원·이사 퇴임 2025-12-10(America/New_York 기준 날짜) + US-EDGAR 영업일 "
                "4일: 12-11, 12-12, 12-15, 12-16; 기한 2025-12-16 17:30 EST (-05:00)",
            },
            {
                "en": "Not counted: 12-13 (Saturday), 12-14 (Sunday)",
                "ko": "산입하지 않은 날: 12-13(토요일), 12-14(일요일)",
            },
        ]
