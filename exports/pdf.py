"""The incident report as PDF, rendered by WeasyPrint from templates/exports/incident_report.html.

WeasyPrint (and its Pango/HarfBuzz system libraries) is imported only here, when a PDF is made,
so the rest of the site runs without them; a missing library raises ``ExportUnavailable`` with
what to install (``exports.checks`` also warns at start). The Korean glyphs come from
the font shipped in ``static/fonts/`` (a subset of Noto Sans CJK KR, see tools/fonts/), loaded
through ``@font-face``, so the PDF never depends on a system CJK font; a system font named in
``settings.EXPORT_PDF_FONT_FAMILY`` comes first when set.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from exports import outreach as outreach_export
from exports.actions_export import action_item_rows
from exports.actions_export import labels as action_labels
from exports.checks import (
    INSTALL_PANGO,
    SHIPPED_FONT_FAMILY,
    SHIPPED_FONT_FILES,
    missing_pdf_libraries,
    shipped_font_dir,
)
from exports.data import (
    CONFIDENCE,
    KIND_EN,
    KIND_KO,
    PRECISION,
    event_values,
    instant,
    report_context,
)
from exports.errors import ExportUnavailable
from exports.fonts import unpacked_font
from exports.records_data import records_report
from incidents.models import Incident

Progress = Callable[[int], None]

# (Korean, English) for every heading and label of the report; the reader's language comes first.
LABELS: dict[str, tuple[str, str]] = {
    "report": ("사고 보고서", "Incident report"),
    "reference": ("사고 번호", "Reference"),
    "as_of": ("기준 시각", "As of"),
    "exported_by": ("작성자(내보낸 사람)", "Exported by"),
    "chain_head": ("감사 로그 체인 헤드", "Audit-log chain head"),
    "zone": ("표시 시간대", "Times shown in"),
    "entities": ("관련 법인", "Legal entities"),
    "facts": ("주요 사실", "Key facts"),
    "counts": ("피해 규모 변경 이력", "Affected-count history"),
    "deadlines": ("법정 기한", "Deadlines"),
    "filings": ("제출 내역", "Filings"),
    "chronology": ("경과 (전체 타임라인)", "Chronology (full timeline)"),
    "severity": ("심각도", "Severity"),
    "status": ("상태", "Status"),
    "owner": ("책임자", "Owner"),
    "team": ("팀", "Team"),
    "summary": ("요약", "Summary"),
    "data_categories": ("유출 항목", "Data categories"),
    "external_attack": ("외부 공격(해킹)", "External attack (hacking)"),
    "sensitive_data": ("민감정보", "Sensitive data"),
    "unique_identifiers": ("고유식별정보", "Unique identifiers"),
    "current_counts": ("현재 피해 규모", "Current affected counts"),
    "reconstruction": (
        "공개 보도를 바탕으로 재구성한 사례입니다.",
        "Reconstruction from public reporting.",
    ),
    "name": ("이름", "Name"),
    "country": ("국가", "Country"),
    "role": ("역할", "Role"),
    "jurisdiction": ("관할", "Jurisdiction"),
    "count": ("인원", "Count"),
    "source": ("출처", "Source"),
    "recorded_by": ("기록자", "Recorded by"),
    "trigger": ("기산 시점", "Trigger"),
    "due": ("기한", "Due"),
    "without_delay": ("지체 없이 (법정 시간 없음)", "without delay (no legal time)"),
    "internal_target": ("내부 목표", "Internal target"),
    "verdict": ("판정", "Verdict"),
    "filed": ("최초 제출", "First filed"),
    "explanation": ("계산 근거", "How it was counted"),
    "alternatives": ("다른 기산 시점", "Alternative triggers"),
    "basis": ("관점", "Basis"),
    "not_applicable": ("해당 없음 사유", "Not applicable because"),
    "recomputations": ("기한 변경 기록", "Changes of due time"),
    "recipient": ("수신처", "Recipient"),
    "submitted": ("제출 시각", "Submitted"),
    "channel": ("경로", "Channel"),
    "reference_number": ("접수 번호", "Reference number"),
    "acknowledged": ("접수 확인", "Acknowledged"),
    "deadline": ("해당 기한", "Deadline"),
    "notes": ("비고", "Notes"),
    "no": ("번호", "No."),
    "occurred": ("발생 시각", "Occurred"),
    "kind": ("종류", "Kind"),
    "event": ("내용", "Event"),
    "confidence": ("신뢰도", "Confidence"),
    "superseded": ("대체됨: 정정 기록", "Superseded by correction No."),
    "correction_of": ("정정 대상", "Corrects No."),
    "reason": ("사유", "Reason"),
    "none": ("없음", "none"),
    "unknown": ("미확인", "unknown"),
    "yes": ("예", "yes"),
    "no_": ("아니오", "no"),
    "events_total": ("전체 사건 수", "Events in total"),
    "page": ("쪽", "Page"),
}


def labels(language: str) -> dict[str, tuple[str, str]]:
    """Each label as (reader's language, other language)."""
    if language == "ko":
        return dict(LABELS)
    return {key: (en, ko) for key, (ko, en) in LABELS.items()}


def font_face_css() -> str:
    """@font-face rules for the shipped Korean font: absolute file: URLs (no base URL needed) of
    its OpenType copies (see exports/fonts.py)."""
    rules = []
    for weight, name in SHIPPED_FONT_FILES.items():
        path = shipped_font_dir() / name
        if not path.is_file():
            raise ExportUnavailable(
                _(
                    "PDF export needs the Korean font shipped with Incident Clock, and %(path)s "
                    "is missing from this installation. Restore it from the source release "
                    "(or rebuild it with tools/fonts/make_korean_subset.sh)."
                )
                % {"path": path}
            )
        source = unpacked_font(path).as_uri()
        rules.append(
            f"@font-face {{ font-family: {css_string(SHIPPED_FONT_FAMILY)}; "
            f'src: url({css_string(source)}) format("opentype"); '
            f"font-weight: {weight}; font-style: normal; }}"
        )
    # Every value inside the rules went through css_string.
    return mark_safe("\n  ".join(rules))  # noqa: S308  # nosec B308 B703


def font_family_css() -> str:
    """The font-family list: an optional system font first, then the shipped Korean font."""
    families = [SHIPPED_FONT_FAMILY]
    preferred = str(getattr(settings, "EXPORT_PDF_FONT_FAMILY", "") or "").strip()
    if preferred:
        families.insert(0, preferred)
    # Each family is a css_string literal (the setting cannot end the string or the <style>).
    return mark_safe(", ".join(css_string(f) for f in families))  # noqa: S308  # nosec B308 B703


def weasyprint_module() -> Any:
    """WeasyPrint, imported on first use (gunicorn's master does it once: config/warmup.py), or
    ``ExportUnavailable`` saying what to install."""
    # WeasyPrint logs every stylesheet and page at INFO (its own stylesheets at import): a
    # 1,000-page report would flood the worker log.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the Pango shared libraries are missing
        missing = missing_pdf_libraries()
        raise ExportUnavailable(
            _(
                "PDF export is not available on this server: WeasyPrint or its system libraries "
                "are missing (%(error)s). Install Pango, e.g. %(cmd)s, and `pip install "
                "weasyprint`, then try again."
            )
            % {"error": ", ".join(missing) if missing else exc, "cmd": INSTALL_PANGO}
        ) from exc
    return weasyprint


def prepare_pdf() -> None:
    """What the first PDF of a process would do before its layout: import WeasyPrint and unpack
    the shipped font (exports/fonts.py). Run once in a process that forks the ones building PDFs
    (gunicorn's master: config/warmup.py; the exports worker: exports/tasks.py). Raises
    ``ExportUnavailable`` as the export would."""
    weasyprint_module()
    font_face_css()


def _events(incident: Incident, tz: ZoneInfo, language: str) -> list[dict[str, Any]]:
    index = 0 if language == "ko" else 1
    rows = []
    for row in event_values(incident):
        kind = row["kind"]
        rows.append(
            {
                "id": row["id"],
                "occurred": instant(row["occurred_at"], tz),
                "precision": PRECISION.get(row["precision"], ("", ""))[index],
                "kind": KIND_KO.get(kind, kind) if language == "ko" else KIND_EN.get(kind, kind),
                "title": row["title"],
                "description": row["description"],
                "entity": row["legal_entity__name"] or "",
                "source": row["source_title"],
                "source_url": row["source_url"],
                "confidence": CONFIDENCE.get(row["confidence"], ("", ""))[index],
                "basis": row["basis"],
                "superseded_by": row["superseded_by__id"],
                "supersedes": row["supersedes_id"],
                "correction_reason": row["correction_reason"],
            }
        )
    return rows


def css_string(text: str) -> str:
    """A CSS string literal for text inside <style> (where HTML escaping does not apply)."""
    out = []
    for ch in text:
        if ch in '"\\<>&' or ord(ch) < 32:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    # Every character that could end the string or the <style> element is escaped above.
    return mark_safe('"' + "".join(out) + '"')  # noqa: S308  # nosec B308 B703


def report_html(
    incident: Incident,
    *,
    tz: ZoneInfo,
    language: str,
    exported_by: str,
    as_of: datetime | None = None,
) -> str:
    context = report_context(
        incident, tz=tz, language=language, exported_by=exported_by, as_of=as_of
    )
    return render_to_string(
        "exports/incident_report.html",
        {
            "r": context,
            "h": labels(language),
            "ko": language == "ko",
            "as_of": instant(context.as_of, tz),
            "events": _events(incident, tz, language),
            "action_items": action_item_rows(incident, tz=tz, language=language),
            "ah": action_labels(language),
            "font_face_css": font_face_css(),
            "font_css": font_family_css(),
            "footer_css": css_string(
                f"{incident.reference} · {labels(language)['as_of'][0]} {instant(context.as_of, tz)}"
            ),
            "tz_name": tz.key,
            "chain_head": _chain_head(),
            "records": records_report(incident, tz=tz, language=language),
            "notices": outreach_export.notice_sections(incident, tz=tz, language=language),
            "oh": outreach_export.labels(language),
        },
    )


def pdf_bytes(
    incident: Incident,
    *,
    tz: ZoneInfo,
    language: str,
    exported_by: str,
    progress: Progress | None = None,
) -> bytes:
    """The report as PDF bytes. ``progress`` (0-100) is called between the stages."""
    weasyprint = weasyprint_module()
    report = (lambda p: progress(p)) if progress else (lambda p: None)
    report(5)
    html = report_html(incident, tz=tz, language=language, exported_by=exported_by)
    report(30)
    document = weasyprint.HTML(string=html).render()
    report(80)
    data: bytes = document.write_pdf()
    report(95)
    return data


def _chain_head() -> dict[str, object]:
    # The audit chain head at export time: a later rewrite of the log shows against this copy.
    from audit.services import chain_head

    return chain_head()
