"""List pages without model instances: an output serializer's JSON, built from ``values()`` rows.

For a page of 50 rows, DRF builds a model instance per row (and per related row, with a queryset
per parent for ``prefetch_related``), then asks every field of every row for its value through
several layers of calls: on the incident list that was most of the request (docs/performance.md).
A ``RowPlan`` is compiled once per process from the output serializer itself, so that a list and
a single object cannot drift apart:

* each field is read from the ``values()`` column named after its source (``owner.username`` ->
  ``owner__username``; a primary-key relation -> its id; a slug relation -> the slug column);
* the value goes through that serializer field's own ``to_representation`` (None stays None, as in
  DRF), except times: formatted as DRF's ``DateTimeField`` does (ISO 8601 in the current zone, Z
  for UTC), with the zone read once per page instead of once per value;
* a nested list over a reverse foreign key (an incident's ``entities``) is one more query for the
  whole page, in the related model's default order, as ``prefetch_related`` reads it;
* a nested list over a JSON column (a deadline's ``explanation``: objects with ``en`` and ``ko``)
  is read with the row, each object's fields through the nested serializer's own fields;
* a field that no column gives (a method field) is given by the view as a ``Computed`` value.

A field that needs more (the request for a hyperlink, a serializer method) fails when the plan is
compiled rather than answering something else. tests/api/test_rows.py compares every plan's
output with its serializer's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db.models import JSONField, ManyToOneRel, Model, QuerySet
from django.utils import timezone
from rest_framework import ISO_8601, fields, mixins, relations, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

Row = dict[str, Any]


@dataclass(frozen=True)
class Computed:
    """A field computed from columns of the row (the row holds ``lookups`` under their names)."""

    lookups: tuple[str, ...]
    value: Callable[[Row], Any]


# Field types whose to_representation uses only the value (not the request, not the parent).
_VALUE_ONLY: tuple[type[fields.Field], ...] = (  # type: ignore[type-arg]
    fields.BooleanField,
    fields.CharField,
    fields.ChoiceField,
    fields.DateField,
    fields.DateTimeField,
    fields.DecimalField,
    fields.FloatField,
    fields.IntegerField,
    fields.JSONField,
    fields.ReadOnlyField,
    fields.TimeField,
    fields.UUIDField,
    fields._UnvalidatedField,
)
_CONTAINERS = (fields.DictField, fields.ListField)

# Kinds of entry in a plan.
_VALUE, _TIME, _COMPUTED, _NESTED, _JSON = range(5)
# A value's conversion: the field's to_representation, skipped for the exact types it would
# return unchanged (DRF's CharField gives str(value): the same str); None: every type.
_AS_IS: tuple[Any, frozenset[type] | None] = (None, None)


def _unchanged(field: Any) -> frozenset[type] | None:
    """The exact types this field's ``to_representation`` returns as they are (None: all)."""
    method = type(field).to_representation
    if method is fields.JSONField.to_representation and not field.binary:
        return None
    if method in (
        fields.ReadOnlyField.to_representation,
        fields._UnvalidatedField.to_representation,
    ):
        return None
    if method is fields.CharField.to_representation:  # str(value)
        return frozenset({str})
    if method is fields.IntegerField.to_representation:  # int(value)
        return frozenset({int})
    if method is fields.BooleanField.to_representation:  # True and False as they are
        return frozenset({bool})
    if method is fields.ChoiceField.to_representation and all(
        key == value for key, value in field.choice_strings_to_values.items()
    ):  # choice_strings_to_values.get(str(value), value)
        return frozenset({str})
    return frozenset()


def _json_source(model: type[Model] | None, field: Any) -> bool:
    """Whether a nested list serializer reads a JSON column of the model (not a relation)."""
    if model is None or len(field.source_attrs) != 1:
        return False
    try:
        column = model._meta.get_field(field.source_attrs[0])
    except FieldDoesNotExist:
        return False
    return isinstance(column, JSONField)


def _value_only(field: fields.Field) -> bool:  # type: ignore[type-arg]
    if isinstance(field, _CONTAINERS):
        return _value_only(field.child)
    return isinstance(field, _VALUE_ONLY) and not isinstance(field, fields.MultipleChoiceField)


def _plain_time(field: fields.Field) -> bool:  # type: ignore[type-arg]
    """Whether the field formats a time exactly as DRF's DateTimeField does by default: ISO 8601
    in the current zone (no zone of its own, no other format, no override)."""
    if not isinstance(field, fields.DateTimeField) or not settings.USE_TZ:
        return False
    base, kind = fields.DateTimeField, type(field)
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    return (
        kind.to_representation is base.to_representation
        and kind.enforce_timezone is base.enforce_timezone
        and kind.default_timezone is base.default_timezone
        and not hasattr(field, "timezone")
        and isinstance(output_format, str)
        and output_format.lower() == ISO_8601
    )


def _may_be_missing(model: type[Model] | None, path: Sequence[str]) -> bool:
    """Whether an object on this path of relations from ``model`` may be None (or unknown)."""
    for attr in path:
        if model is None:
            return True
        try:
            field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            return True
        if not (field.many_to_one or field.one_to_one) or field.null or field.auto_created:
            return True
        model = field.related_model  # type: ignore[assignment]
    return False


def _iso(value: datetime, zone: tzinfo) -> str:
    # DateTimeField.to_representation, with the zone it would read for every value.
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


@dataclass(frozen=True)
class _Nested:
    plan: RowPlan
    model: type[Model]
    parent: str  # the foreign key's name on the related model, e.g. "incident"
    parent_column: str  # its column, e.g. "incident_id"
    # The model's default order without the parent (which would join it only to sort by its
    # own order): within one parent, the rows come in the same order. None: the default.
    ordering: tuple[str, ...] | None


class RowPlan:
    """How one output serializer's JSON is built from ``values()`` rows (compiled on first use).

    ``computed`` gives the fields no column gives, by name, in the serializer's order.
    """

    def __init__(
        self,
        serializer_class: type[serializers.BaseSerializer[Any]],
        computed: dict[str, Computed] | None = None,
    ) -> None:
        self.serializer_class = serializer_class
        self.computed = computed or {}
        self._entries: list[tuple[str, int, Any, Any]] | None = None
        self._lookups: list[str] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RowPlan({self.serializer_class.__name__})"

    # --- compiling ----------------------------------------------------------------------------

    def _compile(self) -> list[tuple[str, int, Any, Any]]:
        with self._lock:
            if self._entries is None:
                self._entries = self._build(self.serializer_class())
        return self._entries

    def _build(self, serializer: Any) -> list[tuple[str, int, Any, Any]]:
        model = getattr(getattr(serializer, "Meta", None), "model", None)
        entries: list[tuple[str, int, Any, Any]] = []
        lookups: dict[str, None] = {}
        for name, field in serializer.fields.items():  # type: ignore[attr-defined]
            if field.write_only:
                continue
            if name in self.computed:
                computed = self.computed[name]
                lookups.update(dict.fromkeys(computed.lookups))
                entries.append((name, _COMPUTED, None, computed.value))
                continue
            if isinstance(field, serializers.ListSerializer) and _json_source(model, field):
                lookup, convert = self._json_objects(name, field)
                lookups[lookup] = None
                entries.append((name, _JSON, lookup, convert))
                continue
            if isinstance(field, serializers.ListSerializer):
                nested = self._nested(model, name, field)
                lookups["pk"] = None
                entries.append((name, _NESTED, "pk", nested))
                continue
            self._check_path(model, name, field)
            lookup, kind, convert = self._column(name, field)
            lookups[lookup] = None
            entries.append((name, kind, lookup, convert))
        self._lookups = list(lookups)
        return entries

    def _check_path(self, model: type[Model] | None, name: str, field: Any) -> None:
        """A value read through a relation that may be missing (``recorded_by.username``) is
        None from ``values()``; DRF then gives the field's default, or None if it allows null,
        or leaves the key out. Only the first two agree with the column when the default is
        None."""
        if len(field.source_attrs) < 2 or not _may_be_missing(model, field.source_attrs[:-1]):
            return
        if field.default is fields.empty and field.allow_null:
            return
        if field.default is not fields.empty and field.default is None:
            return
        raise ImproperlyConfigured(
            f"{self}: {name!r} reads through a relation that may be missing; "
            "give it default=None or allow_null=True"
        )

    def _column(self, name: str, field: fields.Field) -> tuple[str, int, Any]:  # type: ignore[type-arg]
        source = field.source_attrs
        if not source:  # source="*": the whole object
            raise ImproperlyConfigured(f"{self}: give {name!r} as Computed")
        lookup = "__".join(source)
        if isinstance(field, relations.PrimaryKeyRelatedField) and not isinstance(
            field, relations.HyperlinkedRelatedField
        ):
            # values("legal_entity") is the related id, as DRF's PKOnlyObject.
            pk_field = field.pk_field
            if pk_field is None:
                return lookup, _VALUE, _AS_IS
            return lookup, _VALUE, (pk_field.to_representation, _unchanged(pk_field))
        if isinstance(field, relations.SlugRelatedField):
            return f"{lookup}__{field.slug_field}", _VALUE, _AS_IS
        if not _value_only(field):
            raise ImproperlyConfigured(
                f"{self}: {name!r} ({type(field).__name__}) cannot be read from a column; "
                "give it as Computed"
            )
        if _plain_time(field):
            return lookup, _TIME, field.to_representation
        unchanged = _unchanged(field)
        if unchanged is None:
            return lookup, _VALUE, _AS_IS
        return lookup, _VALUE, (field.to_representation, unchanged)

    def _json_objects(self, name: str, field: Any) -> tuple[str, Callable[[Any], Any]]:
        """A list of objects kept in a JSON column (a deadline's explanation), as the nested
        serializer gives it: each object's fields through their own ``to_representation``."""
        child = field.child
        keys: list[tuple[str, str, Any]] = []
        for child_name, child_field in child.fields.items():
            if child_field.write_only:
                continue
            if len(child_field.source_attrs) != 1 or not _value_only(child_field):
                raise ImproperlyConfigured(
                    f"{self}: {name!r}.{child_name!r} cannot be read from the JSON object"
                )
            keys.append((child_name, child_field.source_attrs[0], child_field))

        def convert(items: Any) -> Any:
            out = []
            for item in items:
                if not isinstance(item, dict) or any(key not in item for _n, key, _f in keys):
                    # Not the usual shape: the serializer decides (default, skip or error).
                    out.append(child.to_representation(item))
                    continue
                out.append(
                    {
                        child_name: None
                        if item[key] is None
                        else child_field.to_representation(item[key])
                        for child_name, key, child_field in keys
                    }
                )
            return out

        return field.source_attrs[0], convert

    def _nested(self, model: type[Model] | None, name: str, field: Any) -> _Nested:
        relation = model._meta.get_field(field.source) if model is not None else None
        if not isinstance(relation, ManyToOneRel) or field.child is None:
            raise ImproperlyConfigured(f"{self}: {name!r} is not a reverse foreign key")
        related_model: type[Model] = relation.related_model  # type: ignore[assignment]
        parent, parent_column = relation.field.name, relation.field.attname
        default = list(related_model._meta.ordering or [])
        ordering = [
            item
            for item in default
            if not (isinstance(item, str) and item.lstrip("-") in (parent, parent_column))
        ]
        plain = all(isinstance(item, str) for item in default)
        return _Nested(
            plan=RowPlan(type(field.child)),
            model=related_model,
            parent=parent,
            parent_column=parent_column,
            ordering=tuple(str(item) for item in ordering)
            if plain and ordering != default
            else None,
        )

    # --- reading ------------------------------------------------------------------------------

    @property
    def lookups(self) -> list[str]:
        self._compile()
        return self._lookups

    def values(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """The columns the rows need (``select_related`` and prefetches do not apply)."""
        return queryset.prefetch_related(None).values(*self.lookups)

    def rows(self, records: Iterable[Row]) -> list[Row]:
        """The serializer's ``data`` for these ``values()`` rows."""
        entries = self._compile()
        records = list(records)
        children = {
            name: self._children(nested, records)
            for name, kind, _lookup, nested in entries
            if kind == _NESTED
        }
        zone = timezone.get_current_timezone()
        result = []
        for record in records:
            item: Row = {}
            for name, kind, lookup, convert in entries:
                if kind == _VALUE:
                    value = record[lookup]
                    method, unchanged = convert
                    if value is None or unchanged is None or type(value) in unchanged:
                        item[name] = value
                    else:
                        item[name] = method(value)
                elif kind == _TIME:
                    value = record[lookup]
                    if value is None:
                        item[name] = None
                    elif value.tzinfo is None:
                        item[name] = convert(value)
                    else:
                        item[name] = _iso(value, zone)
                elif kind == _COMPUTED:
                    item[name] = convert(record)
                elif kind == _JSON:
                    value = record[lookup]
                    item[name] = None if value is None else convert(value)
                else:
                    item[name] = children[name].get(record["pk"], [])
            result.append(item)
        return result

    def _children(self, nested: _Nested, records: Sequence[Row]) -> dict[Any, list[Row]]:
        grouped: dict[Any, list[Row]] = {}
        if not records:
            return grouped
        plan = nested.plan
        queryset = nested.model._default_manager.filter(
            **{f"{nested.parent}__in": [record["pk"] for record in records]}
        )
        if nested.ordering is not None and not queryset.query.order_by:
            queryset = queryset.order_by(*nested.ordering)
        related = list(queryset.values(nested.parent_column, *plan.lookups))
        parents = [row[nested.parent_column] for row in related]
        for parent, row in zip(parents, plan.rows(related), strict=True):
            grouped.setdefault(parent, []).append(row)
        return grouped


class RowListMixin(mixins.ListModelMixin):
    """``list`` answered from ``values()`` rows through ``row_plan``: the same JSON as the
    serializer's, paginated and filtered the same way."""

    row_plan: RowPlan

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # No docstring here: the schema describes the operation from the view's.
        view = cast(GenericAPIView[Any], self)
        cursor_param = getattr(view.paginator, "cursor_query_param", None)
        if cursor_param and cursor_param in request.query_params:
            # Keyset pages (common.api.pagination) key on model attributes: those pages go
            # through the serializer, which gives the same JSON.
            return super().list(request, *args, **kwargs)
        queryset = view.filter_queryset(view.get_queryset())
        rows = self.row_plan.values(queryset)
        page = view.paginate_queryset(_Counted(queryset, rows))  # type: ignore[arg-type]
        if page is None:
            return Response(self.row_plan.rows(rows))
        return view.get_paginated_response(self.row_plan.rows(cast(list[Row], page)))


class _Counted:
    """The rows as Django's Paginator reads them, counted on the model queryset: the joins that
    the rows' columns add (``owner__username``) would make the count join too."""

    def __init__(self, queryset: QuerySet[Any], rows: QuerySet[Any]) -> None:
        self.queryset = queryset
        self.rows = rows
        self.ordered = rows.ordered

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, index: Any) -> Any:
        return self.rows[index]
