"""The per-year counter behind automatic incident references (see incidents/references.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferenceCounter(models.Model):
    """The last automatic number given out in a year. Taken with SELECT ... FOR UPDATE, so two
    simultaneous creates never compute the same number; hand-given references never move it."""

    year = models.PositiveIntegerField(_("year"), primary_key=True)
    last = models.PositiveBigIntegerField(_("last number given"), default=0)

    class Meta:
        app_label = "incidents"
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")

    def __str__(self) -> str:
        return f"INC-{self.year}: {self.last}"
