"""Row locks for incident writes; versions and StaleWrite come from ``common.concurrency``."""

from __future__ import annotations

from common.concurrency import StaleWrite, check_version, etag_of, lock, version_of
from incidents.models import Incident


def lock_incident(incident: Incident | int) -> Incident:
    """Lock the incident row: every write to one incident is serialised behind this lock (the
    same order everywhere: incident first, then its deadline), so no two recomputations or a
    recomputation and a "not applicable" interleave."""
    pk = incident if isinstance(incident, int) else incident.pk
    return lock(Incident, pk)


__all__ = ["StaleWrite", "check_version", "etag_of", "lock", "lock_incident", "version_of"]
