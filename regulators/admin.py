from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from regulators.models import Calendar, CalendarClosure, Obligation, Regulator


@admin.register(Regulator)
class RegulatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_ko", "country", "filing_channel"]
    list_filter = ["country"]
    search_fields = ["code", "name_en", "name_ko"]


class CalendarClosureInline(admin.TabularInline):
    model = CalendarClosure
    extra = 0
    fields = ["day", "kind", "confirmed", "label", "source"]


@admin.register(Calendar)
class CalendarAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "holiday_source"]
    search_fields = ["code", "name"]
    inlines = [CalendarClosureInline]


@admin.register(CalendarClosure)
class CalendarClosureAdmin(SimpleHistoryAdmin):
    list_display = ["calendar", "day", "kind", "confirmed", "label"]
    list_filter = ["calendar", "kind", "confirmed"]
    date_hierarchy = "day"
    search_fields = ["label"]


@admin.register(Obligation)
class ObligationAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "version",
        "regulator",
        "period_amount",
        "period_unit",
        "calendar",
        "reference_tz",
        "effective_from",
        "effective_to",
        "confidence",
    ]
    list_filter = ["period_unit", "regulator", "confidence", "calendar"]
    search_fields = ["code", "title_en", "title_ko", "citation"]
    ordering = ["code", "version"]
