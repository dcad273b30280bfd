"""Serializer fields shared by the API: times must carry a UTC offset, JSON must be storable."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# Instants outside this range are refused: no legal clock runs in them, and adding a period to
# year 9999 would overflow the engine's date arithmetic.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)

NAIVE_MESSAGE = _(
    "Give the time with a UTC offset, e.g. 2025-11-17T16:00:00+09:00 or 2025-11-17T07:00:00Z; "
    "a time without an offset is ambiguous."
)


def _parse(value: str) -> datetime | None:
    try:
        return parse_datetime(value.strip())
    except ValueError:  # well-formed but impossible, e.g. month 13
        return None


RANGE_MESSAGE = _("Give a time between 1970-01-01 and 2200-01-01.")


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 in, with an offset required; ISO 8601 out, with the offset of the viewer's zone."""

    default_error_messages = {
        "naive": NAIVE_MESSAGE,
        "range": RANGE_MESSAGE,
    }

    def to_internal_value(self, value: Any) -> datetime:
        if isinstance(value, datetime):
            if timezone.is_naive(value):
                self.fail("naive")
        elif isinstance(value, str):
            parsed = _parse(value)
            if parsed is not None and timezone.is_naive(parsed):
                self.fail("naive")
        result: datetime = super().to_internal_value(value)
        result = result.astimezone(UTC)  # PostgreSQL refuses offsets beyond ±15:59
        if not EARLIEST <= result < LATEST:
            self.fail("range")
        return result


class StrictStringMixin:
    """Only a JSON string is a string (DRF would otherwise take 0 for "0")."""

    def run_validation(self, data: Any = serializers.empty) -> Any:
        # The documented maxLength applies to what is sent, before whitespace is trimmed.
        max_length = getattr(self, "max_length", None)
        if isinstance(data, str) and max_length is not None and len(data) > max_length:
            self.fail("max_length", max_length=max_length)  # type: ignore[attr-defined]
        return super().run_validation(data)  # type: ignore[misc]

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid")  # type: ignore[attr-defined]
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictCharField(StrictStringMixin, serializers.CharField):
    pass


class StrictRegexField(StrictStringMixin, serializers.RegexField):
    pass


class StrictSlugField(StrictStringMixin, serializers.SlugField):
    pass


class StrictBooleanField(serializers.BooleanField):
    """Only true or false (DRF would otherwise take "yes", 1 or "off")."""

    def to_internal_value(self, data: Any) -> bool:
        if data is not True and data is not False:
            self.fail("invalid")
        return bool(data)


class StrictIntegerField(serializers.IntegerField):
    """Only a JSON whole number (DRF would otherwise take "12" or 12.0)."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        result: int = super().to_internal_value(data)
        return result


STRICT_FIELDS: dict[type, type] = {
    serializers.CharField: StrictCharField,
    serializers.SlugField: StrictSlugField,
    serializers.BooleanField: StrictBooleanField,
    serializers.IntegerField: StrictIntegerField,
}


def _walk(value: Any) -> bool:
    """Whether every string in a JSON value can be stored (no NUL, no lone surrogates)."""
    if isinstance(value, str):
        if "\x00" in value:
            return False
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_walk(k) and _walk(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_walk(v) for v in value)
    if isinstance(value, int) and not isinstance(value, bool):
        # PostgreSQL stores jsonb numbers as numeric, but keep them sane.
        return abs(value) < 10**18
    return True


class StorableJSONMixin:
    default_error_messages: dict[str, Any] = {
        "unstorable": _("Text may not contain NUL characters or unpaired surrogates."),
    }

    def check_storable(self, data: Any) -> None:
        if not _walk(data):
            self.fail("unstorable")  # type: ignore[attr-defined]


class JSONObjectField(StorableJSONMixin, serializers.DictField):
    """A JSON object with any values (facts, event details)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("child", serializers.JSONField())
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        result: dict[str, Any] = super().to_internal_value(data)
        self.check_storable(result)
        return result


class StringListField(serializers.ListField):
    """A list of short strings (data categories, jurisdictions)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("child", StrictCharField(max_length=100))
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)


@extend_schema_field(
    {
        "anyOf": [
            {"type": "string", "format": "uri", "maxLength": 500},
            {"type": "string", "maxLength": 0},
        ]
    }
)
class OptionalURLField(StrictStringMixin, serializers.URLField):
    """An http(s) URL, or the empty string for none."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


@extend_schema_field(
    {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$", "nullable": True}
)
class WallTimeField(serializers.TimeField):
    """A wall-clock time such as 17:30 (in the rule's reference zone)."""


class NoEmptyStringMixin:
    """A reference is an id or a code, or null: "" is not read as null."""

    def run_validation(self, data: Any = serializers.empty) -> Any:
        # DRF's RelatedField would turn "" into null before any other check.
        if isinstance(data, str) and data == "":
            raise serializers.ValidationError(_("Give a value or null, not an empty string."))
        return super().run_validation(data)  # type: ignore[misc]


class StrictSlugRelatedField(NoEmptyStringMixin, serializers.SlugRelatedField):  # type: ignore[type-arg]
    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictPrimaryKeyMixin:
    """An id is a JSON whole number, not "5" or true."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)  # type: ignore[attr-defined]
        return super().to_internal_value(data)  # type: ignore[misc]


class NoUnknownFieldsMixin:
    """A body key the endpoint does not know is a 400, not silently dropped (a typo such as
    "sevrity" would otherwise look like success)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            known = set(self.fields)  # type: ignore[attr-defined]
            unknown = sorted(str(key) for key in data if key not in known)
            if unknown:
                raise serializers.ValidationError({key: [_("Unknown field.")] for key in unknown})
        return super().to_internal_value(data)  # type: ignore[misc]
