"""Task names survive the move of reminders and exports into their own apps (issue 18).

Beat entries and messages already waiting in the broker name tasks by string; those strings
must still reach the same code after the packages moved."""

from __future__ import annotations

import pytest
from django.conf import settings

from config.celery import app


@pytest.mark.parametrize(
    ("name", "module"),
    [
        ("incidents.reminders.sweep", "reminders.tasks"),
        ("incidents.reminders.send_deliveries", "reminders.tasks"),
        ("incidents.reminders.digests", "reminders.tasks"),
        ("incidents.exports.tasks.export_job_run", "exports.tasks"),
    ],
)
def test_pre_move_task_names_still_reach_the_moved_tasks(name: str, module: str) -> None:
    app.loader.import_default_modules()  # what a worker does at start: autodiscovery
    assert app.tasks[name].__module__ == module


def test_every_beat_entry_names_a_registered_task() -> None:
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
