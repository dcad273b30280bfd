from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """Tamper-evident audit log (hash chain) and API token scopes."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        # Signals are unavoidable here: the log must see every write, including admin edits and
        # writes made by code that does not know about auditing. All wiring is in one place.
        # Imported here, not at module level: signals imports models, which the app registry
        # must have loaded first (Django's rule for AppConfig modules).
        from audit import signals

        signals.connect()
