"""Action items under real concurrent HTTP requests (PostgreSQL; see test_races.py): a stale
conditional edit loses with 412, and simultaneous "create the suggestions" create each once."""

from __future__ import annotations

import pytest

from actions import services as actions
from actions.models import ActionItem
from tests.concurrency.test_races import (  # noqa: F401 (autouse fixtures)
    _aware_incident,
    _close_connections_after_each_request,
    _postgres_only,
    _session,
    together,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def officer(db: None):
    return UserFactory(username="race-task-officer", role="compliance")


def test_simultaneous_conditional_edits_of_a_task_one_wins_one_gets_412(live_server, officer):
    incident = _aware_incident(officer, entities=1)
    item = actions.action_item_create(
        incident=incident, title="Original", owner=officer, created_by=officer
    )
    session = _session(officer)
    url = f"{live_server.url}/api/v1/incidents/{incident.pk}/actions/{item.pk}/"
    etag = session.get(url, timeout=120).headers["ETag"]
    answers = together(
        [
            lambda: session.patch(
                url, json={"title": "A"}, headers={"If-Match": etag}, timeout=120
            ),
            lambda: session.post(
                f"{url}complete/", json={}, headers={"If-Match": etag}, timeout=120
            ),
        ]
    )
    assert sorted(r.status_code for r in answers) == [200, 412]
    fresh = ActionItem.objects.get(pk=item.pk)
    winner = next(r for r in answers if r.status_code == 200).json()
    assert (fresh.title, fresh.status) == (winner["title"], winner["status"])


def test_simultaneous_suggestion_requests_create_each_task_once(live_server, officer):
    incident = _aware_incident(officer, entities=1)
    expected = len(actions.action_suggestions_for(incident=incident))
    assert expected > 0
    session = _session(officer)
    url = f"{live_server.url}/api/v1/incidents/{incident.pk}/actions/suggestions/"
    answers = together([lambda: session.post(url, json={}, timeout=120) for _ in range(3)])
    assert all(r.status_code == 201 for r in answers)
    assert sum(len(r.json()) for r in answers) == expected
    assert ActionItem.objects.filter(incident=incident).count() == expected
