"""Correspondence and evidence services: the rules, locking, custody and the audit chain."""

from __future__ import annotations

import hashlib
from datetime import datetime

import pytest
from django.core.exceptions import ValidationError

from actions.models import ActionItem
from audit.models import AuditEntry
from audit.services import verify_chain
from common.concurrency import StaleWrite, version_of
from records import services
from records.models import Correspondence, CustodyAction, CustodyEntry, Evidence
from tests.factories import IncidentFactory, TimelineEventFactory
from tests.records.conftest import KST, PDF_BYTES, pdf

pytestmark = pytest.mark.django_db


def _letter(incident, alice, pipc, **overrides):
    fields = {
        "incident": incident,
        "direction": "in",
        "occurred_at": datetime(2025, 11, 21, 9, 30, tzinfo=KST),
        "channel": "letter",
        "subject": "Request for materials",
        "regulator": pipc,
        "recorded_by": alice,
    }
    fields.update(overrides)
    return services.correspondence_record(**fields)


def test_incoming_letter_with_attachment_stores_evidence_and_custody(incident, alice, pipc):
    corr = _letter(incident, alice, pipc, attachments=[pdf()])
    evidence = Evidence.objects.get()
    assert evidence.correspondence == corr
    assert evidence.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert evidence.size == len(PDF_BYTES)
    assert evidence.content_type == "application/pdf"
    assert evidence.file.name.startswith(f"evidence/{incident.pk}/")
    assert "letter" not in str(evidence.file.name)  # random stored name
    entry = CustodyEntry.objects.get()
    assert (entry.action, entry.actor) == (CustodyAction.UPLOADED, alice)


def test_counterpart_is_required_and_exclusive(incident, alice, pipc):
    with pytest.raises(ValidationError) as none:
        _letter(incident, alice, None)
    assert "regulator" in none.value.message_dict
    with pytest.raises(ValidationError) as both:
        _letter(incident, alice, pipc, authority="Seoul police")
    assert "authority" in both.value.message_dict
    corr = _letter(incident, alice, None, authority="  Seoul Metropolitan Police  ")
    assert corr.authority == "Seoul Metropolitan Police"


def test_naive_or_future_time_is_refused(incident, alice, pipc):
    with pytest.raises(ValidationError) as naive:
        _letter(incident, alice, pipc, occurred_at=datetime(2025, 11, 21, 9, 30))  # noqa: DTZ001
    assert "occurred_at" in naive.value.message_dict
    with pytest.raises(ValidationError) as future:
        _letter(incident, alice, pipc, occurred_at=datetime(2999, 1, 1, tzinfo=KST))
    assert "occurred_at" in future.value.message_dict


def test_links_to_another_incidents_event_are_refused(incident, alice, pipc):
    foreign = TimelineEventFactory(incident=IncidentFactory())
    with pytest.raises(ValidationError) as exc:
        _letter(incident, alice, pipc, events=[foreign])
    assert "events" in exc.value.message_dict
    assert not Correspondence.objects.exists()


def test_bad_attachment_rolls_back_the_whole_letter(incident, alice, pipc):
    with pytest.raises(ValidationError):
        _letter(incident, alice, pipc, attachments=[pdf("x.html", b"<html><script>")])
    assert not Correspondence.objects.exists()
    assert not Evidence.objects.exists()


def test_update_with_stale_version_is_refused(incident, alice, pipc):
    corr = _letter(incident, alice, pipc)
    seen = version_of(corr)
    services.correspondence_update(
        correspondence=corr, changed_by=alice, expected_version=seen, subject="First edit"
    )
    with pytest.raises(StaleWrite):
        services.correspondence_update(
            correspondence=corr, changed_by=alice, expected_version=seen, subject="Second edit"
        )
    corr.refresh_from_db()
    assert corr.subject == "First edit"


def test_switching_counterpart_to_authority_clears_regulator(incident, alice, pipc):
    corr = _letter(incident, alice, pipc)
    services.correspondence_update(correspondence=corr, changed_by=alice, authority="Police")
    corr.refresh_from_db()
    assert (corr.regulator_id, corr.authority) == (None, "Police")


def test_evidence_needs_exactly_one_target_of_the_incident(incident, alice, note_event):
    with pytest.raises(ValidationError) as none:
        services.evidence_attach(incident=incident, upload=pdf(), uploaded_by=alice)
    assert "target" in none.value.message_dict
    other = TimelineEventFactory(incident=IncidentFactory())
    with pytest.raises(ValidationError):
        services.evidence_attach(incident=incident, upload=pdf(), uploaded_by=alice, event=other)
    evidence = services.evidence_attach(
        incident=incident, upload=pdf(), uploaded_by=alice, event=note_event
    )
    assert evidence.target == note_event
    assert evidence.target_kind == "event"


def test_evidence_type_comes_from_the_bytes(incident, alice, note_event):
    with pytest.raises(ValidationError) as exc:
        services.evidence_attach(
            incident=incident,
            upload=pdf("innocent.pdf", b"MZ\x90\x00\x03" + b"\x00" * 64),
            uploaded_by=alice,
            event=note_event,
        )
    assert "file" in exc.value.message_dict
    assert not Evidence.objects.exists()


def test_every_custody_entry_is_in_the_audit_chain(incident, alice, note_event):
    evidence = services.evidence_attach(
        incident=incident, upload=pdf(), uploaded_by=alice, event=note_event
    )
    services.custody_record(evidence=evidence, action=CustodyAction.VIEWED, actor=alice)
    services.custody_record_many(
        evidence=[evidence], action=CustodyAction.EXPORTED, actor=alice, detail={"format": "pdf"}
    )
    entries = AuditEntry.objects.filter(object_type="records.evidence").order_by("seq")
    assert [e.changes["custody"] for e in entries] == ["uploaded", "viewed", "exported"]
    assert [e.action for e in entries] == ["upload", "view", "export"]
    assert all(e.incident_id == incident.pk for e in entries)
    assert entries.last().changes["format"] == "pdf"
    assert verify_chain().ok


def test_correspondence_writes_and_links_are_audited(incident, alice, pipc, note_event):
    corr = _letter(incident, alice, pipc, events=[note_event])
    entries = AuditEntry.objects.filter(object_type="records.correspondence")
    actions = sorted(entries.values_list("action", flat=True))
    assert actions == ["create", "update"]
    assert entries.get(action="update").changes == {"links": {"events": [note_event.pk]}}
    services.correspondence_update(correspondence=corr, changed_by=alice, summary="Answered")
    assert entries.filter(action="update").count() == 2


def test_evidence_can_be_attached_to_an_action_item_of_the_incident(incident, alice):
    item = ActionItem.objects.create(
        incident=incident, title="Prepare the KISA report", owner=alice, created_by=alice
    )
    evidence = services.evidence_attach(
        incident=incident, upload=pdf(), uploaded_by=alice, action_item=item
    )
    assert (evidence.target_kind, evidence.target) == ("action_item", item)
    other = ActionItem.objects.create(
        incident=IncidentFactory(owner=alice), title="Elsewhere", owner=alice, created_by=alice
    )
    with pytest.raises(ValidationError):
        services.evidence_attach(
            incident=incident, upload=pdf(), uploaded_by=alice, action_item=other
        )
