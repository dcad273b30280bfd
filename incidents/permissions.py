"""One code path for page, API and export permissions.

Visibility first (a non-member gets 404, so the incident's existence does not leak), then the
role right (403). Views and API viewsets both call ``incident_for``.

Nearly every request reads its incident here, so the query is compiled once per process and
shape (common/compiled.py): building and compiling it (the visibility subquery, the owner's join,
the incident page's annotations) took longer than PostgreSQL took to run it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import router
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from common.compiled import CompiledModels
from common.roles import Action, has_right, is_admin
from incidents.models import Incident
from incidents.selectors import visible_incident

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


def incident_for(
    user: User | AnonymousUser,
    *,
    reference: str | None = None,
    pk: int | None = None,
    action: Action = Action.VIEW,
    annotations: Mapping[str, Any] | None = None,
) -> Incident:
    """The incident, if ``user`` may see it and has the right for ``action``.

    Raises Http404 when the incident does not exist or is not visible to the user, and
    PermissionDenied when it is visible but the user's roles lack ``action``. ``annotations``
    are added to the same query (the incident page reads figures about the incident with it).
    """
    value: str | int | None
    if reference is not None:
        field, value = "reference", str(reference)
        if "\x00" in value:
            raise Http404(_("No such incident."))  # no text in PostgreSQL holds a NUL
    else:
        field = "pk"
        try:
            value = None if pk is None else int(pk)  # URL keywords arrive as text
        except (TypeError, ValueError, OverflowError):
            raise Http404(_("No such incident.")) from None
        if value is not None and not 0 < value < 2**63:
            raise Http404(_("No such incident."))  # no id outside a bigint's positive range
    admin = is_admin(user)
    if not user.is_authenticated or (not admin and user.pk is None):
        raise Http404(_("No such incident."))  # None as the member would read as an admin
    # One query: the visibility test is part of it, and the owner is joined (pages name it).
    rows = _read(field, annotations).rows(
        using=router.db_for_read(Incident), value=value, member=None if admin else user.pk
    )
    if not rows:
        raise Http404(_("No such incident."))
    if not has_right(user, action):
        raise PermissionDenied(_("Your role does not allow this."))
    return rows[0]


# One compiled read per looked-up field and set of annotation names. The annotations given under
# the same names must be the same expressions (they are: ``page_annotations`` for the incident
# page, which no receiver builds from the user or the request); the first ones given are kept.
_READS: dict[tuple[str, tuple[str, ...]], CompiledModels[Incident]] = {}


def _read(field: str, annotations: Mapping[str, Any] | None) -> CompiledModels[Incident]:
    key = (field, tuple(sorted(annotations or {})))
    read = _READS.get(key)
    if read is None:
        kept = dict(annotations or {})

        def build(value: object, member: int | None) -> QuerySet[Incident]:
            queryset = visible_incident(member, **{field: value}).select_related("owner")
            if kept:
                queryset = queryset.annotate(**kept)
            # The lookup is unique: at most one row, no order needed.
            return queryset.order_by()[:1]

        read = _READS[key] = CompiledModels(build, prepared=True)
    return read
