"""/api/v1/incidents/{id}/notice-campaigns/, notice-batches/, notice-progress/ (and the drafts).

Need-to-know first (404 for an incident you may not see), then the role's right (403); each write
validates its shape and calls one outreach service.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from common.roles import Action, has_right
from incidents.api.views import IncidentScopedViewSet, _user, if_match, with_etag
from incidents.models import Deadline
from outreach import drafts, services
from outreach.api import serializers
from outreach.law import NOTICE_KINDS
from outreach.models import NoticeBatch, NoticeCampaign
from outreach.selectors import notice_progress
from outreach.signals import notice_draft_downloaded


class NoticeCampaignViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, IncidentScopedViewSet
):
    """The notification campaign of each notice deadline (one per deadline)."""

    serializer_class = serializers.CampaignOutput
    required_rights = {"create": Action.RECORD, "partial_update": Action.RECORD}
    filter_backends: list[Any] = []
    ordering = ["id"]

    def get_queryset(self) -> QuerySet[NoticeCampaign]:
        return self.scoped(
            NoticeCampaign.objects.select_related("deadline", "created_by").order_by("id")
        )

    @extend_schema(request=serializers.CampaignInput, responses={201: serializers.CampaignOutput})
    def create(self, request: Request, incident_pk: int) -> Response:
        data = self._valid(serializers.CampaignInput)
        deadline = get_object_or_404(Deadline, pk=data.pop("deadline"), incident=self.incident)
        campaign = services.campaign_create(
            incident=self.incident, deadline=deadline, created_by=_user(request), **data
        )
        fresh = self.get_queryset().get(pk=campaign.pk)
        return with_etag(
            Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED), fresh
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """One campaign; the ETag header is its version (send it back in If-Match to edit)."""
        campaign = self.get_object()
        return with_etag(Response(self.get_serializer(campaign).data), campaign)

    @extend_schema(request=serializers.CampaignPatch, responses=serializers.CampaignOutput)
    def partial_update(self, request: Request, incident_pk: int, pk: int) -> Response:
        """Change the method, the substitute notice (with why its condition holds) or the notes.
        With If-Match, a campaign changed since that version answers 412."""
        campaign = self.get_object()
        data = self._valid(serializers.CampaignPatch)
        services.campaign_update(
            campaign=campaign,
            changed_by=_user(request),
            expected_version=if_match(request),
            **data,
        )
        fresh = self.get_queryset().get(pk=campaign.pk)
        return with_etag(Response(self.get_serializer(fresh).data), fresh)


class NoticeBatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IncidentScopedViewSet):
    """Batches of notices sent (or postings), per campaign and jurisdiction."""

    serializer_class = serializers.BatchOutput
    required_rights = {"create": Action.RECORD, "failures": Action.RECORD}
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[NoticeBatch]:
        batches = self.scoped(NoticeBatch.objects.select_related("recorded_by"))
        campaign = self.request.query_params.get("campaign") if self.request else None
        if campaign is not None:
            # The schema says integer: anything else (empty, "null", text) is a 400.
            if not campaign.isdigit():
                raise ValidationError({"campaign": [_("A campaign id: a whole number.")]})
            batches = batches.filter(campaign_id=int(campaign))
        return batches.order_by("sent_at", "id")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "campaign",
                {"type": "integer", "minimum": 0},
                description="Campaign id (a whole number).",
            )
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """One batch; the ETag header is its version (If-Match on failures)."""
        batch = self.get_object()
        return with_etag(Response(self.get_serializer(batch).data), batch)

    @extend_schema(request=serializers.BatchInput, responses={201: serializers.BatchOutput})
    def create(self, request: Request, incident_pk: int) -> Response:
        """Record a batch. Refused (400) beyond the population without
        ``over_population_note``; batches recorded at the same moment are all counted."""
        data = self._valid(serializers.BatchInput)
        campaign = get_object_or_404(
            NoticeCampaign.objects.select_related("deadline"),
            pk=data.pop("campaign"),
            incident=self.incident,
        )
        batch = services.batch_record(campaign=campaign, recorded_by=_user(request), **data)
        fresh = self.get_queryset().get(pk=batch.pk)
        return with_etag(
            Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED), fresh
        )

    @extend_schema(request=serializers.FailuresInput, responses=serializers.BatchOutput)
    @action(detail=True, methods=["post"])
    def failures(self, request: Request, incident_pk: int, pk: int) -> Response:
        """Set the batch's failures and bounces so far (If-Match: 412 when it changed)."""
        batch = self.get_object()
        data = self._valid(serializers.FailuresInput)
        services.batch_failures_record(
            batch=batch,
            changed_by=_user(request),
            expected_version=if_match(request),
            **data,
        )
        fresh = self.get_queryset().get(pk=batch.pk)
        return with_etag(Response(self.get_serializer(fresh).data), fresh)


class NoticeProgressViewSet(IncidentScopedViewSet):
    """Every notice deadline with its population, notified and to notify per jurisdiction."""

    serializer_class = serializers.ProgressOutput
    pagination_class = None
    filter_backends: list[Any] = []

    @extend_schema(responses=serializers.ProgressOutput(many=True))
    def list(self, request: Request, incident_pk: int) -> Response:
        progress = notice_progress(self.incident)
        return Response(serializers.ProgressOutput(progress, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("language", str, enum=sorted(drafts.LANGUAGES), default="ko"),
            OpenApiParameter("output", str, enum=sorted(drafts.FORMATS), default="docx"),
        ],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"])
    def draft(self, request: Request, incident_pk: int, pk: int) -> HttpResponse:
        """The notice draft of one notice deadline (the five PIPA Art. 34(1) items): DOCX,
        e-mail text or SMS. For roles that record notices or export; audited as an export."""
        if not (has_right(request.user, Action.RECORD) or has_right(request.user, Action.EXPORT)):
            raise PermissionDenied("Your role does not allow this.")
        language = request.query_params.get("language", "ko")
        fmt = request.query_params.get("output", "docx")
        if language not in drafts.LANGUAGES or fmt not in drafts.FORMATS:
            raise Http404("No such draft.")
        deadline = get_object_or_404(
            Deadline.objects.select_related("legal_entity"),
            pk=pk,
            incident=self.incident,
            code__in=list(NOTICE_KINDS),
        )
        data, filename, content_type = drafts.render(
            self.incident,
            deadline,
            language=language,
            fmt=fmt,
            tz=ZoneInfo(timezone.get_current_timezone_name()),
        )
        notice_draft_downloaded.send(
            sender=NoticeCampaign,
            deadline=deadline,
            user=request.user,
            request=request,
            language=language,
            fmt=fmt,
            size=len(data),
        )
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response
