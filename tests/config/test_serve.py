"""`make serve` (bin/serve): the production shape starts, /healthz sees every part, and SIGTERM
stops all of it; one process dying takes the others down too (honcho), so an outer supervisor
restarts the whole shape. Also the gunicorn settings' formula.

The bin/serve tests start real processes on PostgreSQL and Redis (from DATABASE_URL and REDIS_URL,
as in CI); elsewhere (SQLite, no Redis) they are skipped, as the reminder fault tests are.
"""

from __future__ import annotations

import json
import os
import runpy
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]


# --- gunicorn settings ----------------------------------------------------------------------------


def _gunicorn_settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    for name in (
        "WEB_CONCURRENCY",
        "GUNICORN_THREADS",
        "BIND",
        "PORT",
        "GUNICORN_TIMEOUT",
        "GUNICORN_PRELOAD",
        "GUNICORN_ACCESS_LOG",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))


def test_gunicorn_runs_two_per_core_plus_one_sync_workers(monkeypatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    conf = _gunicorn_settings(monkeypatch)
    assert conf["workers"] == 7
    assert conf["threads"] == 1
    assert conf["worker_class"] == "sync"
    assert conf["bind"] == "127.0.0.1:8000"


def test_gunicorn_recycles_workers_at_staggered_times_and_bounds_requests(monkeypatch) -> None:
    conf = _gunicorn_settings(monkeypatch)
    assert conf["max_requests"] == 10000
    assert conf["max_requests_jitter"] == 1000
    assert conf["timeout"] == 60
    assert conf["graceful_timeout"] == 20


def test_gunicorn_settings_follow_the_environment(monkeypatch) -> None:
    conf = _gunicorn_settings(
        monkeypatch, WEB_CONCURRENCY="3", GUNICORN_THREADS="1", PORT="8123", GUNICORN_TIMEOUT="30"
    )
    assert (conf["workers"], conf["threads"], conf["worker_class"]) == (3, 1, "sync")
    assert conf["accesslog"] == "-"
    assert _gunicorn_settings(monkeypatch, GUNICORN_ACCESS_LOG="off")["accesslog"] is None
    log = "/var/log/incident-clock/access.log"
    assert _gunicorn_settings(monkeypatch, GUNICORN_ACCESS_LOG=log)["accesslog"] == log
    threaded = _gunicorn_settings(monkeypatch, GUNICORN_THREADS="2")
    assert (threaded["threads"], threaded["worker_class"]) == (2, "gthread")
    assert conf["bind"] == "127.0.0.1:8123"
    assert conf["timeout"] == 30
    assert _gunicorn_settings(monkeypatch, BIND="0.0.0.0:8000")["bind"] == "0.0.0.0:8000"


@pytest.mark.skipif(sys.platform != "linux", reason="prctl(PR_SET_PDEATHSIG) is Linux only")
def test_a_gunicorn_worker_is_stopped_when_its_master_dies(monkeypatch, tmp_path) -> None:
    # The hook runs in a "worker" whose parent then dies without a word: the worker gets SIGTERM
    # at once (a sync worker would otherwise notice only after timeout / 2). Its handler stands
    # for gunicorn's own (set before the hook runs), and writes the signal where the test reads it.
    conf = ROOT / "config" / "gunicorn.conf.py"
    marker = tmp_path / "terminated"
    script = f"""
import os, runpy, signal, sys, time
conf = runpy.run_path({str(conf)!r})
ready = {str(marker)!r} + ".ready"
if os.fork():
    while not os.path.exists(ready):  # until the worker has run the hook
        time.sleep(0.01)
    os._exit(0)  # the "master" dies, its worker running
def stopped(signum, frame):
    with open({str(marker)!r} + ".part", "w") as f:
        f.write(str(signum))
    os.replace({str(marker)!r} + ".part", {str(marker)!r})
    os._exit(0)
signal.signal(signal.SIGTERM, stopped)
conf["post_worker_init"](object())
open(ready, "w").close()
time.sleep(20)
"""
    subprocess.run([sys.executable, "-c", script], check=True, timeout=30)  # noqa: S603
    deadline = time.monotonic() + 10
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.read_text() == str(int(signal.SIGTERM))


def test_gunicorn_loads_the_app_once_and_warms_it_up_before_forking(monkeypatch) -> None:
    warmed: list[bool] = []

    def warm_up() -> int:
        warmed.append(True)
        return 0

    def freeze() -> None:
        # What the master loaded is kept out of the workers' garbage collections, once warm.
        warmed.append(False)

    monkeypatch.setattr("config.warmup.warm_up", warm_up)
    monkeypatch.setattr("gc.freeze", freeze)
    conf = _gunicorn_settings(monkeypatch)
    assert conf["preload_app"] is True
    conf["when_ready"](object())
    assert warmed == [True, False]

    # gunicornc's control socket (one path per user on the machine) is not used.
    assert conf["control_socket_disable"] is True

    off = _gunicorn_settings(monkeypatch, GUNICORN_PRELOAD="false")
    assert off["preload_app"] is False
    off["when_ready"](object())  # nothing loaded in the master: nothing to warm or freeze
    assert warmed == [True, False]


def test_serve_refuses_to_start_without_its_environment() -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL"}
    }
    result = subprocess.run(  # noqa: S603
        [str(ROOT / "bin" / "serve")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "DATABASE_URL REDIS_URL SECRET_KEY ALLOWED_HOSTS SITE_URL" in result.stderr


# --- the whole shape --------------------------------------------------------------------------------


def _services_or_skip() -> None:
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    has_redis = os.environ.get("REDIS_URL", "").startswith("redis://")
    if os.environ.get("CI") == "true":
        assert on_postgres, "CI must run make serve on PostgreSQL"
        assert has_redis, "CI must run make serve on Redis"
    elif not (on_postgres and has_redis):
        pytest.skip("make serve needs DATABASE_URL (PostgreSQL) and REDIS_URL")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthz(port: int) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())
    except OSError:
        return 0, {}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    _services_or_skip()
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "PORT": str(port),
        "SECURE_SSL_REDIRECT": "false",
        # gunicorn faces the test client itself: no proxy headers to trust.
        "TRUST_PROXY_HEADERS": "false",
        "WORKERS": "1",
        "WEB_CONCURRENCY": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603
            [str(ROOT / "bin" / "serve")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield proc, port, log
    finally:
        try:
            leftovers = psutil.Process(proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            leftovers = []
        for child in leftovers:
            try:
                child.kill()
            except psutil.NoSuchProcess:
                continue
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=20)


def _wait_until_healthy(proc: subprocess.Popen[bytes], port: int, log: Path) -> dict[str, Any]:
    deadline = time.monotonic() + 180  # migrate + collectstatic + start-up on a busy machine
    status: int = 0
    body: dict[str, Any] = {}
    while time.monotonic() < deadline and proc.poll() is None:
        status, body = _healthz(port)
        if status == 200:
            return body
        time.sleep(1)
    raise AssertionError(f"never healthy: {status} {body}\n{log.read_text()[-4000:]}")


def _stopped_within(pids: list[int], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    alive = pids
    while time.monotonic() < deadline:
        alive = [pid for pid in pids if psutil.pid_exists(pid) and not _zombie(pid)]
        if not alive:
            return []
        time.sleep(0.25)
    return alive


def _zombie(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _celery_master(root: psutil.Process, what: str) -> psutil.Process:
    """The Celery process (not bin/respawn, not a pool child) whose command line has ``what``."""
    for process in root.children(recursive=True):
        try:
            line = " ".join(process.cmdline())
            parent = " ".join(process.parent().cmdline()) if process.parent() else ""
        except psutil.NoSuchProcess:
            continue  # it ended while we looked (a pool child, the killed worker)
        if "celery" in line and what in line and "respawn" not in line and "respawn" in parent:
            return process
    raise LookupError(what)


@pytest.mark.services
def test_serve_runs_every_part_restarts_a_killed_worker_and_sigterm_stops_all(served) -> None:
    proc, port, log = served
    body = _wait_until_healthy(proc, port, log)
    assert {k: body[k] for k in ("database", "broker", "worker", "beat")} == dict.fromkeys(
        ("database", "broker", "worker", "beat"), "ok"
    )
    assert body["details"]["worker"]["groups"] == ["exports", "reminders"]

    root = psutil.Process(proc.pid)
    killed = _celery_master(root, "--queues reminders")
    killed.kill()
    killed.wait(timeout=10)
    deadline = time.monotonic() + 120
    replacement = None
    while time.monotonic() < deadline and replacement is None:
        try:
            replacement = _celery_master(root, "--queues reminders")
        except LookupError:
            time.sleep(0.5)
    assert replacement is not None, log.read_text()[-3000:]
    assert replacement.pid != killed.pid
    assert proc.poll() is None  # the rest kept running
    body = _wait_until_healthy(proc, port, log)
    assert body["worker"] == "ok"
    assert "respawn: celery exited with status" in log.read_text()

    descendants = [p.pid for p in root.children(recursive=True)]
    # gunicorn master + worker, two Celery masters + their pool processes, beat, respawn wrappers.
    assert len(descendants) >= 6
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 143  # honcho: "stopped by SIGTERM"
    assert _stopped_within(descendants, 5) == []
    output = log.read_text()
    for name in ("web.1", "reminders.1", "exports.1", "beat.1"):
        assert f"{name} stopped" in output
    assert _healthz(port)[0] == 0  # nothing listens any more


@pytest.mark.services
def test_when_the_web_server_dies_serve_stops_the_rest_and_exits(served) -> None:
    proc, port, log = served
    _wait_until_healthy(proc, port, log)
    root = psutil.Process(proc.pid)
    descendants = [p.pid for p in root.children(recursive=True)]
    master = next(
        p
        for p in root.children(recursive=True)
        if "gunicorn" in " ".join(p.cmdline()) and "gunicorn" not in " ".join(p.parent().cmdline())
    )
    master.kill()
    assert proc.wait(timeout=30) != 0
    assert _stopped_within(descendants, 10) == []
