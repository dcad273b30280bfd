"""The PDF incident report: Hangul embedded, everything present, clear failure without fonts."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from exports import pdf
from exports.errors import ExportUnavailable
from exports.models import ExportJob, ExportLog
from incidents.models import TimelineEvent

KST = ZoneInfo("Asia/Seoul")


def _tool(name: str) -> str:
    """poppler-utils and fontconfig are required (installed by .ci/run): missing means fail."""
    path = shutil.which(name)
    assert path, f"{name} is not installed"
    return path


def _pdf(incident, language="ko") -> bytes:
    return pdf.pdf_bytes(incident, tz=KST, language=language, exported_by="bob")


def _text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(  # noqa: S603
        [_tool("pdftotext"), "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_korean_report_embeds_a_korean_font_and_extracts_korean_headings(rich_incident, tmp_path):
    data = _pdf(rich_incident, "ko")
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    fonts = subprocess.run(  # noqa: S603
        [_tool("pdffonts"), str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line or "Nanum" in line or "KR" in line]
    assert cjk, fonts
    assert all(" yes " in line for line in cjk)  # emb column
    text = _text(data, tmp_path)
    for heading in (
        "사고 보고서",
        "주요 사실",
        "피해 규모 변경 이력",
        "법정 기한",
        "제출 내역",
        "경과",
    ):
        assert heading in text
    assert "무단 접근 시작" in text


def test_report_has_cover_facts_deadlines_filings_and_page_numbers(rich_incident, tmp_path):
    text = _text(_pdf(rich_incident, "en"), tmp_path)
    assert rich_incident.reference in text
    assert "Shop Korea Co." in text
    assert "Exported by" in text
    assert "bob" in text
    assert "33,700,000" in text
    assert "4,536" in text
    assert "KISA" in text
    assert "K-1" in text
    assert "late by" in text or "on time" in text
    assert "How it was counted" in text
    pages = text.count("\f")
    assert pages >= 2
    for page in range(1, pages + 1):  # "n/N" in every footer
        assert re.search(rf"\b{page}\s*/\s*{pages}\b", text)


def test_report_marks_superseded_events_and_corrections(rich_incident, tmp_path):
    text = _text(_pdf(rich_incident, "en"), tmp_path)
    superseded = TimelineEvent.objects.get(incident=rich_incident, title="Company becomes aware")
    correction = superseded.superseded_by
    assert f"Superseded by correction No. {correction.pk}" in text
    assert f"Corrects No. {superseded.pk}" in text
    assert "time in the KISA report" in text


@pytest.mark.slow
def test_every_event_of_a_thousand_event_incident_is_in_the_text(incident, tmp_path):
    start = datetime(2025, 1, 1, tzinfo=UTC)
    TimelineEvent.objects.bulk_create(
        TimelineEvent(
            incident=incident,
            kind="note",
            occurred_at=start + timedelta(minutes=n),
            title=f"EVT{n:04d}X 기록",
        )
        for n in range(1000)
    )
    text = _text(_pdf(incident, "ko"), tmp_path)
    missing = [n for n in range(1000) if f"EVT{n:04d}X" not in text]
    assert missing == []


def test_without_a_korean_font_the_export_says_so(rich_incident, monkeypatch):
    monkeypatch.setattr(pdf, "korean_font_family", lambda: None)
    with pytest.raises(ExportUnavailable, match="fonts-noto-cjk"):
        _pdf(rich_incident)


def test_without_a_korean_font_the_web_page_explains_instead_of_a_pdf(
    rich_incident, bob, monkeypatch
):
    monkeypatch.setattr(pdf, "korean_font_family", lambda: None)
    client = Client()
    client.force_login(bob)
    response = client.get(reverse("exports:pdf", kwargs={"reference": rich_incident.reference}))
    assert response.status_code == 503
    assert "fonts-noto-cjk" in response.content.decode()
    assert not ExportLog.objects.exists()


def test_font_detection_uses_fontconfig_korean_coverage():
    pdf.korean_font_family.cache_clear()
    listed = subprocess.run(  # noqa: S603
        [_tool("fc-list"), ":lang=ko", "family"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert pdf.korean_font_family() in {
        part.strip() for line in listed.splitlines() for part in line.split(",")
    }


def test_without_weasyprint_the_pdf_action_says_what_to_install(rich_incident, bob, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import raises ImportError
    client = Client()
    client.force_login(bob)
    response = client.get(reverse("exports:pdf", kwargs={"reference": rich_incident.reference}))
    assert response.status_code == 503
    body = response.content.decode()
    assert "WeasyPrint" in body
    assert "apt-get install" in body
    # Other exports keep working.
    other = client.get(reverse("exports:json", kwargs={"reference": rich_incident.reference}))
    assert other.status_code == 200


def test_site_modules_do_not_import_weasyprint_at_import_time():
    code = (
        "import sys, django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings.test';"
        "django.setup(); import config.urls, exports.views, exports.services,"
        " exports.pdf, incidents.tasks; print('weasyprint' in sys.modules)"
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    ).stdout.strip()
    assert out == "False"


def test_large_incident_pdf_is_built_in_the_background(
    incident, bob, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.EXPORT_PDF_ASYNC_THRESHOLD = 2
    TimelineEvent.objects.bulk_create(
        TimelineEvent(
            incident=incident,
            kind="note",
            occurred_at=datetime(2025, 1, 1, tzinfo=UTC),
            title=f"e{n}",
        )
        for n in range(3)
    )
    calls = []
    from exports import services

    monkeypatch.setattr(
        services.current_app, "send_task", lambda name, args: calls.append((name, *args))
    )
    client = Client()
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("exports:pdf", kwargs={"reference": incident.reference}))
    job = ExportJob.objects.get()
    assert response.status_code == 303
    assert response["Location"] == reverse("exports:job", args=[job.pk])
    assert calls == [("incidents.exports.tasks.export_job_run", job.pk)]
    assert job.status == "pending"
