from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    """Correspondence and evidence."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "records"
    verbose_name = _("Correspondence and evidence")
