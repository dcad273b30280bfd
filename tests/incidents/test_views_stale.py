"""Lost updates in the browser: every form that changes an existing row (the incident, a legal
entity, the team, the status, a filing's acknowledgement) carries the version the page showed in
a hidden field. Saving over someone else's change is refused with "changed by someone else since
you opened it", the user's input stays on the page, and the other person's change is kept."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents import services, services_team
from incidents.concurrency import team_version
from incidents.models import Filing, Incident, IncidentStatus, LegalEntity, Membership
from tests.factories import UserFactory

KST = ZoneInfo("Asia/Seoul")
STALE = "This was changed by someone else since you opened it."
pytestmark = pytest.mark.django_db

ENTITY = {
    "name": "Example Korea Co.",
    "name_local": "",
    "country": "KR",
    "role": "",
    "ict_service_provider": "true",
    "sec_registrant": "false",
    "hipaa_covered_entity": "false",
    "eu_financial_entity": "false",
    "nis2_entity": "false",
    "kr_financial_company": "false",
    "credit_information_company": "false",
    "app_entity_au": "false",
    "dora_entity_type": "",
    "jurisdictions": "KR",
    "reference_tz": "Asia/Seoul",
}


def _versions(page: str) -> list[str]:
    return re.findall(r'<input type="hidden" name="version" value="([^"]+)"', page)


def _version(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    versions = _versions(response.content.decode())
    assert versions, "the page carries no version"
    assert len(set(versions)) == 1
    return versions[0]


@pytest.fixture
def filed(aware_incident, alice):
    return services.filing_submit(
        incident=aware_incident,
        deadline=aware_incident.deadlines.get(code="kr-network-act-48-3-initial"),
        recipient="KISA",
        submitted_at=datetime(2026, 3, 3, 9, 30, tzinfo=KST),
        submitted_by=alice,
    )


def test_a_stale_entity_edit_is_refused_and_keeps_both_the_input_and_the_other_change(
    client, alice, aware_incident
):
    entity = LegalEntity.objects.get(incident=aware_incident)
    url = f"/incidents/{aware_incident.reference}/entities/{entity.pk}/edit/"
    client.force_login(alice)
    version = _version(client, url)
    # A colleague changes the entity while this page is open.
    services.legal_entity_update(entity=entity, sec_registrant=True)
    response = client.post(url, {**ENTITY, "role": "operating company", "version": version})
    assert response.status_code == 400
    page = response.content.decode()
    assert STALE in page
    assert 'value="operating company"' in page  # the user's input is still there
    fresh = LegalEntity.objects.get(pk=entity.pk)
    assert (fresh.sec_registrant, fresh.role) == (True, "")

    # Reloaded, the same change goes through.
    current = _version(client, url)
    assert current != version
    response = client.post(url, {**ENTITY, "role": "operating company", "version": current})
    assert response.status_code == 302
    assert LegalEntity.objects.get(pk=entity.pk).role == "operating company"


def test_an_entity_form_without_a_version_is_judged_as_is(client, alice, aware_incident):
    entity = LegalEntity.objects.get(incident=aware_incident)
    client.force_login(alice)
    response = client.post(
        f"/incidents/{aware_incident.reference}/entities/{entity.pk}/edit/",
        {**ENTITY, "role": "operator"},
    )
    assert response.status_code == 302
    assert LegalEntity.objects.get(pk=entity.pk).role == "operator"


def test_the_dora_entity_type_is_on_the_entity_form_explained_and_saved(
    client, alice, aware_incident
):
    entity = LegalEntity.objects.get(incident=aware_incident)
    url = f"/incidents/{aware_incident.reference}/entities/{entity.pk}/edit/"
    client.force_login(alice)
    page = client.get(url).content.decode()
    assert 'name="dora_entity_type"' in page
    assert '<option value="credit_institution">' in page
    assert "no weekend relief" in page  # its one-line explanation
    response = client.post(
        url, {**ENTITY, "dora_entity_type": "credit_institution", "version": _version(client, url)}
    )
    assert response.status_code == 302
    assert LegalEntity.objects.get(pk=entity.pk).dora_entity_type == "credit_institution"
    assert '<option value="credit_institution" selected>' in client.get(url).content.decode()
    bad = client.post(url, {**ENTITY, "dora_entity_type": "hedge_fund"})
    assert bad.status_code == 400
    assert LegalEntity.objects.get(pk=entity.pk).dora_entity_type == "credit_institution"


def test_the_dora_entity_type_can_be_given_when_adding_an_entity(client, alice, aware_incident):
    client.force_login(alice)
    response = client.post(
        f"/incidents/{aware_incident.reference}/entities/new/",
        {**ENTITY, "name": "EU Bank AG", "country": "DE", "dora_entity_type": "trading_venue"},
    )
    assert response.status_code == 302
    assert LegalEntity.objects.get(name="EU Bank AG").dora_entity_type == "trading_venue"


def test_a_stale_acknowledgement_is_refused_and_the_other_one_kept(
    client, alice, aware_incident, filed
):
    url = f"/incidents/{aware_incident.reference}/filings/{filed.pk}/acknowledgement/"
    client.force_login(alice)
    version = _version(client, url)
    services.filing_acknowledge(filing=filed, reference_number="KISA-2026-0042")
    body = {
        "acknowledged_date": "2026-03-03",
        "acknowledged_time": "09:45",
        "acknowledged_tz": "Asia/Seoul",
        "acknowledgement": "received",
        "reference_number": "",
        "channel": "KISA portal",
        "version": version,
    }
    response = client.post(url, body)
    assert response.status_code == 400
    page = response.content.decode()
    assert STALE in page
    assert 'value="KISA portal"' in page
    fresh = Filing.objects.get(pk=filed.pk)
    assert (fresh.reference_number, fresh.channel, fresh.acknowledged_at) == (
        "KISA-2026-0042",
        "",
        None,
    )


@time_machine.travel(datetime(2026, 3, 2, 12, 0, tzinfo=KST), tick=False)
def test_a_stale_status_change_is_refused(client, alice, aware_incident):
    url = f"/incidents/{aware_incident.reference}/status/"
    client.force_login(alice)
    version = _version(client, url)
    services.incident_update_facts(incident=aware_incident, severity="critical")
    response = client.post(
        url, {"status": "closed", "reason": "All reports filed.", "version": version}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert STALE in page
    assert "All reports filed." in page
    fresh = Incident.objects.get(pk=aware_incident.pk)
    assert (fresh.status, fresh.severity) == (IncidentStatus.OPEN, "critical")


def test_the_incident_edit_page_follows_the_role_matrix(
    client, admin_user, alice, bob, carol, charlie, aware_incident
):
    url = f"/incidents/{aware_incident.reference}/edit/"
    expected = {admin_user: 200, alice: 200, bob: 403, carol: 403, charlie: 404}
    for user, code in expected.items():
        client.force_login(user)
        assert client.get(url).status_code == code, user.username
    client.logout()
    assert client.get(url)["Location"].startswith("/accounts/login/?next=")


def test_outsiders_cannot_change_the_incident(client, bob, carol, charlie, aware_incident):
    url = f"/incidents/{aware_incident.reference}/edit/"
    for user, code in ((bob, 403), (carol, 403), (charlie, 404)):
        client.force_login(user)
        assert client.post(url, {"title": "Hijacked", "severity": "low"}).status_code == code
    client.logout()
    assert client.post(url, {"title": "Hijacked", "severity": "low"}).status_code == 302
    assert Incident.objects.get(pk=aware_incident.pk).title != "Hijacked"


def test_editing_the_incident_saves_what_changed_and_recomputes(client, alice, aware_incident):
    url = f"/incidents/{aware_incident.reference}/edit/"
    client.force_login(alice)
    page = client.get(url).content.decode()
    assert f'value="{aware_incident.title}"' in page
    version = _versions(page)[0]
    response = client.post(
        url,
        {
            "title": "Renamed",
            "severity": "critical",
            "summary": "",
            "team": "CERT",
            "external_attack": "true",
            "sensitive_data": "false",
            "unique_identifiers": "false",
            "version": version,
        },
        follow=True,
    )
    assert "Incident saved." in response.content.decode()
    fresh = Incident.objects.get(pk=aware_incident.pk)
    assert (fresh.title, fresh.severity, fresh.team) == ("Renamed", "critical", "CERT")


def test_a_stale_incident_edit_is_refused_and_keeps_the_input(client, alice, aware_incident):
    url = f"/incidents/{aware_incident.reference}/edit/"
    client.force_login(alice)
    version = _version(client, url)
    services.incident_update_facts(incident=aware_incident, summary="Colleague's summary")
    response = client.post(
        url,
        {"title": "My title", "severity": "low", "summary": "", "team": "", "version": version},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert STALE in page
    assert 'value="My title"' in page
    fresh = Incident.objects.get(pk=aware_incident.pk)
    assert (fresh.title, fresh.summary) == (aware_incident.title, "Colleague's summary")


def test_incident_edit_page_queries_are_bounded(client, alice, aware_incident):
    client.force_login(alice)
    url = f"/incidents/{aware_incident.reference}/edit/"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) <= 15


@pytest.mark.parametrize("op", ["add", "remove", "owner"])
def test_a_stale_team_change_is_refused(client, alice, bob, carol, aware_incident, op):
    dave = UserFactory(username="dave", role="compliance")
    url = f"/incidents/{aware_incident.reference}/team/"
    client.force_login(alice)
    version = _version(client, url)
    # Someone else adds a member while the page is open.
    services.membership_add(incident=aware_incident, user=UserFactory(username="erin"))
    bodies = {
        "add": {"op": "add", "username": "dave"},
        "remove": {"op": "remove", "user": carol.pk},
        "owner": {"op": "owner", "user": bob.pk},
    }
    response = client.post(url, {**bodies[op], "version": version})
    assert response.status_code == 400
    page = response.content.decode()
    assert STALE in page
    if op == "add":
        assert 'value="dave"' in page
    members = set(Membership.objects.filter(incident=aware_incident).values_list("user", flat=True))
    assert dave.pk not in members
    assert carol.pk in members
    assert Incident.objects.get(pk=aware_incident.pk).owner == alice
    # With the version of the page as it is now, the same change goes through.
    response = client.post(url, {**bodies[op], "version": _version(client, url)})
    assert response.status_code == 302


def test_the_team_version_moves_with_the_owner_and_the_members(aware_incident, bob, carol):
    first = team_version(aware_incident)
    services.membership_remove(incident=aware_incident, user=carol)
    second = team_version(aware_incident)
    services_team.incident_owner_set(incident=aware_incident, owner=bob)
    third = team_version(Incident.objects.get(pk=aware_incident.pk))
    assert len({first, second, third}) == 3


def test_renaming_an_entity_confirms_with_its_new_name(client, alice, aware_incident):
    entity = LegalEntity.objects.get(incident=aware_incident)
    url = f"/incidents/{aware_incident.reference}/entities/{entity.pk}/edit/"
    client.force_login(alice)
    response = client.post(
        url, {**ENTITY, "name": "Example Korea Ltd.", "version": _version(client, url)}, follow=True
    )
    assert "Facts of Example Korea Ltd. saved" in response.content.decode()
