"""What every export reads, gathered once so the PDF, spreadsheets and drafts tell one story.

Times are shown in the exporter's zone *with* the offset (``format_instant``), and the UTC
instant is kept alongside wherever a machine reads the file. Labels are held in both languages
side by side (exports are read by Korean and English readers alike), independent of whether
the UI's Korean catalogue is compiled.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from incidents.facts import current_counts
from incidents.models import (
    AffectedCountRevision,
    Deadline,
    DeadlineStatus,
    EventKind,
    Filing,
    Incident,
    TimelineEvent,
)
from regulators.engine.rules import format_duration_en, format_duration_ko, format_instant

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

LANGUAGES = ("ko", "en")

# Korean labels for event kinds, kept here so exports never depend on a compiled catalogue.
KIND_KO: dict[str, str] = {
    "detection": "탐지",
    "unauthorised_access": "무단 접근",
    "awareness": "인지",
    "containment": "차단·봉쇄",
    "regulator_report": "규제기관 신고",
    "regulator_request": "규제기관 요청",
    "data_subject_notice": "정보주체 통지",
    "public_disclosure": "공개 공지",
    "executive_resignation": "임원 사임",
    "investigation_milestone": "조사 진행",
    "materiality_determination": "중대성 판단",
    "classification_major": "중대 사고 분류",
    "assessment": "신고 대상 판단",
    "new_fact": "새로 확인된 사실",
    "count_revision": "피해 규모 수정",
    "law_enforcement": "수사기관",
    "board": "이사회",
    "press": "언론",
    "penalty": "제재",
    "litigation": "소송",
    "note": "메모",
    "preservation_order": "과기정통부 자료 보전 명령",
    "materials_request": "과기정통부 자료 제출 요구",
    "pipc_materials_request": "개인정보위 자료 제출 요구",
    "onsite_inspection": "개인정보위 현장 조사",
    "corrective_order": "과기정통부 시정 명령",
    "pipc_corrective_order": "개인정보위 시정조치 명령",
    "penalty_notice": "과징금·과태료 처분 통지 수령",
    "interim_announcement": "중간 발표",
    "investigation_result": "조사 결과 발표",
}
KIND_EN: dict[str, str] = {
    "detection": "detection",
    "unauthorised_access": "unauthorised access",
    "awareness": "awareness",
    "containment": "containment",
    "regulator_report": "regulator report",
    "regulator_request": "regulator request",
    "data_subject_notice": "data-subject notice",
    "public_disclosure": "public disclosure",
    "executive_resignation": "executive resignation",
    "investigation_milestone": "investigation milestone",
    "materiality_determination": "materiality determination",
    "classification_major": "classified as major",
    "assessment": "assessed as notifiable",
    "new_fact": "newly confirmed fact",
    "count_revision": "count revision",
    "law_enforcement": "law enforcement",
    "board": "board",
    "press": "press",
    "penalty": "penalty",
    "litigation": "litigation",
    "note": "note",
    "preservation_order": "MSIT preservation order",
    "materials_request": "MSIT request for materials",
    "pipc_materials_request": "PIPC request for materials",
    "onsite_inspection": "PIPC on-site inspection",
    "corrective_order": "MSIT corrective order",
    "pipc_corrective_order": "PIPC corrective order",
    "penalty_notice": "penalty or fine notice received",
    "interim_announcement": "interim announcement",
    "investigation_result": "investigation result",
}
assert set(KIND_KO) == set(EventKind.values) == set(KIND_EN)  # noqa: S101  (kept in step)

CONFIDENCE = {
    "high": ("높음", "high"),
    "medium": ("중간", "medium"),
    "low": ("낮음", "low"),
    "unconfirmed": ("미확인", "not confirmed"),
}
PRECISION = {
    "exact": ("정확", "exact"),
    "date": ("날짜만", "date only"),
    "approximate": ("추정", "approximate"),
}
DEADLINE_STATUS = {
    DeadlineStatus.OPEN: ("진행 중", "open"),
    DeadlineStatus.FILED: ("제출됨", "filed"),
    DeadlineStatus.NOT_APPLICABLE: ("해당 없음", "not applicable"),
    DeadlineStatus.SUPERSEDED: ("대체됨", "superseded"),
}

# Spreadsheet programs run a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Prefix a formula-like text with an apostrophe so Excel and LibreOffice show it as text."""
    if value and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def zone_for(user: User | AnonymousUser | None, tz_name: str | None = None) -> ZoneInfo:
    """The zone an export shows times in: explicit, else the user's profile, else the default."""
    if tz_name:
        return ZoneInfo(tz_name)
    profile = getattr(user, "profile", None) if user is not None else None
    return ZoneInfo(getattr(profile, "time_zone", None) or settings.TIME_ZONE)


def language_for(user: User | AnonymousUser | None, language: str | None) -> str:
    if language in LANGUAGES:
        return str(language)
    profile = getattr(user, "profile", None) if user is not None else None
    preferred = getattr(profile, "language", None)
    return preferred if preferred in LANGUAGES else "ko"


def instant(dt: datetime | None, tz: ZoneInfo) -> str:
    """'2025-11-17 16:00 KST (+09:00)', the same form the deadline explanations use."""
    return "" if dt is None else format_instant(dt.astimezone(tz))


def duration(seconds: int, language: str) -> str:
    td = timedelta(seconds=abs(seconds))
    return format_duration_ko(td) if language == "ko" else format_duration_en(td)


def verdict_text(
    verdict: str, late_by_seconds: int | None, *, language: str, due_at: datetime | None = None
) -> tuple[str, str]:
    """(css class, text) for a verdict, matching the dashboard's wording."""
    ko = language == "ko"
    if verdict == "on_time":
        early = -(late_by_seconds or 0)
        if early > 0:
            return "on-time", (
                f"기한 내 ({duration(early, language)} 전)"
                if ko
                else f"on time ({duration(early, language)} early)"
            )
        return "on-time", "기한 내" if ko else "on time"
    if verdict == "late":
        late = duration(late_by_seconds or 0, language)
        return "late", f"지연 ({late})" if ko else f"late by {late}"
    if verdict == "uncertain":
        return "late", (
            "불확실 (제출일만 알려짐, 기한 당일)"
            if ko
            else "uncertain (filed on the due date, time unknown)"
        )
    if verdict == "no_legal_due":
        return "no-due", "법정 기한 없음 (지체 없이)" if ko else "no legal due time (without delay)"
    if due_at is not None and due_at < timezone.now():
        overdue = duration(int((timezone.now() - due_at).total_seconds()), language)
        return (
            "late",
            f"미제출, 기한 경과 ({overdue})" if ko else f"not filed, overdue by {overdue}",
        )
    return "open", "미제출" if ko else "not yet filed"


# --- Chronology rows (CSV, XLSX, PDF) -----------------------------------------------------------

# Columns read for the chronology: plain columns of one table, no joins (names are looked up in
# small per-incident maps), so a million rows stream at the speed of the database driver.
EVENT_VALUES = (
    "id",
    "occurred_at",
    "precision",
    "entered_tz",
    "kind",
    "title",
    "description",
    "legal_entity_id",
    "source_title",
    "source_url",
    "confidence",
    "basis",
    "supersedes_id",
    "correction_reason",
    "recorded_by_id",
    "recorded_at",
)

# (Korean, English) header of each chronology column; the time columns get their zone appended.
CHRONOLOGY_HEADERS: list[tuple[str, str]] = [
    ("번호", "No."),
    ("발생 시각", "Occurred"),
    ("발생 시각 UTC", "Occurred UTC"),
    ("정밀도", "Precision"),
    ("입력 시간대", "Entered in zone"),
    ("종류", "Kind"),
    ("제목", "Title"),
    ("설명", "Description"),
    ("법인", "Legal entity"),
    ("출처", "Source"),
    ("출처 URL", "Source URL"),
    ("신뢰도", "Confidence"),
    ("관점", "Basis"),
    ("상태", "Status"),
    ("정정 대상", "Corrects No."),
    ("정정 사유", "Reason for correction"),
    ("기록자", "Recorded by"),
    ("기록 시각 UTC", "Recorded UTC"),
]


def chronology_headers(tz: ZoneInfo) -> list[str]:
    headers = [f"{ko} / {en}" for ko, en in CHRONOLOGY_HEADERS]
    headers[1] = f"발생 시각 / Occurred ({tz.key})"
    headers[2] = "발생 시각 / Occurred (UTC)"
    headers[17] = "기록 시각 / Recorded (UTC)"
    return headers


@dataclass
class ChronologyMaps:
    """Names for the ids in event rows, and which event supersedes which (one query each)."""

    entities: dict[int, str]
    users: dict[int, str]
    superseded_by: dict[int, int]

    @classmethod
    def for_incident(cls, incident: Incident) -> ChronologyMaps:
        from django.contrib.auth import get_user_model

        events = TimelineEvent.objects.filter(incident=incident)
        user_model = get_user_model()
        user_ids = events.exclude(recorded_by=None).values("recorded_by_id").distinct()
        return cls(
            entities=dict(incident.entities.values_list("id", "name")),
            users={
                pk: str(name)
                for pk, name in user_model._default_manager.filter(pk__in=user_ids).values_list(
                    "pk", user_model.USERNAME_FIELD
                )
            },
            superseded_by={
                old: new
                for new, old in events.exclude(supersedes=None).values_list("id", "supersedes_id")
            },
        )


def event_values(incident: Incident, *, chunk_size: int = 5000) -> Iterator[dict[str, Any]]:
    """Every event of the incident, oldest first, as plain dicts streamed from the database.

    ``values()`` + ``iterator(chunk_size=...)`` keeps memory bounded (a server-side cursor on
    PostgreSQL) and builds no model instances: a million-event chronology streams in constant
    memory. Names come from ``ChronologyMaps``.
    """
    maps = ChronologyMaps.for_incident(incident)
    for row in (
        TimelineEvent.objects.filter(incident=incident)
        .order_by("occurred_at", "id")
        .values(*EVENT_VALUES)
        .iterator(chunk_size=chunk_size)
    ):
        row["legal_entity__name"] = maps.entities.get(row["legal_entity_id"], "")
        row["recorded_by__username"] = maps.users.get(row["recorded_by_id"], "")
        row["superseded_by__id"] = maps.superseded_by.get(row["id"])
        yield row


def status_text(row: dict[str, Any]) -> str:
    if row["superseded_by__id"] is not None:
        return f"대체됨 / superseded by No. {row['superseded_by__id']}"
    if row["supersedes_id"] is not None:
        return "정정 / correction"
    return "유효 / current"


def chronology_cells(row: dict[str, Any], tz: ZoneInfo) -> list[Any]:
    """One event as cells: the two time columns are aware datetimes, the rest plain values."""
    kind = row["kind"]
    precision = row["precision"]
    confidence = row["confidence"]
    return [
        row["id"],
        row["occurred_at"].astimezone(tz),
        row["occurred_at"].astimezone(UTC),
        PRECISION.get(precision, (precision, precision))[1],
        row["entered_tz"],
        f"{KIND_KO.get(kind, kind)} / {KIND_EN.get(kind, kind)}",
        row["title"],
        row["description"],
        row["legal_entity__name"] or "",
        row["source_title"],
        row["source_url"],
        CONFIDENCE.get(confidence, (confidence, confidence))[1],
        row["basis"],
        status_text(row),
        row["supersedes_id"] or "",
        row["correction_reason"],
        row["recorded_by__username"] or "",
        row["recorded_at"].astimezone(UTC),
    ]


# --- The report (PDF and drafts) ---------------------------------------------------------------


@dataclass
class ReportContext:
    """Everything the incident report shows, already formatted for one zone and language."""

    incident: Incident
    tz: ZoneInfo
    language: str
    as_of: datetime
    exported_by: str
    entities: list[Any] = field(default_factory=list)
    counts_current: dict[str, int] = field(default_factory=dict)
    count_history: list[dict[str, Any]] = field(default_factory=list)
    deadlines: list[dict[str, Any]] = field(default_factory=list)
    filings: list[dict[str, Any]] = field(default_factory=list)
    event_count: int = 0


def _deadline_dict(d: Deadline, tz: ZoneInfo, language: str) -> dict[str, Any]:
    css, verdict = verdict_text(d.verdict, d.late_by_seconds, language=language, due_at=d.due_at)
    if d.status == DeadlineStatus.NOT_APPLICABLE:
        css, verdict = "na", ("해당 없음" if language == "ko" else "not applicable")
    elif d.status == DeadlineStatus.SUPERSEDED:
        css, verdict = "na", ("대체됨" if language == "ko" else "superseded")
    steps = [step.get(language) or step.get("en", "") for step in (d.explanation or [])]
    alternatives = []
    for alt in d.alternatives.all():
        a_css, a_verdict = verdict_text(
            alt.verdict, alt.late_by_seconds, language=language, due_at=alt.due_at
        )
        alternatives.append(
            {
                "basis": alt.basis,
                "trigger_at": instant(alt.trigger_at, tz),
                "due_at": instant(alt.due_at, tz),
                "verdict": a_verdict,
                "css": a_css,
                "explanation": [s.get(language) or s.get("en", "") for s in alt.explanation or []],
            }
        )
    regulator = d.regulator
    return {
        "pk": d.pk,
        "title": d.title,
        "code": d.code,
        "entity": d.legal_entity.name,
        "regulator": (
            (regulator.name_ko if language == "ko" else regulator.name_en) if regulator else ""
        ),
        "citation": d.obligation.citation if d.obligation else "",
        "trigger_at": instant(d.trigger_at, tz),
        "due_at": instant(d.due_at, tz),
        "due_at_utc": d.due_at,
        "without_delay": d.without_delay,
        "internal_target_at": instant(d.internal_target_at, tz),
        "status": DEADLINE_STATUS.get(DeadlineStatus(d.status), (d.status, d.status))[
            0 if language == "ko" else 1
        ],
        "filed_at": instant(d.filed_at, tz),
        "verdict": verdict,
        "css": css,
        "explanation": steps,
        "alternatives": alternatives,
        "not_applicable_reason": d.not_applicable_reason,
        "recomputations": [
            {
                "at": instant(r.changed_at, tz),
                "old": instant(r.old_due_at, tz),
                "new": instant(r.new_due_at, tz),
                "reason": r.reason,
            }
            for r in d.recomputations.all()
        ],
    }


def report_context(
    incident: Incident,
    *,
    tz: ZoneInfo,
    language: str,
    exported_by: str,
    as_of: datetime | None = None,
) -> ReportContext:
    deadlines = (
        Deadline.objects.filter(incident=incident)
        .select_related("legal_entity", "regulator", "obligation")
        .prefetch_related("alternatives", "recomputations")
        .by_urgency()
    )
    filings = (
        Filing.objects.filter(incident=incident)
        .select_related("deadline", "legal_entity", "regulator", "submitted_by")
        .order_by("submitted_at", "id")
    )
    return ReportContext(
        incident=incident,
        tz=tz,
        language=language,
        as_of=as_of or timezone.now(),
        exported_by=exported_by,
        entities=list(incident.entities.order_by("name")),
        counts_current=current_counts(incident),
        count_history=[
            {
                "as_of": instant(c.as_of, tz),
                "jurisdiction": c.jurisdiction,
                "count": c.count,
                "source": c.source,
            }
            for c in AffectedCountRevision.objects.filter(incident=incident).order_by("as_of", "id")
        ],
        deadlines=[_deadline_dict(d, tz, language) for d in deadlines],
        filings=[
            {
                "recipient": f.recipient,
                "regulator": (
                    (f.regulator.name_ko if language == "ko" else f.regulator.name_en)
                    if f.regulator
                    else ""
                ),
                "entity": f.legal_entity.name if f.legal_entity else "",
                "deadline": f.deadline.title if f.deadline else "",
                "submitted_at": instant(f.submitted_at, tz),
                "channel": f.channel,
                "reference_number": f.reference_number,
                "acknowledged_at": instant(f.acknowledged_at, tz),
                "acknowledgement": f.acknowledgement,
                "notes": f.notes,
                "submitted_by": f.submitted_by.get_username() if f.submitted_by else "",
            }
            for f in filings
        ],
        event_count=TimelineEvent.objects.filter(incident=incident).count(),
    )
