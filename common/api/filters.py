"""Strict filtering for every API: an unknown query parameter, filter value or ordering field is
a 400 with the parameter named, never silently ignored (a typo such as ``?staus=open`` would
otherwise return every row) and never a 500."""

from __future__ import annotations

from datetime import UTC, datetime
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

from common.api.fields import NAIVE_MESSAGE

ALWAYS_ALLOWED = {"page", "page_size", "format", api_settings.ORDERING_PARAM}


class StrictFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: APIView) -> Any:
        filterset_class = self.get_filterset_class(view, queryset)
        # A FilterSet's form has one field per declared filter (base_filters), so the names are
        # known without building the form.
        names = set(filterset_class.base_filters) if filterset_class is not None else set()
        allowed = set(ALWAYS_ALLOWED) | names
        # A paginator that also pages by key (common.api.pagination) takes ``cursor``.
        cursor_param = getattr(getattr(view, "paginator", None), "cursor_query_param", None)
        if cursor_param:
            allowed.add(cursor_param)
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise ValidationError({name: [_("Unknown query parameter.")] for name in unknown})
        if not names & set(request.query_params):
            # No filter named: every filter would let the rows through unchanged, so the
            # FilterSet and its form (a few milliseconds per list request) are not built.
            return queryset
        return super().filter_queryset(request, queryset, view)


class StrictOrderingFilter(OrderingFilter):
    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: APIView) -> Any:
        if self.ordering_param in request.query_params:
            params = ",".join(request.query_params.getlist(self.ordering_param))
            fields = [param.strip() for param in params.split(",")]
            valid = {
                name for name, _label in self.get_valid_fields(queryset, view, {"request": request})
            }
            bad = [f or '""' for f in fields if f.lstrip("-") not in valid]
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

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        fields = list(getattr(view, "ordering_fields", None) or [])
        if not fields:
            return []
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Comma-separated fields; a leading '-' sorts descending.",
                "schema": {
                    "type": "array",
                    # At least one: an empty list and [""] would both be sent as "ordering=".
                    "minItems": 1,
                    "items": {
                        "type": "string",
                        "enum": [*fields, *(f"-{name}" for name in fields)],
                    },
                },
                "style": "form",
                "explode": False,
            }
        ]


class AwareIsoDateTimeField(IsoDateTimeField):
    default_error_messages = {"naive": gettext_lazy(str(NAIVE_MESSAGE))}

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None and timezone.is_naive(parsed):
                raise forms.ValidationError(NAIVE_MESSAGE, code="naive")
        result = super().to_python(value)
        if result is None:
            return None
        try:
            # UTC for the database: PostgreSQL refuses offsets beyond ±15:59 that ISO allows.
            result = result.astimezone(UTC)
        except OverflowError:
            # Year 1 or 9999 with an offset: a bound before or after every stored time.
            if result.year < 2:
                result = datetime.min.replace(tzinfo=UTC)
            else:
                result = datetime.max.replace(tzinfo=UTC)
        return result


class AwareDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = AwareIsoDateTimeField


@extend_schema_field({"type": "string", "pattern": "^[^\\u0000]*$"})
class TextFilter(django_filters.CharFilter):
    """Free text (no NUL characters, which no database column can hold)."""


class StrictIntegerField(forms.IntegerField):
    """An empty value is refused rather than read as "no filter"."""

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str) and not value.strip():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)  # type: ignore[no-any-return]


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 2**63 - 1})
class IdFilter(django_filters.NumberFilter):
    """An id: a whole number in the database's range (not a decimal, never an overflow)."""

    field_class = StrictIntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class StrictBooleanField(forms.Field):
    """true/false (or 1/0); anything else, including an empty value, is refused."""

    def to_python(self, value: Any) -> bool | None:
        if value is None:
            return None
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise forms.ValidationError(_("Give true or false."), code="invalid")


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField
