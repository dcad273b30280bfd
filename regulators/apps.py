from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegulatorsConfig(AppConfig):
    """The law: regulators, versioned obligations, calendars and the pure deadline engine."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "regulators"
    verbose_name = _("Regulators and rules")

    def ready(self) -> None:
        # The per-process catalogue snapshot is dropped on every catalogue save or delete.
        from regulators import snapshot

        snapshot.connect()
