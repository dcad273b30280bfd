"""The campaign API: shapes, services, If-Match, drafts, and the role matrix (viewer, compliance,
legal, admin, outsider)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
import time_machine
from docx import Document

from outreach import services
from outreach.models import NoticeBatch, NoticeCampaign

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
SENT = "2026-03-03T09:00:00+09:00"

ROLES = ["alice", "bob", "carol", "charlie", "admin_user"]
# Reads: every member (and admin); outsider 404.
READ = {"alice": 200, "bob": 200, "carol": 200, "charlie": 404, "admin_user": 200}
# Writes: RECORD (compliance, admin); legal and viewer 403; outsider 404.
WRITE_CREATED = {"alice": 201, "bob": 403, "carol": 403, "charlie": 404, "admin_user": 201}
WRITE_OK = {"alice": 200, "bob": 403, "carol": 403, "charlie": 404, "admin_user": 200}
# Drafts: RECORD or EXPORT.
DRAFT = {"alice": 200, "bob": 200, "carol": 403, "charlie": 404, "admin_user": 200}


def _base(incident) -> str:
    return f"/api/v1/incidents/{incident.pk}"


@pytest.fixture
def batch(campaign, alice):
    with time_machine.travel(NOW, tick=False):
        return services.batch_record(
            campaign=campaign,
            jurisdiction="KR",
            method="email",
            sent_at=datetime(2026, 3, 3, 0, 0, tzinfo=UTC),
            count=100,
            recorded_by=alice,
        )


@pytest.mark.parametrize("who", ROLES)
def test_reading_campaigns_batches_and_progress_follows_need_to_know(
    client_for, request, batch, who
):
    client = client_for(request.getfixturevalue(who))
    base = _base(batch.incident)
    for url in (
        f"{base}/notice-campaigns/",
        f"{base}/notice-campaigns/{batch.campaign_id}/",
        f"{base}/notice-batches/",
        f"{base}/notice-progress/",
    ):
        response = client.get(url)
        assert response.status_code == READ[who], (url, response.content)
        assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("who", ROLES)
def test_creating_a_campaign_follows_the_role_matrix(
    client_for, request, aware_incident, notice_deadline, who
):
    response = client_for(request.getfixturevalue(who)).post(
        f"{_base(aware_incident)}/notice-campaigns/",
        {"deadline": notice_deadline.pk, "method": "email"},
        format="json",
    )
    assert response.status_code == WRITE_CREATED[who], response.content
    assert NoticeCampaign.objects.exists() == (WRITE_CREATED[who] == 201)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("who", ROLES)
def test_recording_a_batch_follows_the_role_matrix(client_for, request, campaign, who):
    response = client_for(request.getfixturevalue(who)).post(
        f"{_base(campaign.incident)}/notice-batches/",
        {
            "campaign": campaign.pk,
            "jurisdiction": "KR",
            "method": "sms",
            "sent_at": SENT,
            "count": 10,
        },
        format="json",
    )
    assert response.status_code == WRITE_CREATED[who], response.content
    assert NoticeBatch.objects.exists() == (WRITE_CREATED[who] == 201)


@pytest.mark.parametrize("who", ROLES)
def test_patching_a_campaign_follows_the_role_matrix(client_for, request, campaign, who):
    response = client_for(request.getfixturevalue(who)).patch(
        f"{_base(campaign.incident)}/notice-campaigns/{campaign.pk}/",
        {"notes": "second wave by letter"},
        format="json",
    )
    assert response.status_code == WRITE_OK[who], response.content


@pytest.mark.parametrize("who", ROLES)
def test_draft_downloads_over_the_api_follow_the_role_matrix(
    client_for, request, aware_incident, notice_deadline, who
):
    response = client_for(request.getfixturevalue(who)).get(
        f"{_base(aware_incident)}/notice-progress/{notice_deadline.pk}/draft/?language=ko&output=txt"
    )
    assert response.status_code == DRAFT[who]


def test_patch_with_a_stale_if_match_is_412_and_the_current_etag_works(client_for, alice, campaign):
    client = client_for(alice)
    url = f"{_base(campaign.incident)}/notice-campaigns/{campaign.pk}/"
    etag = client.get(url)["ETag"]
    response = client.patch(url, {"method": "letter"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["method"] == "letter"
    stale = client.patch(url, {"method": "sms"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()


@time_machine.travel(NOW, tick=False)
def test_a_batch_beyond_the_population_is_a_400_naming_the_field(client_for, alice, campaign):
    response = client_for(alice).post(
        f"{_base(campaign.incident)}/notice-batches/",
        {
            "campaign": campaign.pk,
            "jurisdiction": "KR",
            "method": "email",
            "sent_at": SENT,
            "count": 5000,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "over_population_note" in str(response.json())


def test_bad_shapes_are_400_not_500(client_for, alice, campaign):
    client = client_for(alice)
    base = _base(campaign.incident)
    for body in (
        {"campaign": campaign.pk, "jurisdiction": "KR", "method": "email", "count": 1},
        {
            "campaign": campaign.pk,
            "jurisdiction": "KR",
            "method": "email",
            "sent_at": "2026-03-03T09:00:00",
            "count": 1,
        },
        {"campaign": "x", "jurisdiction": "KR", "method": "email", "sent_at": SENT, "count": 1},
        {
            "campaign": campaign.pk,
            "jurisdiction": "KR",
            "method": "fax",
            "sent_at": SENT,
            "count": 1,
        },
        {
            "campaign": campaign.pk,
            "jurisdiction": "KR",
            "method": "email",
            "sent_at": SENT,
            "count": 1,
            "surprise": True,
        },
    ):
        response = client.post(f"{base}/notice-batches/", body, format="json")
        assert response.status_code == 400, (body, response.content)


def test_failures_with_if_match_and_progress(client_for, alice, batch):
    client = client_for(alice)
    base = _base(batch.incident)
    etag = client.get(f"{base}/notice-batches/{batch.pk}/")["ETag"]
    response = client.post(
        f"{base}/notice-batches/{batch.pk}/failures/",
        {"failures": 4},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200, response.content
    assert response.json()["notified"] == 96
    again = client.post(
        f"{base}/notice-batches/{batch.pk}/failures/",
        {"failures": 5},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert again.status_code == 412
    [progress] = [p for p in client.get(f"{base}/notice-progress/").json() if p["campaign"]]
    assert progress["jurisdictions"][0] | {"count_as_of": None} == {
        "jurisdiction": "KR",
        "population": 1000,
        "previous_population": None,
        "count_as_of": None,
        "sent": 100,
        "failed": 4,
        "notified": 96,
        "by_substitute": 0,
        "to_notify": 904,
        "percent": 9,
        "count_revised_since_batch": False,
    }
    assert "34" in progress["substitute_rule"]["citation"]


def test_the_docx_draft_over_the_api_reads_back(client_for, bob, aware_incident, notice_deadline):
    response = client_for(bob).get(
        f"{_base(aware_incident)}/notice-progress/{notice_deadline.pk}/draft/?language=en&output=docx"
    )
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "5. Whom to contact to report damage or ask questions" in text


def test_a_campaign_in_another_incident_is_404(client_for, alice, campaign):
    from tests.factories import IncidentFactory

    other = IncidentFactory(owner=alice)
    response = client_for(alice).get(f"{_base(other)}/notice-campaigns/{campaign.pk}/")
    assert response.status_code == 404


@time_machine.travel(NOW, tick=False)
def test_api_lists_cost_the_same_queries_for_one_batch_or_many(client_for, alice, campaign):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(alice)
    base = _base(campaign.incident)

    def measure() -> list[int]:
        sizes = []
        for url in ("notice-campaigns/", "notice-batches/", "notice-progress/"):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(f"{base}/{url}").status_code == 200
            sizes.append(len(captured))
        return sizes

    def record(n: int) -> None:
        services.batch_record(
            campaign=campaign,
            jurisdiction="KR",
            method="email",
            sent_at=datetime(2026, 3, 3, 0, 0, tzinfo=UTC),
            count=n,
            recorded_by=alice,
        )

    record(1)
    few = measure()
    for _ in range(12):
        record(2)
    assert measure() == few


@pytest.mark.parametrize("value", ["null", "", "seven"])
def test_a_campaign_filter_that_is_not_an_id_is_a_400(client_for, alice, batch, value):
    # The schema says integer (schemathesis sent ?campaign=null and got 200).
    response = client_for(alice).get(f"{_base(batch.incident)}/notice-batches/?campaign={value}")
    assert response.status_code == 400
    assert "campaign" in response.json()["errors"]


def test_batches_filtered_by_campaign(client_for, alice, batch):
    base = _base(batch.incident)
    mine = client_for(alice).get(f"{base}/notice-batches/?campaign={batch.campaign_id}").json()
    other = client_for(alice).get(f"{base}/notice-batches/?campaign={batch.campaign_id + 999}")
    assert [row["id"] for row in mine["results"]] == [batch.pk]
    assert other.json()["results"] == []
