"""Every write of correspondence, evidence and custody goes through here (web, API, exports).

- ``correspondence_record`` / ``correspondence_update``: the rules (one counterpart, links of the
  same incident, aware time in range) are checked here, not in forms or serializers. An update
  locks the row and compares the version the editor saw (common/concurrency.py).
- ``evidence_attach``: the bytes are checked and fingerprinted by ``incidents.documents``
  (the same rules as filing documents), stored under a random private name, and the first custody
  entry ("uploaded") is written in the same transaction.
- ``custody_record`` / ``custody_record_many``: append custody entries; each is sent to audit
  (``records.signals.custody_recorded``) inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from actions.models import ActionItem
from common.concurrency import check_version, lock
from incidents.documents import inspect_upload
from incidents.models import Deadline, Filing, Incident, TimelineEvent
from records.models import (
    Channel,
    Correspondence,
    CustodyAction,
    CustodyEntry,
    Direction,
    Evidence,
)
from records.signals import correspondence_links_changed, custody_recorded
from regulators.models import Regulator

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import UploadedFile
    from django.http import HttpRequest

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_EDITABLE = (
    "direction",
    "occurred_at",
    "regulator",
    "authority",
    "channel",
    "subject",
    "summary",
    "reference_number",
)
_LINKS = ("events", "filings", "deadlines")


def _check_correspondence(corr: Correspondence) -> None:
    errors: dict[str, list[str]] = {}
    if corr.direction not in Direction.values:
        errors.setdefault("direction", []).append(_("Choose incoming or outgoing."))
    if corr.channel not in Channel.values:
        errors.setdefault("channel", []).append(_("Choose a channel."))
    when = corr.occurred_at
    if when is None or timezone.is_naive(when):
        errors.setdefault("occurred_at", []).append(_("Give the date and time with its zone."))
    elif not EARLIEST <= when <= timezone.now() + timedelta(days=1):
        errors.setdefault("occurred_at", []).append(
            _(
                "Correspondence is recorded after it happened: give a time that is not in the future."
            )
        )
    corr.authority = (corr.authority or "").strip()
    corr.subject = (corr.subject or "").strip()
    if corr.regulator_id is None and not corr.authority:
        errors.setdefault("regulator", []).append(
            _("Name the counterpart: choose a regulator or write the authority's name.")
        )
    if corr.regulator_id is not None and corr.authority:
        errors.setdefault("authority", []).append(
            _("Choose a regulator or name another authority, not both.")
        )
    if not corr.subject:
        errors.setdefault("subject", []).append(_("Give a subject."))
    if errors:
        raise ValidationError(errors)


def _check_links(incident: Incident, links: dict[str, Sequence[Any]]) -> dict[str, list[int]]:
    """The ids of the linked rows, each checked to belong to ``incident``."""
    models = {"events": TimelineEvent, "filings": Filing, "deadlines": Deadline}
    ids: dict[str, list[int]] = {}
    errors: dict[str, list[str]] = {}
    for name, values in links.items():
        wanted = sorted({int(getattr(v, "pk", v)) for v in values})
        found = set(
            models[name]
            ._default_manager.filter(incident=incident, pk__in=wanted)
            .values_list("pk", flat=True)
        )
        if set(wanted) - found:
            errors.setdefault(name, []).append(_("Link only to records of this incident."))
        ids[name] = wanted
    if errors:
        raise ValidationError(errors)
    return ids


def _set_links(corr: Correspondence, ids: dict[str, list[int]], actor: User | None) -> None:
    for name, values in ids.items():
        getattr(corr, name).set(values)
    if ids:
        correspondence_links_changed.send(
            sender=Correspondence, correspondence=corr, links=ids, actor=actor
        )


@transaction.atomic
def correspondence_record(
    *,
    incident: Incident,
    direction: str,
    occurred_at: datetime,
    channel: str,
    subject: str,
    recorded_by: User,
    regulator: Regulator | None = None,
    authority: str = "",
    summary: str = "",
    reference_number: str = "",
    events: Sequence[Any] = (),
    filings: Sequence[Any] = (),
    deadlines: Sequence[Any] = (),
    attachments: Iterable[UploadedFile] = (),
    request: HttpRequest | None = None,
) -> Correspondence:
    """Record a letter, e-mail, call or meeting; the attachments become evidence items."""
    corr = Correspondence(
        incident=incident,
        direction=direction,
        occurred_at=occurred_at,
        channel=channel,
        subject=subject,
        summary=summary,
        reference_number=reference_number,
        regulator=regulator,
        authority=authority,
        recorded_by=recorded_by,
    )
    _check_correspondence(corr)
    ids = _check_links(incident, {"events": events, "filings": filings, "deadlines": deadlines})
    corr.save()
    _set_links(corr, {k: v for k, v in ids.items() if v}, recorded_by)
    for upload in attachments:
        evidence_attach(
            incident=incident,
            upload=upload,
            uploaded_by=recorded_by,
            correspondence=corr,
            request=request,
        )
    return corr


@transaction.atomic
def correspondence_update(
    *,
    correspondence: Correspondence,
    changed_by: User,
    expected_version: str | None = None,
    **fields: Any,
) -> Correspondence:
    """Change fields and links under a row lock; refused (StaleWrite) if the row changed since
    ``expected_version``. Unknown field names are a programming error (TypeError)."""
    unknown = set(fields) - set(_EDITABLE) - set(_LINKS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    corr = lock(Correspondence, correspondence.pk)
    check_version(corr, expected_version)
    for name in _EDITABLE:
        if name in fields:
            setattr(corr, name, fields[name])
    # Switching the counterpart: the other kind is cleared unless given too.
    if fields.get("regulator") is not None and "authority" not in fields:
        corr.authority = ""
    if fields.get("authority") and "regulator" not in fields:
        corr.regulator = None
    _check_correspondence(corr)
    links = {name: fields[name] for name in _LINKS if name in fields}
    ids = _check_links(corr.incident, links) if links else {}
    corr._change_reason = "edit"  # type: ignore[attr-defined]
    corr.save()
    _set_links(corr, ids, changed_by)
    correspondence.refresh_from_db()
    return corr


def _target_of(incident: Incident, targets: dict[str, Any]) -> dict[str, Any]:
    given = {name: value for name, value in targets.items() if value is not None}
    if len(given) != 1:
        raise ValidationError(
            {
                "target": _(
                    "Attach the file to exactly one thing: an event, a filing, an action item or "
                    "a correspondence item."
                )
            }
        )
    ((_name, value),) = given.items()
    if getattr(value, "incident_id", None) != incident.pk:
        raise ValidationError({"target": _("Attach only to records of this incident.")})
    return given


@transaction.atomic
def evidence_attach(
    *,
    incident: Incident,
    upload: UploadedFile,
    uploaded_by: User,
    event: TimelineEvent | None = None,
    filing: Filing | None = None,
    action_item: ActionItem | None = None,
    correspondence: Correspondence | None = None,
    description: str = "",
    request: HttpRequest | None = None,
) -> Evidence:
    """Check the file (incidents.documents: size, type from its bytes, SHA-256), store it
    privately under a random name, and open its custody log with "uploaded"."""
    target = _target_of(
        incident,
        {
            "event": event,
            "filing": filing,
            "action_item": action_item,
            "correspondence": correspondence,
        },
    )
    if len(description) > 500:
        raise ValidationError({"description": _("At most 500 characters.")})
    checked = inspect_upload(upload)
    evidence = Evidence(
        incident=incident,
        original_name=checked.name,
        content_type=checked.detected.content_type,
        size=checked.size,
        sha256=checked.sha256,
        description=description.strip(),
        uploaded_by=uploaded_by,
        **target,
    )
    evidence.file.save(f"evidence{checked.detected.extension}", File(checked.stream), save=False)
    try:
        evidence.save()
        custody_record(
            evidence=evidence, action=CustodyAction.UPLOADED, actor=uploaded_by, request=request
        )
    except Exception:
        evidence.file.delete(save=False)
        raise
    return evidence


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


@transaction.atomic
def custody_record(
    *,
    evidence: Evidence,
    action: str,
    actor: Any,
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> CustodyEntry:
    """Append one custody entry (and, through the signal, one audit entry)."""
    return custody_record_many(
        evidence=[evidence], action=action, actor=actor, request=request, detail=detail
    )[0]


@transaction.atomic
def custody_record_many(
    *,
    evidence: Iterable[Evidence],
    action: str,
    actor: Any,
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> list[CustodyEntry]:
    """The same custody action for several items (an export lists many at once)."""
    if action not in CustodyAction.values:
        raise ValueError(f"unknown custody action {action!r}")
    user = actor if getattr(actor, "is_authenticated", False) else None
    now = timezone.now()
    entries = [
        CustodyEntry(
            evidence=item,
            action=action,
            actor=user,
            actor_repr=(user.get_username() if user is not None else "")[:150],
            at=now,
            ip=_client_ip(request),
            detail=dict(detail or {}),
        )
        for item in evidence
    ]
    CustodyEntry.objects.bulk_create(entries)
    for entry in entries:
        custody_recorded.send(sender=CustodyEntry, entry=entry, request=request)
    return entries
