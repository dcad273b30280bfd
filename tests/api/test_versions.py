"""No lost update (#13 item 3): the incident's facts are saved field by field under a lock, the
API's ETag/If-Match refuses a stale write with 412, and web forms carry the version they showed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incidents import services
from incidents.concurrency import version_of
from incidents.models import Deadline, Incident

pytestmark = pytest.mark.django_db


def test_incident_detail_carries_an_etag_that_changes_on_every_write(world, client_for, alice):
    client = client_for(alice)
    url = f"/api/v1/incidents/{world['incident'].pk}/"
    first = client.get(url)
    assert first["ETag"] == f'"{version_of(world["incident"])}"'
    changed = client.patch(url, {"title": "Renamed"}, format="json")
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert client.get(url)["ETag"] == changed["ETag"]


def test_a_patch_with_a_stale_if_match_gets_412_and_changes_nothing(world, client_for, alice):
    client = client_for(alice)
    url = f"/api/v1/incidents/{world['incident'].pk}/"
    etag = client.get(url)["ETag"]
    assert (
        client.patch(url, {"title": "First"}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    )
    stale = client.patch(url, {"severity": "low"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    assert Incident.objects.get(pk=world["incident"].pk).severity == "high"


def test_patches_of_different_fields_without_if_match_both_stay(world, client_for, alice):
    incident = world["incident"]
    stale_copy = Incident.objects.get(pk=incident.pk)
    services.incident_update_facts(incident=incident, title="New title")
    # A second writer holding an older copy changes another field: the title survives.
    services.incident_update_facts(incident=stale_copy, severity="low")
    fresh = Incident.objects.get(pk=incident.pk)
    assert (fresh.title, fresh.severity) == ("New title", "low")


def test_close_with_a_stale_if_match_gets_412(world, client_for, alice):
    client = client_for(alice)
    url = f"/api/v1/incidents/{world['incident'].pk}/"
    etag = client.get(url)["ETag"]
    client.patch(url, {"summary": "more"}, format="json")
    response = client.post(
        f"{url}close/", {"reason": "All reports filed."}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 412
    assert Incident.objects.get(pk=world["incident"].pk).status == "open"


def test_not_applicable_with_a_stale_if_match_gets_412(world, client_for, bob):
    client = client_for(bob)
    deadline = world["deadline"]
    url = f"/api/v1/incidents/{deadline.incident_id}/deadlines/{deadline.pk}/"
    etag = client.get(url)["ETag"]
    Deadline.objects.get(pk=deadline.pk).save()  # someone else's recomputation
    body = {"justification": "Not an ICT provider for this service."}
    stale = client.post(f"{url}not-applicable/", body, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    fresh_etag = client.get(url)["ETag"]
    ok = client.post(f"{url}not-applicable/", body, format="json", HTTP_IF_MATCH=fresh_etag)
    assert ok.status_code == 200
    assert ok.json()["status"] == "not_applicable"


def test_not_applicable_is_refused_on_a_deadline_that_is_not_open(world, client_for, bob):
    client = client_for(bob)
    deadline = world["deadline"]
    url = f"/api/v1/incidents/{deadline.incident_id}/deadlines/{deadline.pk}/not-applicable/"
    assert (
        client.post(url, {"justification": "First reason, long enough."}, format="json").status_code
        == 200
    )
    again = client.post(url, {"justification": "Rewritten reason, also long."}, format="json")
    assert again.status_code == 400
    assert (
        Deadline.objects.get(pk=deadline.pk).not_applicable_reason == "First reason, long enough."
    )
    Deadline.objects.filter(pk=deadline.pk).update(status="superseded")
    assert (
        client.post(url, {"justification": "Superseded one, refused."}, format="json").status_code
        == 400
    )


def test_not_applicable_does_not_put_back_a_due_time_recomputed_meanwhile(world, bob):
    deadline = world["deadline"]
    stale_copy = Deadline.objects.get(pk=deadline.pk)
    moved = stale_copy.due_at.replace(year=stale_copy.due_at.year + 1)
    Deadline.objects.filter(pk=deadline.pk).update(due_at=moved)  # a recomputation committed
    from incidents.deadlines import deadline_mark_not_applicable

    deadline_mark_not_applicable(
        deadline=stale_copy, justification="Not applicable: reasons.", marked_by=bob
    )
    fresh = Deadline.objects.get(pk=deadline.pk)
    assert (fresh.status, fresh.due_at) == ("not_applicable", moved)


def test_the_web_form_answers_a_stale_version_with_changed_by_someone_else(world, client, bob):
    client.force_login(bob)
    deadline = world["deadline"]
    url = reverse("deadline_not_applicable", args=[deadline.incident.reference, deadline.pk])
    page = client.get(url).content.decode()
    shown = version_of(Deadline.objects.get(pk=deadline.pk))
    assert f'name="version" value="{shown}"' in page
    Deadline.objects.get(pk=deadline.pk).save()  # changed by someone else meanwhile
    response = client.post(url, {"justification": "Long enough justification.", "version": shown})
    assert response.status_code == 400
    assert "changed by someone else since you opened it" in response.content.decode()
    assert Deadline.objects.get(pk=deadline.pk).status == "open"
    current = version_of(Deadline.objects.get(pk=deadline.pk))
    ok = client.post(url, {"justification": "Long enough justification.", "version": current})
    assert ok.status_code == 302
