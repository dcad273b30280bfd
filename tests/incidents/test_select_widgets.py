"""The ``<select>`` widgets of incidents/widgets.py: the same markup as Django's ``Select``, with
the options written without a template per option, the ~600 zone options rendered once per
language instead of on every request, and the values still validated on the server."""

from __future__ import annotations

import copy
import re

import pytest
from django import forms
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from incidents import widgets
from incidents.forms import EventForm, WhatIfForm
from incidents.widgets import COMMON_ZONES, PlainSelect, ZoneSelect, zone_choices, zone_field
from tests.factories import IncidentFactory


def _both(value: object, attrs: dict[str, str] | None = None) -> tuple[str, str]:
    plain = forms.Select(choices=zone_choices()).render("trigger_tz", value, attrs)
    fast = ZoneSelect(choices=zone_choices()).render("trigger_tz", value, attrs)
    return plain, fast


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("value", [None, "", "Asia/Seoul", "Pacific/Auckland", "Mars/Olympus"])
def test_zone_select_renders_exactly_what_djangos_select_renders(language, value) -> None:
    attrs = {
        "id": "id_trigger_tz",
        "aria-describedby": "id_trigger_tz_help",
        "aria-invalid": "true",
    }
    with translation.override(language):
        plain, fast = _both(value, attrs)
    assert fast == plain


def test_zone_select_marks_only_the_chosen_zone_selected() -> None:
    _plain, fast = _both("Europe/Paris")
    assert re.findall(r'<option value="([^"]+)" selected>', fast) == ["Europe/Paris"]
    assert fast.count("<option ") == sum(len(group) for _label, group in zone_choices())


def test_zone_options_are_rendered_once_per_language(monkeypatch) -> None:
    widgets._zone_options.cache_clear()
    renders = []
    original = widgets.options_html

    def counting(*args, **kwargs):
        renders.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(widgets, "options_html", counting)
    for zone in ["UTC", "Asia/Seoul", "Europe/Berlin"]:
        with translation.override("en"):
            ZoneSelect(choices=zone_choices()).render("tz", zone)
        with translation.override("ko"):
            ZoneSelect(choices=zone_choices()).render("tz", zone)
    assert len(renders) == 2  # English and Korean, once each


PLAIN_CASES = {
    "flat": [("", "— none —"), ("a", "A & B"), ("b", "<b>")],
    "grouped and flat": [
        ("x", "X"),
        ("Group <1>", [("1", "one"), ("2", mark_safe("<i>two</i>"))]),
        (None, "nothing"),
    ],
    "lazy labels": [("exact", _("exact")), ("date", _("date only"))],
    "a value twice": [("a", "first"), ("a", "second")],
}


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("case", sorted(PLAIN_CASES))
@pytest.mark.parametrize("value", [None, "", "a", "2", "x", "date", "missing"])
def test_plain_select_renders_exactly_what_djangos_select_renders(language, case, value) -> None:
    attrs = {"id": "id_f", "aria-describedby": "id_f_help"}
    choices = PLAIN_CASES[case]
    with translation.override(language):
        plain = forms.Select(choices=choices).render("f", value, attrs)
        fast = PlainSelect(choices=choices).render("f", value, attrs)
    assert fast == plain


@pytest.mark.django_db
def test_what_if_form_uses_the_zone_select_and_preselects_the_viewers_zone(catalogue) -> None:
    form = WhatIfForm(zone="America/Chicago")
    for name in ("trigger_tz", "rule_tz"):
        assert isinstance(form.fields[name].widget, ZoneSelect)
        html = str(form[name])
        assert re.findall(r'<option value="([^"]+)" selected>', html) == ["America/Chicago"]
        assert f'id="id_{name}"' in html


def test_a_zone_outside_the_list_is_refused_on_the_server() -> None:
    class Form(forms.Form):
        zone = zone_field("Zone")

    assert Form({"zone": "Asia/Seoul"}).is_valid()
    # The English message, whatever language an earlier test in this thread left active.
    with translation.override("en"):
        refused = Form({"zone": "Mars/Olympus"})
        assert not refused.is_valid()
        assert "Select a valid choice." in refused.errors["zone"][0]
    assert not Form({"zone": ""}).is_valid()


@pytest.mark.django_db
def test_event_form_zone_keeps_its_error_description_for_screen_readers() -> None:
    form = EventForm({"entered_tz": "Mars/Olympus"}, incident=IncidentFactory(), zone="Asia/Seoul")
    assert not form.is_valid()
    html = str(form["entered_tz"])
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_entered_tz_error"' in html
    assert "selected>" not in html  # the refused value is not shown as chosen


def test_zone_fields_share_the_one_list_instead_of_rebuilding_it_per_form() -> None:
    first, second = WhatIfForm.base_fields["trigger_tz"], EventForm.base_fields["entered_tz"]
    copied = copy.deepcopy(first)
    for field in (first, second, copied):
        groups = list(field.choices)
        assert groups == zone_choices()
        assert groups[1][1] is zone_choices()[1][1]  # not normalised again, not copied


@pytest.mark.django_db
def test_what_if_page_renders_its_lists_and_keeps_the_submitted_choices(client, alice, catalogue):
    client.force_login(alice)
    query = {
        "obligation": "us-sec-8k-1-05",
        "trigger_date": "2025-11-18",
        "trigger_tz": "America/New_York",
        "precision": "date",
        "rule_tz": "Europe/Paris",
    }
    html = client.get("/what-if/", query).content.decode()
    chosen = dict(
        re.findall(r'<select name="(\w+)".*?<option value="([^"]*)" selected>', html, re.S)
    )
    assert chosen == {
        "obligation": "us-sec-8k-1-05",
        "calendar": "",
        "rule_tz": "Europe/Paris",
        "trigger_tz": "America/New_York",
        "precision": "date",
    }
    assert html.count("<option ") > 2 * len(COMMON_ZONES)
