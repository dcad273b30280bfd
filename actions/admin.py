"""Action items in the admin: read-only (every write goes through actions.services, which the
pages and the API call; the admin is for support and audit)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from actions.models import ActionItem


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["title", "incident", "owner", "due_at", "status", "completed_at"]
    list_filter = ["status"]
    search_fields = ["title", "incident__reference", "owner__username"]
    list_select_related = ["incident", "owner"]
    raw_id_fields = ["incident", "owner", "deadline", "event", "created_by"]
    date_hierarchy = "due_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
