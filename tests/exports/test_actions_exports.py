"""Action items in the PDF report (a section, Korean and English) and the XLSX workbook (a sheet)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from actions import services
from exports import pdf
from exports.xlsx import xlsx_bytes
from tests.exports.test_pdf import _text

pytestmark = pytest.mark.django_db
KST = ZoneInfo("Asia/Seoul")


@pytest.fixture
def with_items(rich_incident, alice, bob):
    services.action_item_create(
        incident=rich_incident,
        title="Collect the firewall logs",
        owner=bob,
        created_by=alice,
        due_at=datetime(2030, 1, 2, 3, 4, tzinfo=UTC),
    )
    done = services.action_item_create(
        incident=rich_incident, title="=cmd|calc", owner=alice, created_by=alice
    )
    services.action_item_cancel(item=done, by=alice, reason="not ours")
    return rich_incident


def test_the_pdf_has_an_action_items_section_in_english(with_items):
    text = _text(pdf.pdf_bytes(with_items, tz=KST, language="en", exported_by="bob"))
    assert "Action items" in text
    assert "Collect the firewall logs" in text
    assert "2030-01-02 12:04" in text  # in Seoul time, with its offset
    assert "cancelled" in text
    assert "not ours" in text


def test_the_pdf_section_is_korean_for_a_korean_reader(with_items):
    html = pdf.report_html(with_items, tz=KST, language="ko", exported_by="bob")
    assert "조치 항목" in html
    assert "취소됨" in html


def test_the_xlsx_has_an_action_items_sheet_with_real_dates_and_neutralised_text(with_items):
    workbook = load_workbook(io.BytesIO(xlsx_bytes(with_items, tz=KST)))
    assert workbook.sheetnames[0] == "Chronology"
    assert "Action items" in workbook.sheetnames
    sheet = workbook["Action items"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Task", "Owner", "Due (Asia/Seoul)"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Collect the firewall logs"][2] == datetime(2030, 1, 2, 12, 4)  # noqa: DTZ001 (Excel wall time)
    assert "'=cmd|calc" in rows  # a formula-like title is kept as text
    assert sheet.freeze_panes == "A2"
