"""Action-item pages: the incident page's section, the forms (errors keep what was typed, a stale
edit is detected), the dashboard's "My tasks", permissions and the query bound."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions import services
from actions.models import ActionItem, ActionStatus
from common.concurrency import version_of
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def page(client, incident):
    return client.get(f"/incidents/{incident.reference}/").content.decode()


def test_the_incident_page_lists_items_with_owner_countdown_and_link(
    client, alice, aware_incident, make_item
):
    deadline = aware_incident.deadlines.filter(status="open").first()
    make_item(title="Draft the KISA report", deadline=deadline)
    client.force_login(alice)
    html = page(client, aware_incident)
    assert 'id="action-items"' in html
    assert "Draft the KISA report" in html
    assert 'class="countdown' in html
    assert f'href="#deadline-{deadline.pk}"' in html
    assert f"/incidents/{aware_incident.reference}/actions/suggest/" in html


def test_a_viewer_sees_the_list_but_no_forms(client, carol, incident, make_item):
    make_item(title="Only to read")
    client.force_login(carol)
    html = page(client, incident)
    assert "Only to read" in html
    assert "Add a task" not in html
    assert "Mark done" not in html


@pytest.mark.parametrize("who", ["carol", "bob"])
def test_roles_without_the_record_right_cannot_open_the_form(client, incident, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"/incidents/{incident.reference}/actions/new/").status_code == 403


def test_an_outsider_gets_404(client, incident, outsider, make_item):
    item = make_item()
    client.force_login(outsider)
    assert client.get(f"/incidents/{incident.reference}/actions/new/").status_code == 404
    url = f"/incidents/{incident.reference}/actions/{item.pk}/complete/"
    assert client.post(url).status_code == 404


def test_adding_a_task_in_korean(client, alice, incident, bob):
    alice.profile.language = "ko"
    alice.profile.time_zone = "Asia/Seoul"
    alice.profile.save()
    client.force_login(alice)
    response = client.post(
        f"/incidents/{incident.reference}/actions/new/",
        {"title": "방화벽 로그 수집", "owner": bob.pk, "due_at": "2026-03-04T18:00"},
        HTTP_ACCEPT_LANGUAGE="ko",
    )
    assert response.status_code == 302
    item = ActionItem.objects.get(title="방화벽 로그 수집")
    # Entered in Seoul time, stored as UTC.
    assert item.due_at == datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
    assert item.owner == bob


def test_an_invalid_form_keeps_what_was_typed(client, alice, incident, outsider):
    client.force_login(alice)
    response = client.post(
        f"/incidents/{incident.reference}/actions/new/",
        {"title": "Keep me", "owner": outsider.pk, "description": "long notes"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="Keep me"' in html
    assert "long notes" in html
    assert 'aria-invalid="true"' in html


def test_a_stale_edit_is_detected_and_nothing_typed_is_lost(client, alice, incident, make_item):
    item = make_item()
    stale = version_of(item)
    services.action_item_update(item=item, changed_by=alice, title="Changed meanwhile")
    client.force_login(alice)
    response = client.post(
        f"/incidents/{incident.reference}/actions/{item.pk}/edit/",
        {"version": stale, "title": "My edit", "owner": alice.pk},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else" in html
    assert 'value="My edit"' in html
    item.refresh_from_db()
    assert item.title == "Changed meanwhile"


def test_complete_cancel_reopen_through_the_page(client, alice, incident, make_item):
    item = make_item()
    client.force_login(alice)
    base = f"/incidents/{incident.reference}/actions/{item.pk}"
    client.post(f"{base}/complete/", {"version": version_of(item)})
    item.refresh_from_db()
    assert item.status == ActionStatus.DONE
    client.post(f"{base}/reopen/", {"version": version_of(item)})
    item.refresh_from_db()
    assert item.status == ActionStatus.OPEN
    missing = client.post(f"{base}/cancel/", {"version": version_of(item), "reason": ""})
    assert missing.status_code == 400
    client.post(f"{base}/cancel/", {"version": version_of(item), "reason": "duplicate"})
    item.refresh_from_db()
    assert (item.status, item.status_reason) == (ActionStatus.CANCELLED, "duplicate")


def test_a_stale_complete_says_so_and_changes_nothing(client, alice, incident, make_item):
    item = make_item()
    stale = version_of(item)
    services.action_item_update(item=item, changed_by=alice, title="Changed")
    client.force_login(alice)
    response = client.post(
        f"/incidents/{incident.reference}/actions/{item.pk}/complete/",
        {"version": stale},
        follow=True,
    )
    assert "changed by someone else" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ActionStatus.OPEN


def test_suggested_tasks_are_created_from_the_section(client, alice, aware_incident):
    client.force_login(alice)
    keys = [s.key for s in services.action_suggestions_for(incident=aware_incident)][:2]
    url = f"/incidents/{aware_incident.reference}/actions/suggest/"
    assert client.post(url, {}).status_code == 400  # nothing chosen: said, nothing created
    client.post(url, {"keys": keys})
    assert sorted(
        ActionItem.objects.filter(incident=aware_incident).values_list("suggestion_key", flat=True)
    ) == sorted(keys)


def test_my_tasks_shows_only_my_open_items_on_incidents_i_see(
    client, alice, bob, incident, make_item
):
    make_item(title="Mine and open")
    make_item(title="Bob's", owner=bob)
    done = make_item(title="Mine but done")
    services.action_item_complete(item=done, by=alice)
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert "My tasks" in html
    assert "Mine and open" in html
    assert "Bob&#x27;s" not in html
    assert "Mine but done" not in html
    # Removed from the incident, bob no longer sees his task there.
    incident.memberships.filter(user=bob).delete()
    client.force_login(bob)
    assert "Bob&#x27;s" not in client.get("/").content.decode()


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _cold_queries(client, url):
    # The incident page caches fragments keyed by what they show: count the uncached path.
    cache.clear()
    return _queries(client, url)


def test_the_query_count_does_not_grow_with_the_items(client, alice, aware_incident, make_item):
    deadline = aware_incident.deadlines.filter(status="open").first()
    client.force_login(alice)
    url = f"/incidents/{aware_incident.reference}/"
    make_item(deadline=deadline)
    _queries(client, "/")  # the dashboard caches its figures: measure it warm both times
    few_page, few_dash = _cold_queries(client, url), _queries(client, "/")
    for n in range(12):
        make_item(
            title=f"task {n}", deadline=deadline, due_at=datetime.now(tz=UTC) + timedelta(hours=n)
        )
        other = IncidentFactory(owner=alice)
        services.action_item_create(
            incident=other, title=f"elsewhere {n}", owner=alice, created_by=alice
        )
    assert _cold_queries(client, url) == few_page
    _queries(client, "/")
    assert _queries(client, "/") <= few_dash


def test_the_section_reads_in_korean(client, alice, aware_incident):
    alice.profile.language = "ko"
    alice.profile.save()
    client.force_login(alice)
    html = client.get(
        f"/incidents/{aware_incident.reference}/", HTTP_ACCEPT_LANGUAGE="ko"
    ).content.decode()
    assert "조치 항목" in html
    assert "작업 추가" in html
    assert "진행 중인 기한에서 작업 제안" in html
    suggest = client.get(
        f"/incidents/{aware_incident.reference}/actions/suggest/", HTTP_ACCEPT_LANGUAGE="ko"
    )
    assert "신고 준비" in suggest.content.decode()  # the suggestion titles too
