"""API views. Each read is scoped by ``incidents.selectors`` (need-to-know: 404 for what a user
may not see); each write validates with an input serializer and calls one service."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from common.api.pagination import KeysetOrPageNumberPagination
from common.api.permissions import DEFAULT_PERMISSIONS, HasRoleRight, required_action
from common.api.rows import RowListMixin
from common.api.views import ApiViewSet
from common.roles import Action
from incidents import services
from incidents.api import filters, serializers
from incidents.concurrency import check_version, etag_of
from incidents.deadlines import deadline_mark_not_applicable
from incidents.models import (
    AffectedCountRevision,
    Deadline,
    Filing,
    Incident,
    LegalEntity,
    Notification,
    TimelineEvent,
)
from incidents.permissions import incident_for
from incidents.selectors import incidents_visible_to, notifications_for


def if_match(request: Request) -> str | None:
    """The version the client edited (If-Match), or None: then fields are merged, not refused."""
    value = request.headers.get("If-Match")
    return value if value else None


def with_etag(response: Response, instance: Any) -> Response:
    response["ETag"] = etag_of(instance)
    return response


# --- incidents --------------------------------------------------------------------------------


def _user(request: Request) -> User:
    # IsAuthenticated runs first on every view here, so the user is never anonymous.
    return cast(User, request.user)


@transaction.atomic
def _open_with_entities(*, owner: Any, data: dict[str, Any]) -> Incident:
    entities = data.pop("entities", [])
    incident = services.incident_open(owner=owner, **data)
    for fields in entities:
        services.legal_entity_add(incident=incident, changed_by=owner, **fields)
    return incident


class IncidentViewSet(RowListMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Incidents you may see (owner, member, or admin), with their legal entities.

    There is no delete: an incident is closed, and its record kept.
    """

    serializer_class = serializers.IncidentOutput
    row_plan = serializers.INCIDENT_ROWS
    permission_classes = [*DEFAULT_PERMISSIONS, HasRoleRight]
    required_rights = {
        "create": Action.RECORD,
        "partial_update": Action.RECORD,
        "close": Action.RECORD,  # close, reopen, owner: incidents.api.manage
    }
    # Documented in the schema (common.api.schema): the ETag header, and If-Match with its 412.
    etag_actions = ("retrieve", "create", "partial_update", "close", "reopen", "owner")
    if_match_actions = ("partial_update", "close", "reopen", "owner")
    filterset_class = filters.IncidentFilter
    ordering_fields = ["reference", "title", "severity", "status", "created_at", "updated_at", "id"]
    ordering = ["-created_at", "-id"]
    # Page numbers, or ``?cursor=`` for keyset pages (every ordering field is never null).
    pagination_class = KeysetOrPageNumberPagination

    def get_queryset(self) -> QuerySet[Incident]:
        return (
            incidents_visible_to(self.request.user)
            .select_related("owner")
            .prefetch_related("entities")
        )

    def _output(self, incident: Incident, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=incident.pk)
        return with_etag(Response(self.get_serializer(fresh).data, status=code), fresh)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """One incident; the ETag header is its version (send it back in If-Match to edit)."""
        incident = self.get_object()
        return with_etag(Response(self.get_serializer(incident).data), incident)

    @extend_schema(
        request=serializers.IncidentCreateInput, responses={201: serializers.IncidentOutput}
    )
    def create(self, request: Request) -> Response:
        """Open an incident (you become its owner), optionally with its legal entities."""
        data = self._valid(serializers.IncidentCreateInput)
        incident = _open_with_entities(owner=_user(request), data=data)
        return self._output(incident, status.HTTP_201_CREATED)

    @extend_schema(request=serializers.IncidentFactsInput, responses=serializers.IncidentOutput)
    def partial_update(self, request: Request, pk: int) -> Response:
        """Change facts; the deadlines are recomputed in the same transaction."""
        incident = self.get_object()
        data = self._valid(serializers.IncidentFactsInput, partial=True)
        if data:
            services.incident_update_facts(
                incident=incident,
                changed_by=_user(request),
                expected_version=if_match(request),
                **data,
            )
        else:
            check_version(incident, if_match(request))
        return self._output(incident)


class IncidentScopedViewSet(ApiViewSet):
    """Rows of one incident: 404 if you may not see it, 403 if your role lacks the right."""

    permission_classes = DEFAULT_PERMISSIONS
    required_rights: dict[str, Action] = {}
    incident: Incident

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.incident = incident_for(
            request.user, pk=int(kwargs["incident_pk"]), action=required_action(self)
        )

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        context["incident"] = getattr(self, "incident", None)
        return context

    def scoped(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            return queryset.none()
        return queryset.filter(incident=self.incident)


class LegalEntityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IncidentScopedViewSet):
    """The companies involved; adding one recomputes the deadlines."""

    serializer_class = serializers.LegalEntityOutput
    required_rights = {"create": Action.RECORD}
    filterset_class = filters.LegalEntityFilter
    ordering_fields = ["name", "country", "id"]
    ordering = ["name", "id"]

    def get_queryset(self) -> QuerySet[LegalEntity]:
        return self.scoped(LegalEntity.objects.all())

    @extend_schema(
        request=serializers.LegalEntityInput, responses={201: serializers.LegalEntityOutput}
    )
    def create(self, request: Request, incident_pk: int) -> Response:
        data = self._valid(serializers.LegalEntityInput)
        entity = services.legal_entity_add(
            incident=self.incident, changed_by=_user(request), **data
        )
        return Response(self.get_serializer(entity).data, status=status.HTTP_201_CREATED)


# Fields of a regulator request's ``data`` object, which the service names on their own.
_DATA_FIELDS = {"offset", "calendar", "tz", "roll_forward", "regulator"}


def _record_event(**kwargs: Any) -> TimelineEvent:
    """The service's refusal, with the request-period fields shown where they are in the body
    (``data.offset``)."""
    try:
        return services.timeline_event_record(**kwargs)
    except DjangoValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise DjangoValidationError(
            {
                f"data.{key}" if key in _DATA_FIELDS else key: errors
                for key, errors in exc.error_dict.items()
            }
        ) from exc


class TimelineEventViewSet(RowListMixin, mixins.RetrieveModelMixin, IncidentScopedViewSet):
    """The append-only timeline: a correction supersedes an event, it never edits it."""

    serializer_class = serializers.TimelineEventOutput
    row_plan = serializers.EVENT_ROWS
    required_rights = {"create": Action.RECORD, "correct": Action.RECORD}
    filterset_class = filters.TimelineEventFilter
    ordering_fields = ["occurred_at", "recorded_at", "kind", "id"]
    ordering = ["occurred_at", "id"]
    pagination_class = KeysetOrPageNumberPagination

    def get_queryset(self) -> QuerySet[TimelineEvent]:
        return self.scoped(TimelineEvent.objects.select_related("recorded_by", "superseded_by"))

    @extend_schema(
        request=serializers.TimelineEventInput, responses={201: serializers.TimelineEventOutput}
    )
    def create(self, request: Request, incident_pk: int) -> Response:
        """Record an event; trigger events start or move deadlines in the same transaction."""
        data = self._valid(serializers.TimelineEventInput)
        event = _record_event(incident=self.incident, recorded_by=_user(request), **data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=event.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=serializers.CorrectionInput, responses={201: serializers.TimelineEventOutput}
    )
    @action(detail=True, methods=["post"])
    def correct(self, request: Request, incident_pk: int, pk: int) -> Response:
        """Record a correction that supersedes this event (once; a correction can be corrected)."""
        original = self.get_object()
        data = self._valid(serializers.CorrectionInput)
        event = _record_event(
            incident=self.incident, supersedes=original, recorded_by=_user(request), **data
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=event.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class DeadlineViewSet(RowListMixin, mixins.RetrieveModelMixin, IncidentScopedViewSet):
    """What each legal entity owes: due time, status, explanation and alternative triggers."""

    serializer_class = serializers.DeadlineOutput
    row_plan = serializers.DEADLINE_ROWS
    required_rights = {"not_applicable": Action.MARK_NOT_APPLICABLE}
    etag_actions = ("retrieve", "not_applicable")
    if_match_actions = ("not_applicable",)
    filterset_class = filters.DeadlineFilter
    ordering_fields = ["due_at", "trigger_at", "code", "status", "id"]

    def get_queryset(self) -> QuerySet[Deadline]:
        return self.scoped(
            Deadline.objects.select_related(
                "legal_entity", "regulator", "obligation", "not_applicable_by"
            )
            .prefetch_related("alternatives")
            .by_urgency()
        )

    @extend_schema(request=serializers.NotApplicableInput, responses=serializers.DeadlineOutput)
    @action(detail=True, methods=["post"], url_path="not-applicable")
    def not_applicable(self, request: Request, incident_pk: int, pk: int) -> Response:
        """Mark the obligation not applicable, with a justification (legal and admin only)."""
        deadline = self.get_object()
        context = {**self.get_serializer_context(), "deadline": deadline}
        serializer = serializers.NotApplicableInput(data=request.data, context=context)
        serializer.is_valid(raise_exception=True)
        deadline_mark_not_applicable(
            deadline=deadline,
            justification=serializer.validated_data["justification"],
            marked_by=_user(request),
            expected_version=if_match(request),
        )
        return self.retrieve(request, incident_pk, pk)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """One deadline; the ETag header is its version (If-Match on not-applicable)."""
        deadline = self.get_object()
        return with_etag(Response(self.get_serializer(deadline).data), deadline)


class FilingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IncidentScopedViewSet):
    """Reports and notices actually submitted; the first filing of a deadline freezes its verdict."""

    serializer_class = serializers.FilingOutput
    required_rights = {"create": Action.RECORD, "withdraw": Action.RECORD}
    filterset_class = filters.FilingFilter
    ordering_fields = ["submitted_at", "recorded_at", "id"]
    ordering = ["submitted_at", "id"]

    def get_queryset(self) -> QuerySet[Filing]:
        return self.scoped(
            Filing.objects.select_related("regulator", "submitted_by", "withdrawn_by")
        )

    @extend_schema(request=serializers.FilingInput, responses={201: serializers.FilingOutput})
    def create(self, request: Request, incident_pk: int) -> Response:
        data = self._valid(serializers.FilingInput)
        filing = services.filing_submit(incident=self.incident, submitted_by=_user(request), **data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=filing.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=serializers.FilingWithdrawInput, responses=serializers.FilingOutput)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, incident_pk: int, pk: int) -> Response:
        """Withdraw a filing recorded in error, with a reason. It is kept (marked withdrawn) and
        its deadline's verdict is recomputed from the remaining filings."""
        filing = self.get_object()
        data = self._valid(serializers.FilingWithdrawInput)
        services.filing_withdraw(filing=filing, reason=data["reason"], withdrawn_by=_user(request))
        return Response(self.get_serializer(self.get_queryset().get(pk=filing.pk)).data)


class CountRevisionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IncidentScopedViewSet):
    """Affected people per jurisdiction as of a moment; the latest per jurisdiction counts."""

    serializer_class = serializers.CountRevisionOutput
    required_rights = {"create": Action.RECORD}
    filterset_class = filters.CountRevisionFilter
    ordering_fields = ["as_of", "jurisdiction", "count", "id"]
    ordering = ["jurisdiction", "as_of", "id"]

    def get_queryset(self) -> QuerySet[AffectedCountRevision]:
        return self.scoped(AffectedCountRevision.objects.select_related("recorded_by"))

    @extend_schema(
        request=serializers.CountRevisionInput, responses={201: serializers.CountRevisionOutput}
    )
    def create(self, request: Request, incident_pk: int) -> Response:
        data = self._valid(serializers.CountRevisionInput)
        revision = services.affected_count_revise(
            incident=self.incident, recorded_by=_user(request), **data
        )
        return Response(self.get_serializer(revision).data, status=status.HTTP_201_CREATED)


# --- notifications ----------------------------------------------------------------------------


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Your own in-app notifications."""

    serializer_class = serializers.NotificationOutput
    permission_classes = DEFAULT_PERMISSIONS
    filterset_class = filters.NotificationFilter
    ordering_fields = ["created_at", "read_at", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return notifications_for(_user(self.request))

    @extend_schema(request=serializers.EmptyInput, responses=serializers.NotificationOutput)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: int) -> Response:
        """Mark as read (idempotent: the first read time is kept)."""
        notification = self.get_object()
        # Conditional update: marking twice keeps the first read time.
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        notification.refresh_from_db()
        return Response(self.get_serializer(notification).data)
