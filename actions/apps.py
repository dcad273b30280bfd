from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    """Action items."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "actions"
    verbose_name = _("Action items")
