"""PostgreSQL indexes behind search: per kind, a GIN full-text index and a GIN trigram index on
the kind's text (the same expression ``search.services.document_sql`` matches on), and a b-tree
on the kind's date for "newest first". Created by migrations, only on PostgreSQL."""

from __future__ import annotations

from typing import Any

# (table, text columns, date column) per searched table; a new kind's table is added by a new
# migration that calls create_sql/drop_sql for it.
TABLES: list[tuple[str, tuple[str, ...], str]] = [
    ("incidents_incident", ("reference", "title", "summary", "team"), "created_at"),
    ("incidents_timelineevent", ("title", "description", "source_title"), "occurred_at"),
    (
        "incidents_filing",
        ("recipient", "channel", "reference_number", "acknowledgement", "notes"),
        "submitted_at",
    ),
]


def _doc(columns: tuple[str, ...]) -> str:
    return " || ' ' || ".join(f'"{c}"' for c in columns)


def create_sql(table: str, columns: tuple[str, ...], date_column: str) -> list[str]:
    doc = _doc(columns)
    return [
        f'CREATE INDEX IF NOT EXISTS "{table}_search_fts" ON "{table}" '
        f"USING gin (to_tsvector('simple', {doc}))",
        f'CREATE INDEX IF NOT EXISTS "{table}_search_trgm" ON "{table}" '
        f"USING gin (({doc}) gin_trgm_ops)",
        f'CREATE INDEX IF NOT EXISTS "{table}_search_date" ON "{table}" ("{date_column}" DESC)',
    ]


def drop_sql(table: str) -> list[str]:
    return [f'DROP INDEX IF EXISTS "{table}_search_{suffix}"' for suffix in ("fts", "trgm", "date")]


def create_all(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite searches with icontains and needs none of these
    for table, columns, date_column in TABLES:
        for sql in create_sql(table, columns, date_column):
            schema_editor.execute(sql)


def drop_all(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _columns, _date in TABLES:
        for sql in drop_sql(table):
            schema_editor.execute(sql)
