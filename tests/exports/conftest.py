"""Fixtures for export tests: an incident with entities, events (one corrected), counts,
deadlines and a filing, built through the services like real data."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from exports import services as export_services
from incidents import services
from incidents.models import Deadline, EventKind, Incident
from tests.factories import UserFactory

KST = ZoneInfo("Asia/Seoul")


@pytest.fixture
def legal_member(incident):
    """bob (legal, member of `incident`)."""
    return incident.memberships.get(user__username="bob").user


@pytest.fixture
def rich_incident(catalogue, incident, alice) -> Incident:
    """`incident` with two entities, a correction, counts, deadlines and one late filing."""
    with time_machine.travel(datetime(2025, 12, 1, 9, 0, tzinfo=KST), tick=False):
        kr = services.legal_entity_add(
            incident=incident,
            name="Shop Korea Co.",
            name_local="샵코리아 주식회사",
            country="KR",
            ict_service_provider=True,
            sec_registrant=False,
            jurisdictions=["KR"],
        )
        services.timeline_event_record(
            incident=incident,
            kind=EventKind.UNAUTHORISED_ACCESS,
            occurred_at=datetime(2025, 11, 6, 18, 38, tzinfo=KST),
            title="무단 접근 시작 / unauthorised access begins",
            source_title="KISA report",
            confidence="medium",
            legal_entity=kr,
            recorded_by=alice,
        )
        wrong = services.timeline_event_record(
            incident=incident,
            kind=EventKind.AWARENESS,
            occurred_at=datetime(2025, 11, 17, 16, 0, tzinfo=KST),
            title="Company becomes aware",
            source_title="press release",
            legal_entity=kr,
            recorded_by=alice,
        )
        services.timeline_event_record(
            incident=incident,
            kind=EventKind.AWARENESS,
            occurred_at=datetime(2025, 11, 17, 15, 0, tzinfo=KST),
            title="Company becomes aware (corrected time)",
            source_title="KISA report",
            legal_entity=kr,
            supersedes=wrong,
            correction_reason="time in the KISA report",
            recorded_by=alice,
        )
        services.timeline_event_record(
            incident=incident,
            kind=EventKind.NOTE,
            occurred_at=datetime(2025, 11, 18, 9, 0, tzinfo=KST),
            title='=HYPERLINK("http://evil") 고객 문의',
            description="+1 more, @mention, -minus",
            recorded_by=alice,
        )
        services.affected_count_revise(
            incident=incident,
            jurisdiction="KR",
            count=4536,
            as_of=datetime(2025, 11, 18, 22, 52, tzinfo=KST),
            source="initial report",
            recorded_by=alice,
        )
        services.affected_count_revise(
            incident=incident,
            jurisdiction="KR",
            count=33_700_000,
            as_of=datetime(2025, 11, 29, 10, 0, tzinfo=KST),
            source="press",
            recorded_by=alice,
        )
        deadline = Deadline.objects.filter(incident=incident, due_at__isnull=False).first()
        assert deadline is not None
        services.filing_submit(
            incident=incident,
            deadline=deadline,
            recipient="KISA",
            submitted_at=datetime(2025, 11, 19, 21, 35, tzinfo=KST),
            channel="online",
            reference_number="K-1",
            submitted_by=alice,
        )
    incident.refresh_from_db()
    return incident


@pytest.fixture
def compliance_member(incident):
    user = UserFactory(username="dora", role="compliance")
    incident.memberships.create(user=user)
    return user


@pytest.fixture
def legal_outsider(db):
    return UserFactory(username="lena", role="legal")


@pytest.fixture
def export_pdf_as(django_capture_on_commit_callbacks, monkeypatch):
    """``export_pdf_as(user, incident)``: the web PDF export's response and the Celery tasks it
    queued once committed (recorded, not sent)."""

    def export(user, incident):
        sent: list[tuple[str, int]] = []
        monkeypatch.setattr(
            export_services.current_app,
            "send_task",
            lambda name, args: sent.append((name, *args)),
        )
        client = Client()
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get(reverse("exports:pdf", kwargs={"reference": incident.reference}))
        return response, sent

    return export
