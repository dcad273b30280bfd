"""Bounded pagination: a client may ask for 1 to 200 rows per page, never an unbounded list.

A page or page size that is not a whole number in range is a 400 (not silently the default);
a page past the end is a 404.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

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
