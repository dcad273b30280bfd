"""Page 1 is read before counting (common.api.pagination): a list that fits on it is not counted
with a separate query, and every page still tells the same count and links."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import IncidentFactory, TimelineEventFactory

pytestmark = pytest.mark.django_db
KST = ZoneInfo("Asia/Seoul")


def _events(owner: Any, n: int) -> str:
    incident = IncidentFactory(owner=owner)
    for k in range(n):
        TimelineEventFactory(
            incident=incident,
            occurred_at=datetime(2025, 11, 17, 9, tzinfo=KST) + timedelta(hours=k),
        )
    return f"/api/v1/incidents/{incident.pk}/events/"


def _get(client: Any, url: str, **params: Any) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    return response, [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"]]


@pytest.mark.parametrize("params", [{}, {"page": 1}, {"page_size": 5}])
def test_a_list_that_fits_on_the_first_page_is_answered_without_counting(
    alice, client_for, params
) -> None:
    url = _events(alice, 3)
    client = client_for(alice)
    response, counts = _get(client, url, **params)
    body = response.json()
    assert response.status_code == 200
    assert (body["count"], body["next"], body["previous"]) == (3, None, None)
    assert len(body["results"]) == 3
    assert counts == []


@pytest.mark.parametrize(("size", "pages"), [(2, 2), (3, 1), (1, 3)])
def test_a_list_of_a_page_or_more_tells_its_count_and_links(alice, client_for, size, pages) -> None:
    url = _events(alice, 3)
    client = client_for(alice)
    response, _counts = _get(client, url, page_size=size)
    body = response.json()
    assert body["count"] == 3
    assert len(body["results"]) == size
    assert (body["next"] is not None) == (pages > 1)
    last, _counts = _get(client, url, page_size=size, page=pages)
    assert last.status_code == 200
    assert last.json()["count"] == 3
    assert last.json()["next"] is None
    assert len(last.json()["results"]) == 3 - size * (pages - 1)


def test_an_empty_list_has_a_first_page_and_no_second(alice, client_for) -> None:
    url = _events(alice, 0)
    client = client_for(alice)
    response, counts = _get(client, url)
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert counts == []
    assert client.get(url, {"page": 2}).status_code == 404


def test_a_page_past_the_end_is_still_a_404(alice, client_for) -> None:
    url = _events(alice, 3)
    assert client_for(alice).get(url, {"page": 2}).status_code == 404
    assert client_for(alice).get(url, {"page": 2, "page_size": 2}).status_code == 200
