from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    """Legal exports: PDF, XLSX/CSV, JSON, ICS feeds and filing drafts (docs/exports.md)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "exports"
    verbose_name = _("Exports")
