"""The role matrix (docs/access.md) over every endpoint: need-to-know first (404), then the
role's right (403). Each case checks viewer, compliance, legal, admin and an outsider."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.django_db

ROLES = ("viewer", "compliance", "legal", "admin", "outsider")
VIEW = {"viewer": 200, "compliance": 200, "legal": 200, "admin": 200, "outsider": 404}
RECORD = {"viewer": 403, "compliance": 201, "legal": 403, "admin": 201, "outsider": 404}
RECORD_200 = {**RECORD, "compliance": 200, "admin": 200}
MARK_NA = {"viewer": 403, "compliance": 403, "legal": 200, "admin": 200, "outsider": 404}

Body = Callable[[dict[str, Any]], dict[str, Any]]


def _event(w: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "note", "occurred_at": "2025-11-20T10:00:00+09:00", "title": "A note"}


INCIDENT_SCOPED: list[tuple[str, str, Body | None, dict[str, int]]] = [
    ("get", "/api/v1/incidents/{i}/", None, VIEW),
    ("patch", "/api/v1/incidents/{i}/", lambda w: {"team": "CERT"}, RECORD_200),
    (
        "post",
        "/api/v1/incidents/{i}/close/",
        lambda w: {"reason": "All reports filed."},
        RECORD_200,
    ),
    ("get", "/api/v1/incidents/{i}/entities/", None, VIEW),
    ("get", "/api/v1/incidents/{i}/entities/{entity}/", None, VIEW),
    ("post", "/api/v1/incidents/{i}/entities/", lambda w: {"name": None, "country": "US"}, RECORD),
    ("get", "/api/v1/incidents/{i}/events/", None, VIEW),
    ("get", "/api/v1/incidents/{i}/events/{event}/", None, VIEW),
    ("post", "/api/v1/incidents/{i}/events/", _event, RECORD),
    (
        "post",
        "/api/v1/incidents/{i}/events/{event}/correct/",
        lambda w: {**_event(w), "correction_reason": "typo"},
        RECORD,
    ),
    ("get", "/api/v1/incidents/{i}/deadlines/", None, VIEW),
    ("get", "/api/v1/incidents/{i}/deadlines/{deadline}/", None, VIEW),
    (
        "post",
        "/api/v1/incidents/{i}/deadlines/{deadline}/not-applicable/",
        lambda w: {"justification": "Not an ICT service provider after all."},
        MARK_NA,
    ),
    ("get", "/api/v1/incidents/{i}/filings/", None, VIEW),
    ("get", "/api/v1/incidents/{i}/filings/{filing}/", None, VIEW),
    (
        "post",
        "/api/v1/incidents/{i}/filings/",
        lambda w: {"recipient": "PIPC", "submitted_at": "2025-11-21T09:00:00+09:00"},
        RECORD,
    ),
    ("get", "/api/v1/incidents/{i}/count-revisions/", None, VIEW),
    ("get", "/api/v1/incidents/{i}/count-revisions/{revision}/", None, VIEW),
    (
        "post",
        "/api/v1/incidents/{i}/count-revisions/",
        lambda w: {"jurisdiction": "KR", "count": 100, "as_of": "2025-11-21T09:00:00+09:00"},
        RECORD,
    ),
]


@pytest.fixture
def users(alice, bob, carol, charlie, admin_user) -> dict[str, Any]:
    return {
        "viewer": carol,
        "compliance": alice,
        "legal": bob,
        "admin": admin_user,
        "outsider": charlie,
    }


def _url(template: str, w: dict[str, Any]) -> str:
    return template.format(
        i=w["incident"].pk,
        entity=w["entity"].pk,
        event=w["event"].pk,
        deadline=w["deadline"].pk,
        filing=w["filing"].pk,
        revision=w["revision"].pk,
    )


@pytest.mark.parametrize(
    ("method", "template", "body", "expected"),
    INCIDENT_SCOPED,
    ids=[f"{m.upper()} {t}" for m, t, _b, _e in INCIDENT_SCOPED],
)
def test_incident_endpoints_follow_the_role_matrix(
    world, users, client_for, method, template, body, expected
) -> None:
    seen: dict[str, int] = {}
    for role in ROLES:
        data = body(world) if body else None
        if data is not None and data.get("name", "") is None:
            data["name"] = f"Parent Inc. ({role})"  # entity names are unique per incident
        if "correct" in template and expected[role] in (200, 201):
            # Each event can be corrected once: give every allowed role its own event.
            from incidents import services

            world["event"] = services.timeline_event_record(
                incident=world["incident"],
                kind="note",
                occurred_at=world["event"].occurred_at,
                title=f"to correct ({role})",
            )
        if "not-applicable" in template:
            # Only an open deadline can be marked not applicable: reopen it for each role.
            from incidents.models import Deadline

            Deadline.objects.filter(pk=world["deadline"].pk).update(status="open")
        client = client_for(users[role])
        kwargs = {"format": "json"} if data is not None else {}
        response = getattr(client, method)(_url(template, world), data, **kwargs)
        seen[role] = response.status_code
    assert seen == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v1/incidents/", VIEW | {"outsider": 200}),
        ("/api/v1/regulators/", VIEW | {"outsider": 200}),
        ("/api/v1/obligations/", VIEW | {"outsider": 200}),
        ("/api/v1/calendars/", VIEW | {"outsider": 200}),
        ("/api/v1/notifications/", VIEW | {"outsider": 200}),
    ],
)
def test_every_role_reads_lists(world, users, client_for, path, expected) -> None:
    seen = {role: client_for(users[role]).get(path).status_code for role in ROLES}
    assert seen == expected


def test_user_without_a_role_may_not_read_incidents(world, client_for) -> None:
    from tests.factories import UserFactory

    response = client_for(UserFactory(username="norole")).get("/api/v1/incidents/")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_opening_an_incident_needs_the_record_right(world, users, client_for) -> None:
    seen = {
        role: client_for(users[role])
        .post("/api/v1/incidents/", {"title": f"Opened by {role}"}, format="json")
        .status_code
        for role in ROLES
    }
    assert seen == {
        "viewer": 403,
        "compliance": 201,
        "legal": 403,
        "admin": 201,
        "outsider": 201,  # a compliance officer may open their own incidents
    }


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/api/v1/regulators/",
            {"code": "new-reg", "name_en": "R", "name_ko": "R", "country": "KR"},
        ),
        ("/api/v1/calendars/", {"code": "NEW-CAL", "name": "New calendar", "holiday_source": ""}),
        (
            "/api/v1/obligations/",
            {
                "code": "adhoc-test",
                "version": 1,
                "regulator": "PIPC",
                "title_en": "T",
                "title_ko": "T",
                "recipient_en": "R",
                "recipient_ko": "R",
                "citation": "Art. 1",
                "trigger_kind": "awareness",
                "period_amount": 72,
                "period_unit": "h",
                "reference_tz": "Asia/Seoul",
            },
        ),
    ],
)
def test_only_admins_write_the_catalogue(world, users, client_for, path, body) -> None:
    seen = {
        role: client_for(users[role]).post(path, body, format="json").status_code for role in ROLES
    }
    assert seen == {"viewer": 403, "compliance": 403, "legal": 403, "admin": 201, "outsider": 403}


def test_catalogue_rows_can_be_changed_by_admins_only(world, users, client_for) -> None:
    from regulators.models import Regulator

    regulator = Regulator.objects.get(code="PIPC")
    path = f"/api/v1/regulators/{regulator.pk}/"
    seen = {
        role: client_for(users[role])
        .patch(path, {"filing_channel": f"portal ({role})"}, format="json")
        .status_code
        for role in ROLES
    }
    assert seen == {"viewer": 403, "compliance": 403, "legal": 403, "admin": 200, "outsider": 403}
    regulator.refresh_from_db()
    assert regulator.filing_channel == "portal (admin)"


def test_nothing_is_hard_deleted(world, client_for, admin_user) -> None:
    client = client_for(admin_user)
    w = world
    for path in (
        f"/api/v1/incidents/{w['incident'].pk}/",
        f"/api/v1/incidents/{w['incident'].pk}/events/{w['event'].pk}/",
        f"/api/v1/incidents/{w['incident'].pk}/filings/{w['filing'].pk}/",
    ):
        assert client.delete(path).status_code == 405
