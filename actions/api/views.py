"""/api/v1/ for action items. Reads are scoped by need-to-know (404 for an incident you may not
see); writes need the record right (403 otherwise) and call one service each. PATCH and the status
changes take ``If-Match`` (the ETag of GET): a stale version answers 412."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.models import User
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from actions import selectors, services
from actions.api import serializers
from actions.models import ActionItem
from common.api.permissions import DEFAULT_PERMISSIONS
from common.api.views import ApiViewSet
from common.concurrency import etag_of
from common.roles import Action
from incidents.api.views import IncidentScopedViewSet, if_match


def _user(request: Request) -> User:
    return cast(User, request.user)


def _with_etag(response: Response, item: ActionItem) -> Response:
    response["ETag"] = etag_of(item)
    return response


class ActionItemViewSet(mixins.ListModelMixin, IncidentScopedViewSet):
    """An incident's tasks: owner, due time, status, and the deadline or request they answer."""

    serializer_class = serializers.ActionItemOutput
    required_rights = {
        "create": Action.RECORD,
        "partial_update": Action.RECORD,
        "complete": Action.RECORD,
        "cancel": Action.RECORD,
        "reopen": Action.RECORD,
        "suggestions": Action.VIEW,
    }
    ordering_fields = ["due_at", "status", "id"]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Creating suggestions (POST) needs the record right; listing them only the view right.
        if getattr(self, "action", None) == "suggestions" and request.method == "POST":
            self.required_rights = {**self.required_rights, "suggestions": Action.RECORD}
        super().initial(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[ActionItem]:
        if getattr(self, "swagger_fake_view", False):
            return ActionItem.objects.none()
        return selectors.action_items_for(self.incident).select_related("created_by")

    def _item(self) -> ActionItem:
        return cast(ActionItem, self.get_object())

    def _answer(self, item: ActionItem, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=item.pk)
        return _with_etag(Response(self.get_serializer(fresh).data, status=code), fresh)

    @extend_schema(
        request=serializers.ActionItemInput, responses={201: serializers.ActionItemOutput}
    )
    def create(self, request: Request, incident_pk: int) -> Response:
        data = self._valid(serializers.ActionItemInput)
        item = services.action_item_create(
            incident=self.incident, created_by=_user(request), **data
        )
        return self._answer(item, status.HTTP_201_CREATED)

    def retrieve(self, request: Request, incident_pk: int, pk: int) -> Response:
        """One task; the ETag header is its version (send it back in If-Match to change it)."""
        item = self._item()
        return _with_etag(Response(self.get_serializer(item).data), item)

    @extend_schema(
        request=serializers.ActionItemInput,
        responses={200: serializers.ActionItemOutput, 412: None},
    )
    def partial_update(self, request: Request, incident_pk: int, pk: int) -> Response:
        """Change some fields. With If-Match, a version older than the row's answers 412."""
        item = self._item()
        data = self._valid(serializers.ActionItemInput, partial=True)
        services.action_item_update(
            item=item, changed_by=_user(request), expected_version=if_match(request), **data
        )
        return self._answer(item)

    @extend_schema(
        request=serializers.ActionCompleteInput,
        responses={200: serializers.ActionItemOutput, 412: None},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, incident_pk: int, pk: int) -> Response:
        """Mark done (idempotent); stops its reminders."""
        item = self._item()
        data = self._valid(serializers.ActionCompleteInput)
        services.action_item_complete(
            item=item,
            by=_user(request),
            note=data.get("note", ""),
            expected_version=if_match(request),
        )
        return self._answer(item)

    @extend_schema(
        request=serializers.ActionCancelInput,
        responses={200: serializers.ActionItemOutput, 412: None},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, incident_pk: int, pk: int) -> Response:
        """Cancel with a reason (kept with the task); stops its reminders."""
        item = self._item()
        data = self._valid(serializers.ActionCancelInput)
        services.action_item_cancel(
            item=item, by=_user(request), reason=data["reason"], expected_version=if_match(request)
        )
        return self._answer(item)

    @extend_schema(
        request=serializers.ActionReopenInput,
        responses={200: serializers.ActionItemOutput, 412: None},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, incident_pk: int, pk: int) -> Response:
        """Open a done or cancelled task again; its reminders still ahead are planned again."""
        item = self._item()
        self._valid(serializers.ActionReopenInput)
        services.action_item_reopen(
            item=item, by=_user(request), expected_version=if_match(request)
        )
        return self._answer(item)

    @extend_schema(methods=["GET"], request=None, responses=serializers.SuggestionOutput(many=True))
    @extend_schema(
        methods=["POST"],
        request=serializers.SuggestionsInput,
        responses={201: serializers.ActionItemOutput(many=True)},
    )
    @action(detail=False, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def suggestions(self, request: Request, incident_pk: int) -> Response:
        """GET: tasks suggested from the open deadlines, one per deadline not yet used ("Prepare
        the report to KISA", in your language). POST: create them (all, or ``keys``);
        idempotent: a suggestion already taken is skipped."""
        if request.method == "GET":
            found = services.action_suggestions_for(incident=self.incident)
            return Response(serializers.SuggestionOutput(found, many=True).data)
        data = self._valid(serializers.SuggestionsInput)
        created = services.action_items_create_suggested(
            incident=self.incident, by=_user(request), keys=data.get("keys")
        )
        rows = self.get_queryset().filter(pk__in=[i.pk for i in created])
        return Response(self.get_serializer(rows, many=True).data, status=status.HTTP_201_CREATED)


class MyActionItemViewSet(mixins.ListModelMixin, ApiViewSet):
    """Your open tasks on the incidents you may see, soonest due first."""

    serializer_class = serializers.ActionItemOutput
    permission_classes = DEFAULT_PERMISSIONS
    ordering_fields = ["due_at", "id"]

    def get_queryset(self) -> QuerySet[ActionItem]:
        if getattr(self, "swagger_fake_view", False):
            return ActionItem.objects.none()
        return selectors.my_open_action_items(_user(self.request)).select_related("created_by")
