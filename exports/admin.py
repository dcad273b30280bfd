"""Admin for export bookkeeping. The export log is read-only: an audit trail is never edited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from exports.models import ExportJob, ExportLog, IcsFeedToken


@admin.register(ExportLog)
class ExportLogAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "username",
        "incident_reference",
        "format",
        "variant",
        "size",
        "via",
    ]
    list_filter = ["format", "via", "created_at"]
    search_fields = ["username", "incident_reference"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Viewing is allowed through has_view_permission; nothing can be changed.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "incident",
        "requested_by",
        "format",
        "status",
        "progress",
        "size",
    ]
    list_filter = ["status", "format"]
    readonly_fields = [
        "incident",
        "requested_by",
        "format",
        "language",
        "time_zone",
        "status",
        "progress",
        "file",
        "size",
        "error",
        "created_at",
        "started_at",
        "finished_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(IcsFeedToken)
class IcsFeedTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "incident", "created_at", "revoked_at"]
    list_filter = ["revoked_at"]
    readonly_fields = ["user", "incident", "token", "created_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke the selected calendar feeds")
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
