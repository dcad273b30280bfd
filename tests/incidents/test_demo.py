"""The demo data: the 2025 case, reconstructed through the same services as the pages."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from incidents.models import Deadline, EventKind, Filing, Incident, TimelineEvent

KST = ZoneInfo("Asia/Seoul")
ET = ZoneInfo("America/New_York")
pytestmark = pytest.mark.usefixtures("catalogue")


def test_load_demo_builds_the_2025_case_and_is_idempotent() -> None:
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)
    assert Incident.objects.filter(reference="INC-2025-0001").count() == 1
    case = Incident.objects.get(reference="INC-2025-0001")
    assert case.is_reconstruction
    assert case.entities.count() == 2
    assert case.events.count() >= 30
    # Each fact keeps its source and a confidence mark.
    assert not TimelineEvent.objects.filter(incident=case, source_title="").exists()
    assert set(case.events.values_list("confidence", flat=True)) <= {"high", "medium", "low"}
    assert all("Source:" in f.notes for f in Filing.objects.filter(incident=case))


def test_demo_keeps_accounts_and_records_apart() -> None:
    # Accounts: 4,536 (first report), 33,700,034 (2025-11-27, donga), 33,865,489 (2026-02-05,
    # segye: + 165,455). The joint team's 33.67 M are name/e-mail *records* (zdnet 2026-02-10).
    call_command("load_demo", verbosity=0)
    case = Incident.objects.get(reference="INC-2025-0001")
    counts = list(case.count_revisions.order_by("as_of").values_list("count", flat=True))
    assert counts == [4_536, 33_700_034, 33_865_489]
    result = case.events.get(kind=EventKind.INVESTIGATION_RESULT)
    assert result.data["records_leaked"] == 33_670_000


def test_demo_lists_building_entrance_codes_among_the_data() -> None:
    # PIPC order of 2025-12-03 (zdnet/segye/donga): list every item, e.g. building entrance codes.
    call_command("load_demo", verbosity=0)
    case = Incident.objects.get(reference="INC-2025-0001")
    assert "building_entrance_code" in case.data_categories


def test_demo_shows_the_kisa_report_late_under_the_investigators_awareness() -> None:
    call_command("load_demo", verbosity=0)
    deadline = Deadline.objects.get(
        incident__reference="INC-2025-0001", code="kr-network-act-48-3-initial"
    )
    assert deadline.due_at == datetime(2025, 11, 18, 16, 0, tzinfo=KST)
    assert deadline.verdict == "late"
    assert deadline.late_by_seconds == (29 * 60 + 35) * 60
    company = deadline.alternatives.get(basis="company")
    assert company.verdict == "on_time"


def _case_deadline(code: str, **filters: object) -> Deadline:
    return Deadline.objects.get(incident__reference="INC-2025-0001", code=code, **filters)


def test_demo_8k_has_no_verdict_and_the_lawsuit_date_is_only_an_alternative() -> None:
    # The company's materiality date is not in the record; the class action alleges 2025-11-18
    # (low confidence). 11-18 + 4 EDGAR business days = Mon 11-24, 17:30 EST (E5).
    call_command("load_demo", verbosity=0)
    deadline = _case_deadline("us-sec-8k-1-05")
    assert deadline.legal_entity.sec_registrant
    assert deadline.due_at is None
    assert deadline.verdict == "no_legal_due"
    alternative = deadline.alternatives.get(basis="class action")
    assert alternative.due_at == datetime(2025, 11, 24, 17, 30, tzinfo=ET)
    assert alternative.verdict == "late"
    assert deadline.filings.count() == 1  # the 8-K; the 8-K/A answers the amendment rule


def test_demo_8k_a_is_filed_under_the_amendment_rule_on_time() -> None:
    # Investigation update determined 2025-12-25 (KST date; biz.chosun): its earliest instant,
    # 12-25 00:00 KST, is 12-24 10:00 EST, so day 0 = 12-24. Count: 12-25 Christmas skipped,
    # 12-26 (EO closure, unconfirmed for EDGAR: counted) = 1, 12-29 = 2, 12-30 = 3, 12-31 = 4.
    # Due 2025-12-31 17:30 EST; the 8-K/A of 12-29 (stocktitan) is on time.
    call_command("load_demo", verbosity=0)
    deadline = _case_deadline("us-sec-8k-1-05-amendment")
    assert deadline.due_at == datetime(2025, 12, 31, 17, 30, tzinfo=ET)
    assert deadline.verdict == "on_time"
    assert deadline.filings.get().reference_number == "8-K/A"


def test_demo_second_pipc_report_answers_the_clock_of_the_27_november_count() -> None:
    # Count confirmed 2025-11-27 03:47 KST (donga) + 72 h = 2025-11-30 03:47 (E3); the second
    # report of 11-29 (MSIT release) is on time. The 11-20 first report stays on time as well.
    call_command("load_demo", verbosity=0)
    started = {"trigger_revision__as_of": datetime(2025, 11, 27, 3, 47, tzinfo=KST)}
    second = _case_deadline("kr-pipa-34-pipc-supplementary", **started)
    assert second.due_at == datetime(2025, 11, 30, 3, 47, tzinfo=KST)
    assert second.verdict == "on_time"
    first = _case_deadline("kr-pipa-34-pipc-report")
    assert first.verdict == "on_time"
    assert first.filings.count() == 1


def test_demo_notice_to_33_7_million_customers_answers_its_own_clock() -> None:
    call_command("load_demo", verbosity=0)
    started = {"trigger_revision__as_of": datetime(2025, 11, 27, 3, 47, tzinfo=KST)}
    notice = _case_deadline("kr-pipa-34-subject-notice-supplementary", **started)
    assert notice.due_at == datetime(2025, 11, 30, 3, 47, tzinfo=KST)
    assert notice.verdict == "on_time"
    assert notice.filings.get().submitted_at == datetime(2025, 11, 29, tzinfo=KST)


def test_demo_no_verdict_rests_on_a_low_confidence_date() -> None:
    call_command("load_demo", verbosity=0)
    judged = Deadline.objects.filter(
        incident__reference="INC-2025-0001", verdict__in=["late", "on_time"]
    )
    assert judged.exists()
    assert not judged.filter(trigger_event__confidence="low").exists()


def test_fictional_incident_has_running_eu_and_us_clocks() -> None:
    call_command("load_demo", verbosity=0)
    codes = set(
        Deadline.objects.filter(incident__reference="INC-2026-0002").values_list("code", flat=True)
    )
    assert {"eu-gdpr-33", "eu-nis2-early-warning", "us-hipaa-individuals"} <= codes
    assert "kr-network-act-48-3-initial" not in codes
    assert "us-ca-1798-82" in codes


def test_load_generator_writes_incidents_events_and_deadlines() -> None:
    call_command("generate_load_data", incidents=30, events_per_incident=10, users=5, verbosity=0)
    generated = Incident.objects.filter(reference__startswith="LOAD-")
    assert generated.count() == 30
    assert TimelineEvent.objects.filter(incident__in=generated).count() == 300
    assert Deadline.objects.filter(incident__in=generated).count() == 90
    pipa = Deadline.objects.filter(incident__in=generated, code="kr-pipa-34-pipc-report")
    assert pipa.count() == 30
    assert not pipa.filter(due_at__isnull=True).exists()
