"""The soak's parts that decide the verdict: the fault schedule, the request log, placing server
errors inside or outside the Redis restart window, acknowledged writes found in the database, and
the verdict itself. The run (real processes, minutes long) is `manage.py soak`, in
docs/performance.md; a one-minute smoke run is the last test (services, slow)."""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.factories import IncidentFactory, TimelineEventFactory
from tools.faults.scenarios import Count
from tools.soak.run import KILL, POSTGRES, REDIS, Options, fault_schedule, missing_writes, run_soak
from tools.soak.verdict import (
    Fault,
    Request,
    Verdict,
    Window,
    acknowledged_writes,
    read_request_log,
    split_server_errors,
)


def _request(t0: float, t1: float, status: int, **extra: str) -> Request:
    return Request(t0=t0, t1=t1, name="dashboard", status=status, method="GET", **extra)


def _verdict(**changes: object) -> Verdict:
    fields: dict[str, object] = {
        "minutes": 5,
        "requests": 100,
        "faults": [Fault(KILL, 60, "replaced", True)],
        "windows": [Window(100, 110)],
        "errors_inside": [],
        "errors_outside": [],
        "writes": {"event": 3},
        "missing": {"event": []},
        "reminders": {"email": Count(10, 10, 10, 0), "inapp": Count(10, 10, 10, 0)},
    }
    fields.update(changes)
    return Verdict(**fields)  # type: ignore[arg-type]


# --- schedule ----------------------------------------------------------------------------------


def test_five_minute_default_kills_a_worker_twice_and_restarts_redis_and_postgres_once() -> None:
    assert fault_schedule(5) == [(60, KILL), (135, REDIS), (180, KILL), (240, POSTGRES)]


def test_thirty_minute_run_kills_a_worker_every_five_minutes() -> None:
    plan = fault_schedule(30)
    assert [at for at, name in plan if name == KILL] == [150, 450, 750, 1050, 1350, 1650]
    assert [name for _at, name in plan].count(REDIS) == 1
    assert [name for _at, name in plan].count(POSTGRES) == 1
    assert all(at < 30 * 60 for at, _name in plan)


def test_kill_every_sets_the_interval_and_must_be_positive() -> None:
    assert [at for at, name in fault_schedule(10, 2) if name == KILL] == [60, 180, 300, 420, 540]
    with pytest.raises(ValueError, match="positive"):
        fault_schedule(5, 0)


# --- request log and server errors ------------------------------------------------------------


def test_request_log_is_read_and_a_torn_last_line_skipped(tmp_path: Path) -> None:
    path = tmp_path / "requests.jsonl"
    rows = [
        {"t0": 1.0, "t1": 1.2, "method": "GET", "name": "dashboard", "status": 200},
        {"t0": 2.0, "t1": 2.5, "method": "POST", "name": "api post event", "status": 201}
        | {"record": "event", "text": "Load test [abc]"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + '\n{"t0": 3.0, "t1"')
    requests = read_request_log(path)
    assert [(r.name, r.status, r.record) for r in requests] == [
        ("dashboard", 200, ""),
        ("api post event", 201, "event"),
    ]
    assert read_request_log(tmp_path / "absent.jsonl") == []


def test_server_errors_overlapping_the_redis_window_are_allowed_the_others_not() -> None:
    window = Window(start=100.0, end=110.0)
    requests = [
        _request(95, 101, 500),  # started before the kill, answered during it
        _request(109, 112, 503),  # started inside
        _request(111, 112, 500),  # after the grace period
        _request(50, 51, 0, error="ConnectionResetError"),  # no answer at all, long before
        _request(105, 106, 200),  # fine
        _request(105, 106, 404),  # a client error is not a server error
    ]
    inside, outside = split_server_errors(requests, [window])
    assert [(r.t0, r.status) for r in inside] == [(95, 500), (109, 503)]
    assert [(r.t0, r.status) for r in outside] == [(111, 500), (50, 0)]


def test_without_a_window_every_server_error_counts() -> None:
    inside, outside = split_server_errors([_request(1, 2, 502)], [])
    assert (inside, len(outside)) == ([], 1)


def test_only_writes_the_server_acknowledged_are_expected_in_the_database() -> None:
    requests = [
        _request(1, 2, 201, record="event", text="api [1]"),
        _request(1, 2, 302, record="event", text="web [2]", location="/incidents/X/"),
        _request(1, 2, 302, record="filing", text="filing [3]", location="/incidents/X/"),
        _request(1, 2, 302, record="event", text="web [4]", location="/accounts/login/?next=/"),
        _request(1, 2, 200, record="event", text="form error [5]"),
        _request(1, 2, 500, record="event", text="failed [6]"),
        _request(1, 2, 201),  # a write without a marker
    ]
    assert acknowledged_writes(requests) == {
        "event": {"api [1]", "web [2]"},
        "filing": {"filing [3]"},
    }


@pytest.mark.django_db
def test_acknowledged_writes_missing_from_the_database_are_listed() -> None:
    incident = IncidentFactory()
    TimelineEventFactory(incident=incident, title="Load test: stored [aaa]")
    missing = missing_writes({"event": {"Load test: stored [aaa]", "Load test: lost [bbb]"}})
    assert missing == {"event": ["Load test: lost [bbb]"]}


# --- verdict -----------------------------------------------------------------------------------


def test_a_clean_run_passes() -> None:
    verdict = _verdict(errors_inside=[_request(101, 102, 500)])
    assert verdict.ok
    assert verdict.lines()[-1] == "SOAK OK"
    assert "1 inside the Redis restart window, 0 outside" in "\n".join(verdict.lines())


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"errors_outside": [_request(1, 2, 500)]}, "outside: GET dashboard: 500"),
        ({"missing": {"event": ["lost [x]"]}}, "missing event: lost [x]"),
        ({"reminders": {"email": Count(10, 9, 9, 0)}}, "email 9/10 lost 1"),
        ({"reminders": {"inapp": Count(10, 10, 11, 0)}}, "inapp 10/10 +1 dup"),
        ({"reminders": {"email": Count(0, 0, 0, 0)}}, "email 0/0"),
        ({"faults": [Fault(KILL, 60, "not replaced within 90 s", False)]}, "[FAILED]"),
        ({"requests": 0}, "0 requests"),
    ],
)
def test_the_verdict_fails_and_says_why(change: dict[str, object], says: str) -> None:
    verdict = _verdict(**{"requests": 100, **change})
    text = "\n".join(verdict.lines())
    assert not verdict.ok
    assert text.endswith("SOAK FAILED")
    assert says in text


def test_soak_command_refuses_the_shared_redis_and_a_host_without_an_outbox() -> None:
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="PostgreSQL"):
            call_command("soak", stdout=io.StringIO())
        return
    with pytest.raises(CommandError, match="6379"):
        call_command("soak", redis_port=6379, stdout=io.StringIO())
    with pytest.raises(CommandError, match="outbox"):
        call_command("soak", host="http://127.0.0.1:8000", stdout=io.StringIO())


# --- smoke run ---------------------------------------------------------------------------------


@pytest.mark.services
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_short_soak_of_the_production_shape_passes(tmp_path: Path, settings) -> None:
    # The accounts' password is hashed here, but checked by the server (production settings):
    # with the test settings' MD5 hasher no web user could sign in, and only the API was soaked.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    if connection.vendor != "postgresql" or not shutil.which("redis-server"):
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the soak smoke test on PostgreSQL with redis-server")
        pytest.skip("the soak needs PostgreSQL and redis-server")
    call_command("load_catalogue", stdout=io.StringIO())
    for _ in range(3):
        TimelineEventFactory(incident=IncidentFactory())
    options = Options(minutes=1.5, kill_every=1, users=2, workers=1, deadlines=12, people=2)
    verdict, summary = run_soak(options, tmp_path, lambda _line: None)
    explain = "\n".join(verdict.lines()) + "\n" + summary
    # What the soak guarantees today: nothing lost or sent twice, every fault made, every killed
    # worker replaced. Not asserted here (docs/performance.md, "Soak under faults", known
    # findings, reported by the full run): a request in flight when the PostgreSQL connections
    # are terminated can get a 500, and /healthz flaps after the Redis restart.
    assert verdict.reminders_ok, explain
    assert verdict.reminders["email"].expected == 12 * 2
    assert not any(verdict.missing.values()), explain
    assert sum(verdict.writes.values()) > 0, explain
    planned = [name for _at, name in fault_schedule(1.5, 1)]
    made = [fault for fault in verdict.faults if fault.name in planned]
    assert [fault.name for fault in made] == planned
    assert all(fault.ok for fault in made), explain
    assert len(verdict.windows) == 1
