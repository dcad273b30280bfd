"""JSON full export of one incident, and its import into a database that does not have it.

The schema is documented in docs/exports.md. Rows refer to each other by keys local to the file
(``E1``, ``V1``, ``D1``, ``F1``: position in primary-key order), never by database ids, so an
import followed by an export gives the same file except ``exported_at`` and ``exported_by``.
Users are matched by username; missing users are created inactive, without a usable password.

Import is a restore, not a re-recording: rows are written as they were (computed deadlines,
frozen verdicts and recomputation history included), without re-running the deadline engine.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from audit.services import chain_head
from common.zones import default_time_zone
from exports.errors import ImportRejected
from exports.jsonio_casework import export_casework, import_casework
from exports.jsonio_fields import (
    DEADLINE_FIELDS,
    DEADLINE_TIMES,
    ENTITY_FIELDS,
    EVENT_FIELDS,
    FILING_FIELDS,
    FILING_OPTIONAL,
    INCIDENT_FIELDS,
)
from incidents.followups import revision_at, revision_key, revision_positions
from incidents.models import (
    AffectedCountRevision,
    Deadline,
    DeadlineAlternative,
    DeadlineRecomputation,
    Filing,
    FilingDocument,
    Incident,
    LegalEntity,
    Membership,
    TimelineEvent,
)
from incidents.services import incident_imported
from regulators.models import Obligation, Regulator

FORMAT = "incident-clock/incident"
SCHEMA_VERSION = 1


def _filing_optional(f: dict[str, Any]) -> dict[str, Any]:
    values = {name: f.get(name, default) for name, default in FILING_OPTIONAL.items()}
    # Exports made before date-only filings: exact times, labelled with the default zone.
    values["entered_tz"] = values["entered_tz"] or default_time_zone()
    return values


def _t(value: datetime | None) -> str | None:
    """An instant as UTC ISO 8601 with a Z: one spelling, whatever zone it was stored in."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _parse_t(value: Any, where: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise ImportRejected(f"{where}: not an ISO 8601 time: {value!r}") from exc
    if timezone.is_naive(parsed):
        raise ImportRejected(f"{where}: time without zone: {value!r}")
    return parsed


def _req_t(value: Any, where: str) -> datetime:
    parsed = _parse_t(value, where)
    if parsed is None:
        raise ImportRejected(f"{where}: a time is required.")
    return parsed


def _username(user: Any) -> str | None:
    return None if user is None else str(user.get_username())


def _keys(rows: Iterable[Any], prefix: str) -> dict[int, str]:
    return {row.pk: f"{prefix}{n}" for n, row in enumerate(rows, start=1)}


# --- Export ---------------------------------------------------------------------------------------


def export_document(incident: Incident, *, exported_by: str) -> dict[str, Any]:
    """The incident and everything recorded about it, as plain JSON-ready data."""
    users: set[str] = set()

    def who(user: Any) -> str | None:
        name = _username(user)
        if name:
            users.add(name)
        return name

    entities = list(incident.entities.order_by("pk"))
    entity_key = _keys(entities, "E")
    events = list(
        TimelineEvent.objects.filter(incident=incident).select_related("recorded_by").order_by("pk")
    )
    event_key = _keys(events, "V")
    count_index = revision_positions(incident.count_revisions.order_by("pk"))
    deadlines = list(
        Deadline.objects.filter(incident=incident)
        .select_related("obligation", "regulator", "not_applicable_by")
        .prefetch_related("alternatives", "recomputations__changed_by")
        .order_by("pk")
    )
    deadline_key = _keys(deadlines, "D")
    filings = list(
        Filing.objects.filter(incident=incident)
        .select_related("regulator", "submitted_by", "withdrawn_by")
        .prefetch_related("documents__uploaded_by")
        .order_by("pk")
    )

    def trigger_key_event(deadline: Deadline) -> str | None:
        # Per-event clocks are keyed by the root event's id: export it as that event's key.
        if deadline.trigger_key.isdigit():
            return event_key.get(int(deadline.trigger_key))
        return None

    document: dict[str, Any] = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "exported_at": _t(timezone.now()),
        "exported_by": exported_by,
        # The audit chain head at export time (docs/security.md): proves later log rewrites.
        "audit_chain_head": chain_head(),
        "incident": {
            **{name: getattr(incident, name) for name in INCIDENT_FIELDS},
            "owner": who(incident.owner),
            "created_at": _t(incident.created_at),
            "updated_at": _t(incident.updated_at),
        },
        "members": [
            {"user": who(m.user), "added_at": _t(m.added_at)}
            for m in incident.memberships.select_related("user").order_by("pk")
        ],
        "legal_entities": [
            {
                "key": entity_key[e.pk],
                **{name: getattr(e, name) for name in ENTITY_FIELDS},
                "dora_entity_type": e.dora_entity_type,
            }
            for e in entities
        ],
        "affected_counts": [
            {
                "jurisdiction": c.jurisdiction,
                "count": c.count,
                "as_of": _t(c.as_of),
                "source": c.source,
                "recorded_by": who(c.recorded_by),
                "recorded_at": _t(c.recorded_at),
            }
            for c in incident.count_revisions.select_related("recorded_by").order_by("pk")
        ],
        "events": [
            {
                "key": event_key[e.pk],
                **{name: getattr(e, name) for name in EVENT_FIELDS},
                "occurred_at": _t(e.occurred_at),
                "legal_entity": entity_key.get(e.legal_entity_id) if e.legal_entity_id else None,
                "supersedes": event_key.get(e.supersedes_id) if e.supersedes_id else None,
                "recorded_by": who(e.recorded_by),
                "recorded_at": _t(e.recorded_at),
            }
            for e in events
        ],
        "deadlines": [
            {
                "key": deadline_key[d.pk],
                **{name: getattr(d, name) for name in DEADLINE_FIELDS},
                **{name: _t(getattr(d, name)) for name in DEADLINE_TIMES},
                "filed_latest_at": _t(d.filed_latest_at),
                "legal_entity": entity_key[d.legal_entity_id],
                "trigger_key": ""
                if trigger_key_event(d) or d.trigger_revision_id
                else d.trigger_key,
                "trigger_key_event": trigger_key_event(d),
                "trigger_revision": count_index.get(d.trigger_revision_id or 0),
                "obligation": (
                    {"code": d.obligation.code, "version": d.obligation.version}
                    if d.obligation
                    else None
                ),
                "regulator": d.regulator.code if d.regulator else None,
                "trigger_event": event_key.get(d.trigger_event_id) if d.trigger_event_id else None,
                "not_applicable_by": who(d.not_applicable_by),
                "created_at": _t(d.created_at),
                "updated_at": _t(d.updated_at),
                "alternatives": [
                    {
                        "basis": a.basis,
                        "trigger_event": (
                            event_key.get(a.trigger_event_id) if a.trigger_event_id else None
                        ),
                        "trigger_at": _t(a.trigger_at),
                        "due_at": _t(a.due_at),
                        "explanation": a.explanation,
                        "verdict": a.verdict,
                        "late_by_seconds": a.late_by_seconds,
                    }
                    for a in sorted(d.alternatives.all(), key=lambda a: a.pk)
                ],
                "recomputations": [
                    {
                        "old_due_at": _t(r.old_due_at),
                        "new_due_at": _t(r.new_due_at),
                        "old_verdict": r.old_verdict,
                        "new_verdict": r.new_verdict,
                        "reason": r.reason,
                        "changed_by": who(r.changed_by),
                        "changed_at": _t(r.changed_at),
                    }
                    for r in sorted(d.recomputations.all(), key=lambda r: r.pk)
                ],
            }
            for d in deadlines
        ],
        "filings": [
            {
                "key": f"F{n}",
                **{name: getattr(f, name) for name in FILING_FIELDS},
                **{name: getattr(f, name) for name in FILING_OPTIONAL},
                "withdrawn_at": _t(f.withdrawn_at),
                "withdrawn_by": who(f.withdrawn_by),
                "deadline": deadline_key.get(f.deadline_id) if f.deadline_id else None,
                "legal_entity": entity_key.get(f.legal_entity_id) if f.legal_entity_id else None,
                "regulator": f.regulator.code if f.regulator else None,
                "submitted_at": _t(f.submitted_at),
                "submitted_by": who(f.submitted_by),
                "acknowledged_at": _t(f.acknowledged_at),
                "recorded_at": _t(f.recorded_at),
                "documents": [_document(doc, who) for doc in sorted(f.documents.all(), key=_pk)],
            }
            for n, f in enumerate(filings, start=1)
        ],
    }
    document.update(
        export_casework(
            incident, deadline_key=deadline_key, event_key=event_key, who=who, to_text=_t
        )
    )
    user_model = get_user_model()
    document["users"] = [
        {
            "username": u.get_username(),
            "email": getattr(u, "email", ""),
            "first_name": getattr(u, "first_name", ""),
            "last_name": getattr(u, "last_name", ""),
        }
        for u in user_model._default_manager.filter(
            **{f"{user_model.USERNAME_FIELD}__in": users}
        ).order_by(user_model.USERNAME_FIELD)
    ]
    return document


def _pk(row: Any) -> int:
    return int(row.pk)


def _document(doc: FilingDocument, who: Callable[[Any], str | None]) -> dict[str, Any]:
    with doc.file.open("rb") as handle:
        content = handle.read()
    return {
        "original_name": doc.original_name,
        "content_type": doc.content_type,
        "size": doc.size,
        "sha256": doc.sha256,
        "uploaded_by": who(doc.uploaded_by),
        "uploaded_at": _t(doc.uploaded_at),
        "content_base64": base64.b64encode(content).decode("ascii"),
    }


def export_json_bytes(incident: Incident, *, exported_by: str) -> bytes:
    document = export_document(incident, exported_by=exported_by)
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)
    return (text + "\n").encode("utf-8")


# --- Import ---------------------------------------------------------------------------------------


class _Importer:
    def __init__(self, document: dict[str, Any]) -> None:
        self.doc = document
        self.users: dict[str, Any] = {}
        self.created_users: list[str] = []
        self.counts: list[AffectedCountRevision] = []

    def user(self, name: str | None) -> Any:
        if name is None:
            return None
        if name not in self.users:
            raise ImportRejected(f"User {name!r} is referenced but not listed under 'users'.")
        return self.users[name]

    def load_users(self) -> None:
        model = get_user_model()
        field = model.USERNAME_FIELD
        for entry in self.doc.get("users", []):
            name = str(entry["username"])
            existing = model._default_manager.filter(**{field: name}).first()
            if existing is None:
                existing = model(
                    **{field: name},
                    email=entry.get("email", ""),
                    first_name=entry.get("first_name", ""),
                    last_name=entry.get("last_name", ""),
                    is_active=False,
                )
                existing.set_unusable_password()
                existing.save()
                self.created_users.append(name)
            self.users[name] = existing

    def run(self) -> Incident:
        doc = self.doc
        if doc.get("format") != FORMAT or doc.get("schema_version") != SCHEMA_VERSION:
            raise ImportRejected(
                f"Not an Incident Clock export (format {FORMAT!r}, schema_version {SCHEMA_VERSION})."
            )
        data = doc["incident"]
        if Incident.objects.filter(reference=data["reference"]).exists():
            raise ImportRejected(
                f"Incident {data['reference']} already exists; import only restores an incident "
                "into a database that does not have it."
            )
        self.check_catalogue()
        self.load_users()
        incident = Incident.objects.create(
            **{name: data[name] for name in INCIDENT_FIELDS}, owner=self.user(data["owner"])
        )
        for m in doc["members"]:
            membership = Membership.objects.create(incident=incident, user=self.user(m["user"]))
            Membership.objects.filter(pk=membership.pk).update(
                added_at=_parse_t(m["added_at"], "members")
            )
        entities: dict[str, LegalEntity] = {}
        for e in doc["legal_entities"]:
            entities[e["key"]] = LegalEntity.objects.create(
                incident=incident,
                **{name: e[name] for name in ENTITY_FIELDS},
                # Optional: files exported before issue #14 do not have it (unknown).
                dora_entity_type=e.get("dora_entity_type", ""),
            )
        counts = AffectedCountRevision.objects.bulk_create(
            [
                AffectedCountRevision(
                    incident=incident,
                    jurisdiction=c["jurisdiction"],
                    count=c["count"],
                    as_of=_req_t(c["as_of"], "affected_counts"),
                    source=c["source"],
                    recorded_by=self.user(c["recorded_by"]),
                )
                for c in doc["affected_counts"]
            ]
        )
        for row, c in zip(counts, doc["affected_counts"], strict=True):
            row.recorded_at = _parse_t(c["recorded_at"], "affected_counts")  # type: ignore[assignment]
        AffectedCountRevision.objects.bulk_update(counts, ["recorded_at"])
        self.counts = counts
        events = self.import_events(incident, entities)
        deadlines = self.import_deadlines(incident, entities, events)
        self.import_filings(incident, entities, deadlines)
        # Before incident_imported: it plans the action items' reminders with the deadlines'.
        import_casework(
            self.doc,
            incident,
            deadlines=deadlines,
            events=events,
            user=self.user,
            parse_t=_parse_t,
            req_t=_req_t,
        )
        incident_imported(incident=incident, appended=[*counts, *events.values()])
        # Last, so nothing above bumps it.
        Incident.objects.filter(pk=incident.pk).update(
            created_at=_parse_t(data["created_at"], "incident"),
            updated_at=_parse_t(data["updated_at"], "incident"),
        )
        incident.refresh_from_db()
        return incident

    def check_catalogue(self) -> None:
        missing: set[str] = set()
        regulators = {d["regulator"] for d in self.doc["deadlines"] if d.get("regulator")} | {
            f["regulator"] for f in self.doc["filings"] if f.get("regulator")
        }
        known = set(Regulator.objects.filter(code__in=regulators).values_list("code", flat=True))
        missing |= {f"regulator {code}" for code in regulators - known}
        for d in self.doc["deadlines"]:
            ob = d.get("obligation")
            if (
                ob
                and not Obligation.objects.filter(code=ob["code"], version=ob["version"]).exists()
            ):
                missing.add(f"obligation {ob['code']} v{ob['version']}")
        if missing:
            raise ImportRejected(
                "The rule catalogue lacks "
                + ", ".join(sorted(missing))
                + ". Run `manage.py load_catalogue` (or load the same catalogue) first."
            )

    def import_events(
        self, incident: Incident, entities: dict[str, LegalEntity]
    ) -> dict[str, TimelineEvent]:
        rows = self.doc["events"]
        created = TimelineEvent.objects.bulk_create(
            [
                TimelineEvent(
                    incident=incident,
                    **{name: e[name] for name in EVENT_FIELDS},
                    occurred_at=_req_t(e["occurred_at"], f"event {e['key']}"),
                    legal_entity=entities[e["legal_entity"]] if e["legal_entity"] else None,
                    recorded_by=self.user(e["recorded_by"]),
                )
                for e in rows
            ]
        )
        by_key = {e["key"]: row for e, row in zip(rows, created, strict=True)}
        for e, row in zip(rows, created, strict=True):
            # Corrections may point at later rows, so links are set once every row exists.
            row.supersedes = by_key[e["supersedes"]] if e["supersedes"] else None
            row.recorded_at = _parse_t(e["recorded_at"], f"event {e['key']}")  # type: ignore[assignment]
        TimelineEvent.objects.bulk_update(created, ["supersedes", "recorded_at"], batch_size=1000)
        return by_key

    def import_deadlines(
        self,
        incident: Incident,
        entities: dict[str, LegalEntity],
        events: dict[str, TimelineEvent],
    ) -> dict[str, Deadline]:
        regulators = {r.code: r for r in Regulator.objects.all()}
        result: dict[str, Deadline] = {}
        for d in self.doc["deadlines"]:
            ob = d["obligation"]
            deadline = Deadline.objects.create(
                incident=incident,
                legal_entity=entities[d["legal_entity"]],
                obligation=(
                    Obligation.objects.get(code=ob["code"], version=ob["version"]) if ob else None
                ),
                regulator=regulators[d["regulator"]] if d["regulator"] else None,
                trigger_event=events[d["trigger_event"]] if d["trigger_event"] else None,
                trigger_key=(
                    str(events[d["trigger_key_event"]].pk)
                    if d["trigger_key_event"]
                    else revision_key(link)
                    if (link := revision_at(self.counts, d.get("trigger_revision")))
                    else d["trigger_key"]
                ),
                trigger_revision=revision_at(self.counts, d.get("trigger_revision")),
                not_applicable_by=self.user(d["not_applicable_by"]),
                **{name: d[name] for name in DEADLINE_FIELDS},
                **{name: _parse_t(d[name], f"deadline {d['key']}") for name in DEADLINE_TIMES},
                # Older exports: every filing then had an exact time (latest = first filed).
                filed_latest_at=_parse_t(
                    d.get("filed_latest_at", d["filed_at"]), f"deadline {d['key']}"
                ),
            )
            for a in d["alternatives"]:
                DeadlineAlternative.objects.create(
                    deadline=deadline,
                    basis=a["basis"],
                    trigger_event=events[a["trigger_event"]] if a["trigger_event"] else None,
                    trigger_at=_req_t(a["trigger_at"], "alternative"),
                    due_at=_parse_t(a["due_at"], "alternative"),
                    explanation=a["explanation"],
                    verdict=a["verdict"],
                    late_by_seconds=a["late_by_seconds"],
                )
            for r in d["recomputations"]:
                row = DeadlineRecomputation.objects.create(
                    deadline=deadline,
                    old_due_at=_parse_t(r["old_due_at"], "recomputation"),
                    new_due_at=_parse_t(r["new_due_at"], "recomputation"),
                    old_verdict=r["old_verdict"],
                    new_verdict=r["new_verdict"],
                    reason=r["reason"],
                    changed_by=self.user(r["changed_by"]),
                )
                DeadlineRecomputation.objects.filter(pk=row.pk).update(
                    changed_at=_parse_t(r["changed_at"], "recomputation")
                )
            Deadline.objects.filter(pk=deadline.pk).update(
                created_at=_parse_t(d["created_at"], "deadline"),
                updated_at=_parse_t(d["updated_at"], "deadline"),
            )
            result[d["key"]] = deadline
        return result

    def import_filings(
        self,
        incident: Incident,
        entities: dict[str, LegalEntity],
        deadlines: dict[str, Deadline],
    ) -> None:
        regulators = {r.code: r for r in Regulator.objects.all()}
        for f in self.doc["filings"]:
            filing = Filing.objects.create(
                incident=incident,
                deadline=deadlines[f["deadline"]] if f["deadline"] else None,
                legal_entity=entities[f["legal_entity"]] if f["legal_entity"] else None,
                regulator=regulators[f["regulator"]] if f["regulator"] else None,
                submitted_at=_req_t(f["submitted_at"], "filing"),
                submitted_by=self.user(f["submitted_by"]),
                acknowledged_at=_parse_t(f["acknowledged_at"], "filing"),
                **{name: f[name] for name in FILING_FIELDS},
                **_filing_optional(f),
                withdrawn_at=_parse_t(f.get("withdrawn_at"), "filing"),
                withdrawn_by=self.user(f.get("withdrawn_by")),
            )
            Filing.objects.filter(pk=filing.pk).update(
                recorded_at=_parse_t(f["recorded_at"], "filing")
            )
            for doc in f["documents"]:
                try:
                    content = base64.b64decode(doc["content_base64"], validate=True)
                except (binascii.Error, ValueError) as exc:
                    raise ImportRejected(f"Document {doc['original_name']!r}: bad base64.") from exc
                if hashlib.sha256(content).hexdigest() != doc["sha256"]:
                    raise ImportRejected(
                        f"Document {doc['original_name']!r}: content does not match its SHA-256."
                    )
                row = FilingDocument(
                    filing=filing,
                    original_name=doc["original_name"],
                    content_type=doc["content_type"],
                    size=doc["size"],
                    sha256=doc["sha256"],
                    uploaded_by=self.user(doc["uploaded_by"]),
                )
                row.file.save(doc["original_name"], ContentFile(content), save=False)
                row.save()
                FilingDocument.objects.filter(pk=row.pk).update(
                    uploaded_at=_parse_t(doc["uploaded_at"], "document")
                )


def import_document(document: Any) -> tuple[Incident, list[str]]:
    """Restore an exported incident; returns it and the usernames created (inactive).

    All or nothing: any problem raises ImportRejected and leaves the database unchanged.
    """
    if not isinstance(document, dict):
        raise ImportRejected("The file does not hold a JSON object.")
    importer = _Importer(document)
    try:
        with transaction.atomic():
            incident = importer.run()
    except ImportRejected:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ImportRejected(f"The file does not match the export schema: {exc!r}") from exc
    except (IntegrityError, DatabaseError) as exc:
        raise ImportRejected(f"The database refused the data: {exc}") from exc
    return incident, importer.created_users


def import_json_bytes(data: bytes) -> tuple[Incident, list[str]]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportRejected(f"Not valid UTF-8 JSON: {exc}") from exc
    return import_document(document)
