"""Django admin: every model's pages load, and invalid input gets a form error and saves nothing."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from incidents.models import AffectedCountRevision, Deadline, TimelineEvent
from regulators.models import Obligation, Regulator
from tests.factories import UserFactory

KST = ZoneInfo("Asia/Seoul")


@pytest.fixture
def superuser(db):
    return UserFactory(username="super", is_superuser=True, is_staff=True)


@pytest.fixture
def demo(catalogue):
    call_command("load_demo", verbosity=0)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.mark.parametrize(
    "model",
    [m for m in admin.site._registry if m._meta.app_label in {"incidents", "regulators"}],
    ids=lambda m: m._meta.label,
)
def test_every_admin_changelist_add_and_change_page_loads(admin_client, demo, model) -> None:
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert admin_client.get(changelist).status_code == 200
    assert admin_client.get(changelist, {"q": "kisa"}).status_code == 200
    add = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert add.status_code in {200, 403}
    obj = model._default_manager.first()
    if obj is not None:
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert admin_client.get(change).status_code == 200


def test_incident_page_in_admin_shows_entities_and_timeline(admin_client, demo) -> None:
    from incidents.models import Incident

    case = Incident.objects.get(reference="INC-2025-0001")
    response = admin_client.get(reverse("admin:incidents_incident_change", args=[case.pk]))
    body = response.content.decode()
    assert "Coupang Corp." in body
    assert "Infringement report to KISA" in body


def _obligation_form(**overrides: str) -> dict[str, str]:
    data = {
        "code": "test-rule",
        "version": "1",
        "regulator": str(Regulator.objects.get(code="PIPC").pk),
        "title_en": "Test",
        "title_ko": "테스트",
        "recipient_en": "PIPC",
        "recipient_ko": "개인정보보호위원회",
        "citation": "Test Act",
        "trigger_kind": "awareness",
        "period_amount": "72",
        "period_unit": "h",
        "reference_tz": "Asia/Seoul",
        "conditions": "{}",
        "confidence": "high",
        "effective_from": "",
        "effective_to": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reference_tz": "Asia/Narnia"}, "Unknown time zone"),
        ({"period_amount": "-3"}, "greater than or equal to"),
        ({"conditions": '{"fact": "affected.KR", "op": "gteq", "value": 1}'}, "unknown op"),
        ({"period_unit": "bd"}, "need a calendar"),
    ],
)
def test_invalid_obligation_gets_a_form_error_and_saves_nothing(
    admin_client, catalogue, overrides, message
) -> None:
    before = Obligation.objects.count()
    response = admin_client.post(
        reverse("admin:regulators_obligation_add"), _obligation_form(**overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Obligation.objects.count() == before


def test_overlapping_effective_periods_for_one_code_are_refused(admin_client, catalogue) -> None:
    before = Obligation.objects.count()
    response = admin_client.post(
        reverse("admin:regulators_obligation_add"),
        _obligation_form(
            code="kr-network-act-48-3-initial", version="3", effective_from="2025-01-01"
        ),
    )
    assert "Overlaps version" in response.content.decode()
    assert Obligation.objects.count() == before


def test_deadline_edit_in_admin_is_refused_even_with_an_unknown_rule_code(
    admin_client, demo
) -> None:
    deadline = Deadline.objects.filter(incident__reference="INC-2026-0002").first()
    url = reverse("admin:incidents_deadline_change", args=[deadline.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {
        k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list | dict)
    }
    data.update(
        {
            "incident": deadline.incident_id,
            "legal_entity": deadline.legal_entity_id,
            "code": "no-such-rule",
            "title": deadline.title,
            "status": deadline.status,
            "applicability": deadline.applicability,
            "applicability_reasons": "[]",
            "adhoc_spec": "{}",
            "alternatives-TOTAL_FORMS": "0",
            "alternatives-INITIAL_FORMS": "0",
            "recomputations-TOTAL_FORMS": "0",
            "recomputations-INITIAL_FORMS": "0",
        }
    )
    response = admin_client.post(url, data)
    # Deadlines are computed, so the admin shows them read-only: no edit reaches the row.
    assert response.status_code == 403
    deadline.refresh_from_db()
    assert deadline.code != "no-such-rule"


def test_negative_count_in_admin_is_refused(admin_client, demo) -> None:
    from incidents.models import Incident

    case = Incident.objects.get(reference="INC-2025-0001")
    before = AffectedCountRevision.objects.count()
    response = admin_client.post(
        reverse("admin:incidents_affectedcountrevision_add"),
        {
            "incident": case.pk,
            "jurisdiction": "KR",
            "count": "-5",
            "as_of_0": "2025-11-20",
            "as_of_1": "10:00:00",
            "source": "x",
        },
    )
    assert response.status_code == 200
    assert AffectedCountRevision.objects.count() == before


def test_timeline_events_are_read_only_once_recorded(admin_client, demo) -> None:
    event = TimelineEvent.objects.first()
    url = reverse("admin:incidents_timelineevent_change", args=[event.pk])
    original = event.title
    admin_client.post(url, {"title": "rewritten history"})
    event.refresh_from_db()
    assert event.title == original
    delete = reverse("admin:incidents_timelineevent_delete", args=[event.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert TimelineEvent.objects.filter(pk=event.pk).exists()


def test_admin_records_a_new_event_through_the_service(admin_client, demo) -> None:
    from incidents.models import Incident

    case = Incident.objects.get(reference="INC-2026-0002")
    response = admin_client.post(
        reverse("admin:incidents_timelineevent_add"),
        {
            "incident": case.pk,
            "kind": "materiality_determination",
            "occurred_at_0": "2026-11-26",
            "occurred_at_1": "10:00:00",
            "precision": "exact",
            "entered_tz": "Asia/Seoul",
            "title": "Board decides the incident is material",
            "confidence": "high",
            "data": "{}",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert case.events.filter(kind="materiality_determination").exists()


def test_obligation_the_engine_refuses_is_a_form_error(admin_client, catalogue) -> None:
    before = Obligation.objects.count()
    response = admin_client.post(
        reverse("admin:regulators_obligation_add"),
        _obligation_form(internal_target_amount="3", internal_target_unit=""),
    )
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert Obligation.objects.count() == before
