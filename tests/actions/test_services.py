"""Action-item services: who may write, what an item may point at, compare-and-set edits,
status moves, suggestions from deadlines, and the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from actions import services
from actions.models import ActionItem, ActionStatus
from audit.models import AuditEntry
from common.concurrency import StaleWrite, version_of
from incidents import services as incident_services
from incidents.models import Deadline, EventKind
from tests.factories import IncidentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_compliance_member_creates_an_item_owned_by_a_member(make_item, bob):
    item = make_item(owner=bob, title="  Brief   the board ")
    assert item.pk
    assert item.status == ActionStatus.OPEN
    assert item.title == "Brief the board"
    assert item.owner == bob


@pytest.mark.parametrize("who", ["bob", "carol"])
def test_legal_and_viewers_cannot_create(incident, alice, request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.action_item_create(incident=incident, title="x", owner=alice, created_by=user)


def test_a_compliance_officer_off_the_incident_cannot_create(incident, alice, outsider):
    with pytest.raises(PermissionDenied):
        services.action_item_create(incident=incident, title="x", owner=alice, created_by=outsider)


def test_an_admin_off_the_incident_can_create_and_own(incident, admin_user):
    item = services.action_item_create(
        incident=incident, title="Review", owner=admin_user, created_by=admin_user
    )
    assert item.owner == admin_user


def test_the_owner_must_see_the_incident(make_item, outsider):
    with pytest.raises(ValidationError) as error:
        make_item(owner=outsider)
    assert "owner" in error.value.message_dict


def test_an_inactive_owner_is_refused(make_item, bob):
    bob.is_active = False
    bob.save()
    with pytest.raises(ValidationError):
        make_item(owner=bob)


def test_a_naive_due_time_is_refused(make_item):
    with pytest.raises(ValidationError) as error:
        make_item(due_at=datetime(2026, 3, 3, 10, 0))  # noqa: DTZ001 (naive on purpose)
    assert "due_at" in error.value.message_dict


def test_an_empty_title_is_refused(make_item):
    with pytest.raises(ValidationError) as error:
        make_item(title="   ")
    assert "title" in error.value.message_dict


def test_links_only_to_a_deadline_of_the_same_incident(aware_incident, make_item):
    other = IncidentFactory(owner=aware_incident.owner)
    foreign = Deadline.objects.filter(incident=aware_incident).first()
    assert foreign is not None
    make_item(deadline=foreign)  # its own incident: fine
    with pytest.raises(ValidationError) as error:
        services.action_item_create(
            incident=other,
            title="x",
            owner=other.owner,
            created_by=other.owner,
            deadline=foreign,
        )
    assert "deadline" in error.value.message_dict


def test_links_only_to_a_request_or_order_event(incident, alice, make_item):
    request_event = incident_services.timeline_event_record(
        incident=incident,
        kind=EventKind.NOTE,
        occurred_at=datetime(2026, 3, 2, 1, 0, tzinfo=UTC),
        title="a note",
        recorded_by=alice,
    )
    with pytest.raises(ValidationError) as error:
        make_item(event=request_event)
    assert "event" in error.value.message_dict


def test_update_changes_only_the_given_fields_and_checks_the_version(make_item, alice, bob):
    item = make_item()
    version = version_of(item)
    services.action_item_update(
        item=item, changed_by=alice, expected_version=version, owner=bob, title="New title"
    )
    item.refresh_from_db()
    assert (item.owner, item.title) == (bob, "New title")
    with pytest.raises(StaleWrite):
        services.action_item_update(
            item=item, changed_by=alice, expected_version=version, title="Lost"
        )
    item.refresh_from_db()
    assert item.title == "New title"


def test_update_refuses_unknown_fields(make_item, alice):
    with pytest.raises(ValidationError):
        services.action_item_update(item=make_item(), changed_by=alice, status="done")


def test_complete_cancel_and_reopen(make_item, alice):
    item = make_item()
    services.action_item_complete(item=item, by=alice)
    assert item.status == ActionStatus.DONE
    assert item.completed_at is not None
    with pytest.raises(ValidationError):
        services.action_item_cancel(item=item, by=alice, reason="too late")
    services.action_item_reopen(item=item, by=alice)
    assert item.status == ActionStatus.OPEN
    assert item.completed_at is None
    services.action_item_cancel(item=item, by=alice, reason="done by the vendor")
    item.refresh_from_db()
    assert (item.status, item.status_reason) == (ActionStatus.CANCELLED, "done by the vendor")


def test_cancel_needs_a_reason(make_item, alice):
    with pytest.raises(ValidationError) as error:
        services.action_item_cancel(item=make_item(), by=alice, reason=" ")
    assert "reason" in error.value.message_dict


def test_a_viewer_cannot_complete(make_item, carol):
    with pytest.raises(PermissionDenied):
        services.action_item_complete(item=make_item(), by=carol)


def test_a_stale_complete_is_refused(make_item, alice):
    item = make_item()
    stale = version_of(item)
    services.action_item_update(item=item, changed_by=alice, title="Changed")
    with pytest.raises(StaleWrite):
        services.action_item_complete(item=item, by=alice, expected_version=stale)


def test_every_write_is_in_the_audit_chain(make_item, alice):
    item = make_item()
    services.action_item_complete(item=item, by=alice)
    entries = AuditEntry.objects.filter(object_type="actions.actionitem", object_id=str(item.pk))
    assert list(entries.order_by("seq").values_list("action", flat=True)) == ["create", "update"]
    assert set(entries.values_list("incident_id", flat=True)) == {item.incident_id}
    assert set(entries.values_list("actor_id", flat=True)) == {alice.pk}


def test_suggestions_come_from_open_deadlines_with_the_regulator_named(aware_incident):
    suggestions = services.action_suggestions_for(incident=aware_incident)
    open_deadlines = Deadline.objects.filter(incident=aware_incident, status="open").exclude(
        applicability="does_not_apply"
    )
    assert len(suggestions) == open_deadlines.count() > 0
    with_regulator = next(s for s in suggestions if s.deadline.regulator is not None)
    assert with_regulator.title.startswith("Prepare the report to ")
    assert with_regulator.deadline.regulator.name_en in with_regulator.title


def test_suggestion_titles_are_korean_for_a_korean_user(aware_incident):
    with translation.override("ko"):
        suggestions = services.action_suggestions_for(incident=aware_incident)
    with_regulator = next(s for s in suggestions if s.deadline.regulator is not None)
    assert with_regulator.deadline.regulator.name_ko in with_regulator.title
    assert "신고 준비" in with_regulator.title


def test_creating_suggestions_is_idempotent(aware_incident, alice):
    first = services.action_items_create_suggested(incident=aware_incident, by=alice)
    assert first
    assert all(i.deadline_id and i.owner == alice for i in first)
    again = services.action_items_create_suggested(incident=aware_incident, by=alice)
    assert again == []
    assert services.action_suggestions_for(incident=aware_incident) == []
    assert ActionItem.objects.filter(incident=aware_incident).count() == len(first)


def test_a_cancelled_suggestion_is_not_offered_again(aware_incident, alice):
    key = services.action_suggestions_for(incident=aware_incident)[0].key
    (item,) = services.action_items_create_suggested(incident=aware_incident, by=alice, keys=[key])
    services.action_item_cancel(item=item, by=alice, reason="not needed")
    assert key not in {s.key for s in services.action_suggestions_for(incident=aware_incident)}


def test_a_viewer_cannot_create_suggestions(aware_incident, carol):
    with pytest.raises(PermissionDenied):
        services.action_items_create_suggested(incident=aware_incident, by=carol)


def test_a_stranger_is_not_an_owner_even_if_admin_made(incident, admin_user):
    stranger = UserFactory(username="stranger", role="compliance")
    with pytest.raises(ValidationError):
        services.action_item_create(
            incident=incident, title="x", owner=stranger, created_by=admin_user
        )


def test_a_notice_to_the_people_affected_is_not_called_a_report(aware_incident):
    suggestions = services.action_suggestions_for(incident=aware_incident)
    notices = [
        s
        for s in suggestions
        if s.deadline.regulator and s.deadline.regulator.code.upper() == "DATA-SUBJECTS"
    ]
    assert notices
    assert all(s.title.startswith("Prepare the notice to the people affected: ") for s in notices)
    with translation.override("ko"):
        korean = services.action_suggestions_for(incident=aware_incident)
    assert any(s.title.startswith("정보주체 통지 준비: ") for s in korean)
