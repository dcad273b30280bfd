"""FilterSets and strict filtering: an unknown query parameter, filter value or ordering field is
a 400 with the parameter named, never silently ignored (a typo such as ``?staus=open`` would
otherwise return every row) and never a 500."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from incidents.api.fields import NAIVE_MESSAGE
from incidents.models import (
    AffectedCountRevision,
    Applicability,
    Deadline,
    DeadlineStatus,
    EventKind,
    Filing,
    Incident,
    IncidentStatus,
    LegalEntity,
    Notification,
    Severity,
    TimelineEvent,
)

ALWAYS_ALLOWED = {"page", "page_size", "format", api_settings.ORDERING_PARAM}


class StrictFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: APIView) -> Any:
        filterset = self.get_filterset(request, queryset, view)
        allowed = set(ALWAYS_ALLOWED)
        if filterset is not None:
            allowed |= set(filterset.form.fields)
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise ValidationError({name: [_("Unknown query parameter.")] for name in unknown})
        return super().filter_queryset(request, queryset, view)


class StrictOrderingFilter(OrderingFilter):
    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: APIView) -> Any:
        params = request.query_params.get(self.ordering_param)
        if params:
            fields = [param.strip() for param in params.split(",")]
            valid = {
                name for name, _label in self.get_valid_fields(queryset, view, {"request": request})
            }
            bad = [f for f in fields if f.lstrip("-") not in valid]
            if bad:
                raise ValidationError(
                    {
                        self.ordering_param: [
                            _("Cannot order by %(fields)s; choose from %(valid)s.")
                            % {"fields": ", ".join(bad), "valid": ", ".join(sorted(valid))}
                        ]
                    }
                )
        return super().get_ordering(request, queryset, view)


class AwareIsoDateTimeField(IsoDateTimeField):
    default_error_messages = {"naive": gettext_lazy(str(NAIVE_MESSAGE))}

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.strip():
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None and timezone.is_naive(parsed):
                raise forms.ValidationError(NAIVE_MESSAGE, code="naive")
        return super().to_python(value)


class AwareDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = AwareIsoDateTimeField


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """An id: a whole number in the database's range (not a decimal, never an overflow)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class IncidentFilter(django_filters.FilterSet):
    reference = django_filters.CharFilter(max_length=20)
    status = django_filters.MultipleChoiceFilter(choices=IncidentStatus.choices)
    severity = django_filters.MultipleChoiceFilter(choices=Severity.choices)
    owner = django_filters.CharFilter(field_name="owner__username", max_length=150)
    title = django_filters.CharFilter(lookup_expr="icontains", max_length=300)
    created_after = AwareDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = AwareDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Incident
        fields = ["reference", "status", "severity", "owner", "title"]


class LegalEntityFilter(django_filters.FilterSet):
    country = django_filters.CharFilter(max_length=2)

    class Meta:
        model = LegalEntity
        fields = ["country"]


class TimelineEventFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=EventKind.choices)
    current = django_filters.BooleanFilter(
        field_name="superseded_by", lookup_expr="isnull", label="Only events not superseded"
    )
    basis = django_filters.CharFilter(max_length=20)
    occurred_after = AwareDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = AwareDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = TimelineEvent
        fields = ["kind", "basis"]


class DeadlineFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=DeadlineStatus.choices)
    applicability = django_filters.MultipleChoiceFilter(choices=Applicability.choices)
    code = django_filters.CharFilter(max_length=60)
    legal_entity = IdFilter(field_name="legal_entity_id")
    verdict = django_filters.CharFilter(max_length=20)
    due_after = AwareDateTimeFilter(field_name="due_at", lookup_expr="gte")
    due_before = AwareDateTimeFilter(field_name="due_at", lookup_expr="lt")

    class Meta:
        model = Deadline
        fields = ["status", "applicability", "code", "verdict"]


class FilingFilter(django_filters.FilterSet):
    deadline = IdFilter(field_name="deadline_id")
    legal_entity = IdFilter(field_name="legal_entity_id")
    submitted_after = AwareDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = AwareDateTimeFilter(field_name="submitted_at", lookup_expr="lt")

    class Meta:
        model = Filing
        fields: list[str] = []


class CountRevisionFilter(django_filters.FilterSet):
    jurisdiction = django_filters.CharFilter(max_length=10)

    class Meta:
        model = AffectedCountRevision
        fields = ["jurisdiction"]


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull")
    kind = django_filters.CharFilter(max_length=30)
    incident = IdFilter(field_name="incident_id")

    class Meta:
        model = Notification
        fields = ["kind"]
