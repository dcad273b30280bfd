"""Catalogue shapes (regulators, obligations, calendars) and the what-if calculator."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from common.api.fields import (
    AwareDateTimeField,
    JSONObjectField,
    NoUnknownFieldsMixin,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
    StrictSlugField,
    StrictSlugRelatedField,
)
from common.api.serializers import Explanation, OutputSerializer
from regulators.models import (
    PRECISION_CHOICES,
    Calendar,
    CalendarClosure,
    Obligation,
    Regulator,
)
from regulators.validators import validate_time_zone


class RegulatorSerializer(OutputSerializer):
    class Meta:
        model = Regulator
        fields = ["id", "code", "name_en", "name_ko", "country", "website", "filing_channel"]
        read_only_fields = ["id"]


class CalendarClosureSerializer(OutputSerializer):
    class Meta:
        model = CalendarClosure
        fields = ["day", "kind", "confirmed", "label", "source"]
        read_only_fields = fields


class CalendarSerializer(OutputSerializer):
    closures = CalendarClosureSerializer(many=True, read_only=True)

    class Meta:
        model = Calendar
        fields = ["id", "code", "name", "holiday_source", "description", "closures"]
        read_only_fields = ["id", "closures"]


class ObligationSerializer(OutputSerializer):
    regulator = StrictSlugRelatedField(slug_field="code", queryset=Regulator.objects.all())
    calendar = StrictSlugRelatedField(
        slug_field="code", queryset=Calendar.objects.all(), required=False, allow_null=True
    )
    conditions = JSONObjectField(required=False)
    reference_tz = StrictCharField(max_length=64, validators=[validate_time_zone])

    class Meta:
        model = Obligation
        fields = [
            "id",
            "code",
            "version",
            "regulator",
            "title_en",
            "title_ko",
            "recipient_en",
            "recipient_ko",
            "citation",
            "trigger_kind",
            "period_amount",
            "period_unit",
            "calendar",
            "reference_tz",
            "cutoff",
            "conditions",
            "effective_from",
            "effective_to",
            "internal_target_amount",
            "internal_target_unit",
            "long_stop_hours",
            "roll_forward",
            "day_zone",
            "weekend_relief",
            "first_day_counts",
            "notes",
            "confidence",
            "source",
        ]
        read_only_fields = ["id"]
        extra_kwargs = {
            "period_amount": {"max_value": 100_000},
            "internal_target_amount": {"max_value": 100_000},
            "long_stop_hours": {"max_value": 100_000},
            "version": {"max_value": 100_000},
        }


class WhatIfInput(NoUnknownFieldsMixin, serializers.Serializer[Any]):
    """Either an obligation ``code`` or an ad hoc ``offset``, and a trigger."""

    code = StrictSlugField(max_length=60, required=False, help_text="An obligation code.")
    offset = StrictCharField(
        max_length=20, required=False, help_text="Ad hoc period: 72h, 30cd, 4bd or 1mo."
    )
    calendar = StrictCharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="Calendar code for business days.",
    )
    tz = StrictCharField(max_length=64, required=False, validators=[validate_time_zone])
    roll_forward = StrictBooleanField(required=False, default=False)
    trigger = AwareDateTimeField(help_text="When the clock starts.")
    precision = serializers.ChoiceField(choices=PRECISION_CHOICES, required=False)
    awareness = AwareDateTimeField(
        required=False, allow_null=True, help_text="Awareness, for rules with a long stop."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("code")) == bool(attrs.get("offset")):
            raise serializers.ValidationError(_("Give either an obligation code or an offset."))
        if attrs.get("code") and (attrs.get("calendar") or attrs.get("tz")):
            raise serializers.ValidationError(
                {"calendar": [_("An obligation brings its own calendar and time zone.")]}
            )
        return attrs


class WhatIfOutput(serializers.Serializer[Any]):
    code = StrictCharField()
    version = StrictIntegerField(allow_null=True)
    title_en = StrictCharField()
    title_ko = StrictCharField()
    due_at = serializers.DateTimeField(allow_null=True, help_text="In the rule's reference zone.")
    internal_target_at = serializers.DateTimeField(allow_null=True)
    without_delay = StrictBooleanField()
    not_in_force = StrictBooleanField()
    counted_days = serializers.ListField(child=serializers.DateField())
    alternative_if_unconfirmed = serializers.DateField(allow_null=True)
    explanation = Explanation(many=True)


__all__ = [
    "CalendarSerializer",
    "ObligationSerializer",
    "RegulatorSerializer",
    "WhatIfInput",
    "WhatIfOutput",
]
