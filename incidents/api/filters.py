"""FilterSets of the incidents API (strict backends and filters: ``common.api.filters``)."""

from __future__ import annotations

import django_filters

from common.api.filters import (
    AwareDateTimeFilter,
    IdFilter,
    StrictBooleanFilter,
    TextFilter,
)
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


class IncidentFilter(django_filters.FilterSet):
    reference = TextFilter()
    status = django_filters.MultipleChoiceFilter(choices=IncidentStatus.choices)
    severity = django_filters.MultipleChoiceFilter(choices=Severity.choices)
    owner = TextFilter(field_name="owner__username")
    title = TextFilter(lookup_expr="icontains")
    created_after = AwareDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = AwareDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Incident
        fields = ["reference", "status", "severity", "owner", "title"]


class LegalEntityFilter(django_filters.FilterSet):
    country = TextFilter()

    class Meta:
        model = LegalEntity
        fields = ["country"]


class TimelineEventFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=EventKind.choices)
    current = StrictBooleanFilter(
        field_name="superseded_by", lookup_expr="isnull", label="Only events not superseded"
    )
    basis = TextFilter()
    occurred_after = AwareDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = AwareDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = TimelineEvent
        fields = ["kind", "basis"]


class DeadlineFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=DeadlineStatus.choices)
    applicability = django_filters.MultipleChoiceFilter(choices=Applicability.choices)
    code = TextFilter()
    legal_entity = IdFilter(field_name="legal_entity_id")
    verdict = TextFilter()
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
    jurisdiction = TextFilter()

    class Meta:
        model = AffectedCountRevision
        fields = ["jurisdiction"]


class NotificationFilter(django_filters.FilterSet):
    unread = StrictBooleanFilter(field_name="read_at", lookup_expr="isnull")
    kind = TextFilter()
    incident = IdFilter(field_name="incident_id")

    class Meta:
        model = Notification
        fields = ["kind"]
