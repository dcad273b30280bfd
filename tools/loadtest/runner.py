"""Running the Locust mix headless against a server, and reading what it measured.

Shared by ``manage.py load_test`` (one run, printed) and ``manage.py soak`` (the same mix while
faults are injected). Locust runs in a subprocess (it monkey-patches the standard library with
gevent); its CSV files are written under ``prefix``, its output to ``<prefix>_locust.log``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from tools.loadtest import report
from tools.loadtest.server import Sampler

ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = ROOT / "tools" / "loadtest" / "locustfile.py"


class LocustDidNotRun(RuntimeError):
    pass


@dataclass
class LocustRun:
    """One headless Locust run of tools/loadtest/locustfile.py."""

    host: str
    users: int
    run_time: str
    accounts: Path
    prefix: Path
    spawn_rate: float = 4.0
    # Multiplies every user's think time (locustfile.py): 1 the realistic mix, 0 a closed loop
    # (whose statistics start once every user has signed in: locustfile.StartLine).
    think_time: float = 1.0
    request_log: Path | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    started: float = 0.0
    finished: float = 0.0

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--host",
            self.host,
            "--users",
            str(self.users),
            "--spawn-rate",
            str(self.spawn_rate),
            "--run-time",
            self.run_time,
            "--csv",
            str(self.prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--stop-timeout",
            "10",
        ]

    @property
    def log_path(self) -> Path:
        return Path(f"{self.prefix}_locust.log")

    def start(self) -> None:
        env = {
            **os.environ,
            "LOADTEST_ACCOUNTS": str(self.accounts),
            "LOADTEST_THINK_TIME": repr(self.think_time),
        }
        if self.request_log is not None:
            env["LOADTEST_REQUEST_LOG"] = str(self.request_log)
        Path(f"{self.prefix}_stats.csv").unlink(missing_ok=True)
        self.started = time.monotonic()
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 (this interpreter, our locustfile)
                self.command(), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait(self) -> int:
        if self.process is None:
            raise LocustDidNotRun("start() first")
        code = self.process.wait()
        self.finished = time.monotonic()
        return code

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.wait()

    def rows(self) -> list[report.Row]:
        if not Path(f"{self.prefix}_stats.csv").exists():
            tail = (
                self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else ""
            )
            raise LocustDidNotRun(f"locust did not run:\n{tail}")
        return report.read_stats(self.prefix)

    def failures(self) -> list[tuple[str, str, int]]:
        return report.read_failures(self.prefix)

    def render(self, heading: str, sampler: Sampler) -> str:
        """Locust's per-type figures plus the server's CPU and memory (``report.render``)."""
        return report.render(
            heading=f"{heading} ({self.finished - self.started:.0f} s wall)",
            rows=self.rows(),
            failures=self.failures(),
            usage=sampler.usage(),
            seconds=sampler.seconds,
            cores=len(os.sched_getaffinity(0)),
            load_average=psutil.getloadavg(),
        )
