"""Notification campaigns and batches in the PDF (section), the XLSX (two sheets) and the JSON
export, whose round trip stays identical."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from common.concurrency import version_of
from exports.jsonio import export_json_bytes, import_json_bytes
from exports.pdf import report_html
from exports.xlsx import xlsx_bytes
from incidents.models import Deadline
from outreach import services
from outreach.models import NoticeBatch, NoticeCampaign
from tests.exports.test_json import _purge, _strip

pytestmark = pytest.mark.django_db

KST = ZoneInfo("Asia/Seoul")
PIPA_NOTICE = "kr-pipa-34-subject-notice"


@pytest.fixture
def notifying(aware_incident, alice):
    deadline = Deadline.objects.get(incident=aware_incident, code=PIPA_NOTICE)
    with time_machine.travel(datetime(2026, 3, 4, 12, 0, tzinfo=UTC), tick=False):
        campaign = services.campaign_create(
            incident=aware_incident,
            deadline=deadline,
            method="email",
            substitute_notice=True,
            substitute_reason="no contact details for 12 former members",
            notes="e-mail first, then letters",
            created_by=alice,
        )
        services.batch_record(
            campaign=campaign,
            jurisdiction="KR",
            method="email",
            sent_at=datetime(2026, 3, 3, 9, 0, tzinfo=KST),
            count=700,
            failures=15,
            failure_note="hard bounces",
            recorded_by=alice,
        )
        batch = services.batch_record(
            campaign=campaign,
            jurisdiction="KR",
            method="website",
            sent_at=datetime(2026, 3, 3, 18, 0, tzinfo=KST),
            count=12,
            recorded_by=alice,
        )
    services.batch_failures_record(
        batch=batch,
        failures=0,
        changed_by=alice,
        expected_version=version_of(batch),
        failure_note="posting stays up for 30 days",
    )
    return aware_incident


def test_the_json_round_trip_with_campaigns_is_identical(notifying):
    first = export_json_bytes(notifying, exported_by="alice")
    document = json.loads(first)
    [campaign] = document["notice_campaigns"]
    assert campaign["substitute_reason"] == "no contact details for 12 former members"
    assert [b["count"] for b in campaign["batches"]] == [700, 12]
    _purge(notifying)
    assert not NoticeCampaign.objects.exists()
    imported, _created = import_json_bytes(first)
    assert NoticeBatch.objects.filter(incident=imported).count() == 2
    second = export_json_bytes(imported, exported_by="someone else")
    assert _strip(json.loads(first)) == _strip(json.loads(second))


def test_an_export_from_before_campaigns_imports_with_none(notifying):
    document = json.loads(export_json_bytes(notifying, exported_by="x"))
    del document["notice_campaigns"]
    _purge(notifying)
    imported, _created = import_json_bytes(json.dumps(document).encode())
    assert not NoticeCampaign.objects.filter(incident=imported).exists()


@pytest.mark.parametrize(
    ("language", "heading"), [("ko", "정보주체 통지 현황"), ("en", "Notifying the people affected")]
)
def test_the_pdf_has_a_notification_section(notifying, language, heading):
    html = report_html(notifying, tz=KST, language=language, exported_by="bob")
    assert heading in html
    assert "697 (69%)" in html
    assert "hard bounces" in html
    assert "제34조제1항 단서" in html


def test_the_xlsx_has_campaign_and_batch_sheets(notifying):
    book = load_workbook(io.BytesIO(xlsx_bytes(notifying, tz=KST)))
    campaigns = list(book["Notice campaigns"].values)
    assert campaigns[1][:7] == (PIPA_NOTICE, "KR", 1000, 697, 15, 303, 69)
    batches = list(book["Notice batches"].values)
    assert batches[0][1] == "Sent at (Asia/Seoul)"
    assert batches[1][1] == datetime(2026, 3, 3, 9, 0)  # noqa: DTZ001 (Excel has no zones)
    assert batches[2][3] == "website"
