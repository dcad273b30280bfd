"""A JSON import joins the ordinary write path: reminders for the open deadlines, audit entries
for every appended record, and no recomputation when nothing differs."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from audit.models import AuditEntry
from exports.jsonio import export_json_bytes, import_json_bytes
from incidents.models import (
    AffectedCountRevision,
    Deadline,
    DeadlineRecomputation,
    DeadlineStatus,
    TimelineEvent,
)
from reminders.models import Reminder, ReminderState
from tests.exports.test_json import _purge

KST = ZoneInfo("Asia/Seoul")


def test_import_plans_reminders_and_audits_events_and_counts(rich_incident) -> None:
    document = export_json_bytes(rich_incident, exported_by="alice")
    recomputations_before = DeadlineRecomputation.objects.count()
    _purge(rich_incident)
    # Import while the deadlines are still ahead, so there are reminders to plan.
    with time_machine.travel(datetime(2025, 11, 17, 16, 30, tzinfo=KST), tick=False):
        imported, _created = import_json_bytes(document)

    open_deadlines = Deadline.objects.filter(incident=imported, status=DeadlineStatus.OPEN).exclude(
        applicability="does_not_apply"
    )
    assert open_deadlines.exists()
    for deadline in open_deadlines:
        assert Reminder.objects.filter(deadline=deadline, state=ReminderState.PENDING).exists()

    for model, label in (
        (TimelineEvent, "incidents.timelineevent"),
        (AffectedCountRevision, "incidents.affectedcountrevision"),
    ):
        ids = {
            str(pk) for pk in model.objects.filter(incident=imported).values_list("pk", flat=True)
        }
        assert ids
        audited = set(
            AuditEntry.objects.filter(object_type=label, object_id__in=ids).values_list(
                "object_id", flat=True
            )
        )
        assert audited == ids
    # Same catalogue: nothing recomputed by the import itself.
    imported_recomputations = DeadlineRecomputation.objects.filter(deadline__incident=imported)
    assert imported_recomputations.count() == recomputations_before
