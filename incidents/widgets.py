"""``<select>`` widgets that render their options without a template per option, and the
time-zone choice of the web forms.

Django's ``Select`` renders every ``<option>`` through two widget templates (an ``{% include %}``
and an attribute loop per option). A time-zone list has ~600 options: the what-if calculator's two
zone lists cost it most of its CPU (docs/performance.md, "HTTP load test"). ``PlainSelect`` writes
the options in Python and ``ZoneSelect`` renders the zone options once per language and keeps
them for the life of the process, marking the chosen one per request. Both render exactly the
markup ``Select`` renders (tests/incidents/test_select_widgets.py): the ``<select>`` element itself
(name, id, ``required``, ``aria-describedby``, ``aria-invalid``) still comes from Select's
template, so labels, error descriptions and keyboard use are unchanged, and the fields stay
``ChoiceField``s, so the value is still validated on the server against the same list.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

COMMON_ZONES = (
    "Asia/Seoul",
    "UTC",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Brussels",
    "Asia/Tokyo",
    "Asia/Singapore",
    "Asia/Hong_Kong",
    "Asia/Shanghai",
    "Australia/Sydney",
)


@cache
def zone_choices() -> list[tuple[Any, Any]]:
    others = sorted(z for z in available_timezones() if "/" in z and z not in COMMON_ZONES)
    return [
        (_("Common"), [(z, z) for z in COMMON_ZONES]),
        (_("All zones"), [(z, z) for z in others]),
    ]


def options_html(choices: Iterable[tuple[Any, Any]], chosen: list[str]) -> str:
    """The options of normalised ``choices`` as Select's templates write them: ``<optgroup>``
    for a group, the first option whose value is in ``chosen`` marked ``selected``."""
    out: list[str] = []
    has_selected = False
    for value, label in choices:
        group = isinstance(label, list | tuple)
        if group:
            out.append(
                f'\n  <optgroup label="{conditional_escape("" if value is None else value)}">'
            )
        for option, text in label if group else [("" if value is None else value, label)]:
            selected = not has_selected and str(option) in chosen
            has_selected |= selected
            mark = " selected" if selected else ""
            # Select's option template ends with a newline, hence the one after each option.
            out.append(
                f'\n  <option value="{escape(option)}"{mark}>{conditional_escape(text)}</option>\n'
            )
        if group:
            out.append("\n  </optgroup>")
    return "".join(out)


_CLOSE = "</select>"


class PlainSelect(forms.Select):
    """``Select`` with the options written in Python (same markup), for fields shown per request."""

    def optgroups(self, name: str, value: Any, attrs: dict[str, Any] | None = None) -> list[Any]:
        return []  # render() adds the options

    def options_markup(self, chosen: list[str]) -> str:
        return options_html(self.choices, chosen)

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        element = super().render(name, value, attrs, renderer)  # "<select ...>\n</select>"
        cut = element.rindex(_CLOSE)
        # The element is Select's own template output; every option part is escaped above.
        html = (
            element[:cut].rstrip("\n")
            + self.options_markup(self.format_value(value))
            + "\n"
            + _CLOSE
        )
        return mark_safe(html)  # noqa: S308  # nosec B308 B703 - escaped, see options_html


@cache
def _zone_options(language: str | None) -> str:
    """Every zone option, none selected; per language (the group labels are translated; the
    caller passes the active one). The zones are read once per process, so this never goes
    stale."""
    return options_html(zone_choices(), [])


class ZoneSelect(PlainSelect):
    """``PlainSelect`` for ``zone_choices()``, with the options rendered once per language."""

    def options_markup(self, chosen: list[str]) -> str:
        options = _zone_options(get_language())
        if chosen:
            option = f'<option value="{escape(chosen[0])}">'
            options = options.replace(option, f"{option[:-1]} selected>", 1)
        return options


class _ZoneChoices(BaseChoiceIterator):
    """``zone_choices()`` for a field, as is. A callable would be wrapped by Django in a
    ``CallableChoiceIterator``, which normalises all ~600 entries again on every iteration (to
    validate a value, to decide the ``required`` attribute); a list would be deep-copied with each
    form. This list is already in normal form and never changes, so it is handed out as it is."""

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        return iter(zone_choices())


def zone_field(label: Any) -> forms.ChoiceField:
    """A required time-zone field: validated against ``zone_choices()``, shown by ZoneSelect."""
    return forms.ChoiceField(label=label, choices=_ZoneChoices(), widget=ZoneSelect)
