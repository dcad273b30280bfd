"""The admin is one more door to the same services: deadlines follow, reminders are synced, the
audit log sees the write, append-only records stay append-only, and the `admin` role (not only
superusers) can use the pages docs/access.md lists."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from incidents.admin_access import ADMIN_PERMISSIONS
from incidents.models import AffectedCountRevision, Deadline, LegalEntity, TimelineEvent
from reminders.models import Reminder, ReminderState
from tests.factories import UserFactory

KST = ZoneInfo("Asia/Seoul")


@pytest.fixture
def admin_role_client(client, db):
    """A non-superuser in the `admin` group with staff status."""
    user = UserFactory(username="ops-admin", role="admin", is_staff=True)
    client.force_login(user)
    return client


def _entity_form(incident, **overrides):
    data = {
        "incident": incident.pk,
        "name": "Admin Korea Co.",
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
        "jurisdictions": '["KR"]',
        "reference_tz": "Asia/Seoul",
    }
    data.update(overrides)
    return data


def test_entity_added_in_admin_gets_its_deadlines_reminders_and_audit(
    aware_incident, admin_role_client
) -> None:
    before = Deadline.objects.filter(incident=aware_incident).count()
    response = admin_role_client.post(
        reverse("admin:incidents_legalentity_add"), _entity_form(aware_incident)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    entity = LegalEntity.objects.get(name="Admin Korea Co.")
    deadlines = Deadline.objects.filter(legal_entity=entity)
    # The same Korean ICT provider added through the service gets the same clocks.
    assert deadlines.count() == before
    assert deadlines.filter(code="kr-network-act-48-3-initial").exists()
    assert Reminder.objects.filter(deadline__in=deadlines, state=ReminderState.PENDING).exists()
    assert AuditEntry.objects.filter(
        object_type="incidents.legalentity", object_id=str(entity.pk), actor_repr="ops-admin"
    ).exists()


def test_entity_fact_changed_in_admin_recomputes_deadlines(
    aware_incident, admin_role_client
) -> None:
    entity = LegalEntity.objects.get(incident=aware_incident)
    assert Deadline.objects.filter(legal_entity=entity, code="kr-network-act-48-3-initial").exists()
    data = _entity_form(aware_incident, name=entity.name, ict_service_provider="false")
    response = admin_role_client.post(
        reverse("admin:incidents_legalentity_change", args=[entity.pk]), data
    )
    assert response.status_code == 302
    network_act = Deadline.objects.get(legal_entity=entity, code="kr-network-act-48-3-initial")
    assert network_act.applicability == "does_not_apply"


def test_bad_entity_country_in_admin_is_refused_and_saves_nothing(
    aware_incident, admin_role_client
) -> None:
    response = admin_role_client.post(
        reverse("admin:incidents_legalentity_add"), _entity_form(aware_incident, country="K1")
    )
    assert response.status_code in {200, 302}
    assert not LegalEntity.objects.filter(name="Admin Korea Co.").exists()


def test_count_revision_added_in_admin_goes_through_the_service(
    aware_incident, admin_role_client
) -> None:
    response = admin_role_client.post(
        reverse("admin:incidents_affectedcountrevision_add"),
        {
            "incident": aware_incident.pk,
            "jurisdiction": "kr",
            "count": "2000",
            "as_of_0": "2026-03-03",
            "as_of_1": "09:00:00",
            "source": "forensics",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    revision = AffectedCountRevision.objects.get(incident=aware_incident, count=2000)
    assert revision.jurisdiction == "KR"  # normalised by the service
    assert revision.recorded_by.username == "ops-admin"


def test_bad_count_in_admin_is_refused_and_saves_nothing(aware_incident, admin_role_client):
    response = admin_role_client.post(
        reverse("admin:incidents_affectedcountrevision_add"),
        {
            "incident": aware_incident.pk,
            "jurisdiction": "KOREA",
            "count": "5",
            "as_of_0": "2026-03-03",
            "as_of_1": "09:00:00",
        },
    )
    assert response.status_code in {200, 302}
    assert not AffectedCountRevision.objects.filter(count=5).exists()


def test_count_revisions_and_events_cannot_be_changed_or_deleted_in_admin(
    aware_incident, admin_role_client
) -> None:
    revision = AffectedCountRevision.objects.get(incident=aware_incident)
    event = TimelineEvent.objects.filter(incident=aware_incident).first()
    assert event is not None
    change = reverse("admin:incidents_affectedcountrevision_change", args=[revision.pk])
    response = admin_role_client.post(
        change, {"incident": aware_incident.pk, "jurisdiction": "KR", "count": "1"}
    )
    assert response.status_code == 403
    for url in (
        reverse("admin:incidents_affectedcountrevision_delete", args=[revision.pk]),
        reverse("admin:incidents_timelineevent_delete", args=[event.pk]),
    ):
        assert admin_role_client.post(url, {"post": "yes"}).status_code == 403
    revision.refresh_from_db()
    assert revision.count == 1000
    assert TimelineEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    "page",
    [
        "incidents_incident",
        "incidents_legalentity",
        "incidents_affectedcountrevision",
        "incidents_timelineevent",
        "incidents_deadline",
        "regulators_obligation",
        "regulators_calendar",
        "regulators_calendarclosure",
        "regulators_regulator",
        "auth_user",
    ],
)
def test_admin_role_without_superuser_can_use_the_admin_pages_access_md_lists(
    aware_incident, admin_role_client, client, page
) -> None:
    assert admin_role_client.get(reverse(f"admin:{page}_changelist")).status_code == 200


def test_admin_role_can_add_obligations_and_calendar_closures(admin_role_client) -> None:
    for page in ("regulators_obligation", "regulators_calendarclosure", "incidents_incident"):
        assert admin_role_client.get(reverse(f"admin:{page}_add")).status_code == 200


def test_staff_user_without_the_admin_role_cannot_use_the_admin_pages(client, db) -> None:
    client.force_login(UserFactory(username="staff-compliance", role="compliance", is_staff=True))
    assert client.get(reverse("admin:incidents_incident_changelist")).status_code == 403


def test_every_admin_permission_entry_names_real_permissions(db) -> None:
    from django.contrib.auth.models import Group

    granted = set(Group.objects.get(name="admin").permissions.values_list("codename", flat=True))
    wanted = {
        f"{a}_{model}" for (_app, model), actions in ADMIN_PERMISSIONS.items() for a in actions
    }
    assert wanted == granted


def _change_form_data(response) -> dict[str, object]:
    """The POST body the incident change page would send unchanged (main form and inlines)."""
    data: dict[str, object] = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        if hasattr(field.widget, "decompress") and not isinstance(value, list):
            parts = field.widget.decompress(value)
            for index, part in enumerate(parts):
                data[f"{name}_{index}"] = "" if part is None else part
        else:
            data[name] = value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[formset.management_form.add_prefix(name)] = formset.management_form[name].value()
        for each in formset.forms:
            for name in each.fields:
                value = each[name].value()
                if value is not None:
                    data[each.add_prefix(name)] = value
    return data


def test_closing_an_incident_in_admin_cancels_its_reminders(
    aware_incident, admin_role_client
) -> None:
    url = reverse("admin:incidents_incident_change", args=[aware_incident.pk])
    data = _change_form_data(admin_role_client.get(url))
    assert Reminder.objects.filter(
        deadline__incident=aware_incident, state=ReminderState.PENDING
    ).exists()
    data["status"] = "closed"
    response = admin_role_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    aware_incident.refresh_from_db()
    assert aware_incident.status == "closed"
    assert not Reminder.objects.filter(
        deadline__incident=aware_incident, state=ReminderState.PENDING
    ).exists()


def test_extra_facts_that_are_not_an_object_are_refused_and_change_nothing(
    aware_incident, admin_role_client
) -> None:
    url = reverse("admin:incidents_incident_change", args=[aware_incident.pk])
    data = _change_form_data(admin_role_client.get(url))
    data["extra_facts"] = '"high_risk"'
    response = admin_role_client.post(url, data)
    assert response.status_code in {200, 302}
    aware_incident.refresh_from_db()
    assert aware_incident.extra_facts == {}


def test_impossible_status_move_in_admin_is_a_form_error(aware_incident, admin_role_client):
    aware_incident.status = "closed"
    aware_incident.save()
    url = reverse("admin:incidents_incident_change", args=[aware_incident.pk])
    data = _change_form_data(admin_role_client.get(url))
    data["status"] = "contained"
    response = admin_role_client.post(url, data)
    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    aware_incident.refresh_from_db()
    assert aware_incident.status == "closed"
