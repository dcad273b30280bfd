"""Catalogue and calendar edits reach open deadlines (on commit, in a Celery task), and
``manage.py recompute_deadlines`` shows and applies what moved."""

from __future__ import annotations

from datetime import date, datetime
from io import StringIO
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from incidents import recompute, services
from incidents.models import Deadline, DeadlineRecomputation, DeadlineStatus
from incidents.tasks import recompute_open_deadlines
from regulators.models import Calendar, CalendarClosure, Obligation
from reminders.models import Reminder, ReminderState
from tests.factories import UserFactory

NY = ZoneInfo("America/New_York")
CODE = "us-sec-8k-1-05"
# Materiality Mon 2031-03-03 10:00 New York; 4 EDGAR business days: Tue 4, Wed 5, Thu 6, Fri 7
# -> due Fri 2031-03-07 17:30 EST. With Wed 5 closed: Tue 4, Thu 6, Fri 7, Mon 10
# -> Mon 2031-03-10 17:30 EDT (daylight saving time began on Sunday the 9th).
DUE_BEFORE = datetime(2031, 3, 7, 17, 30, tzinfo=NY)
DUE_AFTER = datetime(2031, 3, 10, 17, 30, tzinfo=NY)


@pytest.fixture
def sec_incident(incident, catalogue, alice):
    services.legal_entity_add(
        incident=incident,
        name="Example Inc.",
        country="US",
        sec_registrant=True,
        jurisdictions=["US"],
        reference_tz="America/New_York",
    )
    services.timeline_event_record(
        incident=incident,
        kind="materiality_determination",
        occurred_at=datetime(2031, 3, 3, 10, 0, tzinfo=NY),
        title="Materiality decided",
        recorded_by=alice,
    )
    deadline = Deadline.objects.get(incident=incident, code=CODE)
    assert deadline.due_at == DUE_BEFORE
    return incident


@pytest.fixture
def superuser(db):
    return UserFactory(username="super", is_superuser=True, is_staff=True)


def _add_closure_in_admin(client, superuser):
    client.force_login(superuser)
    calendar = Calendar.objects.get(code="US-EDGAR")
    return client.post(
        reverse("admin:regulators_calendarclosure_add"),
        {
            "calendar": calendar.pk,
            "day": "2031-03-05",
            "kind": "closed",
            "confirmed": "on",
            "label": "EDGAR outage",
            "source": "",
        },
    )


def test_closure_added_in_admin_starts_the_recompute_task_on_commit_with_its_reason(
    sec_incident, client, superuser, django_capture_on_commit_callbacks
) -> None:
    with (
        mock.patch.object(recompute.current_app, "send_task") as send_task,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = _add_closure_in_admin(client, superuser)
        assert response.status_code == 302
        send_task.assert_not_called()  # nothing before the commit
    assert callbacks
    send_task.assert_called_once_with(
        recompute.RECOMPUTE_TASK,
        kwargs={"reason": "closure 2031-03-05 added to US-EDGAR", "calendar": "US-EDGAR"},
    )
    # Until the task runs, the deadline is where it was.
    assert Deadline.objects.get(incident=sec_incident, code=CODE).due_at == DUE_BEFORE


def test_recompute_task_moves_the_open_deadline_records_why_and_resyncs_reminders(
    sec_incident,
) -> None:
    CalendarClosure.objects.create(
        calendar=Calendar.objects.get(code="US-EDGAR"), day=date(2031, 3, 5), label="outage"
    )
    moved = recompute_open_deadlines(
        reason="closure 2031-03-05 added to US-EDGAR", calendar="US-EDGAR"
    )
    deadline = Deadline.objects.get(incident=sec_incident, code=CODE)
    assert moved == 1
    assert deadline.due_at == DUE_AFTER
    record = DeadlineRecomputation.objects.get(deadline=deadline)
    assert (record.old_due_at, record.new_due_at) == (DUE_BEFORE, DUE_AFTER)
    assert record.reason == "closure 2031-03-05 added to US-EDGAR"
    pending = Reminder.objects.filter(deadline=deadline, state=ReminderState.PENDING)
    assert pending.exists()
    assert {r.due_at for r in pending if r.kind != "created"} == {DUE_AFTER}
    # Safe to run twice: nothing more moves, nothing more is written.
    assert recompute_open_deadlines(reason="again", calendar="US-EDGAR") == 0
    assert DeadlineRecomputation.objects.filter(deadline=deadline).count() == 1


def test_filed_deadline_keeps_its_frozen_verdict_after_a_calendar_edit(sec_incident) -> None:
    deadline = Deadline.objects.get(incident=sec_incident, code=CODE)
    services.filing_submit(
        incident=sec_incident,
        deadline=deadline,
        recipient="SEC",
        submitted_at=datetime(2031, 3, 8, 9, 0, tzinfo=NY),  # late against Friday 17:30
    )
    CalendarClosure.objects.create(
        calendar=Calendar.objects.get(code="US-EDGAR"), day=date(2031, 3, 5), label="outage"
    )
    recompute_open_deadlines(reason="closure added", calendar="US-EDGAR")
    deadline.refresh_from_db()
    assert deadline.due_at == DUE_BEFORE
    assert deadline.verdict == "late"
    assert deadline.status == DeadlineStatus.FILED


def test_obligation_changed_through_the_api_starts_the_task_for_that_rule(
    sec_incident, admin_user, django_capture_on_commit_callbacks
) -> None:
    api = APIClient()
    api.force_authenticate(admin_user)
    row = Obligation.objects.filter(code=CODE).order_by("version").last()
    with (
        mock.patch.object(recompute.current_app, "send_task") as send_task,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = api.patch(f"/api/v1/obligations/{row.pk}/", {"period_amount": 5}, format="json")
    assert response.status_code == 200, response.json()
    send_task.assert_called_once_with(
        recompute.RECOMPUTE_TASK,
        kwargs={"reason": f"obligation {CODE} v{row.version} changed", "rule": CODE},
    )
    recompute_open_deadlines(reason="obligation changed", rule=CODE)
    # Five business days: Tue 4 .. Mon 10 -> Mon 2031-03-10 17:30 EDT.
    assert Deadline.objects.get(incident=sec_incident, code=CODE).due_at == DUE_AFTER


def test_recompute_command_prints_what_moved_and_dry_run_keeps_nothing(sec_incident) -> None:
    CalendarClosure.objects.create(
        calendar=Calendar.objects.get(code="US-EDGAR"), day=date(2031, 3, 5), label="outage"
    )
    out = StringIO()
    call_command("recompute_deadlines", "--calendar", "US-EDGAR", "--dry-run", stdout=out)
    text = out.getvalue()
    assert sec_incident.reference in text
    assert CODE in text
    assert "2031-03-07T22:30:00+00:00 -> 2031-03-10T21:30:00+00:00" in text
    assert "why: recompute_deadlines (calendar US-EDGAR)" in text
    assert Deadline.objects.get(incident=sec_incident, code=CODE).due_at == DUE_BEFORE

    out = StringIO()
    call_command(
        "recompute_deadlines", "--incident", sec_incident.reference, "--rule", CODE, stdout=out
    )
    assert "1 deadline(s) moved." in out.getvalue()
    assert Deadline.objects.get(incident=sec_incident, code=CODE).due_at == DUE_AFTER


def test_recompute_command_refuses_an_unknown_calendar_with_status_2(db) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Unknown calendar") as excinfo:
        call_command("recompute_deadlines", "--calendar", "MARS")
    assert excinfo.value.returncode == 2


def test_hook_names_the_real_task() -> None:
    assert recompute_open_deadlines.name == recompute.RECOMPUTE_TASK
