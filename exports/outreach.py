"""Notification campaigns in the PDF (a section) and the XLSX (two sheets): each notice deadline,
its campaign, the progress per jurisdiction and every batch. Labels in both languages, as in
the rest of the exports (exports/pdf.py)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from exports.data import instant, neutralise
from incidents.models import Incident
from outreach.models import NoticeMethod
from outreach.selectors import notice_progress

LABELS: dict[str, tuple[str, str]] = {
    "title": ("정보주체 통지 현황", "Notifying the people affected"),
    "method": ("주된 통지 방법", "Main method"),
    "substitute": ("대체 통지(홈페이지 게시 등)", "Substitute notice (website posting etc.)"),
    "condition": ("대체 통지 요건", "Condition for substitute notice"),
    "why": ("요건 충족 사유", "Why it holds"),
    "no_campaign": ("통지 계획 없음", "No campaign set up"),
    "jurisdiction": ("관할", "Jurisdiction"),
    "population": ("피해 인원(최신)", "Affected (latest count)"),
    "notified": ("통지 완료", "Notified"),
    "failed": ("실패·반송", "Failed or bounced"),
    "to_notify": ("미통지", "To notify"),
    "batches": ("발송 내역", "Batches sent"),
    "sent_at": ("발송 시각", "Sent at"),
    "count": ("발송 수", "Sent"),
    "notes": ("비고", "Notes"),
    "due": ("기한", "Due"),
}

METHOD_LABELS: dict[str, tuple[str, str]] = {
    NoticeMethod.EMAIL: ("이메일", "e-mail"),
    NoticeMethod.SMS: ("문자(SMS)", "SMS"),
    NoticeMethod.LETTER: ("우편", "letter"),
    NoticeMethod.WEBSITE: ("홈페이지 게시(대체 통지)", "website posting (substitute notice)"),
}


def labels(language: str) -> dict[str, tuple[str, str]]:
    if language == "ko":
        return dict(LABELS)
    return {key: (en, ko) for key, (ko, en) in LABELS.items()}


def _method(value: str, language: str) -> str:
    ko, en = METHOD_LABELS.get(value, (value, value))
    return ko if language == "ko" else en


def notice_sections(incident: Incident, *, tz: ZoneInfo, language: str) -> list[dict[str, Any]]:
    """One dict per notice deadline for the PDF template (four queries)."""
    sections = []
    for item in notice_progress(incident):
        deadline, campaign = item.deadline, item.campaign
        obligation = deadline.obligation
        title = deadline.title
        if obligation is not None:
            title = (
                (obligation.title_ko or obligation.title_en)
                if language == "ko"
                else obligation.title_en
            )
        sections.append(
            {
                "title": title,
                "code": deadline.code,
                "due": instant(deadline.due_at, tz),
                "method": _method(campaign.method, language) if campaign else "",
                "campaign": campaign is not None,
                "substitute": bool(campaign and campaign.substitute_notice),
                "condition": f"{item.rule.citation}: {item.rule.condition} {item.rule.measure}",
                "why": campaign.substitute_reason if campaign else "",
                "notes": campaign.notes if campaign else "",
                "rows": [
                    {
                        "jurisdiction": r.jurisdiction,
                        "population": f"{r.population:,}",
                        "notified": f"{r.notified:,} ({r.percent}%)",
                        "failed": f"{r.failed:,}",
                        "to_notify": f"{r.to_notify:,}",
                    }
                    for r in item.rows
                ],
                "batches": [
                    {
                        "sent_at": instant(b.sent_at, tz),
                        "jurisdiction": b.jurisdiction,
                        "method": _method(b.method, language),
                        "count": f"{b.count:,}",
                        "failed": f"{b.failures:,}",
                        "notes": " ".join(x for x in (b.failure_note, b.over_population_note) if x),
                    }
                    for b in item.batches
                ],
            }
        )
    return sections


CAMPAIGN_HEADERS = [
    "Deadline code",
    "Jurisdiction",
    "Affected (latest count)",
    "Notified",
    "Failed or bounced",
    "To notify",
    "Percent notified",
    "Main method",
    "Substitute notice",
    "Why the condition holds",
]
BATCH_HEADERS = [
    "Deadline code",
    "Sent at ({zone})",
    "Jurisdiction",
    "Method",
    "Sent",
    "Failed or bounced",
    "About the failures",
    "Why more than the population",
    "Population when recorded",
    "Recorded by",
]


def add_sheets(workbook: Any, incident: Incident, *, tz: ZoneInfo) -> None:
    """Two sheets: progress per notice deadline and jurisdiction, and every batch."""
    from openpyxl.styles import Font

    progress = notice_progress(incident)
    campaigns = workbook.create_sheet("Notice campaigns")
    campaigns.append(CAMPAIGN_HEADERS)
    batches = workbook.create_sheet("Notice batches")
    batches.append([h.format(zone=tz.key) for h in BATCH_HEADERS])
    for sheet in (campaigns, batches):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    for item in progress:
        campaign = item.campaign
        for r in item.rows:
            campaigns.append(
                [
                    item.deadline.code,
                    r.jurisdiction,
                    r.population,
                    r.notified,
                    r.failed,
                    r.to_notify,
                    r.percent,
                    campaign.method if campaign else "",
                    "yes" if campaign and campaign.substitute_notice else "no",
                    neutralise(campaign.substitute_reason) if campaign else "",
                ]
            )
        for b in item.batches:
            batches.append(
                [
                    item.deadline.code,
                    # Excel has no zones: the wall time in the zone the header names.
                    b.sent_at.astimezone(tz).replace(tzinfo=None),
                    b.jurisdiction,
                    b.method,
                    b.count,
                    b.failures,
                    neutralise(b.failure_note),
                    neutralise(b.over_population_note),
                    b.population_at_record,
                    b.recorded_by.get_username(),
                ]
            )
            batches.cell(row=batches.max_row, column=2).number_format = "yyyy-mm-dd hh:mm:ss"
