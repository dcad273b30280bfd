"""Base serializers shared by the APIs."""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import serializers

from common.api.fields import (
    STRICT_FIELDS,
    AwareDateTimeField,
    NoUnknownFieldsMixin,
    OptionalURLField,
    StrictCharField,
    WallTimeField,
)


class OutputSerializer(NoUnknownFieldsMixin, serializers.ModelSerializer[Any]):
    """Read-only model serializer whose times are ISO 8601 with an offset."""

    serializer_field_mapping = {
        **{
            model_field: STRICT_FIELDS.get(field, field)
            for model_field, field in serializers.ModelSerializer.serializer_field_mapping.items()
        },
        models.DateTimeField: AwareDateTimeField,
        models.URLField: OptionalURLField,
        models.TimeField: WallTimeField,
    }


class Explanation(serializers.Serializer[Any]):
    en = StrictCharField()
    ko = StrictCharField()
