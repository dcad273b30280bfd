"""pg_trgm and the search indexes; on SQLite both operations do nothing."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from search.indexes import create_all, drop_all


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0007_default_zone_from_settings"),
    ]

    operations = [
        TrigramExtension(),  # CreateExtension skips any database that is not PostgreSQL
        migrations.RunPython(create_all, drop_all, elidable=False),
    ]
