"""/api/v1/incidents/{id}/correspondence/ and /evidence/: need-to-know through the incident
(404 for an invisible incident, 403 without the right), every write one service call."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

from django.contrib.auth.models import User
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from common.api.permissions import DEFAULT_PERMISSIONS, required_action
from common.api.views import ApiViewSet
from common.concurrency import check_version, etag_of
from common.roles import Action
from incidents.documents import (
    DOCX,
    EML,
    JPEG,
    PDF,
    PNG,
    TEXT,
    UPLOAD_REFUSED_ATTR,
    XLSX,
    too_large_message,
)
from incidents.models import Incident
from incidents.permissions import incident_for
from records import selectors, services
from records.api import serializers
from records.forms import TARGET_MODELS
from records.models import Correspondence, CustodyAction, CustodyEntry, Evidence
from records.views import file_response

# What an evidence file can be (incidents.documents accepts only these types).
FILE_TYPES = [t.content_type for t in (PDF, PNG, JPEG, DOCX, XLSX, TEXT, EML)]


class FileRenderer(BaseRenderer):
    """Lets a client that asks for the file's own type (Accept: application/pdf) through content
    negotiation; the file itself is a FileResponse, which no renderer touches. Error bodies
    still come out as the shared JSON error."""

    media_type = "*/*"
    format = "file"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _user(request: Request) -> User:
    # IsAuthenticated runs first on every view here, so the user is never anonymous.
    return cast(User, request.user)


def _if_match(request: Request) -> str | None:
    return request.headers.get("If-Match") or None


class _IncidentScoped(ApiViewSet):
    permission_classes = DEFAULT_PERMISSIONS
    required_rights: dict[str, Action] = {}
    incident: Incident

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.incident = incident_for(
            request.user, pk=int(kwargs["incident_pk"]), action=required_action(self)
        )

    def scoped(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            return queryset.none()
        return queryset.filter(incident=self.incident)


class CorrespondenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _IncidentScoped):
    """Letters, e-mails, calls and meetings with regulators and authorities, oldest first."""

    serializer_class = serializers.CorrespondenceOutput
    required_rights = {"create": Action.RECORD, "partial_update": Action.RECORD}
    ordering_fields = ["occurred_at", "id"]
    ordering = ["occurred_at", "id"]

    def get_queryset(self) -> QuerySet[Correspondence]:
        return self.scoped(
            Correspondence.objects.select_related("regulator", "recorded_by").prefetch_related(
                "events",
                "filings",
                "deadlines",
                Prefetch("attachments", queryset=Evidence.objects.order_by("uploaded_at", "id")),
            )
        )

    def _output(self, corr: Correspondence, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=corr.pk)
        response = Response(self.get_serializer(fresh).data, status=code)
        response["ETag"] = etag_of(fresh)
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """One item; the ETag header is its version (send it back in If-Match to edit)."""
        return self._output(self.get_object())

    @extend_schema(
        request=serializers.CorrespondenceInput,
        responses={201: serializers.CorrespondenceOutput},
    )
    def create(self, request: Request, incident_pk: int) -> Response:
        """Record correspondence (attachments: upload evidence with target_kind
        "correspondence" afterwards)."""
        data = self._valid(serializers.CorrespondenceInput)
        corr = services.correspondence_record(
            incident=self.incident, recorded_by=_user(request), request=request, **data
        )
        return self._output(corr, status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.CorrespondenceInput(partial=True),
        responses=serializers.CorrespondenceOutput,
    )
    def partial_update(self, request: Request, incident_pk: int, pk: int) -> Response:
        """Change fields or links. Send If-Match with the ETag you read: 412 if it changed."""
        corr = self.get_object()
        data = self._valid(serializers.CorrespondenceInput, partial=True)
        if data:
            services.correspondence_update(
                correspondence=corr,
                changed_by=_user(request),
                expected_version=_if_match(request),
                **data,
            )
        else:
            check_version(corr, _if_match(request))
        return self._output(corr)


class EvidenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _IncidentScoped):
    """Files with their SHA-256, size, checked type, target and custody summary."""

    serializer_class = serializers.EvidenceOutput
    required_rights = {"create": Action.RECORD}
    # The only body this view set takes is an upload.
    parser_classes = [MultiPartParser]
    ordering_fields = ["uploaded_at", "id"]
    ordering = ["uploaded_at", "id"]

    def get_queryset(self) -> QuerySet[Evidence]:
        return selectors.with_custody_counts(
            self.scoped(Evidence.objects.select_related("uploaded_by"))
        )

    def _fresh(self, evidence: Evidence) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=evidence.pk)).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """One item's metadata; reading it is a custody entry ("viewed")."""
        evidence = self.get_object()
        services.custody_record(
            evidence=evidence,
            action=CustodyAction.VIEWED,
            actor=request.user,
            request=request,
            detail={"via": "api"},
        )
        return self._fresh(evidence)

    @extend_schema(
        request={"multipart/form-data": serializers.EvidenceUploadInput},
        responses={201: serializers.EvidenceOutput},
    )
    def create(self, request: Request, incident_pk: int) -> Response:
        """Upload a file (multipart/form-data) attached to one event, filing, action item or
        correspondence item of this incident. The type is checked from the bytes."""
        if getattr(request._request, UPLOAD_REFUSED_ATTR, False):
            raise ValidationError({"file": [too_large_message()]})
        data = self._valid(serializers.EvidenceUploadInput)
        model = TARGET_MODELS[data["target_kind"]]
        target = model._default_manager.filter(pk=data["target_id"], incident=self.incident)
        row = target.first()
        if row is None:
            raise ValidationError({"target_id": ["No such record in this incident."]})
        evidence = services.evidence_attach(
            incident=self.incident,
            upload=data["file"],
            uploaded_by=_user(request),
            description=data.get("description", ""),
            request=request,
            **{data["target_kind"]: row},
        )
        response = self._fresh(evidence)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(
        responses={
            (200, media): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")
            for media in FILE_TYPES
        }
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, FileRenderer])
    def download(self, request: Request, incident_pk: int, pk: int) -> FileResponse:
        """The file itself (always an attachment); recorded in the custody log."""
        evidence = self.get_object()
        services.custody_record(
            evidence=evidence,
            action=CustodyAction.DOWNLOADED,
            actor=request.user,
            request=request,
            detail={"via": "api"},
        )
        return file_response(evidence)

    @extend_schema(responses=serializers.CustodyEntryOutput(many=True))
    @action(detail=True, methods=["get"])
    def custody(self, request: Request, incident_pk: int, pk: int) -> Response:
        """The custody log, oldest first (paginated)."""
        evidence = self.get_object()
        entries: QuerySet[CustodyEntry] = selectors.custody_of(evidence)
        page = self.paginate_queryset(entries)
        data = serializers.CustodyEntryOutput(page, many=True).data
        return self.get_paginated_response(data)
