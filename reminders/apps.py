from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    """Reminders and escalations for open deadlines (docs/reminders.md)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "reminders"
    verbose_name = _("Reminders")

    def ready(self) -> None:
        # incidents announces deadline changes with a signal instead of calling this app, so the
        # dependency runs one way (reminders -> incidents). Connected here, once per process.
        from reminders import receivers

        receivers.connect()
