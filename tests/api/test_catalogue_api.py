"""Catalogue, what-if and notifications over the API."""

from __future__ import annotations

import pytest

from incidents.models import Notification
from regulators.models import Obligation

pytestmark = pytest.mark.django_db


def test_catalogue_is_readable_and_filterable(catalogue, carol, client_for) -> None:
    client = client_for(carol)
    regulators = client.get("/api/v1/regulators/", {"code": "PIPC"}).json()
    assert [r["code"] for r in regulators["results"]] == ["PIPC"]
    obligations = client.get(
        "/api/v1/obligations/", {"regulator": "SEC", "in_force_on": "2025-11-20"}
    ).json()
    assert obligations["count"] >= 1
    assert all(row["regulator"] == "SEC" for row in obligations["results"])
    calendars = client.get("/api/v1/calendars/").json()
    assert {"KR", "US-EDGAR"} <= {c["code"] for c in calendars["results"]}


def test_admin_cannot_save_an_obligation_the_engine_would_refuse(
    catalogue, admin_user, client_for
) -> None:
    row = Obligation.objects.filter(internal_target_amount__isnull=True).first()
    response = client_for(admin_user).patch(
        f"/api/v1/obligations/{row.pk}/", {"internal_target_amount": 12}, format="json"
    )
    assert response.status_code == 400
    row.refresh_from_db()
    assert row.internal_target_amount is None


def test_what_if_for_an_obligation_code(catalogue, carol, client_for) -> None:
    response = client_for(carol).post(
        "/api/v1/what-if/",
        {"code": "kr-network-act-48-3-initial", "trigger": "2025-11-17T16:00:00+09:00"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["due_at"] == "2025-11-18T16:00:00+09:00"
    assert body["explanation"][0]["en"]
    assert body["explanation"][0]["ko"]


def test_what_if_for_an_ad_hoc_offset_counts_business_days(catalogue, carol, client_for) -> None:
    response = client_for(carol).post(
        "/api/v1/what-if/",
        {
            "offset": "4bd",
            "calendar": "US-EDGAR",
            "tz": "America/New_York",
            "trigger": "2025-11-26T10:00:00-05:00",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["due_at"] == "2025-12-03T23:59:59-05:00"
    assert "Thanksgiving" in response.json()["explanation"][1]["en"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"trigger": "2025-11-26T10:00:00Z"}, "non_field_errors"),
        (
            {"code": "kr-pipa-leak-report", "offset": "3bd", "trigger": "2025-11-26T10:00:00Z"},
            "non_field_errors",
        ),
        ({"code": "no-such-rule", "trigger": "2025-11-26T10:00:00Z"}, "code"),
        ({"offset": "3 weeks", "trigger": "2025-11-26T10:00:00Z"}, "offset"),
        ({"offset": "3bd", "trigger": "2025-11-26T10:00:00Z"}, "calendar"),
        ({"offset": "3cd", "trigger": "2025-11-26T10:00:00"}, "trigger"),
    ],
)
def test_what_if_refuses_bad_input_with_the_field_named(
    catalogue, carol, client_for, body, field
) -> None:
    response = client_for(carol).post("/api/v1/what-if/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_notifications_are_personal_and_marked_read_once(world, alice, bob, client_for) -> None:
    note = world["notification"]
    Notification.objects.create(user=bob, title="Not for alice")
    listed = client_for(alice).get("/api/v1/notifications/", {"unread": "true"}).json()
    assert [n["id"] for n in listed["results"]] == [note.pk]
    first = client_for(alice).post(f"/api/v1/notifications/{note.pk}/read/", {}, format="json")
    assert first.status_code == 200
    read_at = first.json()["read_at"]
    assert read_at
    again = client_for(alice).post(f"/api/v1/notifications/{note.pk}/read/", {}, format="json")
    assert again.json()["read_at"] == read_at
    assert (
        client_for(bob)
        .post(f"/api/v1/notifications/{note.pk}/read/", {}, format="json")
        .status_code
        == 404
    )
    assert client_for(alice).get("/api/v1/notifications/", {"unread": "true"}).json()["count"] == 0
