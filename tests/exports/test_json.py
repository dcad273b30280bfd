"""JSON full export and import: export, import, export again gives the same file."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from exports.errors import ImportRejected
from exports.jsonio import export_json_bytes, import_json_bytes
from incidents.models import (
    AffectedCountRevision,
    Deadline,
    Filing,
    FilingDocument,
    Incident,
    LegalEntity,
    TimelineEvent,
)


def _purge(incident: Incident) -> None:
    """Remove the incident and everything under it (PROTECT links are undone in order)."""
    FilingDocument.objects.filter(filing__incident=incident).delete()
    Filing.objects.filter(incident=incident).delete()
    Deadline.objects.filter(incident=incident).delete()
    TimelineEvent.objects.filter(incident=incident).update(supersedes=None)
    TimelineEvent.objects.filter(incident=incident).delete()
    AffectedCountRevision.objects.filter(incident=incident).delete()
    LegalEntity.objects.filter(incident=incident).delete()
    incident.delete()


def _strip(document: dict) -> dict:
    return {
        k: v
        for k, v in document.items()
        if k not in {"exported_at", "exported_by", "audit_chain_head"}
    }


@pytest.fixture
def with_document(rich_incident, alice):
    filing = Filing.objects.get(incident=rich_incident)
    doc = FilingDocument(
        filing=filing,
        original_name="접수증.pdf",
        content_type="application/pdf",
        size=9,
        sha256="0" * 64,
        uploaded_by=alice,
    )
    import hashlib

    doc.sha256 = hashlib.sha256(b"%PDF-test").hexdigest()
    doc.file.save("x.pdf", ContentFile(b"%PDF-test"), save=False)
    doc.save()
    return rich_incident


def test_export_import_export_round_trip_is_identical(with_document):
    incident = with_document
    first = export_json_bytes(incident, exported_by="alice")
    _purge(incident)
    imported, created = import_json_bytes(first)
    assert created == []
    second = export_json_bytes(imported, exported_by="someone else")
    assert _strip(json.loads(first)) == _strip(json.loads(second))
    assert first.replace(b'"alice"', b"").count(b"\n") == second.count(b"\n")


def test_round_trip_keeps_corrections_deadlines_verdicts_and_documents(with_document):
    incident = with_document
    before = json.loads(export_json_bytes(incident, exported_by="x"))
    _purge(incident)
    imported, _ = import_json_bytes(json.dumps(before).encode())
    corrected = TimelineEvent.objects.get(incident=imported, supersedes__isnull=False)
    assert corrected.supersedes.title == "Company becomes aware"
    filed = Deadline.objects.get(incident=imported, filed_at__isnull=False)
    original = next(d for d in before["deadlines"] if d["filed_at"])
    assert filed.verdict == original["verdict"]
    assert filed.late_by_seconds == original["late_by_seconds"]
    doc = FilingDocument.objects.get(filing__incident=imported)
    assert doc.file.read() == b"%PDF-test"
    assert doc.original_name == "접수증.pdf"


def test_import_creates_missing_users_inactive(rich_incident):
    data = export_json_bytes(rich_incident, exported_by="x")
    _purge(rich_incident)
    get_user_model().objects.filter(username="carol").delete()
    imported, created = import_json_bytes(data)
    assert created == ["carol"]
    carol = get_user_model().objects.get(username="carol")
    assert carol.is_active is False
    assert not carol.has_usable_password()
    assert imported.memberships.filter(user=carol).exists()


def test_import_refuses_an_existing_incident_and_changes_nothing(rich_incident):
    data = export_json_bytes(rich_incident, exported_by="x")
    events = TimelineEvent.objects.count()
    with pytest.raises(ImportRejected, match="already exists"):
        import_json_bytes(data)
    assert TimelineEvent.objects.count() == events


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"[]",
        b'{"format": "other"}',
        b'{"format": "incident-clock/incident", "schema_version": 1}',
    ],
)
def test_import_rejects_malformed_files_cleanly(db, payload):
    with pytest.raises(ImportRejected):
        import_json_bytes(payload)
    assert not Incident.objects.exists()


def test_import_is_all_or_nothing(rich_incident):
    document = json.loads(export_json_bytes(rich_incident, exported_by="x"))
    _purge(rich_incident)
    document["filings"][0]["submitted_at"] = "yesterday"
    with pytest.raises(ImportRejected):
        import_json_bytes(json.dumps(document).encode())
    assert not Incident.objects.filter(reference=document["incident"]["reference"]).exists()
    assert not TimelineEvent.objects.exists()


def test_export_refers_by_file_keys_never_database_ids(rich_incident):
    document = json.loads(export_json_bytes(rich_incident, exported_by="x"))
    assert [e["key"] for e in document["events"]] == ["V1", "V2", "V3", "V4"]
    assert document["events"][2]["supersedes"] == "V2"
    assert "id" not in document["events"][0]
    assert {u["username"] for u in document["users"]} >= {"alice", "bob", "carol"}


def test_json_and_export_log_carry_the_audit_chain_head(rich_incident) -> None:
    from audit.models import AuditEntry
    from audit.services import chain_head
    from exports.services import export_log_record

    document = json.loads(export_json_bytes(rich_incident, exported_by="x"))
    assert document["audit_chain_head"] == chain_head()
    export_log_record(
        user=None, incident=rich_incident, fmt="json", via="cli", size=10, username="cli"
    )
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "export"
    assert entry.incident_id == rich_incident.pk


def test_round_trip_keeps_the_count_revision_that_started_a_follow_up(rich_incident):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from incidents import services

    kst = ZoneInfo("Asia/Seoul")
    for day, count in ((2, 100), (5, 5_000)):
        services.affected_count_revise(
            incident=rich_incident,
            jurisdiction="KR",
            count=count,
            as_of=datetime(2026, 3, day, 9, 0, tzinfo=kst),
        )
    started = Deadline.objects.filter(incident=rich_incident, trigger_revision__isnull=False)
    started_counts = sorted(started.values_list("trigger_revision__count", flat=True))
    assert 5_000 in started_counts
    first = export_json_bytes(rich_incident, exported_by="alice")
    _purge(rich_incident)
    imported, _ = import_json_bytes(first)
    follow_ups = Deadline.objects.filter(incident=imported, trigger_revision__isnull=False)
    assert sorted(follow_ups.values_list("trigger_revision__count", flat=True)) == started_counts
    for deadline in follow_ups:
        assert deadline.trigger_key == f"rev{deadline.trigger_revision.pk}"
    second = export_json_bytes(imported, exported_by="alice")
    assert _strip(json.loads(first)) == _strip(json.loads(second))
