"""The notice to the people affected, drafted from the incident: DOCX for the lawyers, plain text
for e-mail, and a short SMS form, in Korean and English.

The five items are those PIPA Art. 34(1) requires (1: which personal data; 2: when and how it
leaked; 3: what the person can do to reduce harm; 4: what the controller does about it and how
to seek redress; 5: whom to contact to report damage). A fact the record does not hold is written
as a clearly marked placeholder, never guessed. Facts not modelled as fields are read from
``Incident.extra_facts`` under the same keys the filing drafts use (docs/exports.md):
``data_subject_guidance``, ``measures``, ``relief``, ``helpdesk``, ``contact``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from docx import Document
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.shared import Pt

from incidents.models import Deadline, EventKind, Incident, TimelineEvent
from regulators.engine.basics import format_instant

LANGUAGES = ("ko", "en")
PLACEHOLDER = {"ko": "[확인 필요: {what}]", "en": "[TO BE COMPLETED: {what}]"}
FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "txt": "text/plain; charset=utf-8",
    "sms": "text/plain; charset=utf-8",
}

_TEXT: dict[str, dict[str, str]] = {
    "ko": {
        "title": "개인정보 유출 사실 안내",
        "greeting": "고객님께,\n{name}은(는) 고객님의 개인정보가 유출된 사실을 확인하여 개인정보 보호법 "
        "제34조에 따라 다음과 같이 알려드립니다. 불편과 우려를 끼쳐 드려 진심으로 사과드립니다.",
        "item1": "1. 유출된 개인정보 항목",
        "item2": "2. 유출된 시점과 그 경위",
        "item3": "3. 피해를 최소화하기 위하여 고객님께서 하실 수 있는 방법",
        "item4": "4. 회사의 대응조치 및 피해 구제절차",
        "item5": "5. 피해 신고·상담 부서 및 연락처",
        "leak_at": "유출 시점",
        "aware_at": "유출 인지 시점",
        "how": "경위",
        "measures": "대응조치",
        "relief": "피해 구제절차",
        "closing": "확인되지 않은 사항은 확인되는 대로 추가로 알려드리겠습니다.",
        "draft_note": "초안 — 발송 전 법무 검토 필요",
        "what_categories": "유출 항목",
        "what_leak_at": "유출 시점",
        "what_how": "유출 경위",
        "what_guidance": "정보주체 조치 방법",
        "what_measures": "대응조치",
        "what_relief": "피해 구제절차(분쟁조정·손해배상 청구 안내 등)",
        "what_helpdesk": "신고·상담 부서와 전화번호",
        "what_name": "회사명",
        "sms": "[{name}] 개인정보 유출 안내: {categories} 유출({leak_at}). 조치방법·상세: {link} 문의 {helpdesk}",
        "what_link": "안내 페이지 주소",
    },
    "en": {
        "title": "Notice of a personal data breach",
        "greeting": "Dear customer,\n{name} has confirmed that your personal information was leaked "
        "and informs you as follows (Korean Personal Information Protection Act, Art. 34). We "
        "sincerely apologise for the concern this causes.",
        "item1": "1. Which personal information was leaked",
        "item2": "2. When and how it leaked",
        "item3": "3. What you can do to reduce possible harm",
        "item4": "4. What we are doing about it, and how to seek redress",
        "item5": "5. Whom to contact to report damage or ask questions",
        "leak_at": "Leaked",
        "aware_at": "We became aware",
        "how": "How",
        "measures": "Measures",
        "relief": "Redress",
        "closing": "We will tell you the points not yet confirmed as soon as they are.",
        "draft_note": "DRAFT — legal review required before sending",
        "what_categories": "data items leaked",
        "what_leak_at": "time of the leak",
        "what_how": "how it leaked",
        "what_guidance": "what the person can do",
        "what_measures": "measures taken",
        "what_relief": "redress procedure (mediation, damages claims)",
        "what_helpdesk": "help desk and telephone number",
        "what_name": "company name",
        "sms": "[{name}] Data breach notice: {categories} leaked ({leak_at}). What to do and "
        "details: {link} Contact: {helpdesk}",
        "what_link": "notice page address",
    },
}


@dataclass
class NoticeItem:
    heading: str
    lines: list[tuple[str, str | None, str]]  # (label or "", value or None, what is missing)


@dataclass
class NoticeDraft:
    language: str
    title: str
    sender: str | None
    greeting: str
    items: list[NoticeItem]
    closing: str
    draft_note: str
    facts: dict[str, str | None]


def _fact(incident: Incident, key: str) -> str | None:
    value: Any = (incident.extra_facts or {}).get(key)
    if value in (None, "", []):
        return None
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _events(incident: Incident, *kinds: str) -> list[TimelineEvent]:
    return list(
        TimelineEvent.objects.current()
        .filter(incident=incident, kind__in=kinds)
        .order_by("occurred_at", "id")
    )


def notice_draft(
    incident: Incident, deadline: Deadline, *, language: str, tz: ZoneInfo
) -> NoticeDraft:
    """The notice, filled from the incident (five queries)."""
    text = _TEXT[language if language in _TEXT else "ko"]
    entity = deadline.legal_entity
    name = (entity.name_local or entity.name) if language == "ko" else entity.name
    events = _events(
        incident, EventKind.UNAUTHORISED_ACCESS, EventKind.AWARENESS, EventKind.CONTAINMENT
    )
    leak = next((e for e in events if e.kind == EventKind.UNAUTHORISED_ACCESS), None)
    aware = next((e for e in events if e.kind == EventKind.AWARENESS), None)
    containment = [e for e in events if e.kind == EventKind.CONTAINMENT]

    def when(event: TimelineEvent | None) -> str | None:
        return format_instant(event.occurred_at.astimezone(tz)) if event else None

    measures = "\n".join(
        f"{format_instant(e.occurred_at.astimezone(tz))} {e.title}" for e in containment
    ) or _fact(incident, "measures")
    facts: dict[str, str | None] = {
        "name": name or None,
        "categories": ", ".join(map(str, incident.data_categories or [])) or None,
        "leak_at": when(leak),
        "aware_at": when(aware),
        "how": incident.summary or _fact(incident, "cause"),
        "guidance": _fact(incident, "data_subject_guidance"),
        "measures": measures,
        "relief": _fact(incident, "relief"),
        "helpdesk": _fact(incident, "helpdesk") or _fact(incident, "contact"),
    }
    items = [
        NoticeItem(text["item1"], [("", facts["categories"], text["what_categories"])]),
        NoticeItem(
            text["item2"],
            [
                (text["leak_at"], facts["leak_at"], text["what_leak_at"]),
                (text["aware_at"], facts["aware_at"], text["aware_at"]),
                (text["how"], facts["how"], text["what_how"]),
            ],
        ),
        NoticeItem(text["item3"], [("", facts["guidance"], text["what_guidance"])]),
        NoticeItem(
            text["item4"],
            [
                (text["measures"], facts["measures"], text["what_measures"]),
                (text["relief"], facts["relief"], text["what_relief"]),
            ],
        ),
        NoticeItem(text["item5"], [("", facts["helpdesk"], text["what_helpdesk"])]),
    ]
    language = language if language in _TEXT else "ko"
    return NoticeDraft(
        language=language,
        title=text["title"],
        sender=facts["name"],
        greeting=text["greeting"].format(name=name or missing(language, text["what_name"])),
        items=items,
        closing=text["closing"],
        draft_note=text["draft_note"],
        facts=facts,
    )


def missing(language: str, what: str) -> str:
    return PLACEHOLDER[language].format(what=what)


def as_text(draft: NoticeDraft) -> str:
    """The notice as an e-mail body."""
    lines = [draft.title, "", draft.greeting, ""]
    for item in draft.items:
        lines.append(item.heading)
        for label, value, what in item.lines:
            shown = value if value else missing(draft.language, what)
            prefix = f"- {label}: " if label else "- "
            lines.append(prefix + shown.replace("\n", "\n  "))
        lines.append("")
    lines += [draft.closing, "", draft.sender or missing(draft.language, "—")]
    return "\n".join(lines) + "\n"


def as_sms(draft: NoticeDraft) -> str:
    """A short form for SMS: what leaked, when, where to read the full notice, whom to call."""
    text = _TEXT[draft.language]
    facts = draft.facts

    def get(key: str, what: str) -> str:
        return facts.get(key) or missing(draft.language, text[what])

    return (
        text["sms"].format(
            name=get("name", "what_name"),
            categories=get("categories", "what_categories"),
            leak_at=get("leak_at", "what_leak_at"),
            link=missing(draft.language, text["what_link"]),
            helpdesk=get("helpdesk", "what_helpdesk"),
        )
        + "\n"
    )


def as_docx(draft: NoticeDraft, *, reference: str) -> bytes:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Noto Sans CJK KR"  # type: ignore[attr-defined]
    style.font.size = Pt(10)  # type: ignore[attr-defined]
    # East Asian text uses its own font slot in Word.
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Sans CJK KR")  # type: ignore[attr-defined]
    document.add_heading(draft.title, level=1)
    note = document.add_paragraph()
    note.add_run(f"{draft.draft_note} · {reference}").italic = True
    for greeting_line in draft.greeting.split("\n"):
        document.add_paragraph(greeting_line)
    for item in draft.items:
        document.add_heading(item.heading, level=2)
        for label, value, what in item.lines:
            paragraph = document.add_paragraph()
            if label:
                paragraph.add_run(f"{label}: ").bold = True
            if value:
                lines = value.splitlines()
                for index, line in enumerate(lines):
                    run = paragraph.add_run(line)
                    if index < len(lines) - 1:
                        run.add_break()
            else:
                run = paragraph.add_run(missing(draft.language, what))
                run.bold = True
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    document.add_paragraph(draft.closing)
    document.add_paragraph(draft.sender or missing(draft.language, "—"))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render(
    incident: Incident, deadline: Deadline, *, language: str, fmt: str, tz: ZoneInfo
) -> tuple[bytes, str, str]:
    """(data, filename, content type) of one draft."""
    draft = notice_draft(incident, deadline, language=language, tz=tz)
    stem = f"{incident.reference}-notice-{deadline.pk}-{draft.language}"
    if fmt == "docx":
        return as_docx(draft, reference=incident.reference), f"{stem}.docx", FORMATS["docx"]
    if fmt == "sms":
        return as_sms(draft).encode(), f"{stem}-sms.txt", FORMATS["sms"]
    return as_text(draft).encode(), f"{stem}.txt", FORMATS["txt"]
