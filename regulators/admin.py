"""Catalogue admin. Every change page carries the version of the row it showed (a calendar's
with its closures): saving over someone else's change is refused with a message instead of
the last write winning (``regulators.services``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin

from common.concurrency import STALE_MESSAGE, StaleWrite
from regulators.models import Calendar, CalendarClosure, Obligation, Regulator
from regulators.services import catalogue_check_version, catalogue_lock, catalogue_version


class VersionedAdminForm(forms.ModelForm):
    """Carries the row's version (hidden). ``clean`` refuses a stale save with the user's input
    kept on the page; ``VersionedAdmin.save_model`` checks again under the row lock."""

    row_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            self.fields["row_version"].initial = catalogue_version(self.instance)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        expected = data.get("row_version") or None
        if self.instance.pk is not None and expected is not None:
            current = type(self.instance)._default_manager.filter(pk=self.instance.pk).first()
            if current is None or catalogue_version(current) != expected:
                raise forms.ValidationError(STALE_MESSAGE, code="stale")
        return data


class VersionedAdmin(admin.ModelAdmin):
    form = VersionedAdminForm

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            # Inside the admin's transaction: lock, then compare with the version shown.
            current = catalogue_lock(type(obj), obj.pk)
            catalogue_check_version(current, form.cleaned_data.get("row_version") or None)
        super().save_model(request, obj, form, change)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleWrite as exc:
            # Someone saved between the form check and the lock: nothing was written.
            self.message_user(request, str(exc.message), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(Regulator)
class RegulatorAdmin(VersionedAdmin):
    list_display = ["code", "name_en", "name_ko", "country", "filing_channel"]
    list_filter = ["country"]
    search_fields = ["code", "name_en", "name_ko"]


class CalendarClosureInline(admin.TabularInline):
    model = CalendarClosure
    extra = 0
    fields = ["day", "kind", "confirmed", "label", "source"]


@admin.register(Calendar)
class CalendarAdmin(VersionedAdmin, SimpleHistoryAdmin):
    list_display = ["code", "name", "holiday_source"]
    search_fields = ["code", "name"]
    inlines = [CalendarClosureInline]


@admin.register(CalendarClosure)
class CalendarClosureAdmin(VersionedAdmin, SimpleHistoryAdmin):
    list_display = ["calendar", "day", "kind", "confirmed", "label"]
    list_filter = ["calendar", "kind", "confirmed"]
    date_hierarchy = "day"
    search_fields = ["label"]


@admin.register(Obligation)
class ObligationAdmin(VersionedAdmin, SimpleHistoryAdmin):
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


__all__ = ["VersionedAdmin", "VersionedAdminForm"]
