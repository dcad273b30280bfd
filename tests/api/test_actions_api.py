"""Action items over the API: the role matrix on every operation (viewer, compliance, legal,
admin, outsider -> 404), If-Match (412 when stale), suggestions, and /api/v1/actions/mine/."""

from __future__ import annotations

from typing import Any

import pytest

from actions import services
from actions.models import ActionItem, ActionStatus
from common.concurrency import etag_of

pytestmark = pytest.mark.django_db

ROLES = ("viewer", "compliance", "legal", "admin", "outsider")
VIEW = {"viewer": 200, "compliance": 200, "legal": 200, "admin": 200, "outsider": 404}
RECORD = {"viewer": 403, "compliance": 201, "legal": 403, "admin": 201, "outsider": 404}
RECORD_200 = {**RECORD, "compliance": 200, "admin": 200}


@pytest.fixture
def users(alice, bob, carol, charlie, admin_user) -> dict[str, Any]:
    return {
        "viewer": carol,
        "compliance": alice,
        "legal": bob,
        "admin": admin_user,
        "outsider": charlie,
    }


@pytest.fixture
def item(world, alice):
    return services.action_item_create(
        incident=world["incident"],
        title="Collect the firewall logs",
        owner=alice,
        created_by=alice,
        due_at=None,
    )


def base(world) -> str:
    return f"/api/v1/incidents/{world['incident'].pk}/actions/"


def _matrix(users, client_for, call) -> dict[str, int]:
    return {role: call(client_for(users[role]), role).status_code for role in ROLES}


def test_list_and_detail_follow_the_view_matrix(world, users, client_for, item):
    assert _matrix(users, client_for, lambda c, _r: c.get(base(world))) == VIEW
    assert _matrix(users, client_for, lambda c, _r: c.get(f"{base(world)}{item.pk}/")) == VIEW


def test_create_follows_the_record_matrix(world, users, client_for, alice):
    def create(client, role):
        body = {"title": f"Task by {role}", "owner": "alice", "due_at": "2025-11-25T18:00:00+09:00"}
        return client.post(base(world), body, format="json")

    assert _matrix(users, client_for, create) == RECORD
    created = ActionItem.objects.get(title="Task by compliance")
    assert created.due_at.isoformat() == "2025-11-25T09:00:00+00:00"


@pytest.mark.parametrize(
    ("verb", "body"),
    [("complete", {}), ("cancel", {"reason": "Handled by the vendor"}), ("reopen", {})],
)
def test_status_changes_follow_the_record_matrix(world, users, client_for, alice, verb, body):
    def change(client, role):
        item = services.action_item_create(
            incident=world["incident"], title=f"{verb} {role}", owner=alice, created_by=alice
        )
        if verb == "reopen":
            services.action_item_complete(item=item, by=alice)
        return client.post(f"{base(world)}{item.pk}/{verb}/", body, format="json")

    assert _matrix(users, client_for, change) == RECORD_200


def test_patch_follows_the_record_matrix(world, users, client_for, item):
    def patch(client, role):
        return client.patch(f"{base(world)}{item.pk}/", {"title": f"by {role}"}, format="json")

    assert _matrix(users, client_for, patch) == RECORD_200


def test_patch_with_a_stale_if_match_answers_412_and_changes_nothing(
    world, client_for, alice, item
):
    client = client_for(alice)
    url = f"{base(world)}{item.pk}/"
    etag = client.get(url)["ETag"]
    assert etag == etag_of(item)
    fresh = client.patch(url, {"title": "First"}, format="json", HTTP_IF_MATCH=etag)
    assert fresh.status_code == 200
    assert fresh["ETag"] != etag
    stale = client.patch(url, {"title": "Second"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    item.refresh_from_db()
    assert item.title == "First"
    done = client.post(f"{url}complete/", {}, format="json", HTTP_IF_MATCH=etag)
    assert done.status_code == 412


def test_bad_input_is_a_400_with_the_field_named(world, client_for, alice, charlie, item):
    client = client_for(alice)
    naive = client.post(
        base(world), {"title": "x", "owner": "alice", "due_at": "2025-11-25T18:00"}, format="json"
    )
    assert naive.status_code == 400
    assert "due_at" in naive.json()["errors"]
    stranger = client.post(base(world), {"title": "x", "owner": "charlie"}, format="json")
    assert stranger.status_code == 400
    assert "owner" in stranger.json()["errors"]
    no_reason = client.post(f"{base(world)}{item.pk}/cancel/", {}, format="json")
    assert no_reason.status_code == 400
    unknown = client.patch(f"{base(world)}{item.pk}/", {"status": "done"}, format="json")
    assert unknown.status_code == 400


def test_another_incidents_deadline_cannot_be_linked(world, client_for, alice):
    from tests.factories import IncidentFactory

    other = IncidentFactory(owner=alice)
    client = client_for(alice)
    response = client.post(
        f"/api/v1/incidents/{other.pk}/actions/",
        {"title": "x", "owner": "alice", "deadline": world["deadline"].pk},
        format="json",
    )
    assert response.status_code == 400
    assert "deadline" in response.json()["errors"]


def test_suggestions_list_and_create_idempotently(world, users, client_for, alice):
    url = f"{base(world)}suggestions/"
    assert _matrix(users, client_for, lambda c, _r: c.get(url)) == VIEW
    listed = client_for(alice).get(url).json()
    assert listed
    assert all(s["title"] and s["deadline"] for s in listed)
    created = client_for(alice).post(url, {"keys": [listed[0]["key"]]}, format="json")
    assert created.status_code == 201
    assert [row["suggestion_key"] for row in created.json()] == [listed[0]["key"]]
    again = client_for(alice).post(url, {"keys": [listed[0]["key"]]}, format="json")
    assert again.json() == []
    viewer = client_for(users["viewer"]).post(url, {}, format="json")
    assert viewer.status_code == 403


def test_mine_lists_only_my_open_tasks_on_incidents_i_see(world, users, client_for, alice, bob):
    services.action_item_create(
        incident=world["incident"], title="Mine", owner=alice, created_by=alice
    )
    services.action_item_create(
        incident=world["incident"], title="Bob's", owner=bob, created_by=alice
    )
    done = services.action_item_create(
        incident=world["incident"], title="Done", owner=alice, created_by=alice
    )
    services.action_item_complete(item=done, by=alice)
    response = client_for(alice).get("/api/v1/actions/mine/")
    assert response.status_code == 200
    assert [row["title"] for row in response.json()["results"]] == ["Mine"]
    assert client_for(users["outsider"]).get("/api/v1/actions/mine/").json()["results"] == []
    assert client_for(None).get("/api/v1/actions/mine/").status_code == 401


def test_the_status_is_in_the_answer(world, client_for, alice, item):
    response = client_for(alice).post(f"{base(world)}{item.pk}/complete/", {}, format="json")
    assert response.json()["status"] == ActionStatus.DONE
    assert response.json()["completed_at"]


def test_list_query_counts_do_not_grow_with_rows(world, client_for, alice, bob):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(alice)
    deadline = world["deadline"]

    def add(n: int) -> None:
        for k in range(n):
            services.action_item_create(
                incident=world["incident"],
                title=f"t{k}",
                owner=alice if k % 2 else bob,
                created_by=alice,
                deadline=deadline,
            )

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    add(2)
    small = (count(base(world)), count("/api/v1/actions/mine/"))
    add(15)
    assert (count(base(world)), count("/api/v1/actions/mine/")) == small
    assert max(small) <= 12
