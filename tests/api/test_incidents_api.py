"""Incidents over the API: create with entities, read, update facts, close; need-to-know."""

from __future__ import annotations

import pytest

from incidents.models import Deadline, Incident, IncidentStatus

pytestmark = pytest.mark.django_db


def test_compliance_officer_opens_an_incident_with_its_legal_entities(
    catalogue, alice, client_for
) -> None:
    response = client_for(alice).post(
        "/api/v1/incidents/",
        {
            "title": "Credential stuffing",
            "severity": "critical",
            "data_categories": ["name", "email"],
            "external_attack": True,
            "entities": [
                {
                    "name": "Op Co",
                    "country": "kr",
                    "ict_service_provider": True,
                    "jurisdictions": ["KR"],
                },
                {"name": "Parent Inc.", "country": "US", "sec_registrant": True},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner"] == "alice"
    assert body["reference"].startswith("INC-")
    assert [e["name"] for e in body["entities"]] == ["Op Co", "Parent Inc."]
    assert body["entities"][0]["country"] == "KR"
    assert body["created_at"][-6:] in ("+09:00",)  # alice's zone (Asia/Seoul), with the offset
    assert Incident.objects.get(pk=body["id"]).entities.count() == 2


def test_entity_errors_name_the_nested_field_and_change_nothing(alice, client_for) -> None:
    response = client_for(alice).post(
        "/api/v1/incidents/",
        {"title": "X", "entities": [{"name": "A", "country": "Korea"}]},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert body["code"] == "invalid"
    assert "entities.0.country" in body["errors"]
    assert not Incident.objects.exists()


def test_member_reads_the_incident_and_outsider_gets_404(world, carol, charlie, client_for) -> None:
    incident = world["incident"]
    ok = client_for(carol).get(f"/api/v1/incidents/{incident.pk}/")
    assert ok.status_code == 200
    assert ok.json()["reference"] == incident.reference
    assert ok.json()["entities"][0]["name"] == "Example Commerce Corp."
    hidden = client_for(charlie).get(f"/api/v1/incidents/{incident.pk}/")
    assert hidden.status_code == 404
    assert hidden.json() == {"detail": hidden.json()["detail"], "code": "not_found", "errors": {}}


def test_incident_is_absent_from_an_outsiders_list(world, charlie, admin_user, client_for) -> None:
    own = client_for(charlie).post("/api/v1/incidents/", {"title": "Mine"}, format="json").json()
    listed = client_for(charlie).get("/api/v1/incidents/").json()
    assert [row["id"] for row in listed["results"]] == [own["id"]]
    assert listed["count"] == 1
    everything = client_for(admin_user).get("/api/v1/incidents/").json()
    assert everything["count"] == 2


def test_list_filters_by_reference_status_and_orders(world, admin_user, client_for) -> None:
    client = client_for(admin_user)
    reference = world["incident"].reference
    client.post("/api/v1/incidents/", {"title": "Another", "severity": "low"}, format="json")
    by_ref = client.get("/api/v1/incidents/", {"reference": reference}).json()
    assert [row["reference"] for row in by_ref["results"]] == [reference]
    by_severity = client.get("/api/v1/incidents/", {"severity": "low"}).json()
    assert [row["title"] for row in by_severity["results"]] == ["Another"]
    ordered = client.get("/api/v1/incidents/", {"ordering": "title"}).json()
    titles = [row["title"] for row in ordered["results"]]
    assert titles == sorted(titles)


def test_patch_changes_facts_and_recomputes_deadlines(world, alice, client_for) -> None:
    incident = world["incident"]
    before = Deadline.objects.filter(incident=incident).count()
    response = client_for(alice).patch(
        f"/api/v1/incidents/{incident.pk}/",
        {"title": "Renamed", "extra_facts": {"high_risk": True}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    incident.refresh_from_db()
    assert incident.title == "Renamed"
    assert incident.extra_facts == {"high_risk": True}
    assert Deadline.objects.filter(incident=incident).count() >= before


def test_close_moves_the_status_and_a_forbidden_move_is_a_400(world, alice, client_for) -> None:
    incident = world["incident"]
    body = {"reason": "All reports filed."}
    response = client_for(alice).post(
        f"/api/v1/incidents/{incident.pk}/close/", body, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    incident.status = IncidentStatus.CONTAINED
    incident.save()
    refused = client_for(alice).post(f"/api/v1/incidents/{incident.pk}/close/", body, format="json")
    assert refused.status_code == 400
    assert "status" in refused.json()["errors"]


def test_unknown_query_parameter_value_and_ordering_are_400(world, alice, client_for) -> None:
    client = client_for(alice)
    assert client.get("/api/v1/incidents/", {"staus": "open"}).json()["errors"] == {
        "staus": ["Unknown query parameter."]
    }
    assert "status" in client.get("/api/v1/incidents/", {"status": "nope"}).json()["errors"]
    assert (
        "ordering"
        in client.get("/api/v1/incidents/", {"ordering": "owner__password"}).json()["errors"]
    )


@pytest.mark.parametrize(
    ("size", "status"), [("1", 200), ("200", 200), ("201", 400), ("0", 400), ("x", 400)]
)
def test_page_size_is_bounded(world, alice, client_for, size, status) -> None:
    assert client_for(alice).get("/api/v1/incidents/", {"page_size": size}).status_code == status


def test_unknown_api_path_is_a_json_404(alice, client_for) -> None:
    response = client_for(alice).get("/api/v1/incidents/-1/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"
