"""Two people recording batches at once (PostgreSQL, threads with their own connections).

SQLite serialises every writer, so it cannot show the race: these tests skip there (and fail in
CI, where the database must be PostgreSQL). Run with
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/ic_outreach``.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, connections

from common.concurrency import StaleWrite, version_of
from outreach import services
from outreach.models import NoticeBatch, NoticeCampaign
from outreach.selectors import notice_progress
from tests.outreach.conftest import SENT

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 12


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    on_postgres = connection.vendor == "postgresql"
    if os.environ.get("CI") == "true":
        assert on_postgres, "CI must run the concurrency tests on PostgreSQL"
    elif not on_postgres:
        pytest.skip("needs PostgreSQL (SQLite serialises all writers)")


def _together(work, n: int) -> list[object]:
    barrier = threading.Barrier(n)

    def run(i: int) -> object:
        try:
            barrier.wait()
            return work(i)
        except (ValidationError, StaleWrite) as exc:
            return exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


@time_machine.travel(datetime(2026, 3, 4, 12, 0, tzinfo=UTC), tick=True)
def test_concurrent_batches_are_all_kept_and_never_exceed_the_population(campaign, alice):
    # 12 batches of 100 for 1,000 people: exactly 10 fit; the other two are refused, none lost.
    def record(i: int) -> object:
        return services.batch_record(
            campaign=NoticeCampaign.objects.get(pk=campaign.pk),
            jurisdiction="KR",
            method="email",
            sent_at=SENT,
            count=100,
            recorded_by=alice,
        )

    results = _together(record, THREADS)
    saved = [r for r in results if isinstance(r, NoticeBatch)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert (len(saved), len(refused)) == (10, 2)
    assert NoticeBatch.objects.filter(campaign=campaign).count() == 10
    row = next(p for p in notice_progress(campaign.incident_id) if p.campaign).rows[0]
    assert (row.sent, row.to_notify) == (1000, 0)


@time_machine.travel(datetime(2026, 3, 4, 12, 0, tzinfo=UTC), tick=True)
def test_concurrent_failure_updates_with_the_same_version_let_one_through(campaign, alice):
    batch = services.batch_record(
        campaign=campaign,
        jurisdiction="KR",
        method="email",
        sent_at=SENT,
        count=100,
        recorded_by=alice,
    )
    version = version_of(batch)

    def update(i: int) -> object:
        return services.batch_failures_record(
            batch=batch, failures=i + 1, changed_by=alice, expected_version=version
        )

    results = _together(update, 4)
    assert sum(isinstance(r, NoticeBatch) for r in results) == 1
    assert sum(isinstance(r, StaleWrite) for r in results) == 3
