"""Read-only admin: correspondence is written through records.services (web, API), evidence and
custody are append-only. The admin shows them for support, never edits them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from records.models import Correspondence, CustodyEntry, Evidence


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Correspondence)
class CorrespondenceAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "incident", "direction", "regulator", "authority", "subject")
    list_filter = ("direction", "channel", "regulator")
    list_select_related = ("incident", "regulator")
    search_fields = ("subject", "authority", "incident__reference")


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "incident", "content_type", "size", "sha256", "uploaded_at")
    list_select_related = ("incident",)
    search_fields = ("original_name", "sha256", "incident__reference")
    exclude = ("file",)  # the file is served only by the need-to-know download view


@admin.register(CustodyEntry)
class CustodyEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "evidence", "action", "actor_repr", "ip")
    list_filter = ("action",)
    list_select_related = ("evidence",)
