"""One code path for page, API and export permissions.

Visibility first (a non-member gets 404, so the incident's existence does not leak), then the
role right (403). Views and API viewsets both call ``incident_for``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from common.roles import Action, has_right
from incidents.models import Incident
from incidents.selectors import incident_visible_to

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
    lookup = {"reference": reference} if reference is not None else {"pk": pk}
    # One query: the visibility test is part of it, and the owner is joined (pages name it).
    queryset = incident_visible_to(user, **lookup).select_related("owner")
    if annotations:
        queryset = queryset.annotate(**annotations)
    incident = queryset.first()
    if incident is None:
        raise Http404(_("No such incident."))
    if not has_right(user, action):
        raise PermissionDenied(_("Your role does not allow this."))
    return incident
