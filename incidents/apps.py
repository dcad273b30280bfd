from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    """The facts: incidents, timeline, deadlines, filings, reminders, exports and pages."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        # Catalogue and calendar edits must reach open deadlines, but regulators may not import
        # incidents: incidents listens to the catalogue models instead (see incidents/recompute.py).
        from django.db.models.signals import post_migrate

        from incidents import recompute
        from incidents.admin_access import admin_group_permissions_sync

        recompute.connect()
        # After every migrate: the admin role's model permissions (docs/access.md).
        post_migrate.connect(admin_group_permissions_sync, dispatch_uid="admin-group-permissions")
