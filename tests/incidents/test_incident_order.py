"""The incident list's fast order (a walk over open deadlines by due time) gives exactly the
order of the full query (every incident's next due time, then newest, then id), on every page,
with ties, incidents without a dated open deadline, filtered lists and the fallback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from incidents.models import Deadline, DeadlineStatus, Incident
from incidents.views import incident_order
from incidents.views.incident_order import UrgencyOrderedIncidents
from tests.factories import IncidentFactory, LegalEntityFactory

pytestmark = pytest.mark.django_db
BASE = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def incidents():
    """30 incidents: shared due times (ties), several deadlines each, some filed or undated,
    some with no deadline at all, and created at shared instants (ties on the second key)."""
    made = []
    for n in range(30):
        incident = IncidentFactory()
        Incident.objects.filter(pk=incident.pk).update(created_at=BASE - timedelta(hours=n // 3))
        entity = LegalEntityFactory(incident=incident)
        for k in range(n % 4):
            Deadline.objects.create(
                incident=incident,
                legal_entity=entity,
                code=f"c{k}",
                title="t",
                due_at=BASE + timedelta(hours=(n * 7 + k * 5) % 11) if k != 2 else None,
                status=DeadlineStatus.FILED if (n + k) % 5 == 0 else DeadlineStatus.OPEN,
            )
        made.append(incident)
    return made


def exact(base):
    ordered = UrgencyOrderedIncidents(base, now=timezone.now(), restricted=True)
    return ordered._exact_ids(0, 10_000)


def all_pages(ordered, size):
    ids: list[int] = []
    for start in range(0, 35, size):
        ids.extend(row.pk for row in ordered[start : start + size])
    return ids


@pytest.mark.parametrize("size", [1, 4, 7, 25])
def test_every_page_is_in_the_exact_order(incidents, size):
    base = Incident.objects.all()
    expected = exact(base)
    assert len(expected) == 30
    for restricted in (False, True):
        ordered = UrgencyOrderedIncidents(base, now=timezone.now(), restricted=restricted)
        assert all_pages(ordered, size) == expected
    # Read whole and ordered in Python (a member's few incidents): the same order.
    few = UrgencyOrderedIncidents(base, now=timezone.now(), restricted=True, few=True)
    assert all_pages(few, size) == expected
    assert few.count() == 30


def test_a_filtered_list_keeps_the_order_and_only_its_incidents(incidents):
    chosen = [i.pk for i in incidents[::3]]
    base = Incident.objects.filter(pk__in=chosen)
    ordered = UrgencyOrderedIncidents(base, now=timezone.now(), restricted=True)
    assert [row.pk for row in ordered[0:25]] == exact(base)
    assert ordered.count() == len(chosen)


def test_the_fallback_when_one_read_cannot_settle_the_page(incidents, monkeypatch):
    expected = exact(Incident.objects.all())
    monkeypatch.setattr(incident_order, "ROWS_PER_INCIDENT", 1)
    monkeypatch.setattr(incident_order, "WALK_ROWS", 12)
    ordered = UrgencyOrderedIncidents(Incident.objects.all(), now=timezone.now(), restricted=False)
    assert all_pages(ordered, 5) == expected


@pytest.mark.parametrize("few", [False, True])
def test_rows_carry_the_next_due_time_and_counts(incidents, few):
    now = BASE + timedelta(hours=5)
    ordered = UrgencyOrderedIncidents(Incident.objects.all(), now=now, restricted=False, few=few)
    rows = ordered[0:30]
    assert len(rows) == 30
    for row in rows:
        open_due = Deadline.objects.filter(incident=row, status=DeadlineStatus.OPEN)
        dated = open_due.exclude(due_at=None).order_by(F("due_at").asc())
        assert row.next_due == (dated[0].due_at if dated else None)
        assert row.open_count == open_due.count()
        assert row.overdue_count == open_due.filter(due_at__lt=now).count()
