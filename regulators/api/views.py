"""Catalogue API (everyone with a role reads, admins write) and the what-if calculator."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api.filters import TextFilter
from common.api.permissions import DEFAULT_PERMISSIONS, HasRoleRight, ReadAnyWriteAdmin
from common.api.views import ApiViewSet
from regulators.api import serializers as s
from regulators.engine.calendars import BusinessCalendar, builtin_calendar
from regulators.engine.rules import (
    Precision,
    Trigger,
    adhoc_rule,
    compute_for_versions,
    parse_offset,
)
from regulators.models import Calendar, Obligation, Regulator


@transaction.atomic
def _save_clean(serializer: Any) -> Model:
    """Catalogue rows have no service layer: the model's ``full_clean`` holds every rule."""
    model = serializer.Meta.model
    instance: Model = serializer.instance or model()
    for name, value in serializer.validated_data.items():
        setattr(instance, name, value)
    instance.full_clean()
    if isinstance(instance, Obligation):
        # The engine's own checks, which the model's clean() does not repeat (e.g. an internal
        # target amount without its unit): a row the engine refuses would break every
        # deadline computation afterwards.
        try:
            instance.to_spec()
        except ValueError as exc:
            raise ValidationError({"non_field_errors": [str(exc)]}) from exc
    instance.save()
    return instance


class CatalogueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Read for every role; create and change for admins. No delete: rows are referenced by
    deadlines and kept for the record (end an obligation with ``effective_to``)."""

    permission_classes = [*DEFAULT_PERMISSIONS, ReadAnyWriteAdmin]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = _save_clean(serializer)
        return Response(self.get_serializer(instance).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: int) -> Response:
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        instance = _save_clean(serializer)
        return Response(self.get_serializer(instance).data)


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


def _calendar(code: str | None) -> BusinessCalendar | None:
    if not code:
        return None
    row = Calendar.objects.filter(code=code).prefetch_related("closures").first()
    if row is not None:
        return row.to_engine()
    try:
        return builtin_calendar(code)
    except ValueError as exc:
        raise ValidationError({"calendar": [_("Unknown calendar.")]}) from exc


class WhatIfView(APIView):
    """When would it be due? An obligation code or an ad hoc offset, and a trigger."""

    permission_classes = [*DEFAULT_PERMISSIONS, HasRoleRight]

    @extend_schema(request=s.WhatIfInput, responses=s.WhatIfOutput, operation_id="what_if")
    def post(self, request: Request) -> Response:
        serializer = s.WhatIfInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        trigger = Trigger(at=data["trigger"], precision=Precision(data.get("precision") or "exact"))
        awareness = Trigger(at=data["awareness"]) if data.get("awareness") else None
        if data.get("code"):
            rows = list(
                Obligation.objects.filter(code=data["code"])
                .select_related("calendar")
                .prefetch_related("calendar__closures")
                .order_by("version")
            )
            if not rows:
                raise ValidationError({"code": [_("Unknown obligation code.")]})
            calendar = rows[-1].calendar.to_engine() if rows[-1].calendar else None
            specs = [row.to_spec() for row in rows]
        else:
            try:
                amount, unit = parse_offset(data["offset"])
            except ValueError as exc:
                raise ValidationError({"offset": [str(exc)]}) from exc
            calendar = _calendar(data.get("calendar"))
            if unit == "bd" and calendar is None:
                raise ValidationError({"calendar": [_("Business days need a calendar.")]})
            specs = [
                adhoc_rule(
                    amount,
                    unit,
                    calendar_code=calendar.code if calendar else None,
                    reference_tz=data.get("tz") or settings.TIME_ZONE,
                    roll_forward=data.get("roll_forward", False),
                )
            ]
        try:
            result = compute_for_versions(specs, trigger, calendar=calendar, awareness=awareness)
        except (ValueError, OverflowError) as exc:
            raise ValidationError({"trigger": [str(exc)]}) from exc
        chosen = next((spec for spec in specs if spec.version == result.version), specs[-1])
        body = result.to_dict()
        body["title_en"] = chosen.title_en
        body["title_ko"] = chosen.title_ko
        return Response(body)
