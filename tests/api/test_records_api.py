"""Timeline, deadlines, filings and counts over the API: shapes, services, time rules."""

from __future__ import annotations

import pytest

from incidents.models import AffectedCountRevision, DeadlineStatus, Filing, TimelineEvent

pytestmark = pytest.mark.django_db


def _base(world) -> str:
    return f"/api/v1/incidents/{world['incident'].pk}"


def test_recording_awareness_creates_deadlines_with_explanations(
    catalogue, alice, client_for
) -> None:
    client = client_for(alice)
    incident = client.post(
        "/api/v1/incidents/",
        {
            "title": "T",
            "entities": [
                {
                    "name": "Op",
                    "country": "KR",
                    "ict_service_provider": True,
                    "jurisdictions": ["KR"],
                }
            ],
        },
        format="json",
    ).json()
    response = client.post(
        f"/api/v1/incidents/{incident['id']}/events/",
        {
            "kind": "awareness",
            "occurred_at": "2025-11-17T07:00:00Z",
            "title": "Aware",
            "basis": "company",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["occurred_at"] == "2025-11-17T16:00:00+09:00"
    assert response.json()["recorded_by"] == "alice"
    deadlines = client.get(f"/api/v1/incidents/{incident['id']}/deadlines/").json()["results"]
    network_act = next(d for d in deadlines if d["code"] == "kr-network-act-48-3-initial")
    assert network_act["due_at"] == "2025-11-18T16:00:00+09:00"
    assert network_act["status"] == "open"
    assert network_act["explanation"][0]["en"].startswith("awareness 2025-11-17 16:00")
    assert network_act["explanation"][0]["ko"]


def test_deadline_lists_alternative_triggers_and_frozen_verdict(world, carol, client_for) -> None:
    d = world["filed_deadline"]
    body = client_for(carol).get(f"{_base(world)}/deadlines/{d.pk}/").json()
    assert body["status"] == "filed"
    assert body["verdict"] in ("on_time", "late")
    assert body["alternatives"], "the company's later awareness is shown beside the earliest"
    alternative = body["alternatives"][0]
    assert alternative["basis"] == "company"
    assert {"trigger_at", "due_at", "explanation", "verdict"} <= set(alternative)


def test_deadline_filters(world, carol, client_for) -> None:
    client = client_for(carol)
    filed = client.get(f"{_base(world)}/deadlines/", {"status": "filed"}).json()
    assert [row["id"] for row in filed["results"]] == [world["filed_deadline"].pk]
    late = client.get(f"{_base(world)}/deadlines/", {"due_before": "2000-01-01T00:00:00Z"}).json()
    assert late["count"] == 0
    naive = client.get(f"{_base(world)}/deadlines/", {"due_before": "2025-11-18T00:00:00"})
    assert naive.status_code == 400
    assert "offset" in naive.json()["errors"]["due_before"][0]


def test_naive_time_is_refused_with_a_clear_message(world, alice, client_for) -> None:
    response = client_for(alice).post(
        f"{_base(world)}/events/",
        {"kind": "note", "occurred_at": "2025-11-20T10:00:00", "title": "No zone"},
        format="json",
    )
    assert response.status_code == 400
    assert "UTC offset" in response.json()["errors"]["occurred_at"][0]
    assert not TimelineEvent.objects.filter(title="No zone").exists()


def test_correction_supersedes_once_and_keeps_the_original(world, alice, client_for) -> None:
    client = client_for(alice)
    event = world["event"]
    body = {
        "kind": event.kind,
        "occurred_at": "2025-11-18T20:00:00+09:00",
        "title": "Corrected time",
        "basis": event.basis,
        "correction_reason": "Log review",
    }
    first = client.post(f"{_base(world)}/events/{event.pk}/correct/", body, format="json")
    assert first.status_code == 201, first.json()
    assert first.json()["supersedes"] == event.pk
    original = client.get(f"{_base(world)}/events/{event.pk}/").json()
    assert original["superseded_by"] == first.json()["id"]
    assert original["is_current"] is False
    current = client.get(f"{_base(world)}/events/", {"current": "true"}).json()["results"]
    assert event.pk not in [row["id"] for row in current]
    again = client.post(f"{_base(world)}/events/{event.pk}/correct/", body, format="json")
    assert again.status_code == 400
    assert "supersedes" in again.json()["errors"]


def test_correction_needs_a_reason(world, alice, client_for) -> None:
    response = client_for(alice).post(
        f"{_base(world)}/events/{world['event'].pk}/correct/",
        {"kind": "note", "occurred_at": "2025-11-20T10:00:00+09:00", "title": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert "correction_reason" in response.json()["errors"]


@pytest.mark.parametrize(
    "data",
    [
        {"offset": "5 fortnights"},
        {"offset": "5bd", "calendar": "MARS"},
        {"offset": "5bd", "tz": "Mars/Olympus"},
    ],
)
def test_bad_regulator_request_period_is_a_400(world, alice, client_for, data) -> None:
    response = client_for(alice).post(
        f"{_base(world)}/events/",
        {
            "kind": "regulator_request",
            "occurred_at": "2025-11-20T10:00:00+09:00",
            "title": "Request",
            "data": data,
        },
        format="json",
    )
    assert response.status_code == 400
    assert any(key.startswith("data.") for key in response.json()["errors"])


def test_regulator_request_starts_its_own_clock(world, alice, client_for) -> None:
    response = client_for(alice).post(
        f"{_base(world)}/events/",
        {
            "kind": "regulator_request",
            "occurred_at": "2025-11-20T10:00:00+09:00",
            "title": "PIPC asks for materials",
            "data": {"offset": "5bd", "calendar": "KR", "tz": "Asia/Seoul", "regulator": "PIPC"},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    rows = client_for(alice).get(f"{_base(world)}/deadlines/", {"code": "regulator-request"}).json()
    assert rows["count"] == 1
    assert rows["results"][0]["due_at"] == "2025-11-27T23:59:59+09:00"


def test_count_revision_event_needs_a_whole_count(world, alice, client_for) -> None:
    response = client_for(alice).post(
        f"{_base(world)}/events/",
        {
            "kind": "count_revision",
            "occurred_at": "2025-11-29T10:00:00+09:00",
            "title": "More",
            "data": {"count": "lots"},
        },
        format="json",
    )
    assert response.status_code == 400


def test_mark_not_applicable_records_who_and_why(world, bob, client_for) -> None:
    d = world["deadline"]
    response = client_for(bob).post(
        f"{_base(world)}/deadlines/{d.pk}/not-applicable/",
        {"justification": "The entity is not an ICT service provider."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == DeadlineStatus.NOT_APPLICABLE
    assert response.json()["not_applicable_by"] == "bob"
    blank = client_for(bob).post(
        f"{_base(world)}/deadlines/{d.pk}/not-applicable/", {"justification": "  "}, format="json"
    )
    assert blank.status_code == 400


def test_filing_answers_a_deadline_and_freezes_its_verdict(world, alice, client_for) -> None:
    d = world["deadline"]
    response = client_for(alice).post(
        f"{_base(world)}/filings/",
        {
            "deadline": d.pk,
            "recipient": "PIPC",
            "submitted_at": "2025-11-21T09:00:00+09:00",
            "regulator": "PIPC",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["submitted_by"] == "alice"
    d.refresh_from_db()
    assert d.filed_at is not None
    assert d.verdict in ("on_time", "late")


def test_filing_cannot_answer_another_incidents_deadline(
    world, catalogue, alice, client_for
) -> None:
    other = client_for(alice).post("/api/v1/incidents/", {"title": "Other"}, format="json").json()
    response = client_for(alice).post(
        f"/api/v1/incidents/{other['id']}/filings/",
        {
            "deadline": world["deadline"].pk,
            "recipient": "X",
            "submitted_at": "2025-11-21T09:00:00+09:00",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "deadline" in response.json()["errors"]
    assert not Filing.objects.filter(incident_id=other["id"]).exists()


def test_count_revisions_are_listed_and_recorded(world, alice, client_for) -> None:
    client = client_for(alice)
    response = client.post(
        f"{_base(world)}/count-revisions/",
        {
            "jurisdiction": "kr",
            "count": 33_700_000,
            "as_of": "2025-11-29T10:00:00+09:00",
            "source": "Press",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["jurisdiction"] == "KR"
    listed = client.get(f"{_base(world)}/count-revisions/", {"jurisdiction": "KR"}).json()
    assert [row["count"] for row in listed["results"]] == [4536, 33_700_000]
    negative = client.post(
        f"{_base(world)}/count-revisions/",
        {"jurisdiction": "KR", "count": -1, "as_of": "2025-11-29T10:00:00+09:00"},
        format="json",
    )
    assert negative.status_code == 400
    assert AffectedCountRevision.objects.filter(incident=world["incident"]).count() == 2


def test_json_text_must_be_storable(world, alice, client_for) -> None:
    response = client_for(alice).patch(
        f"{_base(world)}/", {"extra_facts": {"note": "nul\u0000byte"}}, format="json"
    )
    assert response.status_code == 400
    assert "extra_facts" in response.json()["errors"]
