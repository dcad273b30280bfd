"""The notice drafts: the five PIPA Art. 34(1) items filled from the incident, placeholders where
the record has nothing, DOCX read back with python-docx, downloads with need-to-know and audit."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from docx import Document

from audit.models import AuditEntry
from incidents import services as incident_services
from outreach import drafts
from tests.outreach.conftest import KST

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(aware_incident, alice):
    aware_incident.data_categories = ["name", "e-mail address", "phone number"]
    aware_incident.summary = "An attacker used a former employee's signing key."
    aware_incident.extra_facts = {
        "helpdesk": "개인정보 상담센터 1588-0000",
        "data_subject_guidance": "비밀번호를 변경하고 피싱 문자에 주의하세요.",
    }
    aware_incident.save()
    incident_services.timeline_event_record(
        incident=aware_incident,
        kind="unauthorised_access",
        occurred_at=datetime(2026, 2, 20, 3, 0, tzinfo=KST),
        title="first access with the stolen key",
        basis="investigators",
        recorded_by=alice,
    )
    return aware_incident


def _url(incident, deadline, language: str, fmt: str) -> str:
    return f"/incidents/{incident.reference}/notices/{deadline.pk}/draft-{language}.{fmt}"


def test_the_korean_docx_has_the_five_items_filled_from_the_incident(
    client, alice, filled, notice_deadline
):
    client.force_login(alice)
    response = client.get(_url(filled, notice_deadline, "ko", "docx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    for heading in (
        "1. 유출된 개인정보 항목",
        "2. 유출된 시점과 그 경위",
        "3. 피해를 최소화하기 위하여",
        "4. 회사의 대응조치 및 피해 구제절차",
        "5. 피해 신고·상담 부서 및 연락처",
    ):
        assert heading in text
    assert "name, e-mail address, phone number" in text
    assert "2026-02-20 03:00" in text
    assert "1588-0000" in text
    assert "비밀번호를 변경하고" in text
    # Nothing recorded for the redress procedure: a marked placeholder, highlighted.
    marked = [r for p in document.paragraphs for r in p.runs if r.text.startswith("[확인 필요")]
    assert any("피해 구제절차" in r.text for r in marked)
    assert all(r.font.highlight_color is not None for r in marked)


def test_the_english_text_and_the_sms_short_form(client, alice, filled, notice_deadline):
    client.force_login(alice)
    body = client.get(_url(filled, notice_deadline, "en", "txt")).content.decode()
    assert body.startswith("Notice of a personal data breach")
    assert "1. Which personal information was leaked" in body
    assert "[TO BE COMPLETED: redress procedure" in body
    sms = client.get(_url(filled, notice_deadline, "ko", "sms")).content.decode()
    assert "name, e-mail address, phone number" in sms
    assert "[확인 필요: 안내 페이지 주소]" in sms
    assert len(sms) < 200


def test_an_empty_record_gives_placeholders_for_every_item(aware_incident, notice_deadline):
    from zoneinfo import ZoneInfo

    text = drafts.as_text(
        drafts.notice_draft(
            aware_incident, notice_deadline, language="ko", tz=ZoneInfo("Asia/Seoul")
        )
    )
    for what in ("유출 항목", "정보주체 조치 방법", "신고·상담 부서와 전화번호"):
        assert f"[확인 필요: {what}]" in text


def test_a_draft_download_is_in_the_audit_chain(client, alice, filled, notice_deadline):
    client.force_login(alice)
    client.get(_url(filled, notice_deadline, "ko", "txt"))
    entry = AuditEntry.objects.filter(action="export", incident_id=filled.pk).latest("seq")
    assert entry.changes["draft"] == "data_subject_notice"
    assert entry.changes["language"] == "ko"


@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 200), ("bob", 200), ("admin_user", 200), ("carol", 403), ("charlie", 404)],
)
def test_draft_downloads_follow_the_role_matrix(
    client, request, aware_incident, notice_deadline, who, status
):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(aware_incident, notice_deadline, "ko", "txt")).status_code == status


def test_an_unknown_format_or_a_deadline_that_is_not_a_notice_is_404(
    client, alice, aware_incident, notice_deadline
):
    client.force_login(alice)
    assert client.get(_url(aware_incident, notice_deadline, "fr", "txt")).status_code == 404
    assert client.get(_url(aware_incident, notice_deadline, "ko", "pdf")).status_code == 404
    report = aware_incident.deadlines.exclude(code__contains="subject").first()
    assert client.get(_url(aware_incident, report, "ko", "txt")).status_code == 404
