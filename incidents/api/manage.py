"""API operations for what the browser's management pages do (issue #15 item 2): change a legal
entity's facts, the team (members and owner), close and reopen with a reason, and a filing's
acknowledgement. The same services as the pages; serializers check shape only.

Kept apart from ``incidents.api.views`` so that module stays readable; the viewsets here extend
or sit beside the ones there and are routed in ``incidents.api.urls``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from common.api.fields import (
    AwareDateTimeField,
    NoUnknownFieldsMixin,
    StrictBooleanField,
    StrictCharField,
)
from common.roles import Action
from incidents import services, services_team
from incidents.api import views
from incidents.api.serializers import (
    FilingOutput,
    IncidentOutput,
    LegalEntityInput,
    LegalEntityOutput,
)
from incidents.concurrency import check_current, check_version, quoted, team_version
from incidents.models import IncidentStatus, Membership

# --- shapes -----------------------------------------------------------------------------------


class ReasonInput(NoUnknownFieldsMixin, serializers.Serializer[Any]):
    reason = StrictCharField(
        max_length=2000,
        help_text="Why; kept in the chronology. Closing and reopening need one.",
    )


class UsernameInput(NoUnknownFieldsMixin, serializers.Serializer[Any]):
    username = StrictCharField(max_length=150)

    def validate_username(self, value: str) -> User:
        user = get_user_model().objects.filter(username=value).first()
        if user is None:
            raise serializers.ValidationError(
                _("No account is called %(names)s.") % {"names": value}
            )
        return user


class MemberOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="user.id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    is_owner = StrictBooleanField(read_only=True)
    added_at = AwareDateTimeField(read_only=True, allow_null=True)


class AcknowledgementInput(NoUnknownFieldsMixin, serializers.Serializer[Any]):
    """Any subset; a field left out keeps its value, ``acknowledged_at: null`` clears it."""

    acknowledged_at = AwareDateTimeField(required=False, allow_null=True)
    acknowledgement = StrictCharField(max_length=300, required=False, allow_blank=True)
    reference_number = StrictCharField(max_length=100, required=False, allow_blank=True)
    channel = StrictCharField(max_length=100, required=False, allow_blank=True)


# --- views ------------------------------------------------------------------------------------


class IncidentViewSet(views.IncidentViewSet):
    """Incidents you may see, with the owner, close and reopen operations."""

    required_rights = {
        **views.IncidentViewSet.required_rights,
        "reopen": Action.RECORD,
        "owner": Action.RECORD,
    }

    @extend_schema(request=ReasonInput, responses=IncidentOutput)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: int) -> Response:
        """Close the incident with a reason. Open deadlines stay open (on record, unanswered);
        pending reminders and escalations are cancelled until it is reopened."""
        return self._move(IncidentStatus.CLOSED)

    @extend_schema(request=ReasonInput, responses=IncidentOutput)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: int) -> Response:
        """Reopen a closed incident with a reason (a 400 for one that is not closed); the
        reminders of its open deadlines are planned again."""
        incident = self.get_object()
        data = self._valid(ReasonInput)
        services_team.incident_reopen(
            incident=incident,
            reason=data["reason"],
            changed_by=views._user(request),
            expected_version=views.if_match(request),
        )
        return self._output(incident)

    def _move(self, target: str) -> Response:
        incident = self.get_object()
        data = self._valid(ReasonInput)
        services_team.incident_status_change(
            incident=incident,
            status=target,
            reason=data["reason"],
            changed_by=views._user(self.request),
            expected_version=views.if_match(self.request),
        )
        return self._output(incident)

    @extend_schema(request=UsernameInput, responses=IncidentOutput)
    @action(detail=True, methods=["post"])
    def owner(self, request: Request, pk: int) -> Response:
        """Hand the incident to another account; the previous owner stays a member."""
        incident = self.get_object()
        data = self._valid(UsernameInput)
        services_team.incident_owner_set(
            incident=incident,
            owner=data["username"],
            changed_by=views._user(request),
            expected_version=views.if_match(request),
        )
        return self._output(incident)


class LegalEntityViewSet(views.LegalEntityViewSet):
    """The companies involved; adding one or changing its facts recomputes the deadlines."""

    required_rights = {**views.LegalEntityViewSet.required_rights, "partial_update": Action.RECORD}
    etag_actions = ("retrieve", "partial_update")
    if_match_actions = ("partial_update",)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """One legal entity; the ETag header is its version (send it back in If-Match)."""
        entity = self.get_object()
        return views.with_etag(Response(self.get_serializer(entity).data), entity)

    @extend_schema(request=LegalEntityInput, responses=LegalEntityOutput)
    def partial_update(self, request: Request, incident_pk: int, pk: int) -> Response:
        """Change any subset of the entity's facts; the deadlines follow in the same
        transaction. With If-Match, a 412 if the entity changed since that version."""
        entity = self.get_object()
        data = self._valid(LegalEntityInput, partial=True)
        if data:
            services.legal_entity_update(
                entity=entity,
                changed_by=views._user(request),
                expected_version=views.if_match(request),
                **data,
            )
        else:
            check_version(entity, views.if_match(request))
        fresh = self.get_queryset().get(pk=entity.pk)
        return views.with_etag(Response(self.get_serializer(fresh).data), fresh)


class _Member:
    """One row of the team: the owner (no membership row needed) or a member."""

    def __init__(self, user: User, is_owner: bool, added_at: Any = None) -> None:
        self.user = user
        self.is_owner = is_owner
        self.added_at = added_at


class MemberViewSet(views.IncidentScopedViewSet):
    """Who sees the incident (need-to-know): the owner and the members. Removing is a POST, as
    nothing in this API is deleted by DELETE."""

    serializer_class = MemberOutput
    required_rights = {"create": Action.RECORD, "remove": Action.RECORD}
    pagination_class = None
    filter_backends: list[Any] = []
    # The team's version (owner and members) is the ETag; If-Match on add and remove.
    etag_actions = ("list", "create", "remove")
    if_match_actions = ("create", "remove")

    def get_queryset(self) -> QuerySet[Membership]:
        return self.scoped(Membership.objects.select_related("user").order_by("user__username"))

    def _team(self) -> list[_Member]:
        owner = get_user_model().objects.get(pk=self.incident.owner_id)
        rows = [_Member(owner, True)]
        rows += [
            _Member(m.user, False, m.added_at)
            for m in self.get_queryset()
            if m.user_id != self.incident.owner_id
        ]
        return rows

    def _answer(self, code: int = status.HTTP_200_OK) -> Response:
        response = Response(MemberOutput(self._team(), many=True).data, status=code)
        response["ETag"] = quoted(team_version(self.incident))
        return response

    @extend_schema(responses=MemberOutput(many=True))
    def list(self, request: Request, incident_pk: int) -> Response:
        """The team; the ETag header is its version (send it back in If-Match to change it)."""
        return self._answer()

    @extend_schema(request=UsernameInput, responses={201: MemberOutput(many=True)})
    def create(self, request: Request, incident_pk: int) -> Response:
        """Add an account to the team (idempotent); answers with the whole team. With
        If-Match, a 412 if the team changed since that version."""
        data = self._valid(UsernameInput)
        services.membership_add(
            incident=self.incident,
            user=data["username"],
            expected_version=views.if_match(request),
        )
        return self._answer(status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=MemberOutput(many=True))
    @action(detail=True, methods=["post"])
    def remove(self, request: Request, incident_pk: int, pk: int) -> Response:
        """Take a member off the team: they no longer see the incident. Not the owner. With
        If-Match, a 412 if the team changed since that version."""
        member = next((m.user for m in self._team() if m.user.pk == int(pk)), None)
        if member is None:
            # Someone already took them off: with a version, say the team changed.
            check_current(team_version(self.incident), views.if_match(request))
            raise Http404
        services.membership_remove(
            incident=self.incident, user=member, expected_version=views.if_match(request)
        )
        return self._answer()


class FilingViewSet(views.FilingViewSet):
    required_rights = {**views.FilingViewSet.required_rights, "acknowledge": Action.RECORD}
    etag_actions = ("retrieve", "acknowledge")
    if_match_actions = ("acknowledge",)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """One filing; the ETag header is its version (If-Match on acknowledge)."""
        filing = self.get_object()
        return views.with_etag(Response(self.get_serializer(filing).data), filing)

    @extend_schema(request=AcknowledgementInput, responses=FilingOutput)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, incident_pk: int, pk: int) -> Response:
        """Record or edit the regulator's acknowledgement: time, text, reference number,
        channel. The submission time and the deadline's verdict do not change. With If-Match,
        a 412 if the filing changed since that version; without it, only the fields sent
        change."""
        filing = self.get_object()
        data = self._valid(AcknowledgementInput)
        services.filing_acknowledge(
            filing=filing,
            changed_by=views._user(request),
            expected_version=views.if_match(request),
            **data,
        )
        fresh = self.get_queryset().get(pk=filing.pk)
        return views.with_etag(Response(self.get_serializer(fresh).data), fresh)
