"""Optimistic concurrency and row locks (docs/api.md, "Concurrent edits"); shared by the apps'
services and by the API's error handler.

A row's *version* is derived from its ``updated_at`` (every service write bumps it) or, for a row
without one (legal entities, filings, catalogue rows), from a digest of its stored values (plus
those of rows edited with it, such as a calendar's closures; or a team's owner and members:
``content_version``). The API sends
it as the ``ETag`` and takes it back in ``If-Match``; web forms carry it in a hidden field. A
service given ``expected_version`` compares it with the row it has just locked, inside the same
transaction, and raises ``StaleWrite`` if someone else changed the row in between: the API answers
412, a form shows "changed by someone else since you opened it".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import connection, models
from django.utils.translation import gettext_lazy as _

M = TypeVar("M", bound=models.Model)

STALE_MESSAGE = _(
    "This was changed by someone else since you opened it. Reload, check the changes, and try "
    "again."
)


class StaleWrite(Exception):
    """The row changed since the version the client edited."""

    def __init__(self, message: Any = STALE_MESSAGE) -> None:
        super().__init__(str(message))
        self.message = message


def _has_updated_at(instance: models.Model) -> bool:
    return any(field.name == "updated_at" for field in instance._meta.concrete_fields)


def row_state(instance: models.Model) -> list[Any]:
    """The stored values of a row's own columns, in a fixed order."""
    return [getattr(instance, field.attname) for field in instance._meta.concrete_fields]


def content_version(pk: Any, *parts: Any) -> str:
    """A version made of values: the key and a digest of ``parts`` (equal values, equal version;
    any change of a value, another version)."""
    text = json.dumps(parts, default=str, sort_keys=True, ensure_ascii=False)
    return f"{pk}-{hashlib.sha256(text.encode()).hexdigest()[:20]}"


def version_of(instance: models.Model, *, with_rows: Iterable[models.Model] = ()) -> str:
    """An opaque version string: the primary key and the last change time in microseconds, or
    for a row without ``updated_at`` a digest of its values and those of ``with_rows`` (rows
    edited together with it: a calendar's closures)."""
    extra = [row_state(row) for row in with_rows]
    if _has_updated_at(instance) and not extra:
        updated = getattr(instance, "updated_at", None)
        stamp = int(updated.timestamp() * 1_000_000) if updated is not None else 0
        return f"{instance.pk}-{stamp}"
    return content_version(instance.pk, row_state(instance), sorted(extra, key=str))


def etag_of(instance: models.Model, *, with_rows: Iterable[models.Model] = ()) -> str:
    return f'"{version_of(instance, with_rows=with_rows)}"'


def quoted(version: str) -> str:
    """An ETag header value for a version string."""
    return f'"{version}"'


def check_current(current: str, expected_version: str | None) -> None:
    """Raise StaleWrite unless ``expected_version`` (if given; an ``If-Match`` value, quoted or
    weak, or ``*``) names the ``current`` version."""
    if expected_version is None:
        return
    wanted = expected_version.strip()
    if wanted.startswith("W/"):
        wanted = wanted[2:]
    wanted = wanted.strip('"')
    if wanted != "*" and wanted != current:
        raise StaleWrite()


def check_version(
    instance: models.Model,
    expected_version: str | None,
    *,
    with_rows: Iterable[models.Model] = (),
) -> None:
    """Raise StaleWrite unless ``expected_version`` (if given) is the row's current version."""
    if expected_version is None:
        return
    check_current(version_of(instance, with_rows=with_rows), expected_version)


def lock(model: type[M], pk: Any) -> M:
    """Re-read a row with SELECT ... FOR NO KEY UPDATE (call inside a transaction).

    NO KEY: two writers of the row still wait for each other, but a transaction that only
    inserts a child row (an event, a filing, a document pointing at this row) does not. Its
    foreign key check takes FOR KEY SHARE on this row at commit (Django's constraints are
    deferred), which plain FOR UPDATE blocks. The 30-minute soak met that as a deadlock: a
    note (no recomputation, so no incident lock) held the audit chain's lock and, at commit,
    waited on the incident row, while a filing held the incident row and waited for the audit
    chain. Nothing here changes a primary key, so the weaker lock loses no protection.
    """
    return model._default_manager.select_for_update(no_key=True).get(pk=pk)


# The audit chain's lock (audit.services): every write that appends to the audit log takes this
# PostgreSQL advisory lock and holds it until it commits, so the writers append one at a time.
AUDIT_CHAIN_LOCK_KEY = 0x1C_A0D17


def audit_chain_lock() -> None:
    """Take the audit chain's lock for the rest of the transaction (PostgreSQL; re-entrant).

    A writer that locks an incident row takes this lock first (incidents.concurrency): otherwise
    one writer holding the row and waiting for the chain, and another holding the chain (it has
    already appended) and waiting for the row (to lock it, or for its commit's foreign-key check
    on it), deadlock. PostgreSQL then aborts one of them: a 500 under concurrent writes (found by
    the closed-loop load test, docs/performance.md). SQLite: every transaction opens with BEGIN
    IMMEDIATE (settings/base.py), which already holds the database's single write lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK_KEY])
