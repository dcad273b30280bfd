"""The Correspondence and Evidence sheets of the XLSX export (zone in the header, real dates)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from exports.data import neutralise
from exports.records_data import (
    CHANNEL,
    DIRECTION,
    correspondence_rows,
    counterpart,
    custody_text,
    evidence_rows,
    target_text,
)
from incidents.models import Incident

DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"


def _text(value: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # optional dependency, as in xlsx.py

    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))


def _sheet(workbook: Any, title: str, headers: list[str], rows: list[list[Any]]) -> None:
    from openpyxl.styles import Font  # optional dependency, as in xlsx.py
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title)
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
        for index, value in enumerate(row, start=1):
            if hasattr(value, "year"):
                sheet.cell(row=sheet.max_row, column=index).number_format = DATE_FORMAT
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(70, len(header) + 4))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(sheet.max_row, 1)}"


def add_records_sheets(workbook: Any, incident: Incident, *, tz: ZoneInfo) -> None:
    zone = tz.key
    _sheet(
        workbook,
        "Correspondence",
        [
            f"Date and time ({zone})",
            "Direction",
            "Counterpart",
            "Channel",
            "Subject",
            "Reference number",
            "Summary",
        ],
        [
            [
                c.occurred_at.astimezone(tz).replace(tzinfo=None),
                DIRECTION[c.direction][1],
                _text(counterpart(c, "en")),
                CHANNEL.get(c.channel, (c.channel, c.channel))[1],
                _text(c.subject),
                _text(c.reference_number),
                _text(c.summary),
            ]
            for c in correspondence_rows(incident)
        ],
    )
    _sheet(
        workbook,
        "Evidence",
        [
            "File",
            "Attached to",
            "Type (checked from the bytes)",
            "Size (bytes)",
            "SHA-256",
            f"Uploaded ({zone})",
            "Uploaded by",
            "Custody summary",
        ],
        [
            [
                _text(e.original_name),
                _text(target_text(e, "en")),
                e.content_type,
                e.size,
                e.sha256,
                e.uploaded_at.astimezone(tz).replace(tzinfo=None),
                e.uploaded_by.get_username(),
                custody_text(e, "en"),
            ]
            for e in evidence_rows(incident)
        ],
    )
