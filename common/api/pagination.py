"""Bounded pagination: a client may ask for 1 to 200 rows per page, never an unbounded list.

A page or page size that is not a whole number in range is a 400 (not silently the default);
a page past the end is a 404. The long lists also page by key (``KeysetOrPageNumberPagination``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core import signing
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

MAX_PAGE = 10**9


def _whole(request: Request, name: str, low: int, high: int) -> int | None:
    raw = request.query_params.getlist(name)
    if not raw:
        return None
    message = _("Give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
    if len(raw) > 1:
        raise ValidationError({name: [message]})
    try:
        value = int(raw[0])
    except ValueError:
        raise ValidationError({name: [message]}) from None
    if not low <= value <= high:
        raise ValidationError({name: [message]})
    return value


class FirstPageFirstPaginator(Paginator):
    """Reads page 1 before counting: when it holds fewer rows than a page, their number is the
    count, and the ``COUNT(*)`` query is not sent (most lists of one incident fit on a page).

    One row more than a page is read to know; a longer list is counted as before.
    """

    def page(self, number: Any) -> Page:
        if "count" in self.__dict__ or not _is_one(number) or self.orphans:
            return super().page(number)
        head = list(self.object_list[: self.per_page + 1])
        if len(head) > self.per_page:
            return self._page(head[: self.per_page], self.validate_number(1))
        if not head and not self.allow_empty_first_page:
            return super().page(number)
        self.__dict__["count"] = len(head)  # Paginator.count is a cached_property
        return self._page(head, 1)

    def _page(self, rows: list[Any], number: int) -> Page:
        page: Page = self._get_page(rows, number, self)  # type: ignore[attr-defined]
        return page


def _is_one(number: Any) -> bool:
    return isinstance(number, (int, str)) and not isinstance(number, bool) and str(number) == "1"


class BoundedPageNumberPagination(PageNumberPagination):
    django_paginator_class = FirstPageFirstPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Request) -> int:
        size = _whole(request, self.page_size_query_param, 1, self.max_page_size)
        return size or self.page_size

    def get_page_number(self, request: Request, paginator: Any) -> Any:
        _whole(request, self.page_query_param, 1, MAX_PAGE)
        return super().get_page_number(request, paginator)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                }
        return parameters


class KeysetPagination(CursorPagination):
    """Keyset pages on the view's whole ordering (DRF's ``CursorPagination`` keys on the first
    field only and skips its ties by an offset, which repeats or drops rows when the direction
    changes inside a run of ties, e.g. ``?ordering=severity``). Here the cursor holds every
    ordering field's value of the row the next page starts after (the previous page ends before),
    and the page is the rows strictly after that key in the full order, which always ends in the
    id: exact whatever ties. For views whose ordering fields are never null.

    The cursor is signed (it carries values that go into a filter) and names its path and its
    ordering; one that cannot be read, or was made for another list or ordering, is a 404 with
    the usual error body, as in DRF (the page it names does not exist; a page past the end is a
    404 too)."""

    invalid_cursor_message = gettext_lazy(  # type: ignore[assignment]
        "This cursor cannot be read: follow the next and previous links as given, or start "
        "again from the first page."
    )
    request: Request
    ordering: tuple[str, ...] = ("id",)  # type: ignore[assignment]  # always a tuple here

    def get_ordering(self, request: Request, queryset: Any, view: Any) -> tuple[str, ...]:
        ordering = tuple(super().get_ordering(request, queryset, view))
        if not {"id", "-id", "pk", "-pk"} & set(ordering):
            ordering = (*ordering, "id")
        return ordering

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        self.request = request
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        backward, key = self._decode(request)
        size = int(self.page_size or 1)
        rows = self._read(queryset, backward, key, size)
        if backward and not rows:
            # Nothing before the key any more (rows were removed): the first page.
            backward, key = False, None
            rows = self._read(queryset, backward, key, size)
        more = len(rows) > size
        self.page = rows[:size]
        if backward:
            self.page.reverse()
        self.has_previous = more if backward else key is not None
        self.has_next = key is not None if backward else more
        self.edge_key = key
        return self.page

    def _read(self, queryset: Any, backward: bool, key: list[Any] | None, size: int) -> list[Any]:
        ordering = _flip(self.ordering) if backward else self.ordering
        queryset = queryset.order_by(*ordering)
        if key is not None:
            queryset = queryset.filter(_beyond(ordering, key))
        return list(queryset[: size + 1])

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        key = self._key_of(self.page[-1]) if self.page else self.edge_key
        return self._link(False, key)

    def get_previous_link(self) -> str | None:
        if not self.has_previous:
            return None
        key = self._key_of(self.page[0]) if self.page else self.edge_key
        return self._link(True, key)

    def _key_of(self, row: Any) -> list[Any]:
        values = [getattr(row, field.lstrip("-")) for field in self.ordering]
        return [v.isoformat() if isinstance(v, datetime) else v for v in values]

    def _salt(self) -> str:
        return f"api-cursor:{self.request.path}"

    def _link(self, backward: bool, key: list[Any] | None) -> str:
        payload = {"b": int(backward), "o": list(self.ordering), "k": key}
        token = signing.dumps(payload, salt=self._salt())
        return replace_query_param(str(self.base_url), self.cursor_query_param, token)

    def _decode(self, request: Request) -> tuple[bool, list[Any] | None]:
        token = request.query_params.get(self.cursor_query_param)
        if not token:
            return False, None  # "?cursor=" asks for the first page, with a cursor for the next
        try:
            payload = signing.loads(token, salt=self._salt())
        except (signing.BadSignature, ValueError, TypeError, UnicodeError):
            raise NotFound(self.invalid_cursor_message) from None
        if (
            not isinstance(payload, dict)
            or payload.get("b") not in (0, 1)
            or payload.get("o") != list(self.ordering)
            or not isinstance(payload.get("k"), list)
            or len(payload["k"]) != len(self.ordering)
        ):
            raise NotFound(self.invalid_cursor_message)
        return bool(payload["b"]), payload["k"]


def _flip(ordering: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(field[1:] if field.startswith("-") else f"-{field}" for field in ordering)


def _beyond(ordering: tuple[str, ...], key: list[Any]) -> Q:
    """Rows after ``key`` in ``ordering``: (a > A) or (a = A and b > B) or ... (``<`` where the
    field sorts descending)."""
    names = [field.lstrip("-") for field in ordering]
    found = Q(pk__in=[])
    for i, field in enumerate(ordering):
        equal = {names[j]: key[j] for j in range(i)}
        lookup = f"{names[i]}__{'lt' if field.startswith('-') else 'gt'}"
        found |= Q(**equal, **{lookup: key[i]})
    return found


class KeysetOrPageNumberPagination(BoundedPageNumberPagination):
    """Page numbers by default, as before; ``?cursor=`` (empty for the first page) pages by key
    instead (``KeysetPagination``: page 400 costs what page 1 costs, and rows added while a
    client pages do not shift it). The body has the same fields either way (``count``, ``next``,
    ``previous``, ``results``); with a cursor, ``next`` and ``previous`` carry cursors, and
    ``page`` is ignored. For views whose ordering fields are never null (a cursor position is
    compared with ``<``/``>``)."""

    cursor_query_param = "cursor"
    keyset: KeysetPagination | None = None

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        if self.cursor_query_param not in request.query_params:
            return super().paginate_queryset(queryset, request, view)
        _whole(request, self.page_query_param, 1, MAX_PAGE)  # still checked, then ignored
        self.keyset = KeysetPagination()
        self.keyset.page_size = self.get_page_size(request)
        self.keyset.ordering = tuple(getattr(view, "ordering", None) or ("id",))
        self.cursor_count = queryset.count()
        return self.keyset.paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Response:
        if self.keyset is None:
            return super().get_paginated_response(data)
        return Response(
            {
                "count": self.cursor_count,
                "next": self.keyset.get_next_link(),
                "previous": self.keyset.get_previous_link(),
                "results": data,
            }
        )

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        parameters.append(
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": (
                    "Page by key instead of by number: send it empty for the first page, then "
                    "follow `next` and `previous` as given (`page` is then ignored). An "
                    "unreadable cursor is a 404."
                ),
                "schema": {"type": "string"},
            }
        )
        return parameters
