"""The search form: the page shows its errors, the API turns them into a 400."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from incidents.choices import IncidentStatus
from incidents.templatetags.clock import localized_name
from regulators.models import Regulator
from search.registry import kind_choices
from search.services import SearchQuery

MAX_PAGE = 50  # deeper than 1,000 hits: narrow the search instead


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), min_length=2, max_length=200, strip=True)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[])
    regulator = forms.ChoiceField(label=_("Regulator"), required=False, choices=[])
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(
        label=_("Incident status"),
        required=False,
        choices=[("", _("any")), *IncidentStatus.choices],
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("everything")), *kind_choices()]  # type: ignore[attr-defined]
        regulator = self.fields["regulator"]
        if isinstance(regulator, forms.ChoiceField):  # the API's form takes any code
            regulator.choices = [
                ("", _("any")),
                *[(r.code, localized_name(r)) for r in Regulator.objects.order_by("code")],
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def to_query(self) -> SearchQuery:
        data = self.cleaned_data
        return SearchQuery(
            text=data["q"],
            kinds=(data["kind"],) if data.get("kind") else (),
            regulator=data.get("regulator") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            status=data.get("status") or "",
        )
