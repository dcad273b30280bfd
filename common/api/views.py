"""The base view set shared by the APIs."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.serializers import BaseSerializer


class ApiViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Shows times in the signed-in user's zone (token requests too), with the offset."""

    lookup_value_converter = "int"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        profile = getattr(request.user, "profile", None) if request.user.is_authenticated else None
        zone = getattr(profile, "time_zone", None)
        if zone:
            timezone.activate(ZoneInfo(zone))

    def _valid(self, serializer_class: type[BaseSerializer[Any]], **kwargs: Any) -> dict[str, Any]:
        serializer = serializer_class(
            data=self.request.data, context=self.get_serializer_context(), **kwargs
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)
