"""The PDF incident report: Hangul from the shipped font, everything present, clear failures.

PDFs are read with pypdf (pure Python), so these tests need neither poppler nor a CJK system font.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from exports import checks, pdf
from exports.errors import ExportUnavailable
from exports.fonts import unpacked_font
from exports.models import ExportJob, ExportLog
from incidents.models import TimelineEvent

KST = ZoneInfo("Asia/Seoul")
SHIPPED = "incidentclockkr"  # the shipped font's family, as it appears in the PDF's BaseFont


def _tool(name: str) -> str:
    """fontconfig's fc-list comes with Pango (WeasyPrint's requirement): missing means fail."""
    path = shutil.which(name)
    assert path, f"{name} is not installed"
    return path


def _pdf(incident, language="ko") -> bytes:
    return pdf.pdf_bytes(incident, tz=KST, language=language, exported_by="bob")


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _text(data: bytes) -> str:
    return "\n".join(_pages(data))


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _fonts(data: bytes) -> dict[str, bool]:
    """Each font of the PDF (BaseFont without the subset tag, squashed) -> whether it is embedded."""
    fonts: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        resources: Any = page["/Resources"]
        for ref in resources["/Font"].values():
            font: Any = ref.get_object()
            described: Any = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = described["/FontDescriptor"].get_object()
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            name = str(font["/BaseFont"]).lstrip("/").split("+")[-1]
            fonts[_squash(name)] = embedded
    return fonts


def test_korean_report_embeds_the_shipped_font_and_extracts_korean_headings(rich_incident):
    data = _pdf(rich_incident, "ko")
    fonts = _fonts(data)
    shipped = {name: embedded for name, embedded in fonts.items() if name.startswith(SHIPPED)}
    assert set(shipped) == {SHIPPED, SHIPPED + "bold"}, fonts  # regular text and bold headings
    assert all(shipped.values()), fonts
    text = _text(data)
    for heading in (
        "사고 보고서",
        "주요 사실",
        "피해 규모 변경 이력",
        "법정 기한",
        "제출 내역",
        "경과 (전체 타임라인)",
        "샵코리아 주식회사",
    ):
        assert heading in text
    assert "무단 접근 시작" in text


def test_demo_incident_pdf_from_the_command_line_embeds_korean(catalogue, tmp_path):
    call_command("load_demo", verbosity=0)
    out = tmp_path / "demo.pdf"
    call_command("export_incident", "INC-2025-0001", "--format", "pdf", "--output", str(out))
    data = out.read_bytes()
    assert _fonts(data)[SHIPPED] is True
    first = _pages(data)[0]
    assert "사고 보고서 Incident report" in first
    assert "공개 보도를 바탕으로 재구성한 사례입니다." in first


def test_a_system_font_named_in_settings_comes_before_the_shipped_one(rich_incident, settings):
    # fontconfig lists the system fonts (Debian's fontconfig always brings a Latin one).
    listed = subprocess.run(  # noqa: S603
        [_tool("fc-list"), ":lang=en", "family"], capture_output=True, text=True, check=True
    ).stdout
    family = sorted(line.split(",")[0].strip() for line in listed.splitlines() if line.strip())[0]
    settings.EXPORT_PDF_FONT_FAMILY = family
    data = _pdf(rich_incident, "en")
    fonts = _fonts(data)
    assert any(name.startswith(_squash(family)) for name in fonts), (family, fonts)
    # Hangul, which the system font here lacks, still comes from the shipped font.
    assert SHIPPED in fonts
    assert "사고 보고서" in _text(data)


def test_report_html_lists_the_shipped_font_face_and_the_override_first(rich_incident, settings):
    settings.EXPORT_PDF_FONT_FAMILY = "Noto Sans CJK KR"
    html = pdf.report_html(rich_incident, tz=KST, language="ko", exported_by="bob")
    regular = unpacked_font(checks.shipped_font_dir() / "IncidentClockKR-Regular.woff2")
    assert f'src: url("{regular.as_uri()}") format("opentype"); font-weight: normal;' in html
    assert 'font-family: "Noto Sans CJK KR", "IncidentClock KR", sans-serif;' in html
    settings.EXPORT_PDF_FONT_FAMILY = ""
    html = pdf.report_html(rich_incident, tz=KST, language="ko", exported_by="bob")
    assert 'font-family: "IncidentClock KR", sans-serif;' in html
    # The setting is written as a CSS string: it cannot end the string or the <style> element.
    settings.EXPORT_PDF_FONT_FAMILY = 'Evil", serif; } </style><p>'
    html = pdf.report_html(rich_incident, tz=KST, language="ko", exported_by="bob")
    assert (
        'font-family: "Evil\\22 , serif; } \\3c /style\\3e \\3c p\\3e ", "IncidentClock KR"' in html
    )
    assert html.count("</style>") == 1


def test_report_has_cover_facts_deadlines_filings_and_page_numbers(rich_incident):
    pages = _pages(_pdf(rich_incident, "en"))
    text = "\n".join(pages)
    assert rich_incident.reference in text
    assert "Shop Korea Co." in text
    assert "Exported by" in text
    assert "bob" in text
    assert "33,700,000" in text
    assert "4,536" in text
    assert "KISA" in text
    assert "K-1" in text
    # The filing (19 Nov 21:35 KST) came 30 h 35 min after its deadline (18 Nov 15:00 KST).
    assert "Verdict late by 30 h 35 min" in text
    assert "How it was counted" in text
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):  # "n / N" in every footer
        assert re.search(rf"\b{number} / {len(pages)}\b", page), page


def test_report_marks_superseded_events_and_corrections(rich_incident):
    text = _text(_pdf(rich_incident, "en"))
    superseded = TimelineEvent.objects.get(incident=rich_incident, title="Company becomes aware")
    correction = superseded.superseded_by
    assert f"Superseded by correction No. {correction.pk}" in text
    assert f"Corrects No. {superseded.pk}" in text
    assert "time in the KISA report" in text


@pytest.mark.slow
def test_every_event_of_a_thousand_event_incident_is_in_the_text(incident):
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
    text = _text(_pdf(incident, "ko"))
    missing = [n for n in range(1000) if f"EVT{n:04d}X" not in text]
    assert missing == []


def test_without_the_shipped_font_file_the_export_says_what_is_missing(
    rich_incident, bob, monkeypatch, tmp_path
):
    monkeypatch.setattr(pdf, "shipped_font_dir", lambda: tmp_path)
    with pytest.raises(ExportUnavailable, match=r"IncidentClockKR-Regular\.woff2"):
        _pdf(rich_incident)
    client = Client()
    client.force_login(bob)
    response = client.get(reverse("exports:pdf", kwargs={"reference": rich_incident.reference}))
    assert response.status_code == 503
    assert "make_korean_subset.sh" in response.content.decode()
    assert not ExportLog.objects.exists()


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


def test_large_incident_pdf_is_built_in_the_background(incident, bob, settings, export_pdf_as):
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
    response, calls = export_pdf_as(bob, incident)
    job = ExportJob.objects.get()
    assert response.status_code == 303
    assert response["Location"] == reverse("exports:job", args=[job.pk])
    assert calls == [("incidents.exports.tasks.export_job_run", job.pk)]
    assert job.status == "pending"
