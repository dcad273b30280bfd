"""Admins browse and filter the audit log; nobody adds, edits or deletes entries here."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry, TokenScope
from common.roles import is_admin


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = [
        "seq",
        "created_at",
        "actor_repr",
        "action",
        "object_type",
        "object_repr",
        "incident_id",
        "ip",
    ]
    list_filter = ["action", "object_type", "created_at"]
    search_fields = ["actor_repr", "object_repr", "object_id", "hash", "=incident_id"]
    date_hierarchy = "created_at"
    ordering = ["-seq"]
    list_per_page = 100
    show_full_result_count = False  # counting a long log on every page is wasted work
    fields = (
        "seq",
        "created_at",
        "actor_id",
        "actor_repr",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "incident_id",
        "changes_pretty",
        "ip",
        "prev_hash",
        "hash",
    )
    readonly_fields = fields

    @admin.display(description=_("changes"))
    def changes_pretty(self, obj: AuditEntry) -> str:
        return format_html(
            "<pre>{}</pre>", json.dumps(obj.changes, indent=2, ensure_ascii=False, sort_keys=True)
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TokenScope)
class TokenScopeAdmin(admin.ModelAdmin):
    list_display = ["token", "read_only", "created_at"]
    list_filter = ["read_only"]
    raw_id_fields = ["token"]
