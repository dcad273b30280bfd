"""The server's processes and what they use while the load runs (psutil).

The server is found from the port it listens on: the process holding the listening socket
(gunicorn), then up to its supervisor (the outermost honcho, from ``make serve``) when there is
one, and every process below that. Processes that start during the run (gunicorn recycling a worker after
``max_requests``, Celery replacing a pool process) are picked up at the next sample.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import psutil

ROLES = ("web", "worker (reminders)", "worker (exports)", "beat", "other")


def role_of(cmdline: list[str]) -> str:
    line = " ".join(cmdline)
    if "respawn" in line or "honcho" in line:
        return "other"  # the supervisors, not the work
    if "gunicorn" in line:
        return "web"
    if "celery" in line and " beat" in line:
        return "beat"
    if "celery" in line and "worker" in line:
        return "worker (exports)" if "exports" in line else "worker (reminders)"
    return "other"


def server_root(port: int) -> psutil.Process:
    """The supervisor (or gunicorn master) of the server listening on ``port``."""
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port:
            if conn.pid is None:
                break
            process = psutil.Process(conn.pid)
            # honcho wraps each process in a forked honcho of its own: take the outermost.
            supervisors = [p for p in process.parents() if "honcho" in " ".join(p.cmdline())]
            if supervisors:
                return supervisors[-1]
            while process.parent() is not None and "gunicorn" in " ".join(
                process.parent().cmdline()  # type: ignore[union-attr]
            ):
                process = process.parent()  # type: ignore[assignment]
            return process
    raise LookupError(f"no process listens on port {port} (is `make serve` running?)")


@dataclass
class Usage:
    cpu_seconds: float = 0.0
    peak_rss: int = 0
    processes: int = 0


@dataclass
class Sampler:
    """Samples the process tree under ``root`` every ``interval`` seconds in a thread."""

    root: psutil.Process
    interval: float = 1.0
    _first: dict[int, float] = field(default_factory=dict)
    _last: dict[int, tuple[str, float]] = field(default_factory=dict)
    _rss: dict[str, int] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    started: float = 0.0
    stopped: float = 0.0

    def _tree(self) -> list[psutil.Process]:
        try:
            return [self.root, *self.root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def sample(self) -> None:
        rss: dict[str, int] = dict.fromkeys(ROLES, 0)
        for process in self._tree():
            try:
                with process.oneshot():
                    role = role_of(process.cmdline())
                    times = process.cpu_times()
                    used = times.user + times.system
                    rss[role] += process.memory_info().rss
            except psutil.Error:
                continue
            if process.pid not in self._first:
                # Born during the run: all of its CPU time belongs to the run.
                self._first[process.pid] = used if self.started == 0.0 else 0.0
            self._last[process.pid] = (role, used)
        for role, value in rss.items():
            self._rss[role] = max(self._rss.get(role, 0), value)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def start(self) -> None:
        self.sample()
        self.started = time.monotonic()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.sample()
        self.stopped = time.monotonic()

    def usage(self) -> dict[str, Usage]:
        result = {role: Usage() for role in ROLES}
        for pid, (role, used) in self._last.items():
            result[role].cpu_seconds += max(0.0, used - self._first.get(pid, 0.0))
            result[role].processes += 1
        for role, peak in self._rss.items():
            result[role].peak_rss = peak
        return {role: usage for role, usage in result.items() if usage.processes}

    @property
    def seconds(self) -> float:
        return max(1e-9, self.stopped - self.started)
