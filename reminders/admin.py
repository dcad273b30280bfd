"""Admin for reminder policies, webhooks, the schedule, deliveries and digests.

Policies and webhooks are configured here; the schedule, deliveries and digests are read-only
records (they are written only by the sweep), shown for support and audit.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from reminders.action_items import reminders_resync_tasks
from reminders.models import (
    Delivery,
    DigestRun,
    Reminder,
    ReminderPolicy,
    WebhookEndpoint,
)
from reminders.services import reminders_resync_all


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "offsets",
        "without_delay_every",
        "escalation",
        "email",
        "in_app",
        "webhook",
    ]
    search_fields = ["obligation_code"]
    readonly_fields = ["updated_at"]
    actions = ["resync"]

    @admin.action(description=_("Re-plan the reminders of every open deadline"))
    def resync(self, request: HttpRequest, queryset: QuerySet[ReminderPolicy]) -> None:
        count = reminders_resync_all()
        self.message_user(
            request, _("%(n)s deadlines re-planned.") % {"n": count}, messages.SUCCESS
        )
        # Task reminders follow the same policies (the "action-item" row, or the global one).
        tasks = reminders_resync_tasks()
        self.message_user(
            request, _("%(n)s open tasks re-planned.") % {"n": tasks}, messages.SUCCESS
        )


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "active", "overdue_only", "created_at"]
    list_filter = ["active", "overdue_only"]
    search_fields = ["name", "url"]


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Reminder)
class ReminderAdmin(_ReadOnly):
    list_display = [
        "deadline",
        "kind",
        "fire_at",
        "state",
        "claimed_at",
        "done_at",
        "cancelled_reason",
    ]
    list_filter = ["state", "kind"]
    search_fields = ["key", "deadline__code", "deadline__incident__reference"]
    date_hierarchy = "fire_at"
    list_select_related = ["deadline"]
    raw_id_fields = ["deadline", "action_item"]


@admin.register(Delivery)
class DeliveryAdmin(_ReadOnly):
    list_display = [
        "id",
        "channel",
        "recipient_key",
        "state",
        "attempts",
        "sent_at",
        "escalation",
        "last_error",
    ]
    list_filter = ["state", "channel", "escalation", "confirmed_after_interruption"]
    search_fields = ["id", "recipient_key", "user__username"]
    date_hierarchy = "created_at"
    raw_id_fields = ["reminder", "digest", "user", "endpoint", "notification"]


@admin.register(DigestRun)
class DigestRunAdmin(_ReadOnly):
    list_display = ["user", "local_date", "time_zone", "due_count", "overdue_count", "created_at"]
    list_filter = ["local_date"]
    search_fields = ["user__username"]
