"""Bounded query counts: a list page costs the same number of queries for 2 rows or 12."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents.models import (
    AffectedCountRevision,
    Deadline,
    DeadlineAlternative,
    Filing,
    Notification,
    TimelineEvent,
)
from regulators.models import Calendar, Obligation, Regulator
from tests.factories import IncidentFactory, LegalEntityFactory

pytestmark = pytest.mark.django_db
KST = ZoneInfo("Asia/Seoul")
T0 = datetime(2025, 11, 17, 16, 0, tzinfo=KST)
MAX_QUERIES = 12


def _grow(admin: Any, incident: Any, n: int) -> None:
    """n more of everything each list endpoint shows, without going through the engine."""
    for k in range(incident.deadlines.count(), incident.deadlines.count() + n):
        other = IncidentFactory(owner=admin)
        LegalEntityFactory(incident=other)
        LegalEntityFactory(incident=other)
        entity = LegalEntityFactory(incident=incident)
        event = TimelineEvent.objects.create(
            incident=incident,
            kind="note",
            occurred_at=T0 + timedelta(hours=k),
            title=f"n{k}",
            recorded_by=admin,
        )
        TimelineEvent.objects.create(
            incident=incident,
            kind="note",
            occurred_at=T0,
            title=f"c{k}",
            supersedes=event,
            correction_reason="r",
            recorded_by=admin,
        )
        deadline = Deadline.objects.create(
            incident=incident,
            legal_entity=entity,
            code=f"code-{k}",
            title="t",
            due_at=T0 + timedelta(days=k),
            explanation=[{"en": "e", "ko": "k"}],
            not_applicable_by=admin,
        )
        DeadlineAlternative.objects.create(deadline=deadline, basis="a", trigger_at=T0, due_at=T0)
        DeadlineAlternative.objects.create(deadline=deadline, basis="b", trigger_at=T0, due_at=T0)
        Filing.objects.create(
            incident=incident, deadline=deadline, recipient="r", submitted_at=T0, submitted_by=admin
        )
        AffectedCountRevision.objects.create(
            incident=incident, jurisdiction="KR", count=k, as_of=T0, recorded_by=admin
        )
        Notification.objects.create(user=admin, incident=incident, deadline=deadline, title="n")
        regulator = Regulator.objects.create(
            code=f"reg-{k}", name_en="R", name_ko="R", country="KR"
        )
        calendar = Calendar.objects.create(code=f"cal-{k}", name="C")
        calendar.closures.create(day=date(2025, 1, 1 + k % 28), label="x")
        calendar.closures.create(day=date(2025, 2, 1 + k % 28), label="y")
        Obligation.objects.create(
            code=f"ob-{k}",
            regulator=regulator,
            calendar=calendar,
            title_en="t",
            title_ko="t",
            recipient_en="r",
            recipient_ko="r",
            citation="c",
            trigger_kind="awareness",
            period_amount=5,
            period_unit="bd",
            reference_tz="Asia/Seoul",
        )


LISTS: list[Callable[[Any], str]] = [
    lambda i: "/api/v1/incidents/",
    lambda i: f"/api/v1/incidents/{i.pk}/entities/",
    lambda i: f"/api/v1/incidents/{i.pk}/events/",
    lambda i: f"/api/v1/incidents/{i.pk}/deadlines/",
    lambda i: f"/api/v1/incidents/{i.pk}/filings/",
    lambda i: f"/api/v1/incidents/{i.pk}/count-revisions/",
    lambda i: "/api/v1/notifications/",
    lambda i: "/api/v1/regulators/",
    lambda i: "/api/v1/obligations/",
    lambda i: "/api/v1/calendars/",
]


@pytest.mark.parametrize("url", LISTS, ids=[u(type("I", (), {"pk": "{id}"})) for u in LISTS])
def test_list_query_count_does_not_grow_with_rows(catalogue, admin_user, client_for, url) -> None:
    incident = IncidentFactory(owner=admin_user)
    client = client_for(admin_user)
    counts = []
    for n in (2, 10):
        _grow(admin_user, incident, n)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(incident), {"page_size": 200})
        assert response.status_code == 200
        assert response.json()["count"] >= n
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= MAX_QUERIES


def test_incident_list_stays_within_budget(
    world, carol, client_for, django_assert_max_num_queries
) -> None:
    client = client_for(carol)
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get("/api/v1/incidents/").status_code == 200
