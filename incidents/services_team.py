"""Services for an incident's team and its status with a reason (the browser's and the API's
doors). Kept beside ``incidents.services`` (which is at the size limit) and built on its
functions: the status rule and what closing does to reminders stay ``incident_set_status``'s."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from incidents.concurrency import check_team_version, check_version, lock_incident
from incidents.models import EventKind, Incident, IncidentStatus
from incidents.services import incident_set_status, membership_add, timeline_event_record


@transaction.atomic
def incident_owner_set(
    *,
    incident: Incident,
    owner: User,
    changed_by: User | None = None,
    expected_version: str | None = None,
    expected_team_version: str | None = None,
) -> Incident:
    """Hand the incident to ``owner``. The new owner becomes a member and the previous owner
    stays one, so nobody loses sight of the incident by a transfer. Returns the incident as
    written (re-read under the incident lock). ``expected_version`` is the incident's (the
    API's ETag), ``expected_team_version`` the team's (the team page and the members API)."""
    if not owner.is_active:
        raise ValidationError({"owner": _("That account is disabled.")})
    incident = lock_incident(incident)
    check_version(incident, expected_version)
    check_team_version(incident, expected_team_version)
    if owner.pk == incident.owner_id:
        return incident
    previous = incident.owner
    membership_add(incident=incident, user=previous)
    membership_add(incident=incident, user=owner)
    incident.owner = owner
    incident.save(update_fields=["owner", "updated_at"])
    return incident


def _status_note_title(old: str, new: str) -> str:
    """English and Korean, as deadline titles are: the chronology is read in both languages,
    whatever language the person who changed the status used."""
    labels = dict(IncidentStatus.choices)
    parts = []
    for language in ("en", "ko"):
        with override(language):
            parts.append(
                _("Status changed from %(old)s to %(new)s")
                % {"old": str(labels.get(old, old)), "new": str(labels.get(new, new))}
            )
    return " / ".join(parts)[:300]


# Closing stops every reminder and reopening starts them again: both must say why.
MIN_REASON = 5


@transaction.atomic
def incident_status_change(
    *,
    incident: Incident,
    status: str,
    reason: str,
    changed_by: User | None = None,
    expected_version: str | None = None,
) -> Incident:
    """Change the status with a reason kept in the chronology (a note event). Closing and
    reopening need a reason; the move itself and what it does to reminders is
    ``incident_set_status``'s. Asking for the status the incident already has does nothing.
    Returns the incident as written (re-read under the incident lock)."""
    # Judge the reason against the committed status, as incident_set_status judges the move.
    incident = lock_incident(incident)
    check_version(incident, expected_version)
    reason = (reason or "").strip()
    previous = incident.status
    if status == previous:
        # Idempotent, like incident_set_status: a retried "close" changes and records nothing.
        return incident
    needs_reason = status == IncidentStatus.CLOSED or previous == IncidentStatus.CLOSED
    if needs_reason and len(reason) < MIN_REASON:
        raise ValidationError(
            {"reason": _("Say why (at least %(n)d characters).") % {"n": MIN_REASON}}
        )
    incident = incident_set_status(incident=incident, status=status, changed_by=changed_by)
    timeline_event_record(
        incident=incident,
        kind=EventKind.NOTE,
        occurred_at=timezone.now(),
        title=_status_note_title(previous, status),
        description=reason,
        data={"status_from": previous, "status_to": status},
        recorded_by=changed_by,
    )
    return incident


@transaction.atomic
def incident_reopen(
    *,
    incident: Incident,
    reason: str,
    changed_by: User | None = None,
    expected_version: str | None = None,
) -> Incident:
    """Reopen a closed incident (to "open"), with a reason. Only a closed incident can be
    reopened: "reopen" on a contained one would otherwise quietly move it back to "open"."""
    incident = lock_incident(incident)
    check_version(incident, expected_version)
    if incident.status != IncidentStatus.CLOSED:
        raise ValidationError({"status": _("Only a closed incident can be reopened.")})
    return incident_status_change(
        incident=incident, status=IncidentStatus.OPEN, reason=reason, changed_by=changed_by
    )


__all__ = ["MIN_REASON", "incident_owner_set", "incident_reopen", "incident_status_change"]
