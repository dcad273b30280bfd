"""The incident page with every section of the apps above incidents filled in (action items,
evidence, correspondence linked to events, filings and deadlines, a notice campaign with batches),
competing awareness times (deadline alternatives) and filing documents: its query count is
bounded and the same for one of each or many, with the fragment cache cold and warm.

tests/incidents/test_views_queries.py counts every page on incidents without those sections."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions import services as action_services
from incidents import services
from incidents.models import Deadline, FilingDocument
from outreach import services as outreach_services
from outreach.models import NoticeCampaign
from records import services as record_services
from regulators.models import Regulator

KST = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=KST)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# Session, user (with profile, roles and unread count), incident, entities, counts, deadlines
# with their alternatives, filings with their documents (7); action items (1); evidence,
# correspondence and its links (3); campaigns and batches (2): 13 with the fragments cached (12
# with REDIS_URL, where the session is read from the cache). Drawn afresh (after a change, or the
# first time), the chronology and SVG read the events, and the catalogue's rows
# (regulators.rows) are read again when its generation is new (here: the cache was cleared): 15.
COLD_MAX = 15
WARM_MAX = 13
pytestmark = pytest.mark.django_db


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/octet-stream")


def _fill(incident, user, regulator, n: int) -> None:
    """``n`` more of everything the page shows."""
    start = datetime(2026, 3, 2, 11, 0, tzinfo=KST)
    for k in range(n):
        event = services.timeline_event_record(
            incident=incident,
            kind="note",
            occurred_at=start + timedelta(minutes=k),
            title=f"note {k}",
            recorded_by=user,
        )
        deadline = Deadline.objects.filter(incident=incident, due_at__isnull=False).first()
        filing = services.filing_submit(
            incident=incident,
            deadline=deadline,
            recipient=f"regulator {k}",
            submitted_at=start + timedelta(hours=1, minutes=k),
        )
        FilingDocument.objects.create(
            filing=filing,
            file=ContentFile(PDF, name="report.pdf"),
            original_name="report.pdf",
            content_type="application/pdf",
            size=len(PDF),
            sha256=hashlib.sha256(PDF).hexdigest(),
        )
        action_services.action_item_create(
            incident=incident, title=f"task {k}", owner=user, created_by=user, deadline=deadline
        )
        record_services.correspondence_record(
            incident=incident,
            direction="in",
            occurred_at=start + timedelta(hours=2, minutes=k),
            channel="email",
            subject=f"letter {k}",
            regulator=regulator,
            recorded_by=user,
            events=[event],
            filings=[filing],
            deadlines=[deadline],
            attachments=[_pdf(f"letter-{k}.pdf")],
        )
        record_services.evidence_attach(
            incident=incident, upload=_pdf(f"log-{k}.pdf"), uploaded_by=user, event=event
        )
    for notice in Deadline.objects.filter(incident=incident, code="kr-pipa-34-subject-notice"):
        campaign = NoticeCampaign.objects.filter(deadline=notice).first()
        if campaign is None:
            campaign = outreach_services.campaign_create(
                incident=incident, deadline=notice, method="email", created_by=user
            )
        for k in range(n):
            outreach_services.batch_record(
                campaign=campaign,
                jurisdiction="KR",
                method="email",
                sent_at=start + timedelta(hours=3, minutes=k),
                count=10,
                recorded_by=user,
            )


def _count(client, url: str, *, cold: bool) -> int:
    if cold:
        cache.clear()
    else:
        client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("who", ["admin", "member"])
def test_a_full_incident_page_has_a_flat_query_count(
    client, alice, admin_user, aware_incident, who
):
    regulator, _created = Regulator.objects.get_or_create(
        code="PIPC", defaults={"name_en": "PIPC", "name_ko": "개인정보보호위원회", "country": "KR"}
    )
    # Competing awareness times: the deadlines get alternatives.
    services.timeline_event_record(
        incident=aware_incident,
        kind="awareness",
        occurred_at=datetime(2026, 3, 2, 8, 0, tzinfo=KST),
        title="aware (investigators)",
        basis="investigators",
    )
    client.force_login(admin_user if who == "admin" else alice)
    url = f"/incidents/{aware_incident.reference}/"
    _fill(aware_incident, alice, regulator, 1)
    small = (_count(client, url, cold=True), _count(client, url, cold=False))
    _fill(aware_incident, alice, regulator, 6)
    large = (_count(client, url, cold=True), _count(client, url, cold=False))
    print(who, "cold, warm:", small, large)  # noqa: T201 - shown with -s, for docs/performance.md
    assert small == large
    assert large[0] <= COLD_MAX
    assert large[1] <= WARM_MAX
    html = client.get(url).content.decode()
    for shown in ("task 5", "letter 5", "log-5.pdf", "Alternative triggers", 'id="outreach-h"'):
        assert shown in html
