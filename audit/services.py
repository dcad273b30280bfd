"""Appending to and checking the hash-chained audit log.

Public API (other apps call only these):

- ``audit_record(action=..., actor=..., obj=..., ...)`` appends one entry and returns it.
- ``chain_head()`` is the latest entry's sequence number and hash, for exports to print.
- ``verify_chain()`` recomputes every hash and reports the first broken entry.

Appends serialize: on PostgreSQL a transaction-level advisory lock is taken before reading the
head, on SQLite the IMMEDIATE transactions already hold the write lock; in both cases the unique
constraints on ``seq`` and ``prev_hash`` make a fork impossible even if the lock were bypassed.
An entry is written in the caller's transaction, so a rolled-back change leaves no entry.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from audit.models import GENESIS_HASH, AuditEntry
from common.concurrency import audit_chain_lock

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.http import HttpRequest

_HASHED_FIELDS = (
    "seq",
    "created_at",
    "actor_id",
    "actor_repr",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "incident_id",
    "changes",
    "ip",
    "prev_hash",
)


class _Encoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        try:
            return super().default(o)
        except TypeError:
            # Files and other rich values: their text form (a FieldFile gives its stored name).
            return str(o)


def _normalise(value: Any) -> Any:
    # Store exactly what is hashed: datetimes, decimals, UUIDs and files become JSON text.
    return json.loads(json.dumps(value, cls=_Encoder))


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def compute_hash(fields: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of the hashed fields (``prev_hash`` included)."""
    payload = {name: fields[name] for name in _HASHED_FIELDS}
    payload["created_at"] = _timestamp(payload["created_at"])
    if payload["ip"] is not None:
        payload["ip"] = str(payload["ip"])
    canonical = json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _entry_fields(entry: AuditEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in _HASHED_FIELDS}


def _lock_chain() -> None:
    # common.concurrency: an advisory lock on PostgreSQL; on SQLite the transaction's BEGIN
    # IMMEDIATE already holds the database's single write lock.
    audit_chain_lock()


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    try:
        from axes.helpers import get_client_ip_address

        # Same proxy rules as the lockout (AXES_IPWARE_* settings).
        address = get_client_ip_address(request)
    except Exception:  # an unusual request must never stop the audit write
        address = None
    return address or request.META.get("REMOTE_ADDR") or None


def _clean_ip(value: str | None) -> str | None:
    # Stored as the database will return it (PostgreSQL inet normalises IPv6), so the hash holds.
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def _incident_id_of(obj: Model | None) -> int | None:
    if obj is None:
        return None
    if obj._meta.label_lower == "incidents.incident":
        return int(obj.pk) if obj.pk is not None else None
    incident_id = getattr(obj, "incident_id", None)
    if incident_id is None and hasattr(obj, "filing_id"):
        filing = getattr(obj, "filing", None)
        incident_id = getattr(filing, "incident_id", None)
    return int(incident_id) if incident_id is not None else None


# No savepoint of its own: an entry is part of the write it records (the model's save, the
# export), so a failure here fails that write; two round trips fewer per audited change.
@transaction.atomic(savepoint=False)
def audit_record(
    *,
    action: str,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    actor_repr: str = "",
    obj: Model | AnonymousUser | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    incident_id: int | None = None,
    changes: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    ip: str | None = None,
) -> AuditEntry:
    """Append one entry to the chain and return it.

    ``obj`` fills object type, id, repr and incident id unless they are given. Exports call
    ``audit_record(action="export", actor=user, obj=incident, changes={"format": "pdf"},
    request=request)``.
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if obj is not None and not isinstance(obj, Model):
        obj = None  # an anonymous user is nobody in particular
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or ("" if obj.pk is None else str(obj.pk))
        object_repr = object_repr or str(obj)
        incident_id = incident_id if incident_id is not None else _incident_id_of(obj)
    _lock_chain()
    last = AuditEntry.objects.order_by("-seq").only("seq", "hash").first()
    entry = AuditEntry(
        seq=(last.seq + 1) if last else 1,
        # Microseconds are the finest both databases keep; the hash must see the stored value.
        created_at=timezone.now(),
        actor_id=actor.pk if actor is not None else None,
        actor_repr=(actor.get_username() if actor is not None else actor_repr)[:150],
        action=action,
        object_type=object_type[:100],
        object_id=str(object_id)[:64],
        object_repr=object_repr[:300],
        incident_id=incident_id,
        changes=_normalise(changes or {}),
        ip=_clean_ip(ip or client_ip(request)),
        prev_hash=last.hash if last else GENESIS_HASH,
    )
    entry.hash = compute_hash(_entry_fields(entry))
    entry.save(force_insert=True)
    return entry


def chain_head() -> dict[str, Any]:
    """The chain's latest entry: ``{"seq": int, "hash": str, "at": ISO-8601 UTC or None}``.

    An empty log gives ``{"seq": 0, "hash": "000…0", "at": None}``. Exports print this so that a
    later truncation or rewrite of the log is detectable against the printed copy.
    """
    last = AuditEntry.objects.order_by("-seq").only("seq", "hash", "created_at").first()
    if last is None:
        return {"seq": 0, "hash": GENESIS_HASH, "at": None}
    return {"seq": last.seq, "hash": last.hash, "at": _timestamp(last.created_at)}


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    count: int
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    broken_pk: int | None = None
    reason: str = ""


def verify_chain(*, chunk_size: int = 2000) -> ChainReport:
    """Walk the log in order; the first entry whose hash, predecessor or number is wrong fails."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size):
        reason = ""
        if entry.seq != expected_seq:
            reason = f"sequence number {entry.seq}, expected {expected_seq} (entries missing)"
        elif entry.prev_hash != expected_prev:
            reason = "previous-hash link does not match the entry before it"
        elif compute_hash(_entry_fields(entry)) != entry.hash:
            reason = "content does not match its hash (entry altered)"
        if reason:
            return ChainReport(
                ok=False,
                count=count,
                head_seq=expected_seq - 1,
                head_hash=expected_prev,
                broken_seq=entry.seq,
                broken_pk=entry.pk,
                reason=reason,
            )
        count += 1
        expected_prev = entry.hash
        expected_seq = entry.seq + 1
    return ChainReport(ok=True, count=count, head_seq=expected_seq - 1, head_hash=expected_prev)
