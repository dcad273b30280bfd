from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    """Legal exports: PDF, XLSX/CSV, JSON, ICS feeds and filing drafts (docs/exports.md)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "exports"
    verbose_name = _("Exports")

    def ready(self) -> None:
        # Importing the module registers the PDF export's start-up checks (Pango, shipped font)
        # and the worker-start log of them; it must run once the app registry is ready.
        from exports import checks  # noqa: F401
