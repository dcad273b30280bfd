"""Admin for every incident model. Timeline events are append-only, so the admin never edits one:
corrections are recorded as new superseding events through the service layer."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from incidents.models import (
    AffectedCountRevision,
    Deadline,
    DeadlineAlternative,
    DeadlineRecomputation,
    Filing,
    FilingDocument,
    Incident,
    LegalEntity,
    Membership,
    Profile,
    TimelineEvent,
)
from incidents.services import timeline_event_record


class LegalEntityInline(admin.StackedInline):
    model = LegalEntity
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class AffectedCountInline(admin.TabularInline):
    model = AffectedCountRevision
    extra = 0
    fields = ["jurisdiction", "count", "as_of", "source", "recorded_by", "recorded_at"]
    readonly_fields = ["recorded_by", "recorded_at"]


class TimelineEventInline(admin.TabularInline):
    """Shows the timeline, superseded events included; adding goes through the event admin."""

    model = TimelineEvent
    fk_name = "incident"
    extra = 0
    fields = ("occurred_at", "precision", "kind", "title", "confidence", "basis", "superseded")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    @admin.display(boolean=True, description="superseded")
    def superseded(self, obj: TimelineEvent) -> bool:
        return obj.is_superseded

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Incident)
class IncidentAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "title", "severity", "status", "owner", "created_at"]
    list_filter = ["status", "severity", "is_reconstruction"]
    search_fields = ["reference", "title", "summary"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "updated_at"]
    autocomplete_fields = ["owner"]
    inlines = [LegalEntityInline, MembershipInline, AffectedCountInline, TimelineEventInline]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, AffectedCountRevision) and instance.recorded_by_id is None:
                instance.recorded_by = request.user  # type: ignore[assignment]
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(TimelineEvent)
class TimelineEventAdmin(admin.ModelAdmin):
    list_display = [
        "occurred_at",
        "incident",
        "kind",
        "title",
        "confidence",
        "basis",
        "recorded_at",
    ]
    list_filter = ["kind", "confidence", "precision"]
    search_fields = ["title", "description", "source_title", "incident__reference"]
    date_hierarchy = "occurred_at"
    list_select_related = ["incident"]
    readonly_fields = ["recorded_by", "recorded_at"]
    raw_id_fields = ["supersedes", "incident", "legal_entity"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Append-only: once recorded, nothing about an event changes.
        if obj is not None:
            return [f.name for f in self.model._meta.fields]
        return self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: TimelineEvent, form: Any, change: bool) -> None:
        if change:
            return

        timeline_event_record(
            incident=obj.incident,
            kind=obj.kind,
            occurred_at=obj.occurred_at,
            precision=obj.precision,
            entered_tz=obj.entered_tz,
            title=obj.title,
            description=obj.description,
            source_title=obj.source_title,
            source_url=obj.source_url,
            confidence=obj.confidence,
            basis=obj.basis,
            legal_entity=obj.legal_entity,
            data=obj.data,
            supersedes=obj.supersedes,
            correction_reason=obj.correction_reason,
            recorded_by=request.user,  # type: ignore[arg-type]
            instance=obj,
        )


@admin.register(LegalEntity)
class LegalEntityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "incident", "country", "ict_service_provider", "sec_registrant"]
    list_filter = ["country", "ict_service_provider", "sec_registrant"]
    search_fields = ["name", "name_local", "incident__reference"]


@admin.register(AffectedCountRevision)
class AffectedCountRevisionAdmin(admin.ModelAdmin):
    list_display = ["incident", "jurisdiction", "count", "as_of", "source"]
    list_filter = ["jurisdiction"]
    date_hierarchy = "as_of"
    readonly_fields = ["recorded_by", "recorded_at"]


class DeadlineAlternativeInline(admin.TabularInline):
    model = DeadlineAlternative
    extra = 0
    readonly_fields = ("basis", "trigger_at", "due_at", "verdict", "late_by_seconds")
    fields = readonly_fields
    can_delete = False


class DeadlineRecomputationInline(admin.TabularInline):
    model = DeadlineRecomputation
    extra = 0
    readonly_fields = (
        "old_due_at",
        "new_due_at",
        "old_verdict",
        "new_verdict",
        "reason",
        "changed_by",
        "changed_at",
    )
    fields = readonly_fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Deadline)
class DeadlineAdmin(SimpleHistoryAdmin):
    list_display = ["code", "incident", "legal_entity", "due_at", "status", "verdict"]
    list_filter = ["status", "applicability", "without_delay", "code"]
    search_fields = ["code", "title", "incident__reference"]
    date_hierarchy = "due_at"
    list_select_related = ["incident", "legal_entity"]
    readonly_fields = [
        "trigger_at",
        "due_at",
        "explanation",
        "filed_at",
        "late_by_seconds",
        "verdict",
        "verdict_frozen_at",
        "not_applicable_by",
        "not_applicable_at",
        "created_at",
        "updated_at",
    ]
    inlines = [DeadlineAlternativeInline, DeadlineRecomputationInline]


class FilingDocumentInline(admin.TabularInline):
    model = FilingDocument
    extra = 0
    readonly_fields = (
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    )
    fields = readonly_fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Filing)
class FilingAdmin(SimpleHistoryAdmin):
    list_display = ["incident", "recipient", "submitted_at", "reference_number", "deadline"]
    list_filter = ["regulator"]
    search_fields = ["recipient", "reference_number", "incident__reference"]
    date_hierarchy = "submitted_at"
    readonly_fields = ["recorded_at"]
    raw_id_fields = ["deadline", "incident", "legal_entity"]
    inlines = [FilingDocumentInline]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "language", "time_zone"]
    list_filter = ["language"]
    search_fields = ["user__username"]
