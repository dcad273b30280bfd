"""Catalogue API (everyone with a role reads, admins write) and the what-if calculator."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Model, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api.filters import TextFilter
from common.api.permissions import DEFAULT_PERMISSIONS, HasRoleRight, ReadAnyWriteAdmin
from common.api.views import ApiViewSet
from common.concurrency import quoted
from regulators.api import serializers as s
from regulators.computation import deadline_compute
from regulators.models import Calendar, Obligation, Regulator
from regulators.services import catalogue_row_save, catalogue_version


def _if_match(request: Request) -> str | None:
    """The version the client edited (If-Match), or None: as on incidents, optional."""
    return request.headers.get("If-Match") or None


def _with_etag(response: Response, instance: Model) -> Response:
    response["ETag"] = quoted(catalogue_version(instance))
    return response


class CatalogueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Read for every role; create and change for admins. No delete: rows are referenced by
    deadlines and kept for the record (end an obligation with ``effective_to``). A row's GET
    answers with its ETag; a PATCH with If-Match is refused with 412 if the row (a calendar
    with its closures) changed since that version (``regulators.services``)."""

    permission_classes = [*DEFAULT_PERMISSIONS, ReadAnyWriteAdmin]
    http_method_names = ["get", "post", "patch", "head", "options"]
    etag_actions = ("retrieve", "create", "partial_update")
    if_match_actions = ("partial_update",)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        return _with_etag(Response(self.get_serializer(instance).data), instance)

    def create(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = catalogue_row_save(
            model=self.get_queryset().model, values=dict(serializer.validated_data)
        )
        return _with_etag(
            Response(self.get_serializer(instance).data, status=status.HTTP_201_CREATED),
            instance,
        )

    def partial_update(self, request: Request, pk: int) -> Response:
        current = self.get_object()
        serializer = self.get_serializer(current, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        instance = catalogue_row_save(
            model=type(current),
            pk=current.pk,
            values=dict(serializer.validated_data),
            expected_version=_if_match(request),
        )
        fresh = self.get_queryset().get(pk=instance.pk)
        return _with_etag(Response(self.get_serializer(fresh).data), fresh)


class RegulatorFilter(django_filters.FilterSet):
    code = TextFilter()
    country = TextFilter()

    class Meta:
        model = Regulator
        fields = ["code", "country"]


class RegulatorViewSet(CatalogueViewSet):
    serializer_class = s.RegulatorSerializer
    queryset = Regulator.objects.all()
    filterset_class = RegulatorFilter
    ordering_fields = ["code", "country", "id"]
    ordering = ["code"]


class StrictDateField(forms.DateField):
    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


@extend_schema_field(OpenApiTypes.DATE)
class DateOnlyFilter(django_filters.DateFilter):
    field_class = StrictDateField


class ObligationFilter(django_filters.FilterSet):
    code = TextFilter()
    regulator = TextFilter(field_name="regulator__code")
    period_unit = TextFilter()
    in_force_on = DateOnlyFilter(method="filter_in_force", label="In force on (date)")

    class Meta:
        model = Obligation
        fields = ["code", "regulator", "period_unit"]

    def filter_in_force(self, queryset: QuerySet[Obligation], name: str, value: Any) -> Any:
        return queryset.in_force_on(value)  # type: ignore[attr-defined]


class ObligationViewSet(CatalogueViewSet):
    serializer_class = s.ObligationSerializer
    queryset = Obligation.objects.select_related("regulator", "calendar")
    filterset_class = ObligationFilter
    ordering_fields = ["code", "version", "effective_from", "id"]
    ordering = ["code", "version"]


class CalendarFilter(django_filters.FilterSet):
    code = TextFilter()

    class Meta:
        model = Calendar
        fields = ["code"]


class CalendarViewSet(CatalogueViewSet):
    serializer_class = s.CalendarSerializer
    queryset = Calendar.objects.prefetch_related("closures")
    filterset_class = CalendarFilter
    ordering_fields = ["code", "id"]
    ordering = ["code"]


class WhatIfView(APIView):
    """When would it be due? An obligation code or an ad hoc offset, and a trigger."""

    permission_classes = [*DEFAULT_PERMISSIONS, HasRoleRight]

    @extend_schema(request=s.WhatIfInput, responses=s.WhatIfOutput, operation_id="what_if")
    def post(self, request: Request) -> Response:
        serializer = s.WhatIfInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        common: dict[str, Any] = {
            "trigger_at": data["trigger"],
            "precision": data.get("precision") or "exact",
            "awareness_at": data.get("awareness"),
        }
        if data.get("code"):
            computed = deadline_compute(code=data["code"], **common)
        else:
            computed = deadline_compute(
                offset=data["offset"],
                calendar=data.get("calendar") or "",
                tz=data.get("tz") or "",
                roll_forward=data.get("roll_forward", False),
                **common,
            )
        result, chosen = computed.result, computed.spec
        body = result.to_dict()
        body["title_en"] = chosen.title_en
        body["title_ko"] = chosen.title_ko
        return Response(body)
