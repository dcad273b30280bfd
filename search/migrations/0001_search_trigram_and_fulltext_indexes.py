"""pg_trgm and the search indexes; on SQLite every operation here does nothing."""

from typing import Any

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from search.indexes import create_all, drop_all


class TrigramExtensionOnPostgreSQL(TrigramExtension):
    """Django's CreateExtension skips other databases going forwards but not backwards (it
    queries pg_extension); this one skips them both ways."""

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0007_default_zone_from_settings"),
    ]

    operations = [
        TrigramExtensionOnPostgreSQL(),
        migrations.RunPython(create_all, drop_all, elidable=False),
    ]
