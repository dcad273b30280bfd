"""Row locks for incident writes; versions and StaleWrite come from ``common.concurrency``."""

from __future__ import annotations

from common.concurrency import (
    StaleWrite,
    audit_chain_lock,
    check_current,
    check_version,
    content_version,
    etag_of,
    lock,
    quoted,
    version_of,
)
from incidents.models import Incident, Membership


def lock_incident(incident: Incident | int) -> Incident:
    """Lock the incident row: every write to one incident is serialised behind this lock (the
    same order everywhere: the audit chain, then the incident, then its deadline), so no two
    recomputations or a recomputation and a "not applicable" interleave.

    The audit chain's lock comes first because every such write appends to the audit log, some
    before they lock the incident (recording an event saves it, then recomputes): taken in
    either order, two writers deadlock (``audit_chain_lock``)."""
    audit_chain_lock()
    pk = incident if isinstance(incident, int) else incident.pk
    return lock(Incident, pk)


def team_version(incident: Incident) -> str:
    """The version of an incident's team: its owner and its members. Adding or removing a
    member, or handing the incident over, gives another version (the incident's own version
    does not move when only its team changes)."""
    members = sorted(
        Membership.objects.filter(incident_id=incident.pk).values_list("user_id", flat=True)
    )
    return content_version(incident.pk, "team", incident.owner_id, members)


def check_team_version(incident: Incident, expected_version: str | None) -> None:
    """Raise StaleWrite unless ``expected_version`` (if given) is the team's current version.
    Call it with the incident row locked: every team change takes that lock first."""
    if expected_version is not None:
        check_current(team_version(incident), expected_version)


__all__ = [
    "StaleWrite",
    "check_current",
    "check_team_version",
    "check_version",
    "content_version",
    "etag_of",
    "lock",
    "lock_incident",
    "quoted",
    "team_version",
    "version_of",
]
