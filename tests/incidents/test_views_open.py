"""Opening an incident in the browser: one form with the incident, its team, legal entities with
their facts, affected counts and the first event; errors say what to fix and lose nothing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from incidents.models import (
    AffectedCountRevision,
    Deadline,
    Incident,
    LegalEntity,
    Membership,
    TimelineEvent,
)
from tests.factories import UserFactory

KST = ZoneInfo("Asia/Seoul")
pytestmark = pytest.mark.django_db

ENTITY_KR = {
    "name": "Example Korea Co.",
    "name_local": "예시코리아",
    "country": "KR",
    "role": "operating company",
    "ict_service_provider": "true",
    "sec_registrant": "false",
    "hipaa_covered_entity": "false",
    "eu_financial_entity": "false",
    "nis2_entity": "false",
    "kr_financial_company": "false",
    "credit_information_company": "false",
    "app_entity_au": "false",
    "jurisdictions": "KR",
    "reference_tz": "Asia/Seoul",
}
ENTITY_US = {
    **ENTITY_KR,
    "name": "Example Holdings Inc.",
    "name_local": "",
    "country": "US",
    "role": "US-listed parent",
    "ict_service_provider": "false",
    "sec_registrant": "true",
    "jurisdictions": "US",
    "reference_tz": "America/New_York",
}


def opening_post(entities=(ENTITY_KR, ENTITY_US), counts=(("KR", "33700000"),), **overrides):
    data = {
        "title": "Token abuse at Example Korea",
        "severity": "critical",
        "summary": "A former employee's signing key was used to read 33.7 million accounts.",
        "team": "CERT",
        "members": "",
        "external_attack": "true",
        "sensitive_data": "false",
        "unique_identifiers": "false",
        "event_kind": "awareness",
        "event_title": "CISO confirms the leak",
        "occurred_date": "2026-03-02",
        "occurred_time": "10:00",
        "entered_tz": "Asia/Seoul",
        "precision": "exact",
        "entity-TOTAL_FORMS": str(len(entities)),
        "entity-INITIAL_FORMS": "0",
        "entity-MIN_NUM_FORMS": "0",
        "entity-MAX_NUM_FORMS": "20",
        "count-TOTAL_FORMS": str(len(counts)),
        "count-INITIAL_FORMS": "0",
        "count-MIN_NUM_FORMS": "0",
        "count-MAX_NUM_FORMS": "50",
    }
    for n, entity in enumerate(entities):
        data.update({f"entity-{n}-{k}": v for k, v in entity.items()})
    for n, (jurisdiction, count) in enumerate(counts):
        data[f"count-{n}-jurisdiction"] = jurisdiction
        data[f"count-{n}-count"] = count
    data.update(overrides)
    return data


def test_compliance_officer_opens_an_incident_and_sees_the_deadlines_that_now_run(
    client, alice, bob, catalogue
):
    client.force_login(alice)
    response = client.post("/incidents/new/", opening_post(members="bob"))
    assert response.status_code == 302, response.content.decode()[:3000]
    incident = Incident.objects.get(title="Token abuse at Example Korea")
    assert response["Location"] == f"/incidents/{incident.reference}/#deadlines-h"
    assert incident.owner == alice
    assert incident.severity == "critical"
    assert incident.team == "CERT"
    assert set(
        Membership.objects.filter(incident=incident).values_list("user__username", flat=True)
    ) == {"bob"}
    korea = LegalEntity.objects.get(incident=incident, name="Example Korea Co.")
    assert korea.ict_service_provider is True
    assert korea.jurisdictions == ["KR"]
    parent = LegalEntity.objects.get(incident=incident, name="Example Holdings Inc.")
    assert parent.sec_registrant is True
    assert parent.reference_tz == "America/New_York"
    assert AffectedCountRevision.objects.get(incident=incident).count == 33_700_000
    awareness = TimelineEvent.objects.get(incident=incident, kind="awareness")
    assert awareness.occurred_at == datetime(2026, 3, 2, 10, 0, tzinfo=KST)
    # Network Act: 24 clock hours from awareness (10:00 KST) -> 2026-03-03 10:00 KST.
    network = Deadline.objects.get(
        incident=incident, legal_entity=korea, code="kr-network-act-48-3-initial"
    )
    assert network.due_at == datetime(2026, 3, 3, 10, 0, tzinfo=KST)
    # The US parent is not an ICT service provider: no Network Act clock for it.
    assert not Deadline.objects.filter(
        legal_entity=parent, code="kr-network-act-48-3-initial"
    ).exists()

    page = client.get(response["Location"]).content.decode()
    assert f"Incident {incident.reference} opened" in page
    assert f'id="deadline-{network.pk}"' in page
    assert "2026-03-03 (Tue) 10:00 KST +09:00" in page
    # Which laws apply, with the reason each applies or does not.
    assert "Which laws apply" in page
    assert "Does not apply" in page
    # Each fact in one line, and the reason an obligation does not apply to the parent.
    assert "The entity is an ICT service provider under the Korean Network Act" in page
    assert "ict_service_provider = no, which does not meet ict_service_provider is yes" in page


def test_the_form_explains_each_entity_fact_in_one_line(client, alice):
    client.force_login(alice)
    page = client.get("/incidents/new/").content.decode()
    assert "The entity is an ICT service provider under the Korean Network Act" in page
    assert "The entity (or its parent) is an SEC registrant filing Form 8-K." in page
    assert 'aria-describedby="id_entity-0-ict_service_provider_help"' in page


def test_opening_form_in_korean(client, alice):
    client.force_login(alice)
    client.cookies["django_language"] = "ko"
    page = client.get("/incidents/new/").content.decode()
    assert "정보통신망법상 정보통신서비스 제공자에 해당함." in page
    assert "사고 등록" in page


def test_an_error_says_what_to_fix_and_keeps_everything_entered(client, alice, catalogue):
    client.force_login(alice)
    bad_us = {**ENTITY_US, "country": ""}
    response = client.post("/incidents/new/", opening_post(entities=(ENTITY_KR, bad_us)))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Please correct the errors below." in page
    assert 'href="#id_entity-1-country"' in page
    assert "Legal entity 2 · Country" in page
    # Nothing lost: every value comes back as entered.
    assert 'value="Token abuse at Example Korea"' in page
    assert 'value="Example Holdings Inc."' in page
    assert 'value="Example Korea Co."' in page
    assert 'value="33700000"' in page
    assert 'value="CISO confirms the leak"' in page
    assert "A former employee&#x27;s signing key" in page
    assert not Incident.objects.exists()


def test_a_service_refusal_rolls_everything_back_and_keeps_the_form(client, alice, catalogue):
    UserFactory(username="gone", is_active=False)
    client.force_login(alice)
    response = client.post("/incidents/new/", opening_post(members="gone"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "That account is disabled." in page
    assert 'value="Example Korea Co."' in page
    assert not Incident.objects.exists()
    assert not LegalEntity.objects.exists()


def test_an_unknown_username_is_named(client, alice, bob, catalogue):
    client.force_login(alice)
    response = client.post("/incidents/new/", opening_post(members="bob nobody"))
    assert response.status_code == 400
    assert "No account is called nobody." in response.content.decode()
    assert not Incident.objects.exists()


def test_two_entities_with_the_same_name_are_refused(client, alice, catalogue):
    client.force_login(alice)
    response = client.post("/incidents/new/", opening_post(entities=(ENTITY_KR, ENTITY_KR)))
    assert response.status_code == 400
    assert "Each legal entity needs its own name." in response.content.decode()
    assert not Incident.objects.exists()


def test_an_incident_needs_a_legal_entity(client, alice, catalogue):
    client.force_login(alice)
    untouched = {"reference_tz": "Asia/Seoul", "ict_service_provider": "unknown"}
    response = client.post("/incidents/new/", opening_post(entities=(untouched,)))
    assert response.status_code == 400
    assert "Add at least one legal entity" in response.content.decode()


def test_a_time_that_does_not_exist_is_refused_on_the_time_field(client, alice, catalogue):
    client.force_login(alice)
    response = client.post(
        "/incidents/new/",
        opening_post(
            occurred_date="2026-03-08", occurred_time="02:30", entered_tz="America/New_York"
        ),
    )
    assert response.status_code == 400
    assert "does not exist in America/New_York" in response.content.decode()
    assert not Incident.objects.exists()


def test_adding_a_row_keeps_what_was_entered_and_shows_no_error_yet(client, alice, catalogue):
    client.force_login(alice)
    data = opening_post(entities=(ENTITY_KR,), title="", add_entity="1")
    response = client.post("/incidents/new/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please correct" not in page
    assert 'value="Example Korea Co."' in page
    assert 'name="entity-1-name"' in page
    assert 'name="entity-TOTAL_FORMS" value="2"' in page
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("alice", 200), ("bob", 403), ("carol", 403), ("charlie", 200), ("admin_user", 200)],
)
def test_opening_needs_the_record_right(client, request, persona, expected, catalogue):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get("/incidents/new/").status_code == expected
    response = client.post("/incidents/new/", opening_post())
    assert response.status_code == (302 if expected == 200 else 403)
    assert Incident.objects.exists() == (expected == 200)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/incidents/new/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/incidents/new/")


@pytest.mark.parametrize("url", ["/", "/incidents/"])
def test_the_list_and_the_dashboard_link_to_the_opening_form_for_writers_only(
    client, alice, carol, url
):
    client.force_login(alice)
    assert 'href="/incidents/new/"' in client.get(url).content.decode()
    client.force_login(carol)
    assert 'href="/incidents/new/"' not in client.get(url).content.decode()
