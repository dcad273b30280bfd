"""Filing drafts as DOCX for lawyers to edit, filled in from the incident.

Each draft is a list of fields (label, value). A fact the system does not hold is written as a
highlighted "[확인 필요 / MISSING: ...]" marker rather than guessed. Facts not modelled as
fields are read from ``Incident.extra_facts`` under the keys listed in docs/exports.md
(``representative``, ``contact``, ``cause``, ``dpo_contact``, ...).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from exports.data import instant
from incidents.facts import current_counts
from incidents.models import EventKind, Incident, LegalEntity, TimelineEvent

MISSING = "[확인 필요 / MISSING: {what}]"


@dataclass
class Field:
    label: str
    value: str | None  # None: missing, marked for the lawyer
    what: str = ""


@dataclass
class Draft:
    title: str
    intro: str
    fields: list[Field]


def _first(incident: Incident, *kinds: str) -> TimelineEvent | None:
    return (
        TimelineEvent.objects.current()
        .filter(incident=incident, kind__in=kinds)
        .order_by("occurred_at", "id")
        .first()
    )


def _all(incident: Incident, *kinds: str) -> list[TimelineEvent]:
    return list(
        TimelineEvent.objects.current()
        .filter(incident=incident, kind__in=kinds)
        .order_by("occurred_at", "id")
    )


def _entity(
    incident: Incident, *, country: str | None = None, sec: bool = False
) -> LegalEntity | None:
    entities = incident.entities.order_by("name")
    if sec:
        return entities.filter(sec_registrant=True).first() or entities.first()
    if country:
        return entities.filter(country=country).first() or entities.first()
    return entities.first()


def _fact(incident: Incident, key: str) -> str | None:
    value: Any = (incident.extra_facts or {}).get(key)
    if value in (None, "", []):
        return None
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _events_text(events: list[TimelineEvent], tz: ZoneInfo) -> str | None:
    if not events:
        return None
    return "\n".join(f"{instant(e.occurred_at, tz)} {e.title}" for e in events)


def _count(incident: Incident, jurisdictions: tuple[str, ...] | None = None) -> str | None:
    counts = current_counts(incident)
    if jurisdictions:
        counts = {
            j: c
            for j, c in counts.items()
            if j in jurisdictions or j.split("-")[0] in jurisdictions
        }
    if not counts:
        return None
    return "; ".join(f"{j}: {c:,}" for j, c in sorted(counts.items()))


def _when(event: TimelineEvent | None, tz: ZoneInfo) -> str | None:
    return f"{instant(event.occurred_at, tz)} — {event.title}" if event else None


def pipc_draft(incident: Incident, tz: ZoneInfo) -> Draft:
    entity = _entity(incident, country="KR")
    leak = _first(incident, EventKind.UNAUTHORISED_ACCESS)
    aware = _first(incident, EventKind.AWARENESS)
    return Draft(
        title="개인정보 유출 등 신고서 (초안)",
        intro="개인정보 보호법 제34조 제3항 및 같은 법 시행령 제40조에 따른 개인정보보호위원회·한국인터넷진흥원 신고 초안입니다.",
        fields=[
            Field("기관(회사)명", (entity.name_local or entity.name) if entity else None, "기관명"),
            Field("대표자", _fact(incident, "representative"), "대표자"),
            Field(
                "사업자등록번호", _fact(incident, "business_registration_number"), "사업자등록번호"
            ),
            Field("신고 담당자 및 연락처", _fact(incident, "contact"), "담당자 연락처"),
            Field("유출된 개인정보 항목", ", ".join(incident.data_categories) or None, "유출 항목"),
            Field("유출 규모(정보주체 수)", _count(incident, ("KR",)), "유출 규모"),
            Field("유출 시점", _when(leak, tz), "유출 시점"),
            Field("유출 인지 시점", _when(aware, tz), "인지 시점"),
            Field("유출 경위", incident.summary or _fact(incident, "cause"), "유출 경위"),
            Field(
                "피해 최소화를 위해 정보주체가 할 수 있는 방법",
                _fact(incident, "data_subject_guidance"),
                "정보주체 조치 방법",
            ),
            Field(
                "개인정보처리자의 대응조치",
                _events_text(_all(incident, EventKind.CONTAINMENT), tz)
                or _fact(incident, "measures"),
                "대응조치",
            ),
            Field("피해 구제절차", _fact(incident, "relief"), "피해 구제절차"),
            Field("피해 신고·상담 부서 및 연락처", _fact(incident, "helpdesk"), "신고·상담 창구"),
            Field(
                "정보주체 통지 일시",
                _events_text(_all(incident, EventKind.DATA_SUBJECT_NOTICE), tz),
                "정보주체 통지",
            ),
        ],
    )


def kisa_draft(incident: Incident, tz: ZoneInfo) -> Draft:
    entity = _entity(incident, country="KR")
    start = _first(incident, EventKind.UNAUTHORISED_ACCESS)
    detect = _first(incident, EventKind.DETECTION, EventKind.AWARENESS)
    return Draft(
        title="침해사고 신고서 (초안)",
        intro="정보통신망 이용촉진 및 정보보호 등에 관한 법률 제48조의3에 따른 과학기술정보통신부·한국인터넷진흥원 침해사고 신고 초안입니다.",
        fields=[
            Field("기관(회사)명", (entity.name_local or entity.name) if entity else None, "기관명"),
            Field("대표자", _fact(incident, "representative"), "대표자"),
            Field("담당자 및 연락처", _fact(incident, "contact"), "담당자 연락처"),
            Field("침해사고 발생 일시", _when(start, tz), "발생 일시"),
            Field("침해사고 인지(탐지) 일시", _when(detect, tz), "인지 일시"),
            Field(
                "침해사고 원인",
                _fact(incident, "cause")
                or ("외부 공격(해킹)" if incident.external_attack else None),
                "원인",
            ),
            Field("피해 내용", incident.summary or None, "피해 내용"),
            Field("피해 규모", _count(incident), "피해 규모"),
            Field(
                "조치 사항",
                _events_text(_all(incident, EventKind.CONTAINMENT), tz)
                or _fact(incident, "measures"),
                "조치 사항",
            ),
            Field("피해 시스템(서비스)", _fact(incident, "affected_systems"), "피해 시스템"),
        ],
    )


def sec_8k_draft(incident: Incident, tz: ZoneInfo) -> Draft:
    entity = _entity(incident, sec=True)
    materiality = _first(incident, EventKind.MATERIALITY_DETERMINATION)
    return Draft(
        title="Form 8-K — Item 1.05 Material Cybersecurity Incidents (draft skeleton)",
        intro=(
            "Skeleton for counsel. Item 1.05 must be filed within four business days after the "
            "registrant determines the incident is material. Do not include information that would "
            "impede the response or remediation (Instruction 4)."
        ),
        fields=[
            Field(
                "Registrant (exact name as specified in its charter)",
                entity.name if entity else None,
                "registrant",
            ),
            Field(
                "Commission File Number",
                _fact(incident, "sec_file_number"),
                "commission file number",
            ),
            Field(
                "Date of report (date of earliest event reported: materiality determination)",
                _when(materiality, tz),
                "materiality determination date",
            ),
            Field(
                "Item 1.05(a): material aspects of the nature of the incident",
                incident.summary or None,
                "nature",
            ),
            Field(
                "Item 1.05(a): scope (affected people, data categories)",
                "; ".join(filter(None, [_count(incident), ", ".join(incident.data_categories)]))
                or None,
                "scope",
            ),
            Field(
                "Item 1.05(a): timing",
                _events_text(
                    _all(
                        incident,
                        EventKind.UNAUTHORISED_ACCESS,
                        EventKind.DETECTION,
                        EventKind.AWARENESS,
                    ),
                    tz,
                ),
                "timing",
            ),
            Field(
                "Item 1.05(a): material impact or reasonably likely material impact, including on "
                "financial condition and results of operations",
                _fact(incident, "material_impact"),
                "material impact",
            ),
            Field(
                "Information not yet determined or unavailable (Instruction 2; amend within four business days of determining it)",
                _fact(incident, "undetermined"),
                "undetermined information",
            ),
            Field(
                "Signature (duly authorised officer), name and title",
                _fact(incident, "signatory"),
                "signatory",
            ),
        ],
    )


def gdpr_33_draft(incident: Incident, tz: ZoneInfo) -> Draft:
    entity = _entity(incident)
    aware = _first(incident, EventKind.AWARENESS)
    return Draft(
        title="GDPR Article 33 — Notification of a personal data breach to the supervisory authority (draft)",
        intro=(
            "Fields of Art. 33(3). Where the notification is not made within 72 hours of awareness, "
            "give the reasons for the delay (Art. 33(1)). Information may be provided in phases (Art. 33(4))."
        ),
        fields=[
            Field("Controller", entity.name if entity else None, "controller"),
            Field("Time the controller became aware", _when(aware, tz), "awareness"),
            Field(
                "Art. 33(3)(a): nature of the breach",
                incident.summary or None,
                "nature of the breach",
            ),
            Field(
                "Art. 33(3)(a): categories of personal data",
                ", ".join(incident.data_categories) or None,
                "data categories",
            ),
            Field(
                "Art. 33(3)(a): approximate number of data subjects concerned",
                _count(incident),
                "number of data subjects",
            ),
            Field(
                "Art. 33(3)(a): approximate number of personal data records",
                _fact(incident, "records"),
                "number of records",
            ),
            Field(
                "Art. 33(3)(b): DPO or other contact point",
                _fact(incident, "dpo_contact"),
                "DPO contact",
            ),
            Field(
                "Art. 33(3)(c): likely consequences",
                _fact(incident, "consequences"),
                "likely consequences",
            ),
            Field(
                "Art. 33(3)(d): measures taken or proposed, including to mitigate adverse effects",
                _events_text(_all(incident, EventKind.CONTAINMENT), tz)
                or _fact(incident, "measures"),
                "measures",
            ),
            Field(
                "Reasons for delay (if later than 72 hours)",
                _fact(incident, "delay_reasons"),
                "reasons for delay",
            ),
        ],
    )


DRAFTS = {
    "pipc": pipc_draft,
    "kisa": kisa_draft,
    "sec-8k": sec_8k_draft,
    "gdpr-33": gdpr_33_draft,
}


def draft_for(incident: Incident, kind: str, tz: ZoneInfo) -> Draft:
    return DRAFTS[kind](incident, tz)


def draft_docx(incident: Incident, *, kind: str, tz: ZoneInfo, exported_by: str) -> bytes:
    from docx import Document
    from docx.enum.text import WD_COLOR_INDEX
    from docx.oxml.ns import qn
    from docx.shared import Pt

    draft = draft_for(incident, kind, tz)
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Noto Sans CJK KR"  # type: ignore[attr-defined]
    style.font.size = Pt(10)  # type: ignore[attr-defined]
    # East Asian text uses its own font slot in Word.
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Sans CJK KR")  # type: ignore[attr-defined]
    document.add_heading(draft.title, level=1)
    document.add_paragraph(f"{incident.reference} — {incident.title}")
    document.add_paragraph(draft.intro)
    meta = document.add_paragraph()
    meta.add_run(
        f"초안 작성 / Drafted: {instant(incident.updated_at, tz)}; "
        f"내보낸 사람 / Exported by: {exported_by}"
    ).italic = True
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for field in draft.fields:
        cells = table.add_row().cells
        cells[0].text = field.label
        cells[0].paragraphs[0].runs[0].bold = True
        paragraph = cells[1].paragraphs[0]
        if field.value:
            lines = field.value.splitlines()
            for index, line in enumerate(lines):
                run = paragraph.add_run(line)
                if index < len(lines) - 1:
                    run.add_break()
        else:
            run = paragraph.add_run(MISSING.format(what=field.what or field.label))
            run.bold = True
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    document.add_paragraph()
    document.add_paragraph(
        "이 초안은 Incident Clock의 기록에서 자동으로 채워졌습니다. 표시된 항목은 제출 전에 확인해야 합니다. "
        "/ Filled in automatically from Incident Clock's record; check every marked field before filing."
    )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
