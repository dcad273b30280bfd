"""One error body for every 4xx: {"detail": str, "code": str, "errors": {field: [messages]}}.

Django ``ValidationError`` raised by services becomes a 400 like a serializer error, never a 500.
Nested serializer errors are flattened to dotted paths ("entities.0.name").
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers
from rest_framework.fields import get_error_detail
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


class ErrorSerializer(serializers.Serializer[Any]):
    """The shared error body (documentation only)."""

    detail = serializers.CharField(help_text="A sentence a person can read.")
    code = serializers.CharField(help_text="A stable machine-readable code, e.g. 'invalid'.")
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="For 400: each invalid field (dotted path for nested ones) and its messages; "
        "otherwise empty.",
    )


def _flatten(detail: Any, prefix: str, out: dict[str, list[str]]) -> None:
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = NON_FIELD if key == "__all__" else str(key)
            _flatten(value, f"{prefix}.{name}" if prefix else name, out)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            out.setdefault(prefix or NON_FIELD, []).extend(str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                _flatten(item, f"{prefix}.{index}" if prefix else str(index), out)
    else:
        out.setdefault(prefix or NON_FIELD, []).append(str(detail))


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=get_error_detail(exc))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors: dict[str, list[str]] = {}
        _flatten(exc.detail, "", errors)
        response.data = {"detail": _("Invalid input."), "code": "invalid", "errors": errors}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        if isinstance(exc, exceptions.APIException):
            codes = exc.get_codes()
            code = codes if isinstance(codes, str) else exc.default_code
        else:  # Django's Http404 and PermissionDenied, converted by DRF
            code = {404: "not_found", 403: "permission_denied"}.get(response.status_code, "error")
        response.data = {"detail": str(detail), "code": str(code), "errors": {}}
    return response


@csrf_exempt  # nothing to protect: it only ever answers 404
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any other path under /api/: a 404 in the same JSON shape (not an HTML page)."""
    return JsonResponse({"detail": _("Not found."), "code": "not_found", "errors": {}}, status=404)
