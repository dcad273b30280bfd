"""Chronology as CSV (BOM, formula-safe, streamed) and XLSX (date cells, frozen, filtered)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from exports.csv_export import csv_chunks
from exports.data import neutralise
from exports.xlsx import xlsx_bytes
from incidents.models import TimelineEvent

KST = ZoneInfo("Asia/Seoul")


def _csv_rows(incident) -> tuple[bytes, list[list[str]]]:
    data = b"".join(csv_chunks(incident, tz=KST))
    return data, list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_starts_with_a_byte_order_mark_and_keeps_korean(rich_incident):
    data, rows = _csv_rows(rich_incident)
    assert data.startswith(b"\xef\xbb\xbf")
    assert "발생 시각 / Occurred (Asia/Seoul)" in rows[0]
    assert any("무단 접근 시작" in cell for row in rows for cell in row)


def test_csv_has_one_row_per_event_with_both_zone_and_utc_times(rich_incident):
    _data, rows = _csv_rows(rich_incident)
    assert len(rows) - 1 == TimelineEvent.objects.filter(incident=rich_incident).count()
    first = rows[1]
    assert first[1] == "2025-11-06T18:38:00+09:00"
    assert first[2] == "2025-11-06T09:38:00+00:00"


def test_csv_neutralises_cells_that_start_like_formulas(rich_incident):
    _data, rows = _csv_rows(rich_incident)
    cells = [cell for row in rows[1:] for cell in row]
    assert '\'=HYPERLINK("http://evil") 고객 문의' in cells
    assert "'+1 more, @mention, -minus" in cells
    assert not any(cell[:1] in "=+-@" for cell in cells if cell)


def test_neutralise_leaves_ordinary_text_alone():
    assert neutralise("plain") == "plain"
    assert neutralise("@x") == "'@x"
    assert neutralise("-1") == "'-1"
    assert neutralise("") == ""


def test_csv_marks_superseded_events(rich_incident):
    _data, rows = _csv_rows(rich_incident)
    statuses = [row[13] for row in rows[1:]]
    assert any(s.startswith("대체됨 / superseded by No.") for s in statuses)
    assert "정정 / correction" in statuses


def test_csv_web_export_is_a_streaming_response(rich_incident, bob):
    client = Client()
    client.force_login(bob)
    response = client.get(reverse("exports:csv", kwargs={"reference": rich_incident.reference}))
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")


def test_csv_reads_rows_with_values_and_iterator_not_model_objects(rich_incident, monkeypatch):
    # The chronology must never build TimelineEvent instances (bounded memory at 1M rows).
    def boom(*args, **kwargs):
        raise AssertionError("a TimelineEvent instance was built")

    monkeypatch.setattr(TimelineEvent, "__init__", boom)
    data = b"".join(csv_chunks(rich_incident, tz=KST))
    assert data.count(b"\r\n") == 1 + 4


def test_xlsx_has_real_date_cells_with_the_zone_in_the_header(rich_incident):
    book = load_workbook(io.BytesIO(xlsx_bytes(rich_incident, tz=KST)))
    sheet = book.active
    assert sheet["B1"].value == "발생 시각 / Occurred (Asia/Seoul)"
    assert sheet["C1"].value == "발생 시각 / Occurred (UTC)"
    assert isinstance(sheet["B2"].value, datetime)
    assert sheet["B2"].is_date
    assert sheet["B2"].value == datetime(2025, 11, 6, 18, 38)  # noqa: DTZ001  (Excel cells hold naive wall times)
    assert sheet["C2"].value == datetime(2025, 11, 6, 9, 38)  # noqa: DTZ001  (Excel cells hold naive wall times)


def test_xlsx_freezes_the_header_filters_and_sizes_columns(rich_incident):
    book = load_workbook(io.BytesIO(xlsx_bytes(rich_incident, tz=KST)))
    sheet = book.active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:R{sheet.max_row}"
    title_width = sheet.column_dimensions["G"].width
    # Widest title: 32 display columns ("무단 접근 시작 / ..." counts Hangul twice).
    assert title_width >= 32
    assert sheet.column_dimensions["A"].width < title_width


def test_xlsx_never_stores_a_formula(rich_incident):
    book = load_workbook(io.BytesIO(xlsx_bytes(rich_incident, tz=KST)))
    sheet = book.active
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
    titles = [row[6].value for row in sheet.iter_rows(min_row=2)]
    assert '\'=HYPERLINK("http://evil") 고객 문의' in titles
