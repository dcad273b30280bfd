"""The chronology as XLSX: real date cells (zone in the header), frozen header, filters, widths."""

from __future__ import annotations

import io
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

from exports.actions_export import add_action_items_sheet
from exports.data import chronology_cells, chronology_headers, event_values, neutralise
from exports.outreach import add_sheets as add_notice_sheets
from exports.xlsx_records import add_records_sheets
from incidents.models import Incident

DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
MAX_WIDTH = 80
MIN_WIDTH = 6


def display_width(text: str) -> int:
    """Columns a text takes: East Asian wide characters (Hangul) count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def xlsx_bytes(incident: Incident, *, tz: ZoneInfo) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101  (a new workbook always has one sheet)
    sheet.title = "Chronology"
    headers = chronology_headers(tz)
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    widths = [display_width(h) for h in headers]
    for row in event_values(incident):
        values: list[object] = []
        for index, value in enumerate(chronology_cells(row, tz)):
            if isinstance(value, datetime):
                # Excel has no zones: the wall time in the zone the header names.
                value = value.replace(tzinfo=None)
                width = 19
            elif isinstance(value, int):
                width = len(str(value))
            else:
                # Control characters are not allowed in XLSX XML; drop them, keep the text.
                value = neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))
                width = max((display_width(line) for line in value.splitlines()), default=0)
            widths[index] = max(widths[index], width)
            values.append(value)
        sheet.append(values)
        for index, value in enumerate(values):
            if isinstance(value, datetime):
                sheet.cell(row=sheet.max_row, column=index + 1).number_format = DATE_FORMAT
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(
            MIN_WIDTH, min(MAX_WIDTH, width + 2)
        )
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(sheet.max_row, 1)}"
    add_records_sheets(workbook, incident, tz=tz)
    add_notice_sheets(workbook, incident, tz=tz)
    add_action_items_sheet(workbook, incident, tz=tz)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
