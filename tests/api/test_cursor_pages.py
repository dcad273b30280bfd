"""Keyset pages in the API (common.api.pagination.KeysetOrPageNumberPagination): page numbers
stay the default; ``?cursor=`` pages by key, with every row once forward and backward whatever
the ordering's ties, the same body fields, a signed cursor (an edited one is a 404), and the
viewer's scoping on every page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from incidents.models import Incident, TimelineEvent
from tests.factories import IncidentFactory, TimelineEventFactory

pytestmark = pytest.mark.django_db
BASE = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def _cursor(link: str) -> str:
    return parse_qs(urlparse(link).query)["cursor"][0]


def _walk(client, path, params, *, key="next"):
    pages, body = [], None
    for _ in range(200):
        response = client.get(path, params)
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append([row["id"] for row in body["results"]])
        if body[key] is None:
            return pages, body
        params = {**params, "cursor": _cursor(body[key])}
    raise AssertionError("the pages never end")


@pytest.fixture
def many(alice):
    """23 incidents of alice's, created at 8 shared instants (ties on the default ordering)."""
    made = []
    for n in range(23):
        incident = IncidentFactory(owner=alice, severity=["low", "high"][n % 2])
        Incident.objects.filter(pk=incident.pk).update(created_at=BASE - timedelta(hours=n % 8))
        made.append(incident)
    return made


@pytest.mark.parametrize("ordering", [None, "severity", "-title", "created_at"])
def test_cursor_pages_show_every_incident_once_forward_and_backward(
    many, alice, client_for, ordering
):
    client = client_for(alice)
    params = {"page_size": "4", "cursor": ""}
    if ordering:
        params["ordering"] = ordering
    numbered = client.get("/api/v1/incidents/", {**params, "page_size": "200"} | {"cursor": ""})
    expected = [row["id"] for row in numbered.json()["results"]]
    assert len(expected) == 23
    pages, last = _walk(client, "/api/v1/incidents/", params)
    assert [pk for page in pages for pk in page] == expected
    assert last["count"] == 23
    back, _first = _walk(
        client,
        "/api/v1/incidents/",
        {**params, "cursor": _cursor(last["previous"])},
        key="previous",
    )
    assert [pk for page in reversed(back) for pk in page] + pages[-1] == expected


def test_the_default_is_still_page_numbers(many, alice, client_for):
    body = client_for(alice).get("/api/v1/incidents/", {"page_size": "5"}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert "page=2" in body["next"]
    assert "cursor" not in body["next"]


def test_cursor_bodies_have_the_page_number_fields(many, alice, client_for):
    body = client_for(alice).get("/api/v1/incidents/", {"page_size": "5", "cursor": ""}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 23
    assert body["previous"] is None
    assert "cursor=" in body["next"]


@pytest.mark.parametrize("token", ["garbage", "cD0yMDI2LTAx", "a:b:c", "%00"])
def test_an_unreadable_cursor_is_a_404_with_the_error_body(many, alice, client_for, token):
    response = client_for(alice).get("/api/v1/incidents/", {"cursor": token})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "cursor" in response.json()["detail"].lower()


def test_an_edited_or_foreign_cursor_is_a_404(many, alice, incident, client_for):
    client = client_for(alice)
    token = _cursor(
        client.get("/api/v1/incidents/", {"page_size": "3", "cursor": ""}).json()["next"]
    )
    payload, rest = token.split(":", 1)
    edited = ("x" if payload[0] != "x" else "y") + payload[1:] + ":" + rest
    assert client.get("/api/v1/incidents/", {"cursor": edited}).status_code == 404
    # A cursor of another list is not read here.
    events = f"/api/v1/incidents/{incident.pk}/events/"
    assert client.get(events, {"cursor": token}).status_code == 404


def test_cursor_pages_keep_the_viewer_scoping(many, alice, charlie, client_for):
    client = client_for(alice)
    token = _cursor(
        client.get("/api/v1/incidents/", {"page_size": "3", "cursor": ""}).json()["next"]
    )
    # Charlie sees none of alice's incidents, with her cursor or without.
    IncidentFactory(owner=charlie)
    body = client_for(charlie).get("/api/v1/incidents/", {"page_size": "3", "cursor": token})
    assert body.status_code == 200
    assert body.json()["results"] == []
    assert body.json()["count"] == 1


def test_cursor_is_refused_where_the_list_does_not_page_by_key(world, alice, client_for):
    response = client_for(alice).get("/api/v1/notifications/", {"cursor": ""})
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


def test_event_pages_by_cursor(alice, client_for):
    incident = IncidentFactory(owner=alice)
    for n in range(11):
        TimelineEventFactory(incident=incident, occurred_at=BASE + timedelta(hours=n // 3))
    expected = list(
        TimelineEvent.objects.filter(incident=incident)
        .order_by("occurred_at", "id")
        .values_list("pk", flat=True)
    )
    pages, _last = _walk(
        client_for(alice),
        f"/api/v1/incidents/{incident.pk}/events/",
        {"page_size": "2", "cursor": ""},
    )
    assert [pk for page in pages for pk in page] == expected
