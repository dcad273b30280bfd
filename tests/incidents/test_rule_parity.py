"""One home for each rule: the web form, the API and the service refuse the same input on the
same field with the same message, because the form and the serializer only pass the service's
refusal on."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from incidents import deadlines as services_deadlines
from incidents import services
from incidents.models import AffectedCountRevision, Deadline, TimelineEvent
from tests.conftest import add_korean_entity

KST = ZoneInfo("Asia/Seoul")


@pytest.fixture
def entity(incident, catalogue):
    return add_korean_entity(incident)


def _service_errors(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as excinfo:
        call()
    return excinfo.value.message_dict


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.mark.parametrize(
    ("period", "field"),
    [
        # Business days over weekends only would be a week early across Chuseok.
        ({"offset": "5bd", "calendar": ""}, "calendar"),
        ({"offset": "5 fortnights", "calendar": ""}, "offset"),
        ({"offset": "5bd", "calendar": "MARS"}, "calendar"),
    ],
)
def test_bad_regulator_request_period_is_refused_alike_by_web_api_and_service(
    incident, entity, alice, client, period, field
) -> None:
    received = datetime(2025, 10, 1, 10, 0, tzinfo=KST)
    data = {**period, "tz": "Asia/Seoul", "roll_forward": False, "regulator": ""}
    service = _service_errors(
        lambda: services.timeline_event_record(
            incident=incident,
            kind="regulator_request",
            occurred_at=received,
            title="PIPC asks for the access logs",
            legal_entity=entity,
            data=data,
        )
    )
    api = _api(alice).post(
        f"/api/v1/incidents/{incident.pk}/events/",
        {
            "kind": "regulator_request",
            "occurred_at": received.isoformat(),
            "title": "PIPC asks for the access logs",
            "legal_entity": entity.pk,
            "data": {k: v for k, v in data.items() if v != ""},
        },
        format="json",
    )
    client.force_login(alice)
    web = client.post(
        reverse("request_new", kwargs={"reference": incident.reference}),
        {
            "title": "PIPC asks for the access logs",
            "regulator": "",
            "received_date": "2025-10-01",
            "received_time": "10:00",
            "received_tz": "Asia/Seoul",
            "precision": "exact",
            "offset": period["offset"],
            "calendar": period["calendar"],
            "rule_tz": "Asia/Seoul",
            "legal_entity": entity.pk,
            "source_title": "",
        },
    )
    assert api.status_code == 400
    assert web.status_code == 400
    message = service[field]
    assert api.json()["errors"][f"data.{field}"] == message
    if period["calendar"] == "MARS":
        # The web form offers only real calendars: the choice itself is refused (shape).
        assert field in web.context["form"].errors
    else:
        assert web.context["form"].errors[field] == message
    assert not TimelineEvent.objects.filter(kind="regulator_request").exists()


@pytest.mark.parametrize(
    ("jurisdiction", "count", "field"),
    [("KOREA", 5, "jurisdiction"), ("K1", 5, "jurisdiction"), ("KR", -1, "count")],
)
def test_bad_count_is_refused_alike_by_web_api_and_service(
    incident, alice, client, jurisdiction, count, field
) -> None:
    as_of = datetime(2025, 10, 1, 10, 0, tzinfo=KST)
    service = _service_errors(
        lambda: services.affected_count_revise(
            incident=incident, jurisdiction=jurisdiction, count=count, as_of=as_of
        )
    )
    api = _api(alice).post(
        f"/api/v1/incidents/{incident.pk}/count-revisions/",
        {"jurisdiction": jurisdiction, "count": count, "as_of": as_of.isoformat()},
        format="json",
    )
    client.force_login(alice)
    web = client.post(
        reverse("count_new", kwargs={"reference": incident.reference}),
        {
            "jurisdiction": jurisdiction,
            "count": count,
            "as_of_date": "2025-10-01",
            "as_of_time": "10:00",
            "as_of_tz": "Asia/Seoul",
            "source": "",
        },
    )
    assert api.status_code == 400
    assert web.status_code == 400
    assert api.json()["errors"][field] == service[field]
    assert web.context["form"].errors[field] == service[field]
    assert not AffectedCountRevision.objects.exists()


def test_status_rule_is_the_services_in_the_admin_form_too(incident) -> None:
    from incidents.admin import IncidentAdminForm

    services.incident_set_status(incident=incident, status="closed")
    service = _service_errors(
        lambda: services.incident_set_status(incident=incident, status="contained")
    )
    form = IncidentAdminForm(instance=incident, data={"status": "contained"})
    form.is_valid()
    assert form.errors["status"] == service["status"]


def test_filed_deadline_cannot_be_marked_not_applicable_by_any_door(
    aware_incident, bob, client
) -> None:
    deadline = Deadline.objects.filter(incident=aware_incident, status="open").first()
    services.filing_submit(
        incident=aware_incident,
        deadline=deadline,
        recipient="KISA",
        submitted_at=datetime(2026, 3, 2, 12, 0, tzinfo=KST),
    )
    deadline.refresh_from_db()
    justification = "Not an ICT service provider after all, per counsel."
    service = _service_errors(
        lambda: services_deadlines.deadline_mark_not_applicable(
            deadline=deadline, justification=justification, marked_by=bob
        )
    )
    api = _api(bob).post(
        f"/api/v1/incidents/{aware_incident.pk}/deadlines/{deadline.pk}/not-applicable/",
        {"justification": justification},
        format="json",
    )
    client.force_login(bob)
    web = client.post(
        reverse(
            "deadline_not_applicable",
            kwargs={"reference": aware_incident.reference, "deadline_id": deadline.pk},
        ),
        {"justification": justification},
    )
    assert api.status_code == 400
    assert web.status_code == 400
    assert api.json()["errors"]["justification"] == service["justification"]
    assert web.context["form"].errors["justification"] == service["justification"]
    deadline.refresh_from_db()
    assert deadline.status == "filed"
