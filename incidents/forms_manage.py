"""Forms to open an incident and to manage its legal entities, team, status and filing
acknowledgements. Shape only: the rules (who may join, which status moves are allowed, when an
acknowledgement may be dated) are the services'; the views show their ValidationError here."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from incidents.applicability import ENTITY_FACT_NAMES, fact_explanation
from incidents.forms import (
    StyledForm,
    VersionedForm,
    _date_field,
    _time_field,
    _zone_field,
    combine_instant,
)
from incidents.models import (
    STATUS_TRANSITIONS,
    DoraEntityType,
    EventKind,
    Filing,
    Incident,
    IncidentStatus,
    LegalEntity,
    Precision,
    Severity,
)
from regulators.models import PRECISION_CHOICES

# The applicability facts of a legal entity, in the order the form shows them.
ENTITY_FACTS = ENTITY_FACT_NAMES
# The other values the engine reads from an entity, edited on the same form.
ENTITY_VALUES = ("name", "name_local", "country", "role", "reference_tz", "dora_entity_type")

DORA_ENTITY_TYPE_HELP = _(
    "Under DORA, credit institutions, central counterparties and trading venues get no weekend "
    "relief for initial and intermediate reports; left unknown, the stricter time is kept."
)
INCIDENT_FACTS = ("external_attack", "sensitive_data", "unique_identifiers")


class TriStateSelect(forms.NullBooleanSelect):
    """Django's yes/no/unknown select with the project's wording (and translations)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.choices = [("unknown", _("unknown")), ("true", _("yes")), ("false", _("no"))]


def _tristate(label: Any, fact: str) -> forms.NullBooleanField:
    """Yes / no / unknown: an unknown fact leaves the obligation 'unknown', never 'no'."""
    return forms.NullBooleanField(
        label=label, required=False, help_text=fact_explanation(fact), widget=TriStateSelect
    )


def _split_codes(value: str) -> list[str]:
    return [part.strip().upper() for part in value.replace(";", ",").split(",") if part.strip()]


class EntityForm(StyledForm):
    """A legal entity and its applicability facts; each fact is explained in one line."""

    name = forms.CharField(label=_("Name"), max_length=200)
    name_local = forms.CharField(label=_("Local name"), max_length=200, required=False)
    country = forms.CharField(
        label=_("Country"),
        max_length=2,
        min_length=2,
        help_text=_("Two-letter code where it is established, e.g. KR or US."),
    )
    role = forms.CharField(
        label=_("Role in the incident"),
        max_length=200,
        required=False,
        help_text=_("E.g. operating company, US-listed parent, processor."),
    )
    ict_service_provider = _tristate(_("ICT service provider (KR)"), "ict_service_provider")
    sec_registrant = _tristate(_("SEC registrant"), "sec_registrant")
    hipaa_covered_entity = _tristate(_("HIPAA covered entity"), "hipaa_covered_entity")
    eu_financial_entity = _tristate(_("EU financial entity (DORA)"), "eu_financial_entity")
    nis2_entity = _tristate(_("NIS2 essential or important entity"), "nis2_entity")
    kr_financial_company = _tristate(_("Korean financial company"), "kr_financial_company")
    credit_information_company = _tristate(
        _("credit information company"), "credit_information_company"
    )
    app_entity_au = _tristate(_("Australian APP entity"), "app_entity_au")
    dora_entity_type = forms.ChoiceField(
        label=_("DORA entity type"),
        choices=[("", _("unknown")), *DoraEntityType.choices],
        required=False,
        help_text=DORA_ENTITY_TYPE_HELP,
    )
    jurisdictions = forms.CharField(
        label=_("Jurisdictions"),
        max_length=200,
        required=False,
        help_text=_(
            "Where it is established or people are affected, separated by commas: KR, US, EU."
        ),
    )
    reference_tz = _zone_field(_("Time zone"))

    def __init__(self, *args: Any, zone: str = "Asia/Seoul", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reference_tz"].initial = zone

    @classmethod
    def initial_from(cls, entity: LegalEntity) -> dict[str, Any]:
        initial = {name: getattr(entity, name) for name in (*ENTITY_VALUES, *ENTITY_FACTS)}
        initial["jurisdictions"] = ", ".join(entity.jurisdictions or [])
        return initial

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {name: data[name] for name in (*ENTITY_VALUES, *ENTITY_FACTS)}
        fields["jurisdictions"] = _split_codes(data["jurisdictions"])
        return fields


class EntityEditForm(EntityForm):
    """An existing entity's facts, with the version the page showed (hidden): a save over
    someone else's change is refused instead of overwriting it."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)


class BaseEntityFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        if any(self.errors):
            return
        names = [
            f.cleaned_data["name"].strip().lower()
            for f in self.forms
            if f.has_changed() and f.cleaned_data.get("name")
        ]
        if len(names) != len(set(names)):
            raise ValidationError(_("Each legal entity needs its own name."))
        if not names:
            raise ValidationError(
                _("Add at least one legal entity: deadlines are owed by legal entities.")
            )


EntityFormSet = forms.formset_factory(
    EntityForm, formset=BaseEntityFormSet, extra=1, max_num=20, absolute_max=20
)


class OpeningCountForm(StyledForm):
    jurisdiction = forms.CharField(
        label=_("Jurisdiction"),
        max_length=10,
        help_text=_("Country code, or US-CA style for states."),
    )
    count = forms.IntegerField(label=_("Affected people"), min_value=0)


class BaseCountFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        if any(self.errors):
            return
        codes = [
            f.cleaned_data["jurisdiction"].strip().upper()
            for f in self.forms
            if f.has_changed() and f.cleaned_data.get("jurisdiction")
        ]
        if len(codes) != len(set(codes)):
            raise ValidationError(_("Give each jurisdiction once."))


CountFormSet = forms.formset_factory(
    OpeningCountForm, formset=BaseCountFormSet, extra=1, max_num=50, absolute_max=50
)


class UsernamesField(forms.CharField):
    """Usernames separated by commas, spaces or new lines, resolved to active accounts."""

    widget = forms.Textarea(attrs={"rows": 2})

    def clean(self, value: Any) -> list[User]:  # type: ignore[override]
        text = super().clean(value) or ""
        names = list(dict.fromkeys(text.replace(",", " ").split()))
        users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
        unknown = [name for name in names if name not in users]
        if unknown:
            raise ValidationError(
                _("No account is called %(names)s.") % {"names": ", ".join(unknown)},
                code="unknown_user",
            )
        return [users[name] for name in names]


class IncidentOpenForm(StyledForm):
    """The incident itself and its first event; entities and counts come in formsets."""

    title = forms.CharField(label=_("Title"), max_length=300)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial="high")
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    team = forms.CharField(
        label=_("Team name"),
        max_length=200,
        required=False,
        help_text=_("E.g. CERT, Privacy office."),
    )
    members = UsernamesField(
        label=_("Team members"),
        required=False,
        help_text=_("Usernames, separated by commas. You become the owner."),
    )
    external_attack = _tristate(_("External attack (hacking)"), "external_attack")
    sensitive_data = _tristate(_("Sensitive data involved"), "sensitive_data")
    unique_identifiers = _tristate(_("Unique identifiers involved"), "unique_identifiers")
    event_kind = forms.ChoiceField(
        label=_("First event"),
        choices=[
            (EventKind.DETECTION, _("detection")),
            (EventKind.AWARENESS, _("awareness")),
        ],
        initial=EventKind.AWARENESS,
        help_text=_(
            "Awareness starts the Korean 24- and 72-hour clocks; detection alone starts none."
        ),
    )
    event_title = forms.CharField(
        label=_("What happened"),
        max_length=300,
        help_text=_("E.g. SOC alert on unusual token use; CISO confirms the leak."),
    )
    occurred_date = _date_field(_("Date"))
    occurred_time = _time_field(_("Time"), required=False)
    entered_tz = _zone_field(_("Time zone"))
    precision = forms.ChoiceField(
        label=_("Precision"),
        choices=PRECISION_CHOICES,
        initial=Precision.EXACT,
        help_text=_("Date only: the clock counts from the start of that day (the safer reading)."),
    )

    def __init__(self, *args: Any, zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entered_tz"].initial = zone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        combine_instant(
            self,
            data,
            day="occurred_date",
            clock="occurred_time",
            zone="entered_tz",
            target="occurred_at",
        )
        return data


class IncidentEditForm(VersionedForm):
    """The incident's own facts, with the version the page showed (hidden)."""

    title = forms.CharField(label=_("Title"), max_length=300)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    team = forms.CharField(
        label=_("Team name"),
        max_length=200,
        required=False,
        help_text=_("E.g. CERT, Privacy office."),
    )
    external_attack = _tristate(_("External attack (hacking)"), "external_attack")
    sensitive_data = _tristate(_("Sensitive data involved"), "sensitive_data")
    unique_identifiers = _tristate(_("Unique identifiers involved"), "unique_identifiers")

    FIELDS = ("title", "severity", "summary", "team", *INCIDENT_FACTS)

    @classmethod
    def initial_from(cls, incident: Incident, version: str) -> dict[str, Any]:
        return {**{name: getattr(incident, name) for name in cls.FIELDS}, "version": version}

    def service_fields(self) -> dict[str, Any]:
        """Only what the user changed: the rest is left as the service finds it."""
        return {name: self.cleaned_data[name] for name in self.FIELDS if name in self.changed_data}


class TeamAddForm(StyledForm):
    username = forms.CharField(label=_("Username"), max_length=150)

    def clean_username(self) -> User:
        name = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=name).first()
        if user is None:
            raise ValidationError(_("No account is called %(name)s.") % {"name": name})
        return user


class StatusForm(VersionedForm):
    status = forms.ChoiceField(label=_("New status"), choices=[])
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the chronology. Required to close or reopen."),
    )

    def __init__(self, *args: Any, incident: Incident, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(IncidentStatus.choices)
        allowed = STATUS_TRANSITIONS.get(incident.status, set())
        # Shape: the choices offered are the moves from here; the service decides again.
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            ("", _("— choose —")),
            *[(value, labels[value]) for value in IncidentStatus.values if value in allowed],
        ]


class AcknowledgementForm(VersionedForm):
    acknowledged_date = forms.DateField(
        label=_("Acknowledged (date)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    acknowledged_time = _time_field(_("Acknowledged (time)"), required=False)
    acknowledged_tz = _zone_field(_("Time zone"))
    acknowledgement = forms.CharField(
        label=_("Acknowledgement"),
        max_length=300,
        required=False,
        help_text=_("What the regulator answered, e.g. the receipt text."),
    )
    reference_number = forms.CharField(label=_("Reference number"), max_length=100, required=False)
    channel = forms.CharField(
        label=_("Channel"),
        max_length=100,
        required=False,
        help_text=_("E.g. KISA portal, e-mail, registered post."),
    )

    def __init__(self, *args: Any, zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["acknowledged_tz"].initial = zone

    @classmethod
    def initial_from(cls, filing: Filing, zone: str) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "acknowledgement": filing.acknowledgement,
            "reference_number": filing.reference_number,
            "channel": filing.channel,
            "acknowledged_tz": zone,
        }
        if filing.acknowledged_at is not None:
            local = filing.acknowledged_at.astimezone(ZoneInfo(zone))
            initial["acknowledged_date"] = local.date()
            initial["acknowledged_time"] = local.time().replace(second=0, microsecond=0)
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["acknowledged_at"] = None
        if data.get("acknowledged_date"):
            if data.get("acknowledged_time") is None:
                self.add_error("acknowledged_time", _("Give the time of the acknowledgement."))
            else:
                data["precision"] = Precision.EXACT
                combine_instant(
                    self,
                    data,
                    day="acknowledged_date",
                    clock="acknowledged_time",
                    zone="acknowledged_tz",
                    target="acknowledged_at",
                )
        elif data.get("acknowledged_time") is not None:
            self.add_error("acknowledged_date", _("Give the date of the acknowledgement."))
        return data
