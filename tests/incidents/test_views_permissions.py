"""Every page as admin, each role, a non-member and an anonymous visitor (docs/access.md).

Non-members get 404 for an incident they are not in (its existence does not leak), anonymous
visitors are sent to sign in, and a role without the right gets 403 on that form.
"""

from __future__ import annotations

import pytest

from incidents.models import Deadline, TimelineEvent

pytestmark = pytest.mark.django_db

PERSONAS = ["admin", "compliance", "legal", "viewer", "non_member", "anonymous"]
ALLOWED_RECORD = {"admin", "compliance"}
ALLOWED_MARK_NA = {"admin", "legal"}
MEMBERS = {"admin", "compliance", "legal", "viewer"}

# (name, url template, who gets 200; others among members get 403)
INCIDENT_PAGES = [
    ("incident", "/incidents/{ref}/", MEMBERS),
    ("event_new", "/incidents/{ref}/events/new/", ALLOWED_RECORD),
    ("event_correct", "/incidents/{ref}/events/{event}/correct/", ALLOWED_RECORD),
    ("count_new", "/incidents/{ref}/counts/new/", ALLOWED_RECORD),
    ("filing_new", "/incidents/{ref}/filings/new/", ALLOWED_RECORD),
    ("request_new", "/incidents/{ref}/requests/new/", ALLOWED_RECORD),
    ("not_applicable", "/incidents/{ref}/deadlines/{deadline}/not-applicable/", ALLOWED_MARK_NA),
]
GLOBAL_PAGES = ["/", "/deadlines/", "/incidents/", "/what-if/", "/notifications/"]


@pytest.fixture
def personas(admin_user, alice, bob, carol, charlie):
    return {
        "admin": admin_user,
        "compliance": alice,
        "legal": bob,
        "viewer": carol,
        "non_member": charlie,
        "anonymous": None,
    }


def urls_for(incident) -> dict[str, str]:
    event = TimelineEvent.objects.filter(incident=incident).first()
    deadline = Deadline.objects.filter(incident=incident, status="open").first()
    return {
        name: template.format(ref=incident.reference, event=event.pk, deadline=deadline.pk)
        for name, template, _allowed in INCIDENT_PAGES
    }


def expected_status(persona: str, allowed: set[str]) -> int:
    if persona == "anonymous":
        return 302
    if persona == "non_member":
        return 404
    return 200 if persona in allowed else 403


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("page", "_template", "allowed"), INCIDENT_PAGES, ids=[p[0] for p in INCIDENT_PAGES]
)
def test_incident_page_access_follows_the_role_matrix(
    client, personas, aware_incident, persona, page, _template, allowed
):
    user = personas[persona]
    if user is not None:
        client.force_login(user)
    url = urls_for(aware_incident)[page]
    response = client.get(url)
    assert response.status_code == expected_status(persona, allowed)
    if persona == "anonymous":
        assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url", GLOBAL_PAGES)
def test_global_pages_need_sign_in_only(client, personas, persona, url):
    user = personas[persona]
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_posting_a_form_without_the_right_changes_nothing(
    client, personas, aware_incident, persona
):
    user = personas[persona]
    if user is not None:
        client.force_login(user)
    before = TimelineEvent.objects.count()
    response = client.post(
        f"/incidents/{aware_incident.reference}/events/new/",
        {
            "kind": "note",
            "title": "attempt",
            "occurred_date": "2026-03-04",
            "occurred_time": "10:00",
            "entered_tz": "Asia/Seoul",
            "precision": "exact",
            "confidence": "high",
        },
    )
    expected = {"admin": 302, "compliance": 302, "anonymous": 302, "non_member": 404}
    assert response.status_code == expected.get(persona, 403)
    created = TimelineEvent.objects.count() - before
    assert created == (1 if persona in ALLOWED_RECORD else 0)


@pytest.mark.parametrize("persona", PERSONAS)
def test_marking_not_applicable_needs_the_legal_right(client, personas, aware_incident, persona):
    user = personas[persona]
    if user is not None:
        client.force_login(user)
    deadline = Deadline.objects.filter(incident=aware_incident, status="open").first()
    response = client.post(
        f"/incidents/{aware_incident.reference}/deadlines/{deadline.pk}/not-applicable/",
        {"justification": "Not a controller for this data set."},
    )
    deadline.refresh_from_db()
    if persona in ALLOWED_MARK_NA:
        assert response.status_code == 302
        assert deadline.status == "not_applicable"
    else:
        assert response.status_code == {"anonymous": 302, "non_member": 404}.get(persona, 403)
        assert deadline.status == "open"


def test_non_member_gets_404_for_an_unknown_and_a_hidden_incident_alike(
    client, charlie, aware_incident
):
    client.force_login(charlie)
    assert client.get(f"/incidents/{aware_incident.reference}/").status_code == 404
    assert client.get("/incidents/INC-1999-9999/").status_code == 404


def test_deadline_of_another_incident_is_404_even_for_admin(
    client, admin_user, aware_incident, catalogue
):
    from tests.factories import IncidentFactory

    other = IncidentFactory()
    client.force_login(admin_user)
    deadline = Deadline.objects.filter(incident=aware_incident).first()
    response = client.get(f"/incidents/{other.reference}/deadlines/{deadline.pk}/not-applicable/")
    assert response.status_code == 404
