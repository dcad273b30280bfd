"""Filing document pages: upload (checked by ``incidents.documents``) and need-to-know download."""

from __future__ import annotations

import base64

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from common.roles import Action
from incidents.documents import filing_document_attach
from incidents.forms import DocumentForm
from incidents.models import Filing, FilingDocument
from incidents.permissions import incident_for
from incidents.selectors import incidents_visible_to
from incidents.signals import document_downloaded


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def document_upload(request: HttpRequest, reference: str, filing_id: int) -> HttpResponse:
    incident = incident_for(request.user, reference=reference, action=Action.RECORD)
    filing = get_object_or_404(Filing, pk=filing_id, incident=incident)
    form = DocumentForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                document = filing_document_attach(
                    filing=filing,
                    upload=form.cleaned_data["file"],
                    uploaded_by=request.user,  # type: ignore[arg-type]
                )
            except ValidationError as exc:
                for message in exc.message_dict.get("file", exc.messages):
                    form.add_error("file", message)
            else:
                messages.success(
                    request,
                    _("Uploaded %(name)s. SHA-256: %(sha)s")
                    % {"name": document.original_name, "sha": document.sha256},
                )
                return redirect("document_upload", reference=reference, filing_id=filing.pk)
        status = 400
    return render(
        request,
        "incidents/document_form.html",
        {
            "incident": incident,
            "filing": filing,
            "form": form,
            "documents": filing.documents.select_related("uploaded_by"),
            "max_mb": settings.DOCUMENT_MAX_UPLOAD_BYTES // 1048576,
        },
        status=status,
    )


@never_cache
@login_required
@require_GET
def document_download(request: HttpRequest, document_id: int) -> FileResponse:
    document = FilingDocument.objects.select_related("filing").filter(pk=document_id).first()
    if (
        document is None
        or not incidents_visible_to(request.user).filter(pk=document.filing.incident_id).exists()
    ):
        raise Http404(_("No such document."))
    # audit listens (incidents does not import audit: the dependency runs audit -> incidents).
    document_downloaded.send(
        sender=FilingDocument, document=document, user=request.user, request=request
    )
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    digest = base64.b64encode(bytes.fromhex(document.sha256)).decode("ascii")
    response["Repr-Digest"] = f"sha-256=:{digest}:"
    response["X-Content-Type-Options"] = "nosniff"
    return response
