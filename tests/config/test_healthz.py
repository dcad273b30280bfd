"""/healthz reports the database, the broker, a worker's ping and beat's last tick.

The required parts (HEALTHZ_REQUIRED) decide 200 or 503; the others are reported as
informational. Each part is taken down at its boundary: the driver, the broker URL, the ping
broadcast, beat's heartbeat.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.cache import cache

from common.heartbeat import CACHE_KEY, beat_heartbeat_last, beat_heartbeat_record
from config.beat import HeartbeatScheduler
from config.celery import app
from incidents.health import _worker_status, worker_group

ALL = ["database", "broker", "worker", "beat"]
PONG_BOTH = [{"reminders@web1": {"ok": "pong"}}, {"exports@web1": {"ok": "pong"}}]


@pytest.fixture(autouse=True)
def heartbeat_file(settings, tmp_path: Path) -> Path:
    path = tmp_path / "beat-heartbeat"
    settings.BEAT_HEARTBEAT_FILE = str(path)
    return path


@pytest.fixture
def production_parts(settings) -> None:
    settings.HEALTHZ_REQUIRED = ALL
    settings.HEALTHZ_WORKER_GROUPS = ["reminders", "exports"]


def _ping(replies: list[dict[str, dict[str, str]]]):
    return mock.patch.object(app.control, "ping", return_value=replies)


@pytest.mark.django_db
def test_healthz_is_200_when_every_part_answers(client, production_parts) -> None:
    beat_heartbeat_record()
    with _ping(PONG_BOTH):
        response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ["status", *ALL]} == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "worker": "ok",
        "beat": "ok",
    }
    assert body["informational"] == []
    assert body["details"]["worker"] == {"nodes": 2, "groups": ["exports", "reminders"]}
    assert body["details"]["beat"]["last_tick_age_s"] < 5


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_unreachable(client, production_parts) -> None:
    beat_heartbeat_record()
    with mock.patch("incidents.health._database_ok", return_value=False), _ping(PONG_BOTH):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["database"] == "unavailable"
    assert response.json()["worker"] == "ok"


@pytest.mark.django_db
def test_healthz_is_503_and_skips_the_ping_when_the_broker_is_unreachable(
    client, settings, production_parts
) -> None:
    beat_heartbeat_record()
    # Nothing listens on port 1: the real connection attempt is refused at once.
    refused = mock.patch.object(
        app, "connection_for_write", return_value=app.connection_for_write("redis://127.0.0.1:1/0")
    )
    with refused, _ping([]) as ping:
        started = time.monotonic()
        response = client.get("/healthz")
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    body = response.json()
    assert body["broker"] == "unavailable"
    assert body["worker"] == "unavailable"
    assert body["database"] == "ok"
    ping.assert_not_called()
    assert elapsed < 5


@pytest.mark.django_db
def test_healthz_is_503_when_no_worker_answers_the_ping(client, production_parts) -> None:
    beat_heartbeat_record()
    with _ping([]):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == "unavailable"
    assert response.json()["details"]["worker"]["nodes"] == 0


@pytest.mark.django_db
def test_healthz_is_503_when_a_worker_group_is_missing(client, production_parts) -> None:
    beat_heartbeat_record()
    with _ping([{"reminders.1@web1": {"ok": "pong"}}, {"reminders.2@web1": {"ok": "pong"}}]):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == "unavailable"
    assert response.json()["details"]["worker"]["missing_groups"] == ["exports"]


@pytest.mark.django_db
def test_healthz_ping_stops_waiting_once_each_group_could_have_answered(
    client, settings, production_parts
) -> None:
    settings.HEALTHZ_PING_TIMEOUT = 0.25
    beat_heartbeat_record()
    with _ping(PONG_BOTH) as ping:
        client.get("/healthz")
    ping.assert_called_once()
    assert ping.call_args.kwargs["timeout"] == 0.25
    assert ping.call_args.kwargs["limit"] == 2


def test_each_ping_goes_over_a_connection_of_its_own(client, production_parts) -> None:
    # A pooled connection remembers having declared the reply queue; after a Redis restart that
    # declaration is gone and its pings get no replies (soak: /healthz flapped to unavailable).
    beat_heartbeat_record()
    with _ping(PONG_BOTH) as ping:
        client.get("/healthz")
        client.get("/healthz")
    first, second = (call.kwargs["connection"] for call in ping.call_args_list)
    assert first is not None
    assert first is not second


def test_pings_from_concurrent_health_checks_in_one_process_never_overlap(settings) -> None:
    settings.HEALTHZ_WORKER_GROUPS = []
    inside = threading.Event()
    overlaps: list[bool] = []

    def ping(**kwargs: object) -> list[dict[str, dict[str, str]]]:
        overlaps.append(inside.is_set())
        inside.set()
        time.sleep(0.05)
        inside.clear()
        return [{"worker@h": {"ok": "pong"}}]

    with mock.patch.object(app.control, "ping", side_effect=ping):
        threads = [threading.Thread(target=_worker_status) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert overlaps == [False] * 4


@pytest.mark.django_db
def test_healthz_is_503_when_beat_never_ticked(client, production_parts) -> None:
    with _ping(PONG_BOTH):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["beat"] == "unavailable"
    assert response.json()["details"]["beat"] == {"last_tick_age_s": None}


@pytest.mark.django_db
def test_healthz_calls_beat_stale_once_its_heartbeat_is_older_than_the_limit(
    client, settings, production_parts
) -> None:
    settings.HEALTHZ_BEAT_MAX_AGE = 120
    with time_machine.travel("2026-12-03 09:00:00Z", tick=False):
        beat_heartbeat_record()
    with _ping(PONG_BOTH):
        with time_machine.travel("2026-12-03 09:01:59Z", tick=False):
            fresh = client.get("/healthz")
        with time_machine.travel("2026-12-03 09:02:01Z", tick=False):
            stale = client.get("/healthz")
    assert fresh.status_code == 200
    assert fresh.json()["details"]["beat"]["last_tick_age_s"] == 119.0
    assert stale.status_code == 503
    assert stale.json()["beat"] == "stale"
    assert stale.json()["details"]["beat"]["last_tick_age_s"] == 121.0


@pytest.mark.django_db
def test_in_development_worker_and_beat_are_informational(client, settings) -> None:
    settings.HEALTHZ_REQUIRED = ["database", "broker"]
    settings.HEALTHZ_WORKER_GROUPS = []
    with _ping([]):
        response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["worker"] == "unavailable"
    assert body["beat"] == "unavailable"
    assert body["informational"] == ["worker", "beat"]


@pytest.mark.django_db
def test_the_development_defaults_require_only_database_and_broker() -> None:
    assert django_settings.HEALTHZ_REQUIRED == ["database", "broker"]


def test_beat_scheduler_records_a_heartbeat_on_each_tick(tmp_path: Path) -> None:
    scheduler = HeartbeatScheduler(app=app, schedule_filename=str(tmp_path / "schedule"))
    try:
        # Due entries would be published; the send is not what this test is about.
        with mock.patch.object(HeartbeatScheduler, "apply_async"):
            with time_machine.travel("2026-12-03 09:00:00Z", tick=False):
                scheduler.tick()
            first = beat_heartbeat_last()
            with time_machine.travel("2026-12-03 09:00:30Z", tick=False):
                scheduler.tick()
            second = beat_heartbeat_last()
    finally:
        scheduler.close()
    assert first is not None
    assert second is not None
    assert second - first == 30


def test_heartbeat_goes_to_the_shared_cache_when_there_is_one(
    settings, tmp_path: Path, heartbeat_file: Path
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    beat_heartbeat_record(1_000.0)
    assert cache.get(CACHE_KEY) == 1_000.0
    assert beat_heartbeat_last() == 1_000.0
    assert not heartbeat_file.exists()


@pytest.mark.parametrize(
    ("node", "group"),
    [
        ("reminders@host", "reminders"),
        ("exports.2@host", "exports"),
        ("reminders-3@host.example", "reminders"),
        ("worker@host", "worker"),
    ],
)
def test_worker_group_is_the_node_name_without_its_number(node: str, group: str) -> None:
    assert worker_group(node) == group


@pytest.mark.django_db
def test_healthz_needs_no_sign_in_but_refuses_post(client) -> None:
    assert client.post("/healthz").status_code == 405
