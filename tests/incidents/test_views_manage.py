"""Legal entities, team, status and filing acknowledgements in the browser (issue #15 item 2):
the role matrix on every new page, the services' rules shown on the forms, and what each change
did explained on the incident page."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from incidents import services
from incidents.models import (
    Deadline,
    Filing,
    IncidentStatus,
    LegalEntity,
    Membership,
    TimelineEvent,
)
from reminders.models import Reminder, ReminderState
from reminders.services import reminders_sync_for
from tests.factories import IncidentFactory, UserFactory

KST = ZoneInfo("Asia/Seoul")
pytestmark = pytest.mark.django_db

PERSONAS = ["admin", "compliance", "legal", "viewer", "non_member", "anonymous"]
WRITERS = {"admin", "compliance"}
MEMBERS = {"admin", "compliance", "legal", "viewer"}

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
    "jurisdictions": "KR",
    "reference_tz": "Asia/Seoul",
}


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


@pytest.fixture
def filed(aware_incident, alice):
    network = Deadline.objects.get(incident=aware_incident, code="kr-network-act-48-3-initial")
    return services.filing_submit(
        incident=aware_incident,
        deadline=network,
        recipient="KISA",
        submitted_at=datetime(2026, 3, 3, 9, 30, tzinfo=KST),
        submitted_by=alice,
    )


def _pages(incident, filing):
    entity = LegalEntity.objects.filter(incident=incident).first()
    ref = incident.reference
    return {
        "entity_new": (f"/incidents/{ref}/entities/new/", WRITERS),
        "entity_edit": (f"/incidents/{ref}/entities/{entity.pk}/edit/", WRITERS),
        "team": (f"/incidents/{ref}/team/", MEMBERS),
        "status": (f"/incidents/{ref}/status/", WRITERS),
        "acknowledgement": (f"/incidents/{ref}/filings/{filing.pk}/acknowledgement/", WRITERS),
    }


PAGE_NAMES = ["entity_new", "entity_edit", "team", "status", "acknowledgement"]


def _expected(persona: str, allowed: set[str]) -> int:
    if persona == "anonymous":
        return 302
    if persona == "non_member":
        return 404
    return 200 if persona in allowed else 403


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", PAGE_NAMES)
def test_new_pages_follow_the_role_matrix(client, personas, aware_incident, filed, persona, page):
    user = personas[persona]
    if user is not None:
        client.force_login(user)
    url, allowed = _pages(aware_incident, filed)[page]
    response = client.get(url)
    assert response.status_code == _expected(persona, allowed)
    if persona == "anonymous":
        assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", PAGE_NAMES)
def test_posting_without_the_right_changes_nothing(
    client, personas, aware_incident, filed, persona, page
):
    user = personas[persona]
    if user is not None:
        client.force_login(user)
    url, _allowed = _pages(aware_incident, filed)[page]
    bodies = {
        "entity_new": {**ENTITY, "name": "Parent Inc."},
        "entity_edit": {**ENTITY, "ict_service_provider": "false"},
        "team": {"op": "add", "username": "charlie"},
        "status": {"status": "closed", "reason": "All reports filed."},
        "acknowledgement": {
            "acknowledged_date": "2026-03-03",
            "acknowledged_time": "09:45",
            "acknowledged_tz": "Asia/Seoul",
            "reference_number": "KISA-1",
        },
    }

    def state():
        filing = Filing.objects.get(pk=filed.pk)
        entities = list(LegalEntity.objects.values_list("name", "ict_service_provider"))
        members = set(Membership.objects.values_list("user__username", flat=True))
        return (
            entities,
            members,
            aware_incident.__class__.objects.get(pk=aware_incident.pk).status,
            filing.reference_number,
        )

    before = state()
    response = client.post(url, bodies[page])
    if persona in WRITERS:
        assert response.status_code == 302
        assert state() != before
    else:
        assert response.status_code == {"anonymous": 302, "non_member": 404}.get(persona, 403)
        assert state() == before


def test_changing_an_entity_fact_recomputes_and_explains_the_change(client, alice, aware_incident):
    entity = LegalEntity.objects.get(incident=aware_incident)
    network = Deadline.objects.get(incident=aware_incident, code="kr-network-act-48-3-initial")
    client.force_login(alice)
    url = f"/incidents/{aware_incident.reference}/entities/{entity.pk}/edit/"
    page = client.get(url).content.decode()
    assert 'value="Example Korea Co."' in page
    assert '<option value="true" selected>' in page  # ict_service_provider as stored

    response = client.post(url, {**ENTITY, "ict_service_provider": "false"}, follow=True)
    page = response.content.decode()
    assert "Facts of Example Korea Co. saved; deadlines recomputed." in page
    assert (
        "No longer runs: Network Act Art. 48-3 infringement incident report (initial report, 24 h) (Example Korea Co.)"
        in page
    )
    assert "ict_service_provider = no" in page
    network.refresh_from_db()
    assert network.applicability == "does_not_apply"

    response = client.post(url, ENTITY, follow=True)
    page = response.content.decode()
    # Back to an ICT provider: the same clock runs again, due 24 h after awareness.
    assert "Runs again: Network Act Art. 48-3" in page
    assert "2026-03-03 (Tue) 10:00 KST +09:00" in page


def test_adding_an_entity_says_which_clocks_now_run(client, alice, aware_incident):
    client.force_login(alice)
    response = client.post(
        f"/incidents/{aware_incident.reference}/entities/new/",
        {
            **ENTITY,
            "name": "Example Holdings Inc.",
            "country": "US",
            "ict_service_provider": "false",
            "sec_registrant": "true",
            "jurisdictions": "US",
            "reference_tz": "America/New_York",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Legal entity Example Holdings Inc. added; deadlines recomputed." in page
    # 8-K runs from the materiality determination, not yet recorded: nothing new runs.
    assert "No deadline changed." in page
    assert LegalEntity.objects.filter(incident=aware_incident, sec_registrant=True).exists()


def test_entity_errors_come_from_the_service_and_keep_the_input(client, alice, aware_incident):
    client.force_login(alice)
    response = client.post(
        f"/incidents/{aware_incident.reference}/entities/new/",
        {**ENTITY, "name": "Parent", "country": "K1", "jurisdictions": "KR, U$"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Write a two-letter country code, e.g. KR." in page
    assert 'value="Parent"' in page
    assert 'value="KR, U$"' in page
    assert not LegalEntity.objects.filter(name="Parent").exists()


def test_a_duplicate_entity_name_is_a_form_error(client, alice, aware_incident):
    client.force_login(alice)
    response = client.post(f"/incidents/{aware_incident.reference}/entities/new/", ENTITY)
    assert response.status_code == 400
    assert LegalEntity.objects.filter(incident=aware_incident).count() == 1


def test_team_add_remove_and_owner(client, alice, bob, carol, aware_incident):
    dave = UserFactory(username="dave", role="compliance")
    client.force_login(alice)
    url = f"/incidents/{aware_incident.reference}/team/"
    response = client.post(url, {"op": "add", "username": "dave"}, follow=True)
    assert "dave added to the team." in response.content.decode()
    assert Membership.objects.filter(incident=aware_incident, user=dave).exists()

    response = client.post(url, {"op": "owner", "user": dave.pk}, follow=True)
    assert "dave is now the owner." in response.content.decode()
    aware_incident.refresh_from_db()
    assert aware_incident.owner == dave
    # The previous owner stays on the team.
    assert Membership.objects.filter(incident=aware_incident, user=alice).exists()

    response = client.post(url, {"op": "remove", "user": carol.pk}, follow=True)
    assert "carol removed from the team" in response.content.decode()
    assert not Membership.objects.filter(incident=aware_incident, user=carol).exists()
    client.force_login(carol)
    assert client.get(f"/incidents/{aware_incident.reference}/").status_code == 404


def test_the_owner_cannot_be_removed_and_strangers_cannot_be_touched(
    client, alice, charlie, aware_incident
):
    client.force_login(alice)
    url = f"/incidents/{aware_incident.reference}/team/"
    response = client.post(url, {"op": "remove", "user": alice.pk})
    assert response.status_code == 400
    assert "The owner cannot be removed from the incident." in response.content.decode()
    assert client.post(url, {"op": "owner", "user": charlie.pk}).status_code == 404
    assert client.post(url, {"op": "remove", "user": "x"}).status_code == 404
    aware_incident.refresh_from_db()
    assert aware_incident.owner == alice


def test_adding_an_unknown_or_disabled_account_is_a_form_error(client, alice, aware_incident):
    UserFactory(username="gone", is_active=False)
    client.force_login(alice)
    url = f"/incidents/{aware_incident.reference}/team/"
    response = client.post(url, {"op": "add", "username": "nobody"})
    assert response.status_code == 400
    assert "No account is called nobody." in response.content.decode()
    response = client.post(url, {"op": "add", "username": "gone"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "That account is disabled." in page
    assert 'value="gone"' in page


@time_machine.travel(datetime(2026, 3, 2, 12, 0, tzinfo=KST), tick=False)
def test_closing_says_what_it_does_first_then_needs_a_reason(client, alice, aware_incident):
    reminders_sync_for(incident=aware_incident)
    pending = Reminder.objects.filter(
        deadline__incident=aware_incident, state=ReminderState.PENDING
    ).count()
    assert pending > 0
    open_count = Deadline.objects.filter(incident=aware_incident, status="open").count()
    client.force_login(alice)
    url = f"/incidents/{aware_incident.reference}/status/"
    page = client.get(url).content.decode()
    assert f"{open_count} open deadlines stay open" in page
    assert f"{pending} pending reminders are cancelled" in page

    response = client.post(url, {"status": "closed", "reason": ""})
    assert response.status_code == 400
    assert "Say why (at least 5 characters)." in response.content.decode()
    aware_incident.refresh_from_db()
    assert aware_incident.status == IncidentStatus.OPEN

    response = client.post(url, {"status": "closed", "reason": "All reports filed."}, follow=True)
    page = response.content.decode()
    assert "Status is now: closed." in page
    assert "This incident is closed" in page
    assert "All reports filed." in page
    aware_incident.refresh_from_db()
    assert aware_incident.status == IncidentStatus.CLOSED
    assert not Reminder.objects.filter(
        deadline__incident=aware_incident, state=ReminderState.PENDING
    ).exists()
    note = TimelineEvent.objects.get(incident=aware_incident, data__status_to="closed")
    assert note.description == "All reports filed."
    assert note.title == (
        "Status changed from open (investigating) to closed / 상태 변경: 진행 중(조사 중) → 종결"
    )
    assert note.recorded_by == alice

    page = client.get(url).content.decode()
    assert f"{pending} reminders cancelled by the closing are planned again." in page
    response = client.post(url, {"status": "open", "reason": "KISA asked for more."}, follow=True)
    assert "Status is now: open (investigating)." in response.content.decode()
    assert (
        Reminder.objects.filter(
            deadline__incident=aware_incident, state=ReminderState.PENDING
        ).count()
        == pending
    )


def test_a_status_move_not_allowed_from_here_is_a_form_error(client, alice, aware_incident):
    client.force_login(alice)
    response = client.post(
        f"/incidents/{aware_incident.reference}/status/",
        {"status": "monitoring", "reason": "skip ahead"},
    )
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()


def test_recording_an_acknowledgement(client, alice, aware_incident, filed):
    client.force_login(alice)
    url = f"/incidents/{aware_incident.reference}/filings/{filed.pk}/acknowledgement/"
    response = client.post(
        url,
        {
            "acknowledged_date": "2026-03-03",
            "acknowledged_time": "09:45",
            "acknowledged_tz": "Asia/Seoul",
            "acknowledgement": "접수 완료 (received)",
            "reference_number": "KISA-2026-0042",
            "channel": "KISA portal",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Acknowledgement saved." in page
    assert "KISA-2026-0042" in page
    assert "2026-03-03 (Tue) 09:45 KST +09:00" in page
    filed.refresh_from_db()
    assert filed.acknowledged_at == datetime(2026, 3, 3, 9, 45, tzinfo=KST)
    assert filed.channel == "KISA portal"
    # Editing keeps the submission time and the frozen verdict.
    deadline = filed.deadline
    deadline.refresh_from_db()
    assert deadline.verdict == "on_time"
    page = client.get(url).content.decode()
    assert 'value="KISA-2026-0042"' in page
    assert 'value="09:45"' in page


@pytest.mark.parametrize(
    ("date", "clock", "text", "message"),
    [
        ("2026-03-03", "09:00", "", "An acknowledgement cannot come before the submission."),
        ("", "", "received", "Give the time of the acknowledgement with its text."),
        ("2026-03-03", "", "", "Give the time of the acknowledgement."),
    ],
)
def test_acknowledgement_errors_say_what_to_fix(
    client, alice, aware_incident, filed, date, clock, text, message
):
    client.force_login(alice)
    url = f"/incidents/{aware_incident.reference}/filings/{filed.pk}/acknowledgement/"
    response = client.post(
        url,
        {
            "acknowledged_date": date,
            "acknowledged_time": clock,
            "acknowledged_tz": "Asia/Seoul",
            "acknowledgement": text,
            "reference_number": "KISA-7",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'value="KISA-7"' in page
    filed.refresh_from_db()
    assert filed.reference_number == ""
    assert filed.acknowledged_at is None


def test_a_filing_of_another_incident_is_404(client, alice, aware_incident, filed):
    other = IncidentFactory(owner=alice)
    client.force_login(alice)
    url = f"/incidents/{other.reference}/filings/{filed.pk}/acknowledgement/"
    assert client.get(url).status_code == 404
