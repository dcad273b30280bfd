from django.apps import AppConfig


class ToolsConfig(AppConfig):
    """Developer tools: fault harness, benchmarks, load generators. Never installed in production."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "tools"
    verbose_name = "Developer tools"
