"""Export endpoints. Each one checks permissions exactly like the pages (``incident_for`` with
``Action.EXPORT``: 404 when the incident is not visible, 403 without the right) and writes the
export log. ICS feeds need no session: the secret token names the user, whose access is checked
again at every fetch."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from common.roles import Action, has_right, is_admin
from exports.csv_export import csv_chunks
from exports.data import language_for
from exports.errors import ExportUnavailable
from exports.ics import ics_bytes
from exports.models import (
    ExportFormat,
    ExportJob,
    ExportJobStatus,
    ExportLog,
    ExportVia,
    IcsFeedToken,
)
from exports.priority import lowered_priority
from exports.services import (
    CONTENT_TYPES,
    DRAFT_KINDS,
    export_filename,
    export_job_create,
    export_log_record,
    export_render,
    ics_token_issue,
    ics_token_revoke,
)
from exports.slots import pdf_slot
from incidents.models import Deadline, Incident, TimelineEvent
from incidents.permissions import incident_for
from incidents.selectors import deadlines_visible_to, incidents_visible_to


def _zone() -> ZoneInfo:
    # The middleware activated the viewer's own zone; exports show times in it, with offsets.
    current = timezone.get_current_timezone()
    return current if isinstance(current, ZoneInfo) else ZoneInfo(settings.TIME_ZONE)


def _attachment(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _unavailable(request: HttpRequest, incident: Incident, exc: Exception) -> HttpResponse:
    return render(
        request,
        "exports/unavailable.html",
        {"incident": incident, "message": str(exc)},
        status=503,
    )


def _simple(request: HttpRequest, incident: Incident, fmt: str, draft: str = "") -> HttpResponse:
    """The file of ``incident`` (which ``incident_for`` gave the caller), logged."""
    language = language_for(request.user, request.GET.get("lang"))
    try:
        rendered = export_render(
            incident=incident,
            fmt=fmt,
            user=request.user,
            tz=_zone(),
            language=language,
            draft=draft,
        )
    except ExportUnavailable as exc:
        return _unavailable(request, incident, exc)
    export_log_record(
        user=request.user,
        incident=incident,
        fmt=fmt,
        via=ExportVia.WEB,
        size=len(rendered.data),
        variant=draft or (language if fmt == ExportFormat.PDF else ""),
    )
    return _attachment(rendered.data, rendered.filename, rendered.content_type)


@require_GET
@login_required
def export_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    """The incident report as PDF: built in the request when the incident is small enough and a
    slot is free (exports/slots.py), at a lower CPU priority than the pages (exports/priority.py),
    else by the export queue (303 to the job page)."""
    incident = incident_for(request.user, reference=reference, action=Action.EXPORT)
    threshold = getattr(settings, "EXPORT_PDF_ASYNC_THRESHOLD", 2000)
    events = TimelineEvent.objects.filter(incident=incident).count()
    if events <= threshold:
        with pdf_slot() as free:
            if free:
                with lowered_priority(request, events):
                    return _simple(request, incident, ExportFormat.PDF)
    job = export_job_create(
        incident=incident,
        user=request.user,  # type: ignore[arg-type]
        fmt=ExportFormat.PDF,
        language=language_for(request.user, request.GET.get("lang")),
        tz=_zone(),
    )
    return HttpResponseRedirect(reverse("exports:job", args=[job.pk]), status=303)


@require_GET
@login_required
def export_xlsx(request: HttpRequest, reference: str) -> HttpResponse:
    return _simple(
        request,
        incident_for(request.user, reference=reference, action=Action.EXPORT),
        ExportFormat.XLSX,
    )


@require_GET
@login_required
def export_json(request: HttpRequest, reference: str) -> HttpResponse:
    return _simple(
        request,
        incident_for(request.user, reference=reference, action=Action.EXPORT),
        ExportFormat.JSON,
    )


@require_GET
@login_required
def export_draft(request: HttpRequest, reference: str, kind: str) -> HttpResponse:
    incident = incident_for(request.user, reference=reference, action=Action.EXPORT)
    if kind not in DRAFT_KINDS:
        raise Http404("No such draft.")
    return _simple(request, incident, ExportFormat.DOCX, draft=kind)


@require_GET
@login_required
def export_csv(request: HttpRequest, reference: str) -> StreamingHttpResponse:
    """Streams in constant memory, however long the chronology."""

    incident = incident_for(request.user, reference=reference, action=Action.EXPORT)
    log = export_log_record(
        user=request.user, incident=incident, fmt=ExportFormat.CSV, via=ExportVia.WEB, size=None
    )

    def body() -> Iterator[bytes]:
        size = 0
        for chunk in csv_chunks(incident, tz=_zone()):
            size += len(chunk)
            yield chunk
        # The size is known only once the last row is out.
        ExportLog.objects.filter(pk=log.pk).update(size=size)

    response = StreamingHttpResponse(body(), content_type=CONTENT_TYPES[ExportFormat.CSV])
    filename = export_filename(incident, ExportFormat.CSV)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


# --- Background jobs ------------------------------------------------------------------------------


def _job_for(request: HttpRequest, pk: int) -> ExportJob:
    job = get_object_or_404(ExportJob.objects.select_related("incident"), pk=pk)
    if job.requested_by_id != request.user.pk and not is_admin(request.user):
        raise Http404("No such export job.")
    incident_for(request.user, pk=job.incident_id, action=Action.EXPORT)
    return job


@require_GET
@login_required
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    download = (
        reverse("exports:job_download", args=[job.pk])
        if job.status == ExportJobStatus.DONE
        else None
    )
    wants_json = request.GET.get("format") == "json" or "application/json" in request.headers.get(
        "Accept", ""
    )
    if wants_json:
        return JsonResponse(
            {
                "id": job.pk,
                "incident": job.incident.reference,
                "format": job.format,
                "status": job.status,
                "progress": job.progress,
                "error": job.error,
                "size": job.size,
                "download_url": download,
            }
        )
    return render(request, "exports/job.html", {"job": job, "download_url": download})


@require_GET
@login_required
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _job_for(request, pk)
    if job.status != ExportJobStatus.DONE or not job.file:
        raise Http404("The export is not ready.")
    export_log_record(
        user=request.user,
        incident=job.incident,
        fmt=job.format,
        via=ExportVia.WEB,
        size=job.size,
        variant="job",
    )
    name = (job.file.name or "export").rsplit("/", 1)[-1].split("-", 1)[-1]
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=name,
        content_type=CONTENT_TYPES[ExportFormat(job.format)],
    )


# --- ICS feeds --------------------------------------------------------------------------------------


def _active_token(token: str) -> IcsFeedToken:
    feed = (
        IcsFeedToken.objects.select_related("user", "incident")
        .filter(token=token, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    # Unknown, revoked, or the user lost the export right: the same 404, nothing leaks.
    if feed is None or not has_right(feed.user, Action.EXPORT):
        raise Http404("No such calendar feed.")
    return feed


def _ics_response(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES[ExportFormat.ICS])
    response["Content-Disposition"] = f'inline; filename="{name}.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def ics_user(request: HttpRequest, token: str) -> HttpResponse:
    feed = _active_token(token)
    if feed.incident_id is not None:
        raise Http404("No such calendar feed.")
    data = ics_bytes(
        deadlines_visible_to(feed.user),
        name=f"Incident Clock — {feed.user.get_username()}",
    )
    export_log_record(
        user=feed.user,
        incident=None,
        fmt=ExportFormat.ICS,
        via=ExportVia.FEED,
        size=len(data),
        variant="user",
    )
    return _ics_response(data, "deadlines")


@require_GET
def ics_incident(request: HttpRequest, token: str) -> HttpResponse:
    feed = _active_token(token)
    if feed.incident is None:
        raise Http404("No such calendar feed.")
    # Need-to-know is checked at every fetch: a removed member's feed stops working.
    if not incidents_visible_to(feed.user).filter(pk=feed.incident.pk).exists():
        raise Http404("No such calendar feed.")
    data = ics_bytes(
        Deadline.objects.filter(incident=feed.incident),
        name=f"Incident Clock — {feed.incident.reference}",
    )
    export_log_record(
        user=feed.user,
        incident=feed.incident,
        fmt=ExportFormat.ICS,
        via=ExportVia.FEED,
        size=len(data),
        variant="incident",
    )
    return _ics_response(data, feed.incident.reference)


@login_required
def feeds(request: HttpRequest) -> HttpResponse:
    """List the user's calendar feeds; POST creates one (for all deadlines or one incident)."""
    if not has_right(request.user, Action.EXPORT):
        raise PermissionDenied("Your role does not allow this.")
    error = ""
    if request.method == "POST":
        reference = request.POST.get("incident", "").strip()
        incident = None
        if reference:
            incident = incident_for(request.user, reference=reference, action=Action.EXPORT)
        try:
            ics_token_issue(user=request.user, incident=incident)  # type: ignore[arg-type]
        except (PermissionDenied, ValidationError) as exc:
            error = str(exc)
        else:
            return HttpResponseRedirect(reverse("exports:feeds"), status=303)
    tokens = IcsFeedToken.objects.filter(user_id=request.user.pk or 0).select_related("incident")
    base = settings.SITE_URL.rstrip("/")
    rows: list[dict[str, Any]] = []
    for t in tokens:
        route = "exports:ics_incident" if t.incident_id else "exports:ics_user"
        rows.append({"token": t, "url": base + reverse(route, args=[t.token])})
    return render(request, "exports/feeds.html", {"rows": rows, "error": error})


@require_POST
@login_required
def feed_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(IcsFeedToken, pk=pk)
    if token.user_id != request.user.pk and not is_admin(request.user):
        raise Http404("No such calendar feed.")
    ics_token_revoke(token=token, by=request.user)  # type: ignore[arg-type]
    return HttpResponseRedirect(reverse("exports:feeds"), status=303)
