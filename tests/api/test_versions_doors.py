"""ETag / If-Match on every resource two people can change at once, beyond the incident and the
deadline (tests/api/test_versions.py): a legal entity's PATCH, the team (add, remove), a filing's
acknowledgement, and the catalogue (obligations, calendars with their closures). As on the
incident: If-Match is optional (without it only the fields sent change); a stale one is a 412
with the usual JSON error body and nothing is written. Documented in the schema."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import yaml
from django.core.management import call_command

from incidents import services
from incidents.models import Filing, LegalEntity, Membership
from regulators.models import Calendar, CalendarClosure, Obligation

KST = ZoneInfo("Asia/Seoul")
pytestmark = pytest.mark.django_db


def _stale(response) -> None:
    assert response.status_code == 412
    body = response.json()
    assert body["code"] == "precondition_failed"
    assert body["errors"] == {}
    assert "changed by someone else" in body["detail"]


def test_entity_patch_with_a_stale_if_match_is_412_and_keeps_the_other_change(
    world, client_for, alice
):
    incident, entity = world["incident"], world["entity"]
    client = client_for(alice)
    url = f"/api/v1/incidents/{incident.pk}/entities/{entity.pk}/"
    etag = client.get(url)["ETag"]
    assert etag.startswith('"')
    assert etag.endswith('"')
    # Someone else changes the entity after this client read it.
    services.legal_entity_update(entity=entity, role="US-listed parent")
    _stale(client.patch(url, {"name_local": "예시"}, format="json", HTTP_IF_MATCH=etag))
    fresh = LegalEntity.objects.get(pk=entity.pk)
    assert (fresh.role, fresh.name_local) == ("US-listed parent", "")

    current = client.get(url)["ETag"]
    assert current != etag
    ok = client.patch(url, {"name_local": "예시"}, format="json", HTTP_IF_MATCH=current)
    assert ok.status_code == 200
    assert ok["ETag"] not in (etag, current)
    assert ok["ETag"] == client.get(url)["ETag"]


def test_entity_patch_without_if_match_saves_only_the_fields_sent(world, client_for, alice):
    incident, entity = world["incident"], world["entity"]
    url = f"/api/v1/incidents/{incident.pk}/entities/{entity.pk}/"
    stale_copy = LegalEntity.objects.get(pk=entity.pk)
    services.legal_entity_update(entity=entity, role="operator")
    response = client_for(alice).patch(url, {"name_local": "예시"}, format="json")
    assert response.status_code == 200
    # The service re-read the row under lock: a stale copy never overwrites the other field.
    services.legal_entity_update(entity=stale_copy, reference_tz="Asia/Tokyo")
    fresh = LegalEntity.objects.get(pk=entity.pk)
    assert (fresh.role, fresh.name_local, fresh.reference_tz) == ("operator", "예시", "Asia/Tokyo")


def test_an_empty_entity_patch_with_a_stale_if_match_is_412(world, client_for, alice):
    incident, entity = world["incident"], world["entity"]
    url = f"/api/v1/incidents/{incident.pk}/entities/{entity.pk}/"
    client = client_for(alice)
    etag = client.get(url)["ETag"]
    services.legal_entity_update(entity=entity, role="operator")
    _stale(client.patch(url, {}, format="json", HTTP_IF_MATCH=etag))


def test_the_team_has_an_etag_and_a_stale_add_or_remove_is_412(world, client_for, alice, charlie):
    incident = world["incident"]
    client = client_for(alice)
    url = f"/api/v1/incidents/{incident.pk}/members/"
    etag = client.get(url)["ETag"]
    services.membership_add(incident=incident, user=charlie)  # someone else's change
    bob_id = Membership.objects.get(incident=incident, user__username="bob").user_id
    _stale(client.post(f"{url}{bob_id}/remove/", format="json", HTTP_IF_MATCH=etag))
    assert Membership.objects.filter(incident=incident, user_id=bob_id).exists()

    fresh = client.get(url)["ETag"]
    assert fresh != etag
    removed = client.post(f"{url}{bob_id}/remove/", format="json", HTTP_IF_MATCH=fresh)
    assert removed.status_code == 200
    assert not Membership.objects.filter(incident=incident, user_id=bob_id).exists()
    _stale(client.post(url, {"username": "bob"}, format="json", HTTP_IF_MATCH=fresh))
    added = client.post(url, {"username": "bob"}, format="json", HTTP_IF_MATCH=removed["ETag"])
    assert added.status_code == 201
    assert added["ETag"] == client.get(url)["ETag"]


def test_removing_someone_already_removed_with_a_version_is_412_not_404(world, client_for, alice):
    incident = world["incident"]
    client = client_for(alice)
    url = f"/api/v1/incidents/{incident.pk}/members/"
    etag = client.get(url)["ETag"]
    bob = Membership.objects.get(incident=incident, user__username="bob").user
    services.membership_remove(incident=incident, user=bob)
    _stale(client.post(f"{url}{bob.pk}/remove/", format="json", HTTP_IF_MATCH=etag))
    assert client.post(f"{url}{bob.pk}/remove/", format="json").status_code == 404


def test_an_acknowledgement_with_a_stale_if_match_is_412(world, client_for, alice):
    incident, filing = world["incident"], world["filing"]
    client = client_for(alice)
    url = f"/api/v1/incidents/{incident.pk}/filings/{filing.pk}/"
    etag = client.get(url)["ETag"]
    services.filing_acknowledge(filing=filing, reference_number="KISA-2025-0001")
    _stale(
        client.post(f"{url}acknowledge/", {"channel": "portal"}, format="json", HTTP_IF_MATCH=etag)
    )
    fresh = Filing.objects.get(pk=filing.pk)
    assert (fresh.reference_number, fresh.channel) == ("KISA-2025-0001", "")

    ok = client.post(
        f"{url}acknowledge/",
        {"channel": "portal"},
        format="json",
        HTTP_IF_MATCH=client.get(url)["ETag"],
    )
    assert ok.status_code == 200
    assert ok["ETag"] == client.get(url)["ETag"]
    fresh.refresh_from_db()
    assert (fresh.reference_number, fresh.channel) == ("KISA-2025-0001", "portal")


def test_an_acknowledgement_without_if_match_keeps_what_another_one_wrote(world, client_for, alice):
    incident, filing = world["incident"], world["filing"]
    stale_copy = Filing.objects.get(pk=filing.pk)
    services.filing_acknowledge(
        filing=filing,
        acknowledged_at=datetime(2025, 11, 19, 22, 0, tzinfo=KST),
        acknowledgement="Received",
    )
    response = client_for(alice).post(
        f"/api/v1/incidents/{incident.pk}/filings/{filing.pk}/acknowledge/",
        {"reference_number": "KISA-7"},
        format="json",
    )
    assert response.status_code == 200
    services.filing_acknowledge(filing=stale_copy, channel="e-mail")
    fresh = Filing.objects.get(pk=filing.pk)
    assert (fresh.acknowledgement, fresh.reference_number, fresh.channel) == (
        "Received",
        "KISA-7",
        "e-mail",
    )


@pytest.mark.usefixtures("catalogue")
def test_an_obligation_patch_with_a_stale_if_match_is_412(client_for, admin_user):
    client = client_for(admin_user)
    obligation = Obligation.objects.order_by("pk").first()
    url = f"/api/v1/obligations/{obligation.pk}/"
    etag = client.get(url)["ETag"]
    first = client.patch(url, {"notes": "checked"}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    _stale(client.patch(url, {"notes": "overwritten"}, format="json", HTTP_IF_MATCH=etag))
    assert Obligation.objects.get(pk=obligation.pk).notes == "checked"
    again = client.patch(url, {"notes": "second"}, format="json", HTTP_IF_MATCH=first["ETag"])
    assert again.status_code == 200


@pytest.mark.usefixtures("catalogue")
def test_a_calendar_version_covers_its_closures(client_for, admin_user):
    client = client_for(admin_user)
    calendar = Calendar.objects.order_by("pk").first()
    url = f"/api/v1/calendars/{calendar.pk}/"
    etag = client.get(url)["ETag"]
    CalendarClosure.objects.create(
        calendar=calendar, day=date(2031, 3, 5), kind="closed", label="Storm"
    )
    assert client.get(url)["ETag"] != etag
    _stale(client.patch(url, {"description": "mine"}, format="json", HTTP_IF_MATCH=etag))
    assert Calendar.objects.get(pk=calendar.pk).description != "mine"


@pytest.mark.usefixtures("catalogue")
def test_catalogue_patches_without_if_match_still_work(client_for, admin_user):
    obligation = Obligation.objects.order_by("pk").first()
    response = client_for(admin_user).patch(
        f"/api/v1/obligations/{obligation.pk}/", {"notes": "plain"}, format="json"
    )
    assert response.status_code == 200
    assert response["ETag"]


def test_the_schema_documents_if_match_412_and_etag(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(out), "--validate", "--fail-on-warn")
    paths = yaml.safe_load(out.read_text())["paths"]
    versioned = {
        ("/api/v1/incidents/{id}/", "patch"),
        ("/api/v1/incidents/{id}/close/", "post"),
        ("/api/v1/incidents/{id}/owner/", "post"),
        ("/api/v1/incidents/{incident_pk}/entities/{id}/", "patch"),
        ("/api/v1/incidents/{incident_pk}/members/", "post"),
        ("/api/v1/incidents/{incident_pk}/members/{id}/remove/", "post"),
        ("/api/v1/incidents/{incident_pk}/filings/{id}/acknowledge/", "post"),
        ("/api/v1/incidents/{incident_pk}/deadlines/{id}/not-applicable/", "post"),
        ("/api/v1/obligations/{id}/", "patch"),
        ("/api/v1/calendars/{id}/", "patch"),
    }
    for path, method in versioned:
        operation = paths[path][method]
        headers = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        assert "If-Match" in headers, (path, method)
        assert "412" in operation["responses"], (path, method)
    for path in (
        "/api/v1/incidents/{incident_pk}/entities/{id}/",
        "/api/v1/incidents/{incident_pk}/filings/{id}/",
        "/api/v1/incidents/{incident_pk}/members/",
        "/api/v1/obligations/{id}/",
    ):
        assert "ETag" in paths[path]["get"]["responses"]["200"]["headers"], path
    # Reads and appends take no If-Match.
    assert "412" not in paths["/api/v1/incidents/{incident_pk}/filings/"]["post"]["responses"]
