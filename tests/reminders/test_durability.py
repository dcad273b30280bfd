"""Asynchronous commit only for the "sent" marks: never left on the worker's connection.

``synchronous_commit`` exists on PostgreSQL only. In CI (CI=true) the database is PostgreSQL and
this runs; elsewhere on SQLite it is skipped with that reason, like the fault tests.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.db import connection, transaction

from reminders import tasks
from reminders.models import Delivery, DeliveryState
from reminders.sending import relax_this_commit
from reminders.services import reminders_sync_for
from reminders.sweep import sweep

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgres(transactional_db: None) -> None:
    on_postgres = connection.vendor == "postgresql"
    if os.environ.get("CI") == "true":
        assert on_postgres, "CI must run the durability test on PostgreSQL"
    elif not on_postgres:
        pytest.skip("synchronous_commit is a PostgreSQL setting")


def _setting() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return str(cursor.fetchone()[0])


def test_sent_marks_commit_asynchronously_and_the_next_task_is_synchronous_again(
    postgres, frozen, make_deadline
):
    reminders_sync_for(deadline=make_deadline())
    queued: list[list[str]] = []
    sweep(enqueue=queued.append)
    assert queued

    seen: list[tuple[str, str]] = []  # (delivery state written, synchronous_commit at that time)
    table = Delivery._meta.db_table

    def spy(execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        result = execute(sql, params, many, context)
        if sql.startswith("UPDATE") and table in sql:
            states = [p for p in params if p in (DeliveryState.SENDING, DeliveryState.SENT)]
            if states:
                # The raw driver connection: same session, without going through this wrapper.
                raw = context["connection"].connection
                seen.append((states[0], raw.execute("SHOW synchronous_commit").fetchone()[0]))
        return result

    with connection.execute_wrapper(spy):
        for ids in queued:
            tasks.send_deliveries(ids)  # the Celery task, run in this process
    assert not Delivery.objects.exclude(state=DeliveryState.SENT).exists()
    # Claims wait for the disk; marks (in-app and e-mail) do not.
    assert {setting for state, setting in seen if state == DeliveryState.SENDING} == {"on"}
    assert {setting for state, setting in seen if state == DeliveryState.SENT} == {"off"}
    assert sum(1 for state, _ in seen if state == DeliveryState.SENT) >= 2

    # The next task on this same connection (kept for CONN_MAX_AGE) commits synchronously.
    assert _setting() == "on"
    with transaction.atomic():
        assert _setting() == "on"


def test_only_an_outermost_transaction_is_relaxed_and_only_until_it_ends(postgres):
    with transaction.atomic():
        relax_this_commit()
        assert _setting() == "off"
    assert _setting() == "on"
    # Inside a caller's transaction (outer block): the caller's commit must stay durable.
    with transaction.atomic(), transaction.atomic():
        relax_this_commit()
        assert _setting() == "on"
    relax_this_commit()  # outside any transaction it does nothing
    assert _setting() == "on"
