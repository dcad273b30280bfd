from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    """Notifying the people affected."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "outreach"
    verbose_name = _("Notifying the people affected")

    def ready(self) -> None:
        # The incident page collects sections and deadline notes by signal (incidents may not
        # import outreach). Imported here: receivers imports models, which the app registry must
        # have loaded first.
        from incidents.signals import (
            deadline_notes_requested,
            page_annotations_requested,
            page_sections_requested,
        )
        from outreach import receivers  # why: models must be loaded first (see above)

        page_annotations_requested.connect(
            receivers.page_annotations, dispatch_uid="outreach-annotations"
        )
        page_sections_requested.connect(receivers.incident_section, dispatch_uid="outreach-section")
        deadline_notes_requested.connect(receivers.deadline_notes, dispatch_uid="outreach-notes")
