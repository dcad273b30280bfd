"""The incident's audit trail page: legal and admin only (others 403, outsiders 404), the rows of
this incident and its records only, filters, paging, and "verify" (POST with CSRF) that checks
the chain like ``manage.py verify_audit`` and shows the head hash."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from audit.services import chain_head
from incidents import services
from tests.factories import IncidentFactory
from tests.security.test_audit import _raw_tamper

KST = ZoneInfo("Asia/Seoul")
pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(incident, alice):
    """Events recorded on `incident` and on another incident (whose rows must not show)."""
    for n in range(3):
        services.timeline_event_record(
            incident=incident,
            kind="note",
            occurred_at=datetime(2026, 3, 2, 10, n, tzinfo=KST),
            title=f"Note <b>{n}</b>",
            recorded_by=alice,
        )
    other = IncidentFactory(owner=alice, title="Other")
    services.timeline_event_record(
        incident=other,
        kind="note",
        occurred_at=datetime(2026, 3, 2, 11, 0, tzinfo=KST),
        title="Elsewhere entirely",
    )
    return incident


def url(incident) -> str:
    return f"/incidents/{incident.reference}/audit/"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("alice", 403),  # compliance member (owner)
        ("carol", 403),  # viewer member
        ("charlie", 404),  # outsider
        ("bob", 200),  # legal member
        ("admin_user", 200),
    ],
)
def test_permission_matrix_for_the_trail_and_verify(client, trail, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(trail)).status_code == status
    assert client.post(url(trail) + "verify/").status_code == status


def test_anonymous_is_sent_to_sign_in(client, trail):
    assert client.get(url(trail)).status_code == 302
    assert client.post(url(trail) + "verify/").status_code == 302


def test_verify_is_post_only(client, bob, trail):
    client.force_login(bob)
    assert client.get(url(trail) + "verify/").status_code == 405


def test_verify_needs_the_csrf_token(bob, trail):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    assert client.post(url(trail) + "verify/").status_code == 403
    page = client.get(url(trail))
    token = page.context["csrf_token"]
    assert (
        client.post(url(trail) + "verify/", {"csrfmiddlewaretoken": str(token)}).status_code == 200
    )


def test_the_trail_lists_this_incidents_rows_only_escaped(client, bob, trail):
    client.force_login(bob)
    response = client.get(url(trail))
    html = response.content.decode()
    own = AuditEntry.objects.filter(incident_id=trail.pk)
    assert len(response.context["rows"]) == own.count() > 3
    assert "Elsewhere entirely" not in html
    assert "Note &lt;b&gt;0&lt;/b&gt;" in html
    assert "Note <b>0</b>" not in html
    assert "alice" in html  # who recorded the events


def test_filters_by_action_record_type_actor_and_date(client, bob, trail):
    client.force_login(bob)
    rows = client.get(url(trail), {"object_type": "incidents.timelineevent"}).context["rows"]
    assert {r["entry"].object_type for r in rows} == {"incidents.timelineevent"}
    assert len(rows) == 3
    assert client.get(url(trail), {"actor": "alice"}).context["rows"]
    assert all(
        r["entry"].actor_repr == "alice"
        for r in client.get(url(trail), {"actor": "alice"}).context["rows"]
    )
    assert client.get(url(trail), {"actor": "nobody-at-all"}).context["rows"] == []
    assert client.get(url(trail), {"action": "delete"}).context["rows"] == []
    assert client.get(url(trail), {"date_to": "2000-01-01"}).context["rows"] == []


@pytest.mark.parametrize(
    "params",
    [
        {"action": "explode"},
        {"date_from": "not-a-date"},
        {"date_from": "2026-03-05", "date_to": "2026-03-01"},
        {"page": "0"},
    ],
)
def test_bad_filters_are_a_form_error(client, bob, trail, params):
    client.force_login(bob)
    response = client.get(url(trail), params)
    assert response.status_code == 400
    assert response.context["form"].errors


def test_rows_are_paged(client, bob, trail, alice):
    for n in range(55):
        services.timeline_event_record(
            incident=trail,
            kind="note",
            occurred_at=datetime(2026, 3, 3, 10, 0, tzinfo=KST),
            title=f"bulk {n}",
        )
    client.force_login(bob)
    first = client.get(url(trail))
    second = client.get(url(trail), {"page": 2})
    assert len(first.context["rows"]) == 50
    seqs = [r["entry"].seq for r in first.context["rows"] + second.context["rows"]]
    assert seqs == sorted(seqs, reverse=True)
    assert len(seqs) == len(set(seqs))
    assert 'rel="next"' in first.content.decode()


def test_verify_shows_an_intact_chain_and_its_head_hash(client, bob, trail):
    client.force_login(bob)
    response = client.post(url(trail) + "verify/")
    html = response.content.decode()
    assert response.context["report"].ok
    assert "The audit chain is intact" in html
    assert chain_head()["hash"] in html


def test_verify_reports_a_tampered_chain(client, bob, trail):
    victim = AuditEntry.objects.filter(incident_id=trail.pk).order_by("seq").first()
    _raw_tamper("UPDATE audit_auditentry SET actor_repr = %s WHERE id = %s", ["mallory", victim.pk])
    client.force_login(bob)
    response = client.post(url(trail) + "verify/")
    assert not response.context["report"].ok
    assert f"BROKEN at entry #{victim.seq}" in response.content.decode()


def test_the_incident_page_links_to_the_trail_for_legal_and_admin_only(
    client, trail, bob, alice, admin_user
):
    link = f'href="{url(trail)}"'
    for user, shown in ((bob, True), (admin_user, True), (alice, False)):
        client.force_login(user)
        assert (link in client.get(f"/incidents/{trail.reference}/").content.decode()) is shown


def test_korean_page(client, bob, trail):
    client.force_login(bob)
    client.cookies["django_language"] = "ko"
    html = client.get(url(trail)).content.decode()
    assert "감사 추적" in html


@pytest.mark.parametrize("who", ["bob", "admin_user"])
def test_query_count_is_bounded_and_flat(client, trail, request, who):
    client.force_login(request.getfixturevalue(who))

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(trail)).status_code == 200
        return len(captured)

    small = count()
    for n in range(40):
        services.timeline_event_record(
            incident=trail,
            kind="note",
            occurred_at=datetime(2026, 3, 3, 10, 0, tzinfo=KST),
            title=f"more {n}",
        )
    large = count()
    assert small == large <= 15
