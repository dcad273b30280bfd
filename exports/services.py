"""Export writes: the export log, background export jobs, ICS feed tokens; and the one function
(``export_render``) that every channel (web, command line, background job) uses to make a file,
so a PDF from the CLI is the same PDF as from the page."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from celery import current_app
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from common.roles import Action, has_right, is_admin
from exports.csv_export import csv_chunks
from exports.drafts import draft_docx
from exports.errors import ExportUnavailable
from exports.jsonio import export_json_bytes
from exports.models import (
    ExportFormat,
    ExportJob,
    ExportJobStatus,
    ExportLog,
    ExportVia,
    IcsFeedToken,
)
from exports.pdf import pdf_bytes
from exports.records_data import evidence_listing
from exports.xlsx import xlsx_bytes
from incidents.models import Incident
from incidents.selectors import incidents_visible_to
from records.models import CustodyAction, Evidence
from records.services import custody_record_many

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from exports.pdf import Progress

DRAFT_KINDS = ("pipc", "kisa", "sec-8k", "gdpr-33")
CONTENT_TYPES = {
    ExportFormat.PDF: "application/pdf",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.JSON: "application/json",
    ExportFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ExportFormat.ICS: "text/calendar; charset=utf-8",
}


@dataclass
class Rendered:
    data: bytes
    filename: str
    content_type: str


def exporter_label(user: User | AnonymousUser | None) -> str:
    if user is None or not user.is_authenticated:
        return _("command line (no user)")
    full = getattr(user, "get_full_name", lambda: "")()
    name = user.get_username()
    return f"{full} ({name})" if full else name


def export_filename(incident: Incident, fmt: str, variant: str = "") -> str:
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    suffix = f"-{variant}" if variant else ""
    extension = "json" if fmt == ExportFormat.JSON else fmt
    kind = "report" if fmt == ExportFormat.PDF else "chronology"
    if fmt == ExportFormat.JSON:
        kind = "export"
    elif fmt == ExportFormat.DOCX:
        kind = "draft"
    return f"{incident.reference}-{kind}{suffix}-{stamp}.{extension}"


def export_render(
    *,
    incident: Incident,
    fmt: str,
    user: User | AnonymousUser | None,
    tz: ZoneInfo,
    language: str,
    draft: str = "",
    progress: Progress | None = None,
) -> Rendered:
    """The export file. Raises ExportUnavailable (missing library/font) or ValidationError.

    Each evidence item the file lists gets an "exported" custody entry (records)."""
    with evidence_listing() as listed:
        rendered = _render(
            incident=incident,
            fmt=fmt,
            user=user,
            tz=tz,
            language=language,
            draft=draft,
            progress=progress,
        )
    if listed:
        custody_record_many(
            evidence=Evidence.objects.filter(pk__in=listed).order_by("pk"),
            action=CustodyAction.EXPORTED,
            actor=user,
            detail={"format": str(fmt), "file": rendered.filename},
        )
    return rendered


def _render(
    *,
    incident: Incident,
    fmt: str,
    user: User | AnonymousUser | None,
    tz: ZoneInfo,
    language: str,
    draft: str = "",
    progress: Progress | None = None,
) -> Rendered:
    if fmt == ExportFormat.PDF:
        data = pdf_bytes(
            incident, tz=tz, language=language, exported_by=exporter_label(user), progress=progress
        )
    elif fmt == ExportFormat.XLSX:
        data = xlsx_bytes(incident, tz=tz)
    elif fmt == ExportFormat.CSV:
        data = b"".join(csv_chunks(incident, tz=tz))
    elif fmt == ExportFormat.JSON:
        data = export_json_bytes(incident, exported_by=exporter_label(user))
    elif fmt == ExportFormat.DOCX:
        if draft not in DRAFT_KINDS:
            raise ValidationError(
                _("Choose a draft: %(kinds)s.") % {"kinds": ", ".join(DRAFT_KINDS)}
            )

        data = draft_docx(incident, kind=draft, tz=tz, exported_by=exporter_label(user))
    else:
        raise ValidationError(_("Unknown export format %(fmt)s.") % {"fmt": fmt})
    return Rendered(
        data=data,
        filename=export_filename(incident, fmt, draft),
        content_type=CONTENT_TYPES[ExportFormat(fmt)],
    )


def export_log_record(
    *,
    user: User | AnonymousUser | None,
    incident: Incident | None,
    fmt: str,
    via: str,
    size: int | None,
    variant: str = "",
    username: str = "",
) -> ExportLog:
    """Append one row to the export log (who, which incident, when, format, size, channel)."""
    real_user = user if user is not None and user.is_authenticated else None

    audit_record(
        action="export",
        actor=real_user,
        actor_repr=username,
        object_type="incidents.incident",
        object_id=incident.pk if incident is not None else "",
        object_repr=incident.reference if incident is not None else "",
        incident_id=incident.pk if incident is not None else None,
        changes={"format": fmt, "variant": variant, "size": size, "via": via},
    )
    return ExportLog.objects.create(
        user=real_user,
        username=(real_user.get_username() if real_user is not None else username)[:150],
        incident=incident,
        incident_reference=incident.reference if incident is not None else "",
        format=fmt,
        variant=variant[:20],
        size=size,
        via=via,
    )


EXPORT_JOB_TASK = "incidents.exports.tasks.export_job_run"  # the name from before the move

# --- Background jobs ----------------------------------------------------------------------------


@transaction.atomic
def export_job_create(
    *,
    incident: Incident,
    user: User,
    fmt: str,
    language: str,
    tz: ZoneInfo,
) -> ExportJob:
    """Record a job and enqueue its task once the row is committed."""

    job = ExportJob.objects.create(
        incident=incident,
        requested_by=user,
        format=fmt,
        language=language,
        time_zone=tz.key,
    )
    # Sent by its registered name: exports.tasks imports this module for the job body, so
    # importing the task here would make an import cycle. send_task needs no import at all.
    transaction.on_commit(partial(current_app.send_task, EXPORT_JOB_TASK, args=[job.pk]))
    return job


def export_job_execute(*, job_id: int) -> ExportJob | None:
    """Build the file of a pending job. Safe to run twice: only the run that claims it works.

    Returns None when the job is gone or another run holds it or it is already finished.
    """
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJobStatus.PENDING).update(
        status=ExportJobStatus.RUNNING, started_at=timezone.now(), progress=1
    )
    if claimed != 1:
        return None
    job = ExportJob.objects.select_related("incident", "requested_by").get(pk=job_id)

    def progress(percent: int) -> None:
        ExportJob.objects.filter(pk=job_id).update(progress=min(99, max(1, percent)))

    try:
        # The requester may have lost access since asking: check again, as the page would.
        if not (
            incidents_visible_to(job.requested_by).filter(pk=job.incident_id).exists()
            and has_right(job.requested_by, Action.EXPORT)
        ):
            raise PermissionDenied(_("You may no longer export this incident."))
        rendered = export_render(
            incident=job.incident,
            fmt=job.format,
            user=job.requested_by,
            tz=ZoneInfo(job.time_zone),
            language=job.language,
            progress=progress,
        )
    except (ExportUnavailable, PermissionDenied, ValidationError) as exc:
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJobStatus.FAILED, error=str(exc), finished_at=timezone.now()
        )
        job.refresh_from_db()
        return job
    except Exception as exc:
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJobStatus.FAILED,
            error=_("The export failed: %(error)s") % {"error": exc.__class__.__name__},
            finished_at=timezone.now(),
        )
        raise
    job.file.save(rendered.filename, ContentFile(rendered.data), save=False)
    job.size = len(rendered.data)
    job.status = ExportJobStatus.DONE
    job.progress = 100
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "size", "status", "progress", "finished_at"])
    export_log_record(
        user=job.requested_by,
        incident=job.incident,
        fmt=job.format,
        via=ExportVia.TASK,
        size=job.size,
        variant=job.language,
    )
    return job


# --- ICS feed tokens ----------------------------------------------------------------------------


@transaction.atomic
def ics_token_issue(*, user: User, incident: Incident | None = None) -> IcsFeedToken:
    """A new secret feed URL for ``user``: all their deadlines, or one incident's."""
    if not has_right(user, Action.EXPORT):
        raise PermissionDenied(_("Your role does not allow this."))
    if incident is not None and not incidents_visible_to(user).filter(pk=incident.pk).exists():
        raise PermissionDenied(_("You cannot see that incident."))
    return IcsFeedToken.objects.create(user=user, incident=incident)


@transaction.atomic
def ics_token_revoke(*, token: IcsFeedToken, by: User) -> IcsFeedToken:
    """Revoke a feed URL (its owner or an admin); the URL answers 404 from then on."""

    if token.user_id != by.pk and not is_admin(by):
        raise PermissionDenied(_("Only the feed's owner or an admin can revoke it."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
