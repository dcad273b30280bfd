"""Fast ``get_FOO_display()`` for the choice fields that pages show on every row.

Django's own ``get_FOO_display`` rebuilds a dict of every choice (translating each lazy label)
on every call: for an event kind (40 choices) that is about 40 ``gettext`` calls per event, and
it was a third of the incident page's time with 100 events. Here the labels are translated once
per field and language and kept; a value outside the choices is shown as itself, as Django does.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.db import models
from django.utils.encoding import force_str
from django.utils.translation import get_language


@lru_cache(maxsize=256)
def _labels(model: type[models.Model], field_name: str, language: str | None) -> dict[Any, str]:
    field = model._meta.get_field(field_name)
    return {value: str(label) for value, label in field.flatchoices}  # type: ignore[union-attr]


def fast_display(field_name: str) -> Callable[[models.Model], Any]:
    """``get_<field_name>_display`` for a model class body (Django keeps a method defined there)."""

    def display(self: models.Model) -> Any:
        return label_of(
            self._meta.concrete_model or type(self), field_name, getattr(self, field_name)
        )

    display.__name__ = f"get_{field_name}_display"
    return display


def label_of(model: type[models.Model], field_name: str, value: Any) -> Any:
    """The label of ``value`` of a choice field, as ``get_<field_name>_display`` gives it (for
    rows read as plain values: incidents/views/cached_rows.py)."""
    labels = _labels(model, field_name, get_language())
    return force_str(labels.get(value, value), strings_only=True)
