"""The API operations behind the browser's management pages (issue #15 item 2): a legal entity's
facts, the team, close and reopen with a reason, a filing's acknowledgement. Each follows the
role matrix (compliance and admin write; legal and viewer read; outsiders get 404) and is in
the OpenAPI schema."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents.models import (
    Deadline,
    Filing,
    IncidentStatus,
    LegalEntity,
    Membership,
    TimelineEvent,
)
from tests.factories import IncidentFactory, UserFactory

KST = ZoneInfo("Asia/Seoul")
pytestmark = pytest.mark.django_db

ROLES = ("viewer", "compliance", "legal", "admin", "outsider")
VIEW = {"viewer": 200, "compliance": 200, "legal": 200, "admin": 200, "outsider": 404}
WRITE_200 = {"viewer": 403, "compliance": 200, "legal": 403, "admin": 200, "outsider": 404}
WRITE_201 = {**WRITE_200, "compliance": 201, "admin": 201}


@pytest.fixture
def users(alice, bob, carol, charlie, admin_user) -> dict[str, Any]:
    return {
        "viewer": carol,
        "compliance": alice,
        "legal": bob,
        "admin": admin_user,
        "outsider": charlie,
    }


def _each_role(users, client_for, call) -> dict[str, int]:
    return {role: call(client_for(users[role]), role).status_code for role in ROLES}


def test_changing_an_entitys_facts_follows_the_matrix_and_recomputes(world, users, client_for):
    incident, entity = world["incident"], world["entity"]
    url = f"/api/v1/incidents/{incident.pk}/entities/{entity.pk}/"
    network = Deadline.objects.get(
        incident=incident, legal_entity=entity, code="kr-network-act-48-3-initial"
    )
    seen = _each_role(
        users, client_for, lambda c, role: c.patch(url, {"role": f"set by {role}"}, format="json")
    )
    assert seen == WRITE_200
    entity.refresh_from_db()
    assert entity.role == "set by admin"

    response = client_for(users["compliance"]).patch(
        url, {"ict_service_provider": False}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["ict_service_provider"] is False
    # The open Network Act follow-up clocks no longer apply to a non-ICT provider.
    supplementary = Deadline.objects.filter(
        legal_entity=entity, code="kr-network-act-48-3-supplementary"
    )
    assert all(d.applicability == "does_not_apply" for d in supplementary)
    network.refresh_from_db()
    assert network.verdict  # filed before: its verdict stays frozen


def test_an_entity_patch_with_a_bad_country_is_the_services_400(world, alice, client_for):
    incident, entity = world["incident"], world["entity"]
    response = client_for(alice).patch(
        f"/api/v1/incidents/{incident.pk}/entities/{entity.pk}/",
        {"jurisdictions": ["KR", "nope"]},
        format="json",
    )
    assert response.status_code == 400
    assert "jurisdictions" in response.json()["errors"]
    entity.refresh_from_db()
    assert entity.jurisdictions == ["KR"]


def test_reading_the_team_follows_the_matrix(world, users, client_for):
    url = f"/api/v1/incidents/{world['incident'].pk}/members/"
    assert _each_role(users, client_for, lambda c, role: c.get(url)) == VIEW
    team = client_for(users["viewer"]).get(url).json()
    assert team[0] == {
        "id": users["compliance"].pk,
        "username": "alice",
        "is_owner": True,
        "added_at": None,
    }
    assert {row["username"] for row in team[1:]} == {"bob", "carol"}


def test_adding_a_member_follows_the_matrix(world, users, client_for):
    url = f"/api/v1/incidents/{world['incident'].pk}/members/"
    for role in ROLES:
        UserFactory(username=f"new-{role}", role="viewer")
    seen = _each_role(
        users, client_for, lambda c, role: c.post(url, {"username": f"new-{role}"}, format="json")
    )
    assert seen == WRITE_201
    added = set(
        Membership.objects.filter(incident=world["incident"]).values_list(
            "user__username", flat=True
        )
    )
    assert {"new-compliance", "new-admin"} <= added
    assert not {"new-viewer", "new-legal", "new-outsider"} & added


def test_adding_an_unknown_or_disabled_account_is_a_400(world, alice, client_for):
    UserFactory(username="gone", is_active=False)
    url = f"/api/v1/incidents/{world['incident'].pk}/members/"
    unknown = client_for(alice).post(url, {"username": "nobody"}, format="json")
    assert unknown.status_code == 400
    assert unknown.json()["errors"]["username"] == ["No account is called nobody."]
    disabled = client_for(alice).post(url, {"username": "gone"}, format="json")
    assert disabled.status_code == 400
    assert "That account is disabled." in str(disabled.json())


def test_removing_a_member_follows_the_matrix_and_hides_the_incident(world, users, client_for):
    incident = world["incident"]
    victims = {}
    for role in ROLES:
        victims[role] = UserFactory(username=f"victim-{role}", role="viewer")
        Membership.objects.create(incident=incident, user=victims[role])

    def remove(client, role):
        return client.post(
            f"/api/v1/incidents/{incident.pk}/members/{victims[role].pk}/remove/", format="json"
        )

    assert _each_role(users, client_for, remove) == WRITE_200
    left = set(
        Membership.objects.filter(incident=incident).values_list("user__username", flat=True)
    )
    assert "victim-compliance" not in left
    assert "victim-viewer" in left
    gone = client_for(victims["compliance"]).get(f"/api/v1/incidents/{incident.pk}/")
    assert gone.status_code == 404


def test_the_owner_cannot_be_removed_and_a_stranger_is_404(world, alice, charlie, client_for):
    incident = world["incident"]
    base = f"/api/v1/incidents/{incident.pk}/members/"
    owner = client_for(alice).post(f"{base}{alice.pk}/remove/", format="json")
    assert owner.status_code == 400
    assert "The owner cannot be removed from the incident." in str(owner.json())
    assert client_for(alice).post(f"{base}{charlie.pk}/remove/", format="json").status_code == 404


def test_handing_over_ownership_follows_the_matrix(world, users, client_for):
    incident = world["incident"]
    url = f"/api/v1/incidents/{incident.pk}/owner/"
    seen = _each_role(
        users,
        client_for,
        lambda c, role: c.post(
            url, {"username": "bob" if role != "admin" else "carol"}, format="json"
        ),
    )
    assert seen == WRITE_200
    incident.refresh_from_db()
    assert incident.owner.username == "carol"
    # Both previous owners (alice, then bob) are still on the team.
    members = set(
        Membership.objects.filter(incident=incident).values_list("user__username", flat=True)
    )
    assert {"alice", "bob"} <= members


def test_closing_and_reopening_follow_the_matrix_and_need_a_reason(world, users, client_for):
    incident = world["incident"]

    def move(client, role, verb, before):
        incident.status = before
        incident.save()
        return client.post(
            f"/api/v1/incidents/{incident.pk}/{verb}/",
            {"reason": f"{verb} by {role}"},
            format="json",
        )

    closed = _each_role(users, client_for, lambda c, r: move(c, r, "close", IncidentStatus.OPEN))
    assert closed == WRITE_200
    reopened = _each_role(
        users, client_for, lambda c, r: move(c, r, "reopen", IncidentStatus.CLOSED)
    )
    assert reopened == WRITE_200
    notes = list(
        TimelineEvent.objects.filter(incident=incident, data__has_key="status_to")
        .order_by("id")
        .values_list("description", flat=True)
    )
    assert notes == [
        "close by compliance",
        "close by admin",
        "reopen by compliance",
        "reopen by admin",
    ]

    incident.status = IncidentStatus.CLOSED
    incident.save()
    short = client_for(users["compliance"]).post(
        f"/api/v1/incidents/{incident.pk}/reopen/", {"reason": "ok"}, format="json"
    )
    assert short.status_code == 400
    assert short.json()["errors"]["reason"] == ["Say why (at least 5 characters)."]
    missing = client_for(users["compliance"]).post(
        f"/api/v1/incidents/{incident.pk}/reopen/", {}, format="json"
    )
    assert missing.status_code == 400
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED


def test_acknowledging_a_filing_follows_the_matrix(world, users, client_for):
    incident, filing = world["incident"], world["filing"]
    url = f"/api/v1/incidents/{incident.pk}/filings/{filing.pk}/acknowledge/"
    seen = _each_role(
        users,
        client_for,
        lambda c, role: c.post(url, {"reference_number": f"KISA-{role}"}, format="json"),
    )
    assert seen == WRITE_200
    filing.refresh_from_db()
    assert filing.reference_number == "KISA-admin"


def test_an_acknowledgement_changes_only_what_is_given(world, alice, client_for):
    incident, filing = world["incident"], world["filing"]
    url = f"/api/v1/incidents/{incident.pk}/filings/{filing.pk}/acknowledge/"
    client = client_for(alice)
    first = client.post(
        url,
        {
            "acknowledged_at": "2025-11-19T22:00:00+09:00",
            "acknowledgement": "접수되었습니다",
            "reference_number": "KISA-2025-0117",
            "channel": "KISA portal",
        },
        format="json",
    )
    assert first.status_code == 200
    body = first.json()
    assert body["acknowledged_at"] == "2025-11-19T22:00:00+09:00"
    assert body["reference_number"] == "KISA-2025-0117"
    second = client.post(url, {"channel": "e-mail"}, format="json")
    assert second.json()["reference_number"] == "KISA-2025-0117"
    assert second.json()["channel"] == "e-mail"
    filing = Filing.objects.get(pk=filing.pk)
    # The submission (21:35 KST) and the deadline's frozen verdict are untouched.
    assert filing.submitted_at == datetime(2025, 11, 19, 21, 35, tzinfo=KST)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"acknowledged_at": "2025-11-19T21:00:00+09:00"}, "acknowledged_at"),
        ({"acknowledged_at": "2025-11-19T22:00:00"}, "acknowledged_at"),
        ({"acknowledgement": "received"}, "acknowledged_at"),
        ({"reference_number": 7}, "reference_number"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_acknowledgement_is_a_400_and_changes_nothing(world, alice, client_for, body, field):
    incident, filing = world["incident"], world["filing"]
    response = client_for(alice).post(
        f"/api/v1/incidents/{incident.pk}/filings/{filing.pk}/acknowledge/", body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    filing.refresh_from_db()
    assert filing.acknowledged_at is None
    assert filing.acknowledgement == ""


def test_the_new_operations_are_in_the_schema(alice, client):
    client.force_login(alice)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    for path, method in [
        ("/api/v1/incidents/{id}/close/", "post"),
        ("/api/v1/incidents/{id}/reopen/", "post"),
        ("/api/v1/incidents/{id}/owner/", "post"),
        ("/api/v1/incidents/{incident_pk}/entities/{id}/", "patch"),
        ("/api/v1/incidents/{incident_pk}/members/", "get"),
        ("/api/v1/incidents/{incident_pk}/members/", "post"),
        ("/api/v1/incidents/{incident_pk}/members/{id}/remove/", "post"),
        ("/api/v1/incidents/{incident_pk}/filings/{id}/acknowledge/", "post"),
    ]:
        assert method in paths[path], (path, method)
    close = paths["/api/v1/incidents/{id}/close/"]["post"]
    assert close["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ReasonInputRequest"
    }


def test_entities_of_another_incident_are_404(world, alice, client_for):
    other = IncidentFactory(owner=alice)
    entity = world["entity"]
    response = client_for(alice).patch(
        f"/api/v1/incidents/{other.pk}/entities/{entity.pk}/", {"role": "x"}, format="json"
    )
    assert response.status_code == 404
    assert LegalEntity.objects.get(pk=entity.pk).role == ""


def test_the_team_list_costs_the_same_queries_for_2_or_12_members(world, carol, client_for):
    incident = world["incident"]
    client = client_for(carol)
    counts = []
    for n in (2, 10):
        for k in range(n):
            user = UserFactory(username=f"member-{n}-{k}", role="viewer")
            Membership.objects.create(incident=incident, user=user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/incidents/{incident.pk}/members/")
        assert response.status_code == 200
        assert len(response.json()) >= n + 1
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 12


def test_only_a_closed_incident_can_be_reopened(world, alice, client_for):
    incident = world["incident"]
    incident.status = IncidentStatus.CONTAINED
    incident.save()
    response = client_for(alice).post(
        f"/api/v1/incidents/{incident.pk}/reopen/", {"reason": "new facts came in"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["status"] == ["Only a closed incident can be reopened."]
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CONTAINED


@pytest.mark.parametrize("verb", ["reopen", "owner"])
def test_reopen_and_owner_with_a_stale_if_match_get_412(world, client_for, alice, verb):
    incident = world["incident"]
    client = client_for(alice)
    url = f"/api/v1/incidents/{incident.pk}/"
    if verb == "reopen":
        client.post(f"{url}close/", {"reason": "All reports filed."}, format="json")
    etag = client.get(url)["ETag"]
    client.patch(url, {"summary": "someone else's edit"}, format="json")
    body = {"reason": "KISA asked for more."} if verb == "reopen" else {"username": "bob"}
    response = client.post(f"{url}{verb}/", body, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    incident.refresh_from_db()
    assert incident.owner.username == "alice"
    assert incident.status == ("closed" if verb == "reopen" else "open")
