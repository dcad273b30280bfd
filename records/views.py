"""Correspondence and evidence pages. Need-to-know first (incidents.permissions.incident_for:
404 for an invisible incident, 403 without the right); every write is one service call."""

from __future__ import annotations

import base64
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from common.concurrency import StaleWrite, version_of
from common.roles import Action
from incidents.documents import UPLOAD_REFUSED_ATTR, too_large_message
from incidents.models import Incident
from incidents.permissions import incident_for
from records import selectors, services
from records.forms import SERVICE_ALIASES, CorrespondenceForm, EvidenceForm
from records.models import CustodyAction, Evidence


def _user(request: HttpRequest) -> User:
    # @login_required ran first, so this is a real user.
    return cast(User, request.user)


def _zone() -> str:
    return timezone.get_current_timezone_name()


def _back_to(incident: Incident, anchor: str) -> HttpResponseRedirect:
    url = reverse("incident_detail", kwargs={"reference": incident.reference})
    return HttpResponseRedirect(f"{url}#{anchor}")


def _apply(form: Any, exc: ValidationError) -> None:
    form.apply_service_error(exc, SERVICE_ALIASES)


def _refused_upload(request: HttpRequest, form: Any, field: str) -> bool:
    if getattr(request, UPLOAD_REFUSED_ATTR, False):
        form.is_valid()
        form.errors.pop(field, None)
        form.add_error(field, too_large_message())
        return True
    return False


def _page(
    request: HttpRequest, incident: Incident, form: Any, title: str, **extra: Any
) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "records/form_page.html",
        {
            "incident": incident,
            "form": form,
            "title": title,
            "max_mb": settings.DOCUMENT_MAX_UPLOAD_BYTES // 1048576,
            **extra,
        },
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def correspondence_new(request: HttpRequest, reference: str) -> HttpResponse:
    incident = incident_for(request.user, reference=reference, action=Action.RECORD)
    form = CorrespondenceForm(
        request.POST or None, request.FILES or None, incident=incident, zone=_zone()
    )
    if (
        request.method == "POST"
        and not _refused_upload(request, form, "attachments")
        and form.is_valid()
    ):
        try:
            corr = services.correspondence_record(
                incident=incident,
                recorded_by=_user(request),
                attachments=form.cleaned_data["attachments"],
                request=request,
                **form.service_kwargs(),
            )
        except ValidationError as exc:
            aliases = {**SERVICE_ALIASES, "file": "attachments"}
            form.apply_service_error(exc, aliases)
        else:
            messages.success(request, _("Correspondence recorded."))
            return _back_to(incident, f"correspondence-{corr.pk}")
    return _page(request, incident, form, _("Log correspondence"), multipart=True)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def correspondence_edit(
    request: HttpRequest, reference: str, correspondence_id: int
) -> HttpResponse:
    incident = incident_for(request.user, reference=reference, action=Action.RECORD)
    corr = selectors.correspondence_for(request.user, correspondence_id, action=Action.RECORD)
    if corr.incident_id != incident.pk:
        raise Http404(_("No such correspondence."))
    zone = _zone()
    initial = {**CorrespondenceForm.initial_from(corr, zone), "version": version_of(corr)}
    form = CorrespondenceForm(
        request.POST or None, incident=incident, zone=zone, with_files=False, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.correspondence_update(
                correspondence=corr,
                changed_by=_user(request),
                expected_version=form.cleaned_data["version"] or None,
                **form.service_kwargs(),
            )
        except StaleWrite as exc:
            form.add_error(None, str(exc.message))
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("Correspondence updated."))
            return _back_to(incident, f"correspondence-{corr.pk}")
    return _page(request, incident, form, _("Edit correspondence"), correspondence=corr)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def evidence_new(request: HttpRequest, reference: str) -> HttpResponse:
    incident = incident_for(request.user, reference=reference, action=Action.RECORD)
    initial = {"target": request.GET.get("target", "")}
    form = EvidenceForm(
        request.POST or None, request.FILES or None, incident=incident, initial=initial
    )
    if request.method == "POST" and not _refused_upload(request, form, "file") and form.is_valid():
        try:
            evidence = services.evidence_attach(
                incident=incident,
                upload=form.cleaned_data["file"],
                uploaded_by=_user(request),
                description=form.cleaned_data["description"],
                request=request,
                **form.cleaned_data["target"],
            )
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(
                request,
                _("Uploaded %(name)s. SHA-256: %(sha)s")
                % {"name": evidence.original_name, "sha": evidence.sha256},
            )
            return HttpResponseRedirect(reverse("evidence_detail", args=[evidence.pk]))
    return _page(request, incident, form, _("Upload evidence"), multipart=True)


@never_cache
@login_required
@require_GET
def evidence_detail(request: HttpRequest, evidence_id: int) -> HttpResponse:
    """The item and its custody log; opening it is itself a custody entry ("viewed")."""
    evidence = selectors.evidence_for(request.user, evidence_id)
    services.custody_record(
        evidence=evidence, action=CustodyAction.VIEWED, actor=request.user, request=request
    )
    return render(
        request,
        "records/evidence_detail.html",
        {
            "incident": evidence.incident,
            "evidence": evidence,
            "custody": list(selectors.custody_of(evidence).select_related("actor")),
        },
    )


def file_response(evidence: Evidence) -> FileResponse:
    """Always an attachment with its checked type, never sniffed or rendered inline."""
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    digest = base64.b64encode(bytes.fromhex(evidence.sha256)).decode("ascii")
    response["Repr-Digest"] = f"sha-256=:{digest}:"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@login_required
@require_GET
def evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    evidence = selectors.evidence_for(request.user, evidence_id)
    services.custody_record(
        evidence=evidence, action=CustodyAction.DOWNLOADED, actor=request.user, request=request
    )
    return file_response(evidence)
