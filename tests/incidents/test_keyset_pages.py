"""The deadline list and the incident list page by a cursor (incidents/views/keyset.py): every row
appears exactly once walking the pages forward and backward (with ties on every sort key and rows
without a due time), a damaged cursor shows the first page with a message, a cursor never shows a
member what they may not see, and a deep page costs the queries of an early one."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents import services
from incidents.models import Deadline, DeadlineStatus, Incident
from incidents.views import incident_order, keyset
from incidents.views.incident_order import UrgencyOrderedIncidents
from incidents.views.keyset import BACKWARD, Cursor, encode_cursor
from tests.factories import IncidentFactory, LegalEntityFactory

# ``incidents.views.dashboard`` is also the name of the view function the package exports.
dashboard_views = importlib.import_module("incidents.views.dashboard")
incident_views = importlib.import_module("incidents.views.incidents")
pytestmark = pytest.mark.django_db
BASE = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(dashboard_views, "PAGE_SIZE", 4)
    monkeypatch.setattr(incident_views, "INCIDENT_PAGE_SIZE", 4)


def _world(owner=None, count=30):
    """``count`` incidents: shared due times (ties), several deadlines each, some filed or
    without a due time, some with no deadline, and created at shared instants."""
    made = []
    for n in range(count):
        incident = IncidentFactory(**({"owner": owner} if owner else {}))
        Incident.objects.filter(pk=incident.pk).update(created_at=BASE - timedelta(hours=n // 3))
        entity = LegalEntityFactory(incident=incident)
        for k in range(n % 4):
            Deadline.objects.create(
                incident=incident,
                legal_entity=entity,
                code=f"c{k}",
                title=f"Deadline {n}.{k}",
                due_at=BASE + timedelta(hours=(n * 7 + k * 5) % 11) if k != 2 else None,
                status=DeadlineStatus.FILED if (n + k) % 5 == 0 else DeadlineStatus.OPEN,
            )
        made.append(incident)
    return made


def _cursor(url: str) -> str:
    return parse_qs(urlparse(url).query)["cursor"][0]


def _walk(client, path, rows_key, *, backward_from=None, query=""):
    """Every page's row ids, following the next links (or the previous ones from a cursor)."""
    pages: list[list[int]] = []
    url = f"{path}?{query}" if backward_from is None else f"{path}?{query}&cursor={backward_from}"
    for _ in range(100):
        response = client.get(url)
        assert response.status_code == 200
        assert not response.context["cursor_refused"]
        page = response.context["page"]
        pages.append([row.pk for row in response.context[rows_key]])
        token = page.previous_cursor if backward_from else page.next_cursor
        if token is None:
            return pages, response
        url = f"{path}?{query}&cursor={token}"
    raise AssertionError("the pages never end")


def _expected_deadlines():
    return list(
        Deadline.objects.filter(status=DeadlineStatus.OPEN)
        .order_by(F("due_at").asc(nulls_last=True), "id")
        .values_list("pk", flat=True)
    )


def _expected_incidents(base=None):
    ordered = UrgencyOrderedIncidents(
        base if base is not None else Incident.objects.all(), now=timezone.now(), restricted=True
    )
    return ordered._exact_ids(0, 10_000)


def test_the_deadline_list_shows_every_open_deadline_once_forward_and_backward(
    client, admin_user, small_pages
):
    _world()
    expected = _expected_deadlines()
    assert len(expected) > 12
    client.force_login(admin_user)
    pages, last = _walk(client, "/deadlines/", "deadlines")
    assert [pk for page in pages for pk in page] == expected
    assert all(len(page) == 4 for page in pages[:-1])
    assert last.context["page"].shown_number == len(pages) == last.context["page"].num_pages
    # Backwards from the last page's "previous" link: the same pages, in reverse.
    back, first = _walk(
        client, "/deadlines/", "deadlines", backward_from=last.context["page"].previous_cursor
    )
    assert back == pages[-2::-1]
    assert first.context["page"].shown_number == 1


def test_the_deadline_list_links_keep_the_other_parameters(client, admin_user, small_pages):
    _world()
    client.force_login(admin_user)
    html = client.get("/deadlines/?page=3&lang=x").content.decode()
    assert 'rel="next"' in html
    link = html.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    assert parse_qs(urlparse(link).query).keys() == {"lang", "cursor"}


@pytest.mark.parametrize("restricted", [True, False])
def test_the_incident_list_shows_every_incident_once_forward_and_backward(
    client, admin_user, small_pages, restricted, monkeypatch
):
    _world()
    expected = _expected_incidents()
    assert len(expected) == 30
    client.force_login(admin_user)
    # A filter that keeps every incident makes the walk go through the visible set.
    query = "q=Incident" if restricted else ""
    pages, last = _walk(client, "/incidents/", "incidents", query=query)
    assert [pk for page in pages for pk in page] == expected
    back, _first = _walk(
        client,
        "/incidents/",
        "incidents",
        backward_from=last.context["page"].previous_cursor,
        query=query,
    )
    assert back == pages[-2::-1]


def test_a_members_few_incidents_are_ordered_and_paged_like_the_walk(client, alice, small_pages):
    """A member of at most ``FEW`` incidents gets them read at once and ordered in Python
    (incident_order.py): the same order as the exact query, every page both ways."""
    mine = _world(owner=alice, count=30)
    _world(count=5)  # someone else's
    assert len(mine) <= incident_order.FEW
    expected = _expected_incidents(Incident.objects.filter(owner=alice))
    client.force_login(alice)
    pages, last = _walk(client, "/incidents/", "incidents")
    assert [pk for page in pages for pk in page] == expected
    assert last.context["page"].count == 30
    back, _first = _walk(
        client, "/incidents/", "incidents", backward_from=last.context["page"].previous_cursor
    )
    assert back == pages[-2::-1]


@pytest.mark.parametrize(
    ("path", "rows"), [("/deadlines/", "deadlines"), ("/incidents/", "incidents")]
)
def test_the_first_pages_count_is_carried_to_the_next_pages_for_a_while(
    client, admin_user, small_pages, path, rows
):
    made = _world()
    client.force_login(admin_user)
    first = client.get(path).context["page"]
    # A new incident with an open deadline: the list grows by one row either way.
    extra = IncidentFactory()
    Deadline.objects.create(
        incident=extra,
        legal_entity=LegalEntityFactory(incident=extra),
        code="late",
        title="Added while paging",
        due_at=BASE + timedelta(days=30),
        status=DeadlineStatus.OPEN,
    )
    url = f"{path}?cursor={first.next_cursor}"
    with CaptureQueriesContext(connection) as captured:
        second = client.get(url).context["page"]
    assert second.count == first.count
    assert not [q for q in captured.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    # Ten minutes later the same link counts again.
    later = timezone.now() + timedelta(seconds=keyset.COUNT_FRESH + 1)
    with time_machine.travel(later):
        assert client.get(url).context["page"].count == first.count + 1
    assert len(made) == 30


def test_incident_pages_match_the_exact_order_when_the_walk_cannot_settle(
    client, admin_user, small_pages, monkeypatch
):
    _world()
    expected = _expected_incidents()
    monkeypatch.setattr(incident_order, "ROWS_PER_INCIDENT_FROM_KEY", 1)
    monkeypatch.setattr(incident_order, "ROWS_PER_INCIDENT", 1)
    client.force_login(admin_user)
    pages, last = _walk(client, "/incidents/", "incidents")
    assert [pk for page in pages for pk in page] == expected
    back, _first = _walk(
        client, "/incidents/", "incidents", backward_from=last.context["page"].previous_cursor
    )
    assert back == pages[-2::-1]


def test_the_incident_list_pages_keep_the_filters(client, admin_user, small_pages):
    made = _world()
    client.force_login(admin_user)
    Incident.objects.filter(pk__in=[i.pk for i in made[::2]]).update(severity="critical")
    pages, _last = _walk(client, "/incidents/", "incidents", query="severity=critical")
    shown = [pk for page in pages for pk in page]
    assert shown == _expected_incidents(Incident.objects.filter(severity="critical"))
    assert len(shown) == 15


@pytest.mark.parametrize("path", ["/deadlines/", "/incidents/"])
@pytest.mark.parametrize(
    "token",
    ["garbage", "", "a" * 600, "eyJkIjoibiJ9:1abc:def", "%00", "'; drop table x"],
)
def test_a_damaged_cursor_shows_the_first_page_with_a_message(
    client, admin_user, small_pages, path, token
):
    _world()
    client.force_login(admin_user)
    response = client.get(path, {"cursor": token})
    assert response.status_code == 200
    assert response.context["page"].number == 1
    assert response.context["cursor_refused"] is bool(token)
    if token:
        assert "could not be read" in response.content.decode()


@pytest.mark.parametrize("path", ["/deadlines/", "/incidents/"])
def test_an_edited_or_foreign_cursor_is_refused(client, admin_user, small_pages, path):
    _world()
    client.force_login(admin_user)
    first = client.get(path).context["page"]
    token = first.next_cursor
    payload, rest = token.split(":", 1)
    edited = ("A" if payload[0] != "A" else "B") + payload[1:] + ":" + rest
    assert client.get(path, {"cursor": edited}).context["cursor_refused"]
    # A cursor of the other list (same shape or not) is not read here.
    other = "/incidents/" if path == "/deadlines/" else "/deadlines/"
    foreign = client.get(other).context["page"].next_cursor
    assert client.get(path, {"cursor": foreign}).context["cursor_refused"]
    # Made for a key of the wrong shape, even when signed for this list.
    wrong = encode_cursor(path.strip("/"), Cursor("n", (1,), 2))
    assert client.get(path, {"cursor": wrong}).context["cursor_refused"]


def test_a_cursor_never_shows_a_member_another_incident(client, alice, admin_user, small_pages):
    others = _world(count=20)
    mine = _world(owner=alice, count=12)
    mine_ids = {i.pk for i in mine}
    # A cursor made for the admin, pointing into the middle of every incident and deadline.
    client.force_login(admin_user)
    admin_incidents = client.get("/incidents/").context["page"].next_cursor
    admin_deadlines = client.get("/deadlines/").context["page"].next_cursor
    client.force_login(alice)
    for path, token, rows in (
        ("/incidents/", admin_incidents, "incidents"),
        ("/deadlines/", admin_deadlines, "deadlines"),
    ):
        response = client.get(path, {"cursor": token})
        assert response.status_code == 200
        incident_ids = {
            (row.pk if rows == "incidents" else row.incident.pk) for row in response.context[rows]
        }
        assert incident_ids <= mine_ids
    # A backward cursor from a key of another incident: still only alice's.
    hidden = others[5]
    key = (None, hidden.created_at, hidden.pk)
    token = encode_cursor("incidents", Cursor(BACKWARD, key, 3))
    response = client.get("/incidents/", {"cursor": token})
    assert {row.pk for row in response.context["incidents"]} <= mine_ids
    # Walking all of alice's pages shows exactly her incidents, each once.
    pages, _last = _walk(client, "/incidents/", "incidents")
    shown = [pk for page in pages for pk in page]
    assert sorted(shown) == sorted(mine_ids)
    deadline_pages, _last = _walk(client, "/deadlines/", "deadlines")
    shown_deadlines = [pk for page in deadline_pages for pk in page]
    assert shown_deadlines == list(
        Deadline.objects.filter(status=DeadlineStatus.OPEN, incident__in=mine)
        .order_by(F("due_at").asc(nulls_last=True), "id")
        .values_list("pk", flat=True)
    )


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.parametrize("who", ["admin", "member"])
@pytest.mark.parametrize(
    ("path", "rows"), [("/deadlines/", "deadlines"), ("/incidents/", "incidents")]
)
def test_a_deep_page_costs_the_queries_of_an_early_one(
    client, alice, admin_user, small_pages, who, path, rows
):
    _world(owner=alice, count=60)
    client.force_login(admin_user if who == "admin" else alice)
    counts = []
    url = path
    for _ in range(6):
        count, response = _queries(client, url)
        counts.append(count)
        url = f"{path}?cursor={response.context['page'].next_cursor}"
    # Page 1 reads from the start; the later pages read from a key: flat, whatever the depth
    # (one more where a page crosses into the rows without a due time or the walk falls back).
    assert max(counts[1:]) - min(counts[1:]) <= 1, counts
    assert max(counts) <= counts[0] + 2, counts
    assert max(counts) <= 15, counts


def test_walking_a_service_built_incident_list_shows_each_once(
    client, catalogue, alice, small_pages
):
    """Deadlines computed by the rules (not hand-made), many sharing a due time."""
    from tests.conftest import add_korean_entity

    for n in range(9):
        incident = IncidentFactory(owner=alice)
        add_korean_entity(incident, jurisdictions=["KR", "EU", "US"])
        services.timeline_event_record(
            incident=incident,
            kind="awareness",
            occurred_at=BASE + timedelta(hours=n % 3),
            title="aware",
        )
    client.force_login(alice)
    pages, _last = _walk(client, "/incidents/", "incidents")
    assert [pk for page in pages for pk in page] == _expected_incidents()
    deadline_pages, _last = _walk(client, "/deadlines/", "deadlines")
    assert [pk for page in deadline_pages for pk in page] == _expected_deadlines()


@pytest.mark.parametrize(
    ("path", "query", "expected"),
    [
        ("/deadlines/", "", lambda: Deadline.objects.filter(status=DeadlineStatus.OPEN).count()),
        ("/incidents/", "", lambda: Incident.objects.count()),
        (
            "/incidents/",
            "severity=critical",
            lambda: Incident.objects.filter(severity="critical").count(),
        ),
    ],
)
def test_a_long_lists_first_page_is_counted_by_its_own_query(
    client, admin_user, small_pages, path, query, expected
):
    """The first page's rows and the whole list's count come from one query (the count a
    scalar subquery of it), and the count is the exact one, filters included."""
    made = _world()
    Incident.objects.filter(pk__in=[i.pk for i in made[::3]]).update(severity="critical")
    client.force_login(admin_user)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(f"{path}?{query}").context["page"]
    assert page.next_cursor is not None  # a list longer than its first page
    assert page.count == expected()
    assert not [q for q in captured.captured_queries if q["sql"].startswith("SELECT COUNT(")]


def test_an_empty_deadline_list_counts_nothing(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/deadlines/").context["page"]
    assert (page.count, page.next_cursor) == (0, None)
