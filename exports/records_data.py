"""Correspondence and evidence in the exports (PDF sections, XLSX sheets); the JSON side is in
``exports.jsonio_records``.

Every export that lists evidence records an "exported" custody entry for each item it listed:
the readers below note the ids they listed in ``listed_evidence`` (a context variable that
``exports.services.export_render`` opens around one rendering), and ``export_render`` writes the
custody entries once the file exists. A rendering outside ``export_render`` (a test, a preview)
lists without recording.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q

from exports.data import instant
from incidents.models import Incident
from records.models import Correspondence, CustodyAction, Evidence

listed_evidence: ContextVar[set[int] | None] = ContextVar("listed_evidence", default=None)

DIRECTION = {"in": ("수신", "incoming"), "out": ("발신", "outgoing")}
CHANNEL = {
    "letter": ("서신", "letter"),
    "email": ("이메일", "e-mail"),
    "call": ("전화", "call"),
    "meeting": ("회의", "meeting"),
    "portal": ("온라인 창구", "online portal"),
    "fax": ("팩스", "fax"),
    "other": ("기타", "other"),
}
TARGET = {
    "event": ("사건", "event"),
    "filing": ("제출", "filing"),
    "action_item": ("조치 항목", "action item"),
    "correspondence": ("서신·연락", "correspondence"),
}
CUSTODY = {
    "uploaded": ("업로드", "uploaded"),
    "viewed": ("열람", "viewed"),
    "downloaded": ("다운로드", "downloaded"),
    "exported": ("내보내기", "exported"),
}
LABELS = {
    "correspondence": (
        "규제기관·당국과의 서신·연락",
        "Correspondence with regulators and authorities",
    ),
    "evidence": ("증거 자료", "Evidence"),
    "when": ("일시", "Date and time"),
    "direction": ("방향", "Direction"),
    "counterpart": ("상대방", "Counterpart"),
    "channel": ("수단", "Channel"),
    "subject": ("제목", "Subject"),
    "summary": ("요약", "Summary"),
    "attachments": ("첨부", "Attachments"),
    "file": ("파일", "File"),
    "attached_to": ("연결 대상", "Attached to"),
    "type": ("유형", "Type"),
    "size": ("크기(바이트)", "Size (bytes)"),
    "uploaded": ("업로드", "Uploaded"),
    "custody": ("보관 이력 요약", "Custody summary"),
    "none": ("없음", "none"),
}


def _pick(pair: tuple[str, str], language: str) -> str:
    return pair[0] if language == "ko" else pair[1]


@contextmanager
def evidence_listing() -> Iterator[set[int]]:
    """Collect the ids of the evidence items the rendering inside lists."""
    seen: set[int] = set()
    token = listed_evidence.set(seen)
    try:
        yield seen
    finally:
        listed_evidence.reset(token)


def note_listed(ids: Any) -> None:
    seen = listed_evidence.get()
    if seen is not None:
        seen.update(int(i) for i in ids)


def counterpart(corr: Correspondence, language: str) -> str:
    if corr.regulator is not None:
        return corr.regulator.name_ko if language == "ko" else corr.regulator.name_en
    return corr.authority


def target_text(item: Evidence, language: str) -> str:
    kind = item.target_kind
    label = _pick(TARGET.get(kind, (kind, kind)), language)
    target = item.target
    if kind == "event":
        name = getattr(target, "title", "")
    elif kind == "filing":
        name = getattr(target, "recipient", "")
    elif kind == "correspondence":
        name = getattr(target, "subject", "")
    else:
        name = getattr(target, "title", "")
    return f"{label}: {name}"


def custody_text(item: Any, language: str) -> str:
    parts = []
    for action in CustodyAction:
        count = int(getattr(item, f"custody_{action}", 0))
        if count:
            parts.append(f"{_pick(CUSTODY[action], language)} {count}")
    return ", ".join(parts)


def evidence_rows(incident: Incident) -> list[Evidence]:
    """All evidence of the incident with its target and custody counts (one query)."""
    items = list(
        Evidence.objects.filter(incident=incident)
        .select_related("event", "filing", "action_item", "correspondence", "uploaded_by")
        .annotate(
            **{
                f"custody_{action}": Count("custody", filter=Q(custody__action=action))
                for action in CustodyAction
            }
        )
        .order_by("uploaded_at", "id")
    )
    note_listed(item.pk for item in items)
    return items


def correspondence_rows(incident: Incident) -> list[Correspondence]:
    return list(
        Correspondence.objects.filter(incident=incident)
        .select_related("regulator")
        .order_by("occurred_at", "id")
    )


@dataclass
class RecordsReport:
    labels: dict[str, tuple[str, str]]
    correspondence: list[dict[str, Any]] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)


def records_report(incident: Incident, *, tz: ZoneInfo, language: str) -> RecordsReport:
    """The PDF's correspondence and evidence sections, formatted for one zone and language."""
    other = "en" if language == "ko" else "ko"
    labels = {key: (_pick(pair, language), _pick(pair, other)) for key, pair in LABELS.items()}
    evidence = evidence_rows(incident)
    by_letter: dict[int, list[str]] = {}
    for item in evidence:
        if item.correspondence_id is not None:
            by_letter.setdefault(item.correspondence_id, []).append(item.original_name)
    return RecordsReport(
        labels=labels,
        correspondence=[
            {
                "when": instant(c.occurred_at, tz),
                "direction": _pick(DIRECTION[c.direction], language),
                "counterpart": counterpart(c, language),
                "channel": _pick(CHANNEL.get(c.channel, (c.channel, c.channel)), language),
                "subject": c.subject,
                "reference_number": c.reference_number,
                "summary": c.summary,
                "attachments": by_letter.get(c.pk, []),
            }
            for c in correspondence_rows(incident)
        ],
        evidence=[
            {
                "name": e.original_name,
                "attached_to": target_text(e, language),
                "type": e.content_type,
                "size": e.size,
                "sha256": e.sha256,
                "uploaded": instant(e.uploaded_at, tz),
                "uploaded_by": e.uploaded_by.get_username(),
                "custody": custody_text(e, language),
            }
            for e in evidence
        ],
    )
