"""bin/respawn: starts a Celery worker or beat again when it dies on its own, lets a stop reach the
command exactly once, and gives up on a command that keeps dying (so honcho stops the whole
shape)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
RESPAWN = str(ROOT / "bin" / "respawn")

# A command that records each SIGTERM it receives, then exits 0 half a second after the first.
COUNTER = """
import signal, sys, time
path = sys.argv[1]
def on_term(signum, frame):
    with open(path, "a") as f:
        f.write("TERM\\n")
    time.sleep(0.5)
    sys.exit(0)
signal.signal(signal.SIGTERM, on_term)
open(path + ".started", "a").write("x\\n")
while True:
    time.sleep(0.1)
"""


def _start(*command: str, **env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603
        [RESPAWN, *command],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _child(proc: subprocess.Popen[bytes], timeout: float = 10) -> psutil.Process:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = psutil.Process(proc.pid).children()
        if children:
            return children[0]
        time.sleep(0.05)
    raise AssertionError("respawn started nothing")


def _wait_for(path: Path, lines: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and len(path.read_text().splitlines()) >= lines:
            return
        time.sleep(0.05)
    raise AssertionError(f"{path} has fewer than {lines} lines")


def test_a_command_killed_from_outside_is_started_again(tmp_path: Path) -> None:
    proc = _start("sleep", "60", RESPAWN_DELAY="0.1")
    try:
        first = _child(proc)
        first.kill()
        deadline = time.monotonic() + 10
        second = first
        while second.pid == first.pid and time.monotonic() < deadline:
            time.sleep(0.05)
            second = _child(proc)
        assert second.pid != first.pid
        assert proc.poll() is None
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def test_a_command_that_keeps_dying_is_given_up_with_its_status() -> None:
    proc = _start(
        sys.executable, "-c", "raise SystemExit(3)", RESPAWN_DELAY="0.05", RESPAWN_LIMIT="3"
    )
    assert proc.wait(timeout=60) == 3
    output = proc.stdout.read().decode() if proc.stdout else ""
    assert output.count("starting it again") == 2
    assert "died 3 times within 60 s (last status 3); giving up" in output


def test_a_stop_for_the_whole_group_reaches_the_command_once(tmp_path: Path) -> None:
    marks = tmp_path / "terms"
    proc = _start(sys.executable, "-c", COUNTER, str(marks))
    _wait_for(Path(f"{marks}.started"), 1)
    os.killpg(proc.pid, signal.SIGTERM)  # what honcho does
    started = time.monotonic()
    assert proc.wait(timeout=20) == 0  # the command's own status
    assert time.monotonic() - started < 5  # did not sit out the grace period
    assert marks.read_text() == "TERM\n"  # and no second signal


def test_a_stop_for_respawn_alone_is_passed_on_to_the_command(tmp_path: Path) -> None:
    marks = tmp_path / "terms"
    proc = _start(sys.executable, "-c", COUNTER, str(marks), RESPAWN_STOP_GRACE="1")
    _wait_for(Path(f"{marks}.started"), 1)
    proc.send_signal(signal.SIGTERM)  # respawn alone: passed on after the grace period
    assert proc.wait(timeout=20) == 0
    assert marks.read_text() == "TERM\n"
    assert Path(f"{marks}.started").read_text() == "x\n"  # stopped, not started again
