from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegulatorsConfig(AppConfig):
    """The law: regulators, versioned obligations, calendars and the pure deadline engine."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "regulators"
    verbose_name = _("Regulators and rules")

    def ready(self) -> None:
        # Imported here: snapshot and services import models, which the app registry must load
        # first.
        from regulators import rows, snapshot

        # Imported here for the same reason.
        from regulators.services import connect_catalogue_generation

        # Caches of what is computed from the whole catalogue are keyed by its generation.
        connect_catalogue_generation()
        # The per-process catalogue snapshot is dropped on every catalogue save or delete.
        snapshot.connect()
        # So are the catalogue rows pages name deadlines with (regulators.rows).
        rows.connect()
