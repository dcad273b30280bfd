"""Races on correspondence and evidence against a live server (PostgreSQL only, like
tests/concurrency/test_races.py, whose fixtures and helpers this module reuses)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.services import verify_chain
from incidents import services as incident_services
from records import services
from records.models import Correspondence, CustodyEntry
from regulators.models import Regulator
from tests.concurrency.test_races import (  # noqa: F401  (autouse fixtures of this suite)
    _close_connections_after_each_request,
    _postgres_only,
    _session,
    together,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
KST = ZoneInfo("Asia/Seoul")


@pytest.fixture
def letter(db: None) -> Any:
    officer = UserFactory(username="race-officer", role="compliance")
    incident = incident_services.incident_open(title="Race", owner=officer)
    regulator, _created = Regulator.objects.get_or_create(
        code="PIPC", defaults={"name_en": "PIPC", "name_ko": "개인정보보호위원회", "country": "KR"}
    )
    return services.correspondence_record(
        incident=incident,
        direction="in",
        occurred_at=datetime(2026, 3, 4, 10, 0, tzinfo=KST),
        channel="letter",
        subject="Request",
        regulator=regulator,
        recorded_by=officer,
        attachments=[SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n")],
    )


def test_two_conditional_edits_of_one_letter_give_one_200_and_one_412(live_server, letter):
    session = _session(letter.recorded_by)
    url = f"{live_server.url}/api/v1/incidents/{letter.incident_id}/correspondence/{letter.pk}/"
    etag = session.get(url, timeout=120).headers["ETag"]
    results = together(
        [
            lambda: session.patch(
                url, json={"subject": "A"}, headers={"If-Match": etag}, timeout=120
            ),
            lambda: session.patch(
                url, json={"summary": "B"}, headers={"If-Match": etag}, timeout=120
            ),
        ]
    )
    assert sorted(r.status_code for r in results) == [200, 412]
    winner = next(r for r in results if r.status_code == 200).json()
    fresh = Correspondence.objects.get(pk=letter.pk)
    assert (fresh.subject, fresh.summary) == (winner["subject"], winner["summary"])


def test_simultaneous_downloads_each_leave_a_custody_entry_and_an_intact_chain(live_server, letter):
    session = _session(letter.recorded_by)
    evidence = letter.attachments.get()
    url = (
        f"{live_server.url}/api/v1/incidents/{letter.incident_id}/evidence/{evidence.pk}/download/"
    )
    results = together([lambda: session.get(url, timeout=120) for _n in range(4)])
    assert [r.status_code for r in results] == [200] * 4
    assert CustodyEntry.objects.filter(evidence=evidence, action="downloaded").count() == 4
    assert verify_chain().ok
