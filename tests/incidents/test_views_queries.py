"""The dashboard, the incident list and the incident page use a bounded number of SQL queries
that does not grow with the data (measured at two data sizes)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents import services
from incidents.models import Deadline, FilingDocument, Notification, TimelineEvent
from tests.conftest import add_korean_entity
from tests.factories import IncidentFactory

KST = ZoneInfo("Asia/Seoul")
# Session, user (with profile and roles), the page's own panels and the unread-notification
# count; the sections of apps above incidents cost nothing on an incident without action items,
# evidence, correspondence or notice campaigns (tests/incidents/test_page_queries.py counts an
# incident with all of them).
MAX_QUERIES = 15
pytestmark = pytest.mark.django_db


def populate(owner, incidents: int, events_per_incident: int):
    """Incidents with two entities, competing awareness times (alternatives), filings with a
    document, a regulator request, count revisions and notifications."""
    created = []
    for n in range(incidents):
        incident = IncidentFactory(owner=owner)
        kr = add_korean_entity(incident, name=f"Korea {n}")
        add_korean_entity(incident, name=f"Parent {n}", country="US", jurisdictions=["US", "EU"])
        start = datetime(2026, 3, 1, 9, 0, tzinfo=KST) + timedelta(days=n)
        for j, jurisdiction in enumerate(["KR", "US", "US-CA"]):
            services.affected_count_revise(
                incident=incident, jurisdiction=jurisdiction, count=100 * (j + 1), as_of=start
            )
        services.timeline_event_record(
            incident=incident, kind="awareness", occurred_at=start, title="aware", basis="company"
        )
        services.timeline_event_record(
            incident=incident,
            kind="awareness",
            occurred_at=start - timedelta(hours=5),
            title="aware (investigators)",
            basis="investigators",
        )
        for k in range(events_per_incident):
            event = services.timeline_event_record(
                incident=incident,
                kind="note",
                occurred_at=start + timedelta(hours=k),
                title=f"note {k}",
                legal_entity=kr,
            )
            if k % 3 == 0:
                services.timeline_event_record(
                    incident=incident,
                    kind="note",
                    occurred_at=start + timedelta(hours=k, minutes=5),
                    title=f"note {k} (corrected)",
                    supersedes=event,
                    correction_reason="typo",
                )
        services.timeline_event_record(
            incident=incident,
            kind="regulator_request",
            occurred_at=start + timedelta(days=1),
            title="send logs",
            data={"offset": "5bd", "calendar": "KR", "tz": "Asia/Seoul", "regulator": "PIPC"},
        )
        for deadline in Deadline.objects.filter(incident=incident, due_at__isnull=False)[:3]:
            filing = services.filing_submit(
                incident=incident,
                deadline=deadline,
                recipient="regulator",
                submitted_at=start + timedelta(hours=20),
            )
            body = b"%PDF-1.4 test"
            FilingDocument.objects.create(
                filing=filing,
                file=ContentFile(body, name="report.pdf"),
                original_name="report.pdf",
                content_type="application/pdf",
                size=len(body),
                sha256=hashlib.sha256(body).hexdigest(),
            )
        Notification.objects.create(user=owner, incident=incident, title=f"reminder {n}")
        created.append(incident)
    return created


def count_queries(client, url: str) -> int:
    # Count the uncached path: the dashboard caches its figures per user for a few minutes.
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    count = len(captured)
    assert 0 < count <= MAX_QUERIES, (url, count)
    return count


@pytest.mark.parametrize("who", ["admin", "member"])
def test_pages_use_a_bounded_number_of_queries_at_two_data_sizes(
    client, catalogue, alice, admin_user, who, django_assert_max_num_queries
):
    client.force_login(admin_user if who == "admin" else alice)
    small = populate(alice, incidents=1, events_per_incident=2)
    pages = ["/", "/deadlines/", "/incidents/", f"/incidents/{small[0].reference}/"]
    small_counts = {url: count_queries(client, url) for url in pages}
    small_rows = Deadline.objects.count() + TimelineEvent.objects.count()

    large = populate(alice, incidents=4, events_per_incident=9)
    pages_large = [*pages[:3], f"/incidents/{large[-1].reference}/"]
    for url in pages_large:
        with django_assert_max_num_queries(MAX_QUERIES):
            client.get(url)
    large_counts = {url: count_queries(client, url) for url in pages_large}

    print(who, small_counts, large_counts)  # noqa: T201 - shown with -s, for docs/performance.md
    assert list(small_counts.values()) == list(large_counts.values())
    # The large size really is larger (five times the incidents, far more events).
    assert Deadline.objects.count() + TimelineEvent.objects.count() > 5 * small_rows
