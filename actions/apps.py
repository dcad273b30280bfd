from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from incidents.signals import page_annotations_requested, page_sections_requested


class ActionsConfig(AppConfig):
    """Action items."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "actions"
    verbose_name = _("Action items")

    def ready(self) -> None:
        # The incident page and the dashboard ask for sections with a signal (incidents never
        # imports this app); imported here, once the app registry is ready.
        from actions.sections import on_page_annotations_requested, on_page_sections_requested

        page_annotations_requested.connect(
            on_page_annotations_requested, dispatch_uid="actions-annotations"
        )
        page_sections_requested.connect(on_page_sections_requested, dispatch_uid="actions-sections")
