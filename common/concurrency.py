"""Optimistic concurrency and row locks (docs/api.md, "Concurrent edits"); shared by the apps'
services and by the API's error handler.

A row's *version* is derived from its ``updated_at`` (every service write bumps it). The API sends
it as the ``ETag`` and takes it back in ``If-Match``; web forms carry it in a hidden field. A
service given ``expected_version`` compares it with the row it has just locked, inside the same
transaction, and raises ``StaleWrite`` if someone else changed the row in between: the API answers
412, a form shows "changed by someone else since you opened it".
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
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


def version_of(instance: models.Model) -> str:
    """An opaque version string: the primary key and the last change time in microseconds."""
    updated = getattr(instance, "updated_at", None)
    stamp = int(updated.timestamp() * 1_000_000) if updated is not None else 0
    return f"{instance.pk}-{stamp}"


def etag_of(instance: models.Model) -> str:
    return f'"{version_of(instance)}"'


def check_version(instance: models.Model, expected_version: str | None) -> None:
    """Raise StaleWrite unless ``expected_version`` (if given) is the row's current version."""
    if expected_version is None:
        return
    wanted = expected_version.strip()
    if wanted.startswith("W/"):
        wanted = wanted[2:]
    wanted = wanted.strip('"')
    if wanted != "*" and wanted != version_of(instance):
        raise StaleWrite()


def lock(model: type[M], pk: Any) -> M:
    """Re-read a row with SELECT ... FOR UPDATE (call inside a transaction)."""
    return model._default_manager.select_for_update().get(pk=pk)
