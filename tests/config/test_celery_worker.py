"""A real Celery worker process, on the configured broker (Redis in CI), runs a task end to end."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app

ROOT = Path(__file__).resolve().parents[2]


def test_ci_runs_against_redis() -> None:
    if os.environ.get("CI") == "true":
        assert settings.CELERY_BROKER_URL.startswith("redis://"), "CI must use the real Redis"
    else:
        assert settings.CELERY_BROKER_URL


@pytest.mark.services
def test_a_real_worker_runs_a_task_sent_through_the_broker() -> None:
    from incidents.tasks import worker_probe

    token = secrets.token_hex(8)
    target = Path(settings.VAR_DIR) / "probes" / token
    # Earlier tests that commit (live-server and transaction tests) leave real tasks on this
    # broker, e.g. a catalogue recomputation; this worker reads the non-test database, so it
    # must start from an empty queue and run only the probe.
    app.control.purge()
    worker = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--hostname",
            f"probe-{token}@%h",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        worker_probe.delay(token)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not target.exists():
            if worker.poll() is not None:
                break
            time.sleep(0.25)
        output = ""
        if not target.exists():
            worker.send_signal(signal.SIGTERM)
            output = worker.communicate(timeout=20)[0].decode(errors="replace")
        assert target.exists(), f"worker did not run the task:\n{output[-3000:]}"
        # /healthz's worker part: the same worker answers a ping broadcast over the broker.
        replies = app.control.ping(timeout=2)
        assert any(name.startswith(f"probe-{token}@") for reply in replies for name in reply)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        target.unlink(missing_ok=True)
