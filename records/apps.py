from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    """Correspondence and evidence."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "records"
    verbose_name = _("Correspondence and evidence")

    def ready(self) -> None:
        # The incident page asks apps above incidents for sections and chronology entries by
        # signal (incidents never imports records).
        from incidents.signals import (
            chronology_entries_requested,
            page_annotations_requested,
            page_sections_requested,
        )

        # Imported here: sections imports models, which the app registry must load first.
        from records import sections

        page_annotations_requested.connect(
            sections.page_annotations, dispatch_uid="records-annotations"
        )
        page_sections_requested.connect(sections.incident_sections, dispatch_uid="records")
        chronology_entries_requested.connect(
            sections.chronology_entries, dispatch_uid="records-chronology"
        )
