"""Correspondence and evidence in the JSON export, and their restore on import.

Keys follow ``exports.jsonio``: position in primary-key order (``C1`` correspondence, ``X1``
evidence), links by the keys of the file (``V`` events, ``F`` filings, ``D`` deadlines, ``A``
action items). Evidence is exported with its SHA-256, size, checked type, target and full
custody log, **and with its bytes** (``content_base64``), as filing documents are: the JSON file
is the restore format, and an imported evidence item without its bytes would be a hash with
nothing behind it. The import checks every file against its SHA-256 and refuses a mismatch.
Custody entries are restored as they were; the export's own "exported" entry is written after
the file is made, so an import followed by an export gives the same file.

Both keys are optional on import: files made before this feature still load.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile

from actions.models import ActionItem
from exports.errors import ImportRejected
from exports.records_data import note_listed
from incidents.models import Deadline, Filing, Incident, TimelineEvent
from records.models import Correspondence, CustodyEntry, Evidence
from regulators.models import Regulator

CORRESPONDENCE_FIELDS = (
    "direction",
    "authority",
    "channel",
    "subject",
    "summary",
    "reference_number",
)
EVIDENCE_FIELDS = ("original_name", "content_type", "size", "sha256", "description")
_TARGET_PREFIX = {"event": "V", "filing": "F", "action_item": "A", "correspondence": "C"}


def _keys(rows: Any, prefix: str) -> dict[int, str]:
    return {pk: f"{prefix}{n}" for n, pk in enumerate(rows, start=1)}


def _t(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_records(
    incident: Incident,
    *,
    who: Callable[[Any], str | None],
    to_text: Callable[[datetime | None], str | None] = _t,
) -> dict[str, Any]:
    """``{"correspondence": [...], "evidence": [...]}`` for the export document."""
    pks = {
        "V": TimelineEvent.objects.filter(incident=incident).order_by("pk"),
        "F": Filing.objects.filter(incident=incident).order_by("pk"),
        "D": Deadline.objects.filter(incident=incident).order_by("pk"),
        "A": ActionItem.objects.filter(incident=incident).order_by("pk"),
    }
    keys = {p: _keys(qs.values_list("pk", flat=True), p) for p, qs in pks.items()}
    letters = list(
        Correspondence.objects.filter(incident=incident)
        .select_related("regulator", "recorded_by")
        .prefetch_related("events", "filings", "deadlines")
        .order_by("pk")
    )
    keys["C"] = _keys((c.pk for c in letters), "C")
    items = list(
        Evidence.objects.filter(incident=incident)
        .select_related("uploaded_by")
        .prefetch_related("custody__actor")
        .order_by("pk")
    )
    note_listed(item.pk for item in items)
    return {
        "correspondence": [
            {
                "key": keys["C"][c.pk],
                **{name: getattr(c, name) for name in CORRESPONDENCE_FIELDS},
                "occurred_at": to_text(c.occurred_at),
                "regulator": c.regulator.code if c.regulator else None,
                "events": sorted((keys["V"][e.pk] for e in c.events.all()), key=_order),
                "filings": sorted((keys["F"][f.pk] for f in c.filings.all()), key=_order),
                "deadlines": sorted((keys["D"][d.pk] for d in c.deadlines.all()), key=_order),
                "recorded_by": who(c.recorded_by),
                "created_at": to_text(c.created_at),
                "updated_at": to_text(c.updated_at),
            }
            for c in letters
        ],
        "evidence": [_evidence(n, item, keys, who, to_text) for n, item in enumerate(items, 1)],
    }


def _order(key: str) -> int:
    return int(key[1:])


def _evidence(
    n: int,
    item: Evidence,
    keys: dict[str, dict[int, str]],
    who: Callable[[Any], str | None],
    to_text: Callable[[datetime | None], str | None],
) -> dict[str, Any]:
    kind = item.target_kind
    target_pk = getattr(item, f"{kind}_id")
    with item.file.open("rb") as handle:
        content = handle.read()
    return {
        "key": f"X{n}",
        **{name: getattr(item, name) for name in EVIDENCE_FIELDS},
        "attached_to": {"kind": kind, "key": keys[_TARGET_PREFIX[kind]].get(target_pk)},
        "uploaded_by": who(item.uploaded_by),
        "uploaded_at": to_text(item.uploaded_at),
        "content_base64": base64.b64encode(content).decode("ascii"),
        "custody": [
            {
                "action": entry.action,
                "actor": who(entry.actor),
                "actor_repr": entry.actor_repr,
                "at": to_text(entry.at),
                "ip": entry.ip,
                "detail": entry.detail,
            }
            for entry in sorted(item.custody.all(), key=lambda e: (e.at, e.pk))
        ],
    }


def import_records(
    document: dict[str, Any],
    incident: Incident,
    *,
    user: Callable[[str | None], Any],
    parse: Callable[[Any, str], datetime | None],
) -> None:
    """Restore the correspondence and evidence of ``document`` into ``incident`` (called by
    ``exports.jsonio`` after the events, deadlines, filings and action items exist)."""
    letters = document.get("correspondence") or []
    items = document.get("evidence") or []
    if not letters and not items:
        return
    targets: dict[str, dict[str, Any]] = {
        "V": _by_key(TimelineEvent.objects.filter(incident=incident), "V"),
        "F": _by_key(Filing.objects.filter(incident=incident), "F"),
        "D": _by_key(Deadline.objects.filter(incident=incident), "D"),
        "A": _by_key(ActionItem.objects.filter(incident=incident), "A"),
        "C": {},
    }
    regulators = {r.code: r for r in Regulator.objects.all()}
    for c in letters:
        code = c.get("regulator")
        if code and code not in regulators:
            raise ImportRejected(f"The rule catalogue lacks regulator {code}.")
        row = Correspondence.objects.create(
            incident=incident,
            **{name: c[name] for name in CORRESPONDENCE_FIELDS},
            occurred_at=_required(parse(c["occurred_at"], "correspondence"), "correspondence"),
            regulator=regulators[code] if code else None,
            recorded_by=user(c["recorded_by"]),
        )
        row.events.set([_lookup(targets, key) for key in c["events"]])
        row.filings.set([_lookup(targets, key) for key in c["filings"]])
        row.deadlines.set([_lookup(targets, key) for key in c["deadlines"]])
        Correspondence.objects.filter(pk=row.pk).update(
            created_at=parse(c["created_at"], "correspondence"),
            updated_at=parse(c["updated_at"], "correspondence"),
        )
        targets["C"][c["key"]] = row
    for x in items:
        _import_evidence(x, incident, targets, user, parse)


def _required(value: datetime | None, where: str) -> datetime:
    if value is None:
        raise ImportRejected(f"{where}: a time is required.")
    return value


def _by_key(queryset: Any, prefix: str) -> dict[str, Any]:
    return {f"{prefix}{n}": row for n, row in enumerate(queryset.order_by("pk"), start=1)}


def _lookup(targets: dict[str, dict[str, Any]], key: Any) -> Any:
    row = targets.get(str(key)[:1], {}).get(str(key))
    if row is None:
        raise ImportRejected(
            f"Correspondence or evidence refers to {key!r}, which is not in the file."
        )
    return row


def _import_evidence(
    x: dict[str, Any],
    incident: Incident,
    targets: dict[str, dict[str, Any]],
    user: Callable[[str | None], Any],
    parse: Callable[[Any, str], datetime | None],
) -> None:
    name = x["original_name"]
    try:
        content = base64.b64decode(x["content_base64"], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImportRejected(f"Evidence {name!r}: bad base64.") from exc
    if hashlib.sha256(content).hexdigest() != x["sha256"] or len(content) != x["size"]:
        raise ImportRejected(f"Evidence {name!r}: content does not match its SHA-256 or size.")
    kind = x["attached_to"]["kind"]
    if kind not in _TARGET_PREFIX:
        raise ImportRejected(f"Evidence {name!r}: unknown target kind {kind!r}.")
    target = _lookup(targets, x["attached_to"]["key"])
    row = Evidence(
        incident=incident,
        **{field: x[field] for field in ("original_name", "content_type", "size", "sha256")},
        description=x.get("description", ""),
        uploaded_by=user(x["uploaded_by"]),
        **{kind: target},
    )
    row.file.save(name, ContentFile(content), save=False)
    row.save()
    Evidence.objects.filter(pk=row.pk).update(uploaded_at=parse(x["uploaded_at"], "evidence"))
    CustodyEntry.objects.bulk_create(
        [
            CustodyEntry(
                evidence=row,
                action=entry["action"],
                actor=user(entry["actor"]),
                actor_repr=entry.get("actor_repr", ""),
                at=_required(parse(entry["at"], "custody"), "custody"),
                ip=entry.get("ip"),
                detail=entry.get("detail") or {},
            )
            for entry in x.get("custody", [])
        ]
    )
