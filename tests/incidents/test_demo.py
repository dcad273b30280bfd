"""The demo data: the 2025 case, reconstructed through the same services as the pages."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from incidents.models import Deadline, Incident, TimelineEvent

KST = ZoneInfo("Asia/Seoul")
pytestmark = pytest.mark.usefixtures("catalogue")


def test_load_demo_builds_the_2025_case_and_is_idempotent() -> None:
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)
    assert Incident.objects.filter(reference="INC-2025-0001").count() == 1
    case = Incident.objects.get(reference="INC-2025-0001")
    assert case.is_reconstruction
    assert case.entities.count() == 2
    assert case.events.count() >= 30
    assert not TimelineEvent.objects.filter(incident=case, source_title="").exists()
    counts = list(case.count_revisions.order_by("as_of").values_list("count", flat=True))
    assert counts[0] == 4_536
    assert 33_700_034 in counts


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


def test_demo_8k_is_late_against_the_class_action_date() -> None:
    call_command("load_demo", verbosity=0)
    deadline = Deadline.objects.get(incident__reference="INC-2025-0001", code="us-sec-8k-1-05")
    assert deadline.legal_entity.sec_registrant
    assert deadline.verdict == "late"
    assert deadline.filings.count() == 2  # the 8-K and the 8-K/A


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
