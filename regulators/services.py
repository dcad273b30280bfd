"""Catalogue writes (obligations, calendars, closures, regulators) from the API and the admin.

The model's ``full_clean`` holds every rule of a catalogue row, and the engine's own check
(``Obligation.to_spec``) the rest. What this module adds is the concurrency rule: a change is
made to the row re-read with ``SELECT ... FOR UPDATE`` and, when the editor says which version
they edited (the API's ``If-Match``, the admin form's hidden version), refused with
``StaleWrite`` if someone else changed the row since, instead of the last write winning. A
calendar's version covers its closures, which are edited with it on the admin page.

Saving still reaches open deadlines the way it always did: the model signals of
``incidents.recompute`` recompute them after commit.
"""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import uuid4

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

from common.concurrency import check_current, lock, version_of
from regulators.models import Calendar, Obligation, Regulator

M = TypeVar("M", bound=models.Model)


def catalogue_version(instance: models.Model) -> str:
    """The version of a catalogue row as the API's ETag and the admin's hidden field carry it."""
    if isinstance(instance, Calendar) and instance.pk is not None:
        return version_of(instance, with_rows=instance.closures.order_by("pk"))
    return version_of(instance)


def catalogue_check_version(instance: models.Model, expected_version: str | None) -> None:
    """Raise StaleWrite unless ``expected_version`` (if given) is the row's current version.
    Call it inside a transaction on a row just locked (``catalogue_lock``)."""
    check_current(catalogue_version(instance), expected_version)


def catalogue_lock(model: type[M], pk: Any) -> M:
    """The row re-read under lock; a calendar's closures are locked with it."""
    row = lock(model, pk)
    if isinstance(row, Calendar):
        list(row.closures.select_for_update().order_by("pk"))
    return row


def _engine_check(instance: models.Model) -> None:
    if isinstance(instance, Obligation):
        # The engine's own checks, which the model's clean() does not repeat (e.g. an internal
        # target amount without its unit): a row the engine refuses would break every
        # deadline computation afterwards.
        try:
            instance.to_spec()
        except ValueError as exc:
            raise ValidationError({"non_field_errors": [str(exc)]}) from exc


@transaction.atomic
def catalogue_row_save(
    *,
    model: type[M],
    values: dict[str, Any],
    pk: Any = None,
    expected_version: str | None = None,
) -> M:
    """Create (``pk`` None) or change a catalogue row: the values given are set on the row
    re-read under lock, checked against ``expected_version``, validated, and saved."""
    if pk is None:
        instance = model()
    else:
        instance = catalogue_lock(model, pk)
        catalogue_check_version(instance, expected_version)
    for name, value in values.items():
        setattr(instance, name, value)
    instance.full_clean()
    _engine_check(instance)
    instance.save()
    return instance


# --- The version of the whole catalogue, for caches of what is computed from all of it ----------

CATALOGUE_GENERATION_KEY = "regulators:catalogue-generation"


def catalogue_generation() -> str:
    """A token that changes whenever a regulator or an obligation is saved or deleted through the
    ORM, whatever the door (admin, API, ``load_catalogue``, a shell): for caches of what is
    computed from the whole catalogue, such as the incident page's "which laws apply" overview.

    It lives in the cache (Redis in production, shared by every process). A missing token
    (evicted, cleared, or forgotten by ``catalogue_changed``) is replaced by a new one, so what is
    cached under a token is never older than the catalogue: at worst it is computed again.
    """
    token: str | None = cache.get(CATALOGUE_GENERATION_KEY)
    if token is None:
        token = uuid4().hex
        if not cache.add(CATALOGUE_GENERATION_KEY, token, timeout=None):
            token = cache.get(CATALOGUE_GENERATION_KEY) or token
    return token


def catalogue_changed(sender: Any, **kwargs: Any) -> None:
    """post_save/post_delete of a regulator or an obligation: forget the token now and again once
    the transaction commits (a page that read the token and the old rows in between stores its
    result under the old token, which nobody asks for any more)."""
    cache.delete(CATALOGUE_GENERATION_KEY)
    transaction.on_commit(lambda: cache.delete(CATALOGUE_GENERATION_KEY))


def connect_catalogue_generation() -> None:
    """Called once from ``RegulatorsConfig.ready()``."""
    for model in (Regulator, Obligation):
        uid = f"catalogue-generation-{model.__name__}"
        post_save.connect(catalogue_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(catalogue_changed, sender=model, dispatch_uid=f"{uid}-delete")


__all__ = [
    "catalogue_changed",
    "catalogue_check_version",
    "catalogue_generation",
    "catalogue_lock",
    "catalogue_row_save",
    "catalogue_version",
    "connect_catalogue_generation",
]
