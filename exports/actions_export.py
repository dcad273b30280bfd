"""Action items in the PDF report (a section) and the XLSX workbook (a sheet of their own).

One row builder for both, in the reader's zone (with the offset) and language.
"""

from __future__ import annotations

import unicodedata
from typing import Any
from zoneinfo import ZoneInfo

from actions.models import ActionItem
from exports.data import instant, neutralise
from incidents.models import Incident

# (Korean, English) headings, like exports.pdf.LABELS.
LABELS: dict[str, tuple[str, str]] = {
    "action_items": ("조치 항목", "Action items"),
    "task": ("작업", "Task"),
    "owner": ("담당자", "Owner"),
    "due": ("기한", "Due"),
    "status": ("상태", "Status"),
    "completed": ("완료 시각", "Completed"),
    "reason": ("사유", "Reason"),
    "answers": ("대응 대상", "Answers"),
    "created_by": ("작성자", "Created by"),
    "created": ("작성 시각", "Created"),
    "none": ("없음", "none"),
}
STATUS: dict[str, tuple[str, str]] = {
    "open": ("진행 중", "open"),
    "done": ("완료", "done"),
    "cancelled": ("취소됨", "cancelled"),
}


def labels(language: str) -> dict[str, tuple[str, str]]:
    """Each label with the reader's language first."""
    first = 0 if language == "ko" else 1
    return {key: (pair[first], pair[1 - first]) for key, pair in LABELS.items()}


def _answers(item: ActionItem, language: str) -> str:
    parts: list[str] = []
    if item.deadline is not None:
        deadline = item.deadline
        obligation = deadline.obligation
        if obligation is not None:
            parts.append(obligation.title_ko if language == "ko" else obligation.title_en)
        else:
            parts.append(deadline.title)
    if item.event is not None:
        parts.append(f"{item.event.get_kind_display()}: {item.event.title}")
    return " / ".join(parts)


def action_item_rows(incident: Incident, *, tz: ZoneInfo, language: str) -> list[dict[str, Any]]:
    """Open items first (soonest due), then done and cancelled; times in ``tz``."""
    items = (
        ActionItem.objects.filter(incident=incident)
        .select_related("owner", "created_by", "deadline__obligation", "event")
        .order_by("status", "due_at", "id")
    )
    order = {"open": 0, "done": 1, "cancelled": 2}
    rows = []

    def rank(i: ActionItem) -> tuple[int, bool, float, int]:
        return (
            order.get(i.status, 3),
            i.due_at is None,
            i.due_at.timestamp() if i.due_at else 0,
            i.pk,
        )

    for item in sorted(items, key=rank):
        ko, en = STATUS.get(item.status, (item.status, item.status))
        rows.append(
            {
                "title": item.title,
                "description": item.description,
                "owner": item.owner.get_full_name() or item.owner.get_username(),
                "due_at": item.due_at,
                "due": instant(item.due_at, tz),
                "status": ko if language == "ko" else en,
                "completed_at": item.completed_at,
                "completed": instant(item.completed_at, tz),
                "reason": item.status_reason,
                "answers": _answers(item, language),
                "created_by": item.created_by.get_username(),
                "created_at": item.created_at,
            }
        )
    return rows


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def add_action_items_sheet(workbook: Any, incident: Incident, *, tz: ZoneInfo) -> None:
    """A sheet "Action items": real date cells (the zone named in the header), frozen header,
    filters; every text neutralised against formula injection."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet("Action items")
    zone = tz.key
    headers = [
        "Task",
        "Owner",
        f"Due ({zone})",
        "Status",
        f"Completed ({zone})",
        "Reason",
        "Answers",
        "Created by",
        f"Created ({zone})",
        "Details",
    ]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [_width(h) for h in headers]
    for row in action_item_rows(incident, tz=tz, language="en"):
        values: list[Any] = [
            row["title"],
            row["owner"],
            row["due_at"],
            row["status"],
            row["completed_at"],
            row["reason"],
            row["answers"],
            row["created_by"],
            row["created_at"],
            row["description"],
        ]
        cells: list[Any] = []
        for index, value in enumerate(values):
            if value is None:
                value = ""
            elif hasattr(value, "astimezone"):
                value = value.astimezone(tz).replace(tzinfo=None)  # Excel has no zones
            else:
                value = neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))
            widths[index] = max(widths[index], 19 if not isinstance(value, str) else _width(value))
            cells.append(value)
        sheet.append(cells)
        for index, value in enumerate(cells, start=1):
            if not isinstance(value, str):
                sheet.cell(row=sheet.max_row, column=index).number_format = "yyyy-mm-dd hh:mm:ss"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(6, min(80, width + 2))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(sheet.max_row, 1)}"
