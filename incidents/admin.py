"""Admin for every incident model. Timeline events are append-only, so the admin never edits one:
corrections are recorded as new superseding events through the service layer."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from incidents import services
from incidents.admin_entity import EntityFactsExplainedMixin
from incidents.concurrency import StaleWrite, check_version, lock_incident
from incidents.filings import filing_submit, filing_withdraw
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
from incidents.references import validate_hand_given_reference
from regulators.admin import VersionedAdminForm


class ServiceAdminMixin:
    """Admin pages write through ``incidents.services``. A rule the service refuses (a status
    move, a count, an entity fact) leaves nothing saved (the admin's own transaction is rolled
    back) and comes back as an error message on the same page, never as a 500."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            with transaction.atomic():
                return super().changeform_view(  # type: ignore[misc]
                    request, object_id, form_url, extra_context
                )
        except (ValidationError, StaleWrite) as exc:  # StaleWrite: a save over a newer version
            text = str(exc.message) if isinstance(exc, StaleWrite) else " ".join(exc.messages)
            self.message_user(request, text, messages.ERROR)  # type: ignore[attr-defined]
            return HttpResponseRedirect(request.get_full_path())


def _fields_of(form: Any, names: frozenset[str] | set[str]) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}


class LegalEntityInline(EntityFactsExplainedMixin, admin.StackedInline):
    """Added and changed through the services (deadlines follow); never deleted here, because
    deadlines, events and filings refer to an entity."""

    model = LegalEntity
    extra = 0
    can_delete = False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class AffectedCountInline(admin.TabularInline):
    """The recorded counts, read-only: a count is corrected by a new revision (below)."""

    model = AffectedCountRevision
    extra = 0
    fields = ("jurisdiction", "count", "as_of", "source", "recorded_by", "recorded_at")
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("affected counts (append-only)")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class NewCountInline(admin.TabularInline):
    """Only new revisions: the rows already recorded are never offered for editing."""

    model = AffectedCountRevision
    extra = 0
    fields = ["jurisdiction", "count", "as_of", "source"]
    can_delete = False
    verbose_name_plural = _("add a count revision")

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).none()


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


INCIDENT_FIELDS = frozenset(
    {
        "title",
        "summary",
        "severity",
        "team",
        "owner",
        "data_categories",
        "external_attack",
        "sensitive_data",
        "unique_identifiers",
        "extra_facts",
        "is_reconstruction",
    }
)


class IncidentAdminForm(VersionedAdminForm):
    class Meta:
        model = Incident
        fields = [
            "reference",
            "title",
            "summary",
            "severity",
            "status",
            "owner",
            "team",
            "data_categories",
            "external_attack",
            "sensitive_data",
            "unique_identifiers",
            "extra_facts",
            "is_reconstruction",
        ]

    def clean_reference(self) -> str:
        # A reference typed in the admin follows the same rule as the API's (docs/api.md).
        reference = str(self.cleaned_data["reference"])
        if self.instance.pk is None or reference != self.instance.reference:
            try:
                validate_hand_given_reference(reference)
            except ValidationError as exc:
                raise ValidationError(exc.message_dict["reference"]) from exc
        return reference

    def clean_status(self) -> str:
        status = str(self.cleaned_data["status"])
        if self.instance.pk is not None:
            # The service's own rule, asked before anything is saved.
            try:
                services.status_transition_check(self.instance.status, status)
            except ValidationError as exc:
                raise forms.ValidationError(exc.message_dict["status"]) from exc
        return status


@admin.register(Incident)
class IncidentAdmin(ServiceAdminMixin, SimpleHistoryAdmin):
    form = IncidentAdminForm
    list_display = ["reference", "title", "severity", "status", "owner", "created_at"]
    list_filter = ["status", "severity", "is_reconstruction"]
    search_fields = ["reference", "title", "summary"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "updated_at"]
    autocomplete_fields = ["owner"]
    inlines = [
        LegalEntityInline,
        MembershipInline,
        AffectedCountInline,
        NewCountInline,
        TimelineEventInline,
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The reference names the incident in exports and filings: fixed once given.
        return [*self.readonly_fields, "reference"] if obj is not None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Incident, form: Any, change: bool) -> None:
        user = cast(User, request.user)
        if not change:
            fields = _fields_of(form, INCIDENT_FIELDS - {"owner"})
            created = services.incident_open(
                owner=form.cleaned_data["owner"],
                reference=form.cleaned_data.get("reference") or None,
                **fields,
            )
            obj.pk, obj.reference, obj.created_at = (
                created.pk,
                created.reference,
                created.created_at,
            )
            if form.cleaned_data["status"] != created.status:
                services.incident_set_status(
                    incident=created, status=form.cleaned_data["status"], changed_by=user
                )
            return
        current = lock_incident(obj.pk)  # the version shown, compared under the incident lock
        check_version(current, form.cleaned_data.get("row_version") or None)
        changed = set(form.changed_data)
        facts = _fields_of(form, INCIDENT_FIELDS & changed)
        if facts:
            services.incident_update_facts(incident=current, changed_by=user, **facts)
        if "status" in changed:
            services.incident_set_status(
                incident=current, status=form.cleaned_data["status"], changed_by=user
            )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        user = cast(User, request.user)
        incident = Incident.objects.get(pk=form.instance.pk)
        model = formset.model
        if model is Membership:
            added = formset.save(commit=False)  # also fills deleted_objects
            for membership in formset.deleted_objects:
                services.membership_remove(incident=incident, user=membership.user)
            for each in added:
                if each.pk is None:
                    services.membership_add(incident=incident, user=each.user)
            return
        # Nothing is written here; it fills new/changed/deleted_objects for the admin's log.
        formset.save(commit=False)
        for each_form in formset.forms:
            if not each_form.has_changed() or not each_form.is_valid():
                continue
            data = each_form.cleaned_data
            if model is AffectedCountRevision:
                services.affected_count_revise(
                    incident=incident,
                    jurisdiction=data["jurisdiction"],
                    count=data["count"],
                    as_of=data["as_of"],
                    source=data.get("source", ""),
                    recorded_by=user,
                )
            elif model is LegalEntity:
                fields = _fields_of(each_form, set(services.ENTITY_FIELDS))
                if each_form.instance.pk is None:
                    services.legal_entity_add(incident=incident, changed_by=user, **fields)
                else:
                    entity = LegalEntity.objects.get(pk=each_form.instance.pk)
                    changed = _fields_of(each_form, set(each_form.changed_data))
                    services.legal_entity_update(entity=entity, changed_by=user, **changed)


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
        services.timeline_event_record(
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
class LegalEntityAdmin(EntityFactsExplainedMixin, ServiceAdminMixin, SimpleHistoryAdmin):
    """Through the services, like the incident page's inline: deadlines follow every change."""

    list_display = ["name", "incident", "country", "ict_service_provider", "sec_registrant"]
    list_filter = ["country", "ict_service_provider", "sec_registrant"]
    search_fields = ["name", "name_local", "incident__reference"]
    raw_id_fields = ["incident"]
    form = VersionedAdminForm

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["incident"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: LegalEntity, form: Any, change: bool) -> None:
        user = cast(User, request.user)
        if not change:
            fields = _fields_of(form, set(services.ENTITY_FIELDS))
            created = services.legal_entity_add(
                incident=form.cleaned_data["incident"], changed_by=user, **fields
            )
            obj.pk = created.pk
            return
        entity = LegalEntity.objects.get(pk=obj.pk)
        changed = _fields_of(form, set(form.changed_data) & services.ENTITY_FIELDS)
        version = form.cleaned_data.get("row_version") or None
        if changed:
            services.legal_entity_update(
                entity=entity, changed_by=user, expected_version=version, **changed
            )


@admin.register(AffectedCountRevision)
class AffectedCountRevisionAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Append-only: add a revision (through the service), never change or delete one."""

    list_display = ["incident", "jurisdiction", "count", "as_of", "source"]
    list_filter = ["jurisdiction"]
    date_hierarchy = "as_of"
    fields = ["incident", "jurisdiction", "count", "as_of", "source", "recorded_by", "recorded_at"]
    readonly_fields = ["recorded_by", "recorded_at"]
    raw_id_fields = ["incident"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: AffectedCountRevision, form: Any, change: bool
    ) -> None:
        data = form.cleaned_data
        revision = services.affected_count_revise(
            incident=data["incident"],
            jurisdiction=data["jurisdiction"],
            count=data["count"],
            as_of=data["as_of"],
            source=data.get("source", ""),
            recorded_by=cast(User, request.user),
        )
        obj.pk = revision.pk


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

    # Computed by the scheduler: an edit here would be overwritten, or worse, kept out of step
    # with the timeline. Marking "not applicable" and filing go through their own pages.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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


class FilingWithdrawAdminForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawal"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


@admin.register(Filing)
class FilingAdmin(SimpleHistoryAdmin):
    """Filings are recorded through ``filing_submit`` (the earliest one decides the verdict).
    Once recorded, what the verdict rests on (submission time, precision, zone, deadline) is
    read-only; nothing is deleted: a filing recorded in error is withdrawn with a reason."""

    list_display = [
        "incident",
        "recipient",
        "submitted_at",
        "precision",
        "reference_number",
        "deadline",
        "withdrawn_at",
    ]
    list_filter = ["regulator", "precision"]
    search_fields = ["recipient", "reference_number", "incident__reference"]
    date_hierarchy = "submitted_at"
    readonly_fields = ["recorded_at", "withdrawn_at", "withdrawn_by", "withdrawal_reason"]
    # Fixed once recorded: they decide the deadline's verdict.
    frozen_fields = [
        "incident",
        "deadline",
        "legal_entity",
        "regulator",
        "submitted_at",
        "precision",
        "entered_tz",
        "submitted_by",
    ]
    raw_id_fields = ["deadline", "incident", "legal_entity"]
    inlines = [FilingDocumentInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None:
            return [*self.frozen_fields, *self.readonly_fields, "withdraw_link"]
        return self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        # Reverting to an old version would rewrite the frozen fields (or undo a withdrawal).
        return True

    @admin.display(description=_("withdraw"))
    def withdraw_link(self, obj: Filing) -> str:
        if obj.withdrawn_at is not None:
            return "—"
        url = reverse("admin:incidents_filing_withdraw", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Withdraw (recorded in error)"))

    def save_model(self, request: HttpRequest, obj: Filing, form: Any, change: bool) -> None:
        if change:
            # Only the descriptive fields the form may change; never a stale copy of the rest.
            obj.save(update_fields=[name for name in form.changed_data if name in form.fields])
            return
        created = filing_submit(
            incident=obj.incident,
            recipient=obj.recipient,
            submitted_at=obj.submitted_at,
            precision=obj.precision,
            entered_tz=obj.entered_tz if "entered_tz" in form.changed_data else None,
            deadline=obj.deadline,
            legal_entity=obj.legal_entity,
            regulator=obj.regulator,
            channel=obj.channel,
            reference_number=obj.reference_number,
            acknowledged_at=obj.acknowledged_at,
            acknowledgement=obj.acknowledgement,
            notes=obj.notes,
            submitted_by=request.user,  # type: ignore[arg-type]
        )
        obj.pk = created.pk
        obj._state.adding = False

    def get_urls(self) -> list[Any]:
        extra = [
            path(
                "<int:filing_id>/withdraw/",
                self.admin_site.admin_view(self.withdraw_view),
                name="incidents_filing_withdraw",
            )
        ]
        return [*extra, *super().get_urls()]

    def withdraw_view(self, request: HttpRequest, filing_id: int) -> HttpResponse:
        filing = get_object_or_404(Filing, pk=filing_id)
        if not self.has_change_permission(request, filing):
            raise PermissionDenied
        form = FilingWithdrawAdminForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                filing_withdraw(
                    filing=filing,
                    reason=form.cleaned_data["reason"],
                    withdrawn_by=request.user,  # type: ignore[arg-type]
                )
            except ValidationError as exc:
                form.add_error("reason", exc.messages)
            else:
                self.message_user(request, _("Filing withdrawn; the verdict was recomputed."))
                return HttpResponseRedirect(
                    reverse("admin:incidents_filing_change", args=[filing.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": filing,
            "form": form,
            "title": _("Withdraw a filing"),
        }
        return TemplateResponse(request, "admin/incidents/filing/withdraw.html", context)


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "language", "time_zone"]
    list_filter = ["language"]
    search_fields = ["user__username"]
