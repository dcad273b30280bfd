"""Exactly once under faults, with real worker, beat and redis-server processes.

Counted on what left the system (outbox files, webhook hits, notifications), not on the delivery
table. Needs PostgreSQL: SQLite cannot take several worker processes writing at once. In CI
(CI=true) the database is PostgreSQL and these run; elsewhere on SQLite they are skipped with
that reason. `manage.py reminder_faults` runs all four scenarios at full size.
"""

from __future__ import annotations

import os
import shutil

import pytest
from django.db import connection

from tools.faults import run_scenario

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def postgres_and_redis_server(db: None) -> None:
    on_postgres = connection.vendor == "postgresql"
    if os.environ.get("CI") == "true":
        assert on_postgres, "CI must run the reminder fault tests on PostgreSQL"
        assert shutil.which("redis-server"), "CI must have redis-server for the fault harness"
    elif not on_postgres:
        pytest.skip("reminder fault tests need PostgreSQL (SQLite cannot take concurrent workers)")
    elif not shutil.which("redis-server"):
        pytest.skip("reminder fault tests need the redis-server binary")


@pytest.mark.parametrize("scenario", ["a", "c"])
def test_every_due_delivery_leaves_exactly_once_under_the_fault(
    scenario, postgres_and_redis_server, tmp_path
):
    result = run_scenario(scenario, work=tmp_path, deadlines=60, people=3, tasks=15)
    # Deadlines: 60 x 3 people x (e-mail, in-app) + 60 webhook calls; task reminders (issue 16):
    # 15 x their owner x (e-mail, in-app) + 15 webhook calls, counted on their own lines.
    assert result.expected == 60 * 3 * 2 + 60 + 15 * 3
    assert {name: c.expected for name, c in result.counts.items() if name.startswith("task")} == {
        "task-email": 15,
        "task-webhook": 15,
        "task-inapp": 15,
    }
    assert (result.lost, result.duplicated) == (0, 0), result.line()
    assert result.seconds_after_fault < 120, result.line()
    if scenario == "a":
        assert result.interrupted_attempts > 0, "the kill did not interrupt a batch"
