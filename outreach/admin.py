"""Read-only admin for campaigns and batches: every write goes through outreach.services (the web
forms and the API), so the admin can neither bypass the population check nor the campaign lock."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from outreach.models import NoticeBatch, NoticeCampaign


class ReadOnlyAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(NoticeCampaign)
class NoticeCampaignAdmin(ReadOnlyAdmin):
    list_display = ("incident", "deadline", "method", "substitute_notice", "updated_at")
    list_filter = ("method", "substitute_notice")
    list_select_related = ("incident", "deadline")


@admin.register(NoticeBatch)
class NoticeBatchAdmin(ReadOnlyAdmin):
    list_display = ("incident", "jurisdiction", "method", "sent_at", "count", "failures")
    list_filter = ("method", "jurisdiction")
    list_select_related = ("incident",)
