"""The incident page's notification section, the progress beside the notice deadline, and the
browser forms (role matrix, errors that keep what was typed, a flat query count)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outreach import services
from outreach.models import NoticeBatch, NoticeCampaign
from tests.outreach.conftest import SENT

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def _page(client, incident) -> str:
    response = client.get(f"/incidents/{incident.reference}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_lists_the_notice_deadline_with_a_set_up_link(client, alice, aware_incident):
    client.force_login(alice)
    html = _page(client, aware_incident)
    assert 'id="outreach-h"' in html
    assert "Notification campaign not set up yet" in html
    assert "/notices/" in html


@time_machine.travel(NOW, tick=False)
def test_progress_shows_beside_the_deadline_and_in_the_section(client, alice, campaign):
    services.batch_record(
        campaign=campaign,
        jurisdiction="KR",
        method="email",
        sent_at=SENT,
        count=420,
        failures=20,
        recorded_by=alice,
    )
    client.force_login(alice)
    html = _page(client, campaign.incident)
    assert "400 of 1,000 notified · 600 to notify" in html
    assert 'aria-label="Notification progress: 40%"' in html
    assert 'aria-label="KR: 40% notified"' in html


def test_the_section_is_in_korean_for_a_korean_reader(client, alice, aware_incident):
    client.force_login(alice)
    client.cookies["django_language"] = "ko"
    html = client.get(
        f"/incidents/{aware_incident.reference}/", HTTP_ACCEPT_LANGUAGE="ko"
    ).content.decode()
    assert "아직 통지 계획이 없습니다" in html
    assert "통지 계획 세우기" in html


@time_machine.travel(NOW, tick=False)
def test_setting_up_a_campaign_and_recording_a_batch_in_the_browser(
    client, alice, aware_incident, notice_deadline
):
    client.force_login(alice)
    url = f"/incidents/{aware_incident.reference}/notices/{notice_deadline.pk}/campaign/"
    response = client.post(url, {"method": "sms", "notes": "via the SMS gateway"})
    assert response.status_code == 302
    campaign = NoticeCampaign.objects.get(deadline=notice_deadline)
    response = client.post(
        f"/incidents/{aware_incident.reference}/notices/campaigns/{campaign.pk}/batches/new/",
        {
            "jurisdiction": "KR",
            "method": "sms",
            "sent_date": "2026-03-03",
            "sent_time": "09:00",
            "sent_tz": "Asia/Seoul",
            "count": "250",
            "failures": "3",
        },
    )
    assert response.status_code == 302
    batch = NoticeBatch.objects.get()
    assert (batch.count, batch.failures, batch.sent_at) == (250, 3, SENT)


@time_machine.travel(NOW, tick=False)
def test_a_refused_batch_keeps_what_was_typed_and_names_the_field(client, alice, campaign):
    client.force_login(alice)
    response = client.post(
        f"/incidents/{campaign.incident.reference}/notices/campaigns/{campaign.pk}/batches/new/",
        {
            "jurisdiction": "KR",
            "method": "email",
            "sent_date": "2026-03-03",
            "sent_time": "09:00",
            "sent_tz": "Asia/Seoul",
            "count": "1500",
            "failures": "0",
            "failure_note": "typed by hand",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert "more than the 1,000 affected there" in html
    assert 'value="typed by hand"' in html
    assert 'value="1500"' in html
    assert not NoticeBatch.objects.exists()


def test_substitute_notice_without_a_reason_is_refused_with_the_condition_shown(
    client, alice, aware_incident, notice_deadline
):
    client.force_login(alice)
    url = f"/incidents/{aware_incident.reference}/notices/{notice_deadline.pk}/campaign/"
    assert "제34조제1항 단서" in client.get(url).content.decode()
    response = client.post(url, {"method": "website", "substitute_notice": "on"})
    assert response.status_code == 400
    assert "Say why the legal condition" in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_recording_failures_later_uses_the_version(client, alice, campaign):
    batch = services.batch_record(
        campaign=campaign,
        jurisdiction="KR",
        method="email",
        sent_at=SENT,
        count=100,
        recorded_by=alice,
    )
    client.force_login(alice)
    url = f"/incidents/{campaign.incident.reference}/notices/batches/{batch.pk}/failures/"
    response = client.post(url, {"failures": "7", "version": "0-0"})
    assert response.status_code == 400
    assert "changed by someone else" in response.content.decode()
    form = client.get(url).content.decode()
    assert 'name="version"' in form
    batch.refresh_from_db()
    from common.concurrency import version_of

    response = client.post(url, {"failures": "7", "version": version_of(batch)})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.failures == 7


@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 200), ("admin_user", 200), ("bob", 403), ("carol", 403), ("charlie", 404)],
)
def test_the_campaign_form_follows_the_role_matrix(
    client, request, aware_incident, notice_deadline, who, status
):
    client.force_login(request.getfixturevalue(who))
    url = f"/incidents/{aware_incident.reference}/notices/{notice_deadline.pk}/campaign/"
    assert client.get(url).status_code == status


def test_a_viewer_sees_the_progress_but_no_record_buttons(client, carol, aware_incident):
    client.force_login(carol)
    html = _page(client, aware_incident)
    assert 'id="outreach-h"' in html
    assert "Set up the campaign" not in html


@time_machine.travel(NOW, tick=False)
def test_the_section_costs_the_same_queries_for_one_batch_or_many(client, alice, campaign):
    client.force_login(alice)

    def measure() -> int:
        cache.clear()  # the page caches fragments keyed by what they show: the uncached path
        with CaptureQueriesContext(connection) as captured:
            _page(client, campaign.incident)
        return len(captured)

    services.batch_record(
        campaign=campaign,
        jurisdiction="KR",
        method="email",
        sent_at=SENT,
        count=1,
        recorded_by=alice,
    )
    few = measure()
    for _ in range(15):
        services.batch_record(
            campaign=campaign,
            jurisdiction="KR",
            method="sms",
            sent_at=SENT,
            count=2,
            recorded_by=alice,
        )
    assert measure() == few


def test_the_admin_shows_campaigns_but_never_writes_them(client, campaign):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="super", is_superuser=True, is_staff=True))
    assert client.get("/admin/outreach/noticecampaign/").status_code == 200
    assert client.get("/admin/outreach/noticebatch/").status_code == 200
    assert client.get("/admin/outreach/noticecampaign/add/").status_code == 403
    assert client.post(f"/admin/outreach/noticecampaign/{campaign.pk}/delete/").status_code == 403
