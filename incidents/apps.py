from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    """The facts: incidents, timeline, deadlines, filings, reminders, exports and pages."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        # Imported in ready(): both modules use models, which are loaded only by now.
        from incidents import recompute  # catalogue edits reach open deadlines (recompute.py)
        from incidents.admin_access import admin_group_permissions_sync  # models needed too

        # Catalogue and calendar edits must reach open deadlines, but regulators may not import
        # incidents: incidents listens to the catalogue models instead.
        recompute.connect()
        # After every migrate: the admin role's model permissions (docs/access.md).
        post_migrate.connect(admin_group_permissions_sync, dispatch_uid="admin-group-permissions")
