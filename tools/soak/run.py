"""The soak: the load test's mix against the production shape for N minutes, under faults.

``manage.py soak`` starts ``bin/serve`` (the shape of ``make serve``: gunicorn, a reminders worker
node under ``bin/respawn``, an exports node, one beat, all under honcho) on a port and a
redis-server of its own and the configured PostgreSQL database, or uses a running server
(``--host``). While Locust runs the mix (``tools.loadtest.runner``), it

- SIGKILLs the reminders worker node (the Celery main process, as the OOM killer would) on the
  schedule of ``fault_schedule`` and checks that ``bin/respawn`` starts a new one;
- kills and restarts its Redis once (the window from the kill until Redis answers again, plus a
  grace period, is the only time a 5xx is allowed);
- terminates every PostgreSQL connection to the configured database once;

and meanwhile reminders fall due (a fixture of the reminder fault harness whose creation notices
are spread over the run; e-mail to the outbox file backend). The verdict (``tools.soak.verdict``)
is judged on what left the system and what the database holds.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import psutil
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from incidents.models import Filing, TimelineEvent
from reminders.models import Reminder
from tools.faults.processes import ROOT, Proc, Redis, database_url, free_port
from tools.faults.scenarios import (
    Fixture,
    _terminate_connections,
    build_fixture,
    count_outputs,
    quiet,
)
from tools.loadtest.runner import LocustRun
from tools.loadtest.server import Sampler, server_root
from tools.soak.verdict import (
    Fault,
    Verdict,
    Window,
    acknowledged_writes,
    read_request_log,
    split_server_errors,
)

# Faster than production (sweep every 60 s) so that reminders falling due during a 5-minute run
# are sent during it; leases long enough that a slow batch under load is not taken for stuck.
TIMINGS = {
    "REMINDER_SWEEP_SECONDS": "5",
    "REMINDER_CLAIM_LEASE_SECONDS": "30",
    "REMINDER_SEND_LEASE_SECONDS": "30",
    "REMINDER_DISPATCH_LEASE_SECONDS": "30",
    "REMINDER_DIGEST_SECONDS": "86400",
    "REMINDER_BATCH_SIZE": "40",
}
KILL = "SIGKILL the reminders worker"
REDIS = "restart Redis"
POSTGRES = "terminate the PostgreSQL connections"


def default_kill_every(minutes: float) -> float:
    """5 minutes (the issue's 30-minute run); shorter runs get at least two kills."""
    return 5.0 if minutes >= 10 else minutes / 2.5


def fault_schedule(minutes: float, kill_every: float | None = None) -> list[tuple[float, str]]:
    """(seconds into the run, fault), in order: worker kills at every/2, every/2 + every, ...;
    Redis restarted once at 45 % of the run, PostgreSQL connections terminated once at 80 %."""
    every = default_kill_every(minutes) if kill_every is None else kill_every
    if every <= 0:
        raise ValueError("--kill-every must be positive")
    total = minutes * 60
    plan = []
    at = every * 60 / 2
    while at < total:
        plan.append((at, KILL))
        at += every * 60
    plan += [(0.45 * total, REDIS), (0.8 * total, POSTGRES)]
    return sorted(plan)


@dataclass
class Options:
    minutes: float = 5.0
    kill_every: float | None = None
    users: int = 16
    workers: int = 2
    deadlines: int = 200
    people: int = 5
    redis_grace: float = 5.0
    settle: float = 180.0
    host: str | None = None  # a running server instead of starting one
    redis_port: int | None = None  # its Redis, to restart (never the shared 6379)
    outbox: Path | None = None  # its outbox (EMAIL_BACKEND=tools.mail.OutboxFileBackend)


class ExternalRedis:
    """The Redis of a running server: stopped with SHUTDOWN NOSAVE, started again without
    persistence on the same port (daemonized). Refuses the shared default port."""

    def __init__(self, port: int) -> None:
        if port == 6379:
            raise ValueError("refusing to restart the Redis on 6379 (shared); use your own")
        self.port = port

    def _command(self, text: str) -> bytes:
        with socket.create_connection(("127.0.0.1", self.port), 1) as sock:
            sock.sendall(text.encode() + b"\r\n")
            return sock.recv(64)

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self._command("SHUTDOWN NOSAVE")

    def start(self) -> None:
        args = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        args += ["--appendonly", "no", "--daemonize", "yes"]
        subprocess.run(  # noqa: S603
            [shutil.which("redis-server") or "redis-server", *args],
            check=True,
            capture_output=True,
        )
        limit = time.monotonic() + 10
        while time.monotonic() < limit:
            with contextlib.suppress(OSError):
                if self._command("PING").startswith(b"+PONG"):
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not come back")


def server_env(*, port: int, redis_url: str, outbox: Path, workers: int) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CELERY_", "PYTEST_")) and k != "ENV_FILE"
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis_url,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "PORT": str(port),
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "TRUST_PROXY_HEADERS": "false",
            "WORKERS": str(workers),
            "EXPORT_WORKERS": "1",
            "EMAIL_BACKEND": "tools.mail.OutboxFileBackend",
            "EMAIL_FILE_PATH": str(outbox),
            **TIMINGS,
        }
    )
    return env


def healthz(port: int) -> int:
    try:
        # A fixed http://127.0.0.1 URL of the server this command started.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:  # nosec B310
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


def healthz_body(port: int) -> tuple[int, str]:
    """Status and the parts that are not ok (``{"worker": "unavailable"}``), for the verdict."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as answer:  # nosec B310
            return int(answer.status), ""
    except urllib.error.HTTPError as exc:
        try:
            body = json.loads(exc.read())
        except ValueError:
            return int(exc.code), ""
        parts = {k: v for k, v in body.items() if isinstance(v, str) and v != "ok"}
        parts.pop("status", None)
        return int(exc.code), json.dumps(parts, sort_keys=True)
    except OSError as exc:
        return 0, str(exc)


def reminders_master(root: psutil.Process) -> psutil.Process | None:
    """The reminders node's Celery main process (child of bin/respawn, not a pool child)."""
    for process in root.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            line = " ".join(process.cmdline())
            parent = process.parent()
            above = " ".join(parent.cmdline()) if parent else ""
            ours = "celery" in line and "reminders" in line and "worker" in line
            if ours and "respawn" not in line and "respawn" in above:
                return process
    return None


def kill_worker(root: psutil.Process, wait: float = 90) -> tuple[str, bool]:
    victim = reminders_master(root)
    if victim is None:
        return "no reminders worker found", False
    killed_at = time.monotonic()
    victim.send_signal(signal.SIGKILL)
    limit = killed_at + wait
    while time.monotonic() < limit:
        time.sleep(0.5)
        replacement = reminders_master(root)
        if replacement is not None and replacement.pid != victim.pid:
            return (
                f"pid {victim.pid} killed, bin/respawn started pid {replacement.pid} "
                f"{time.monotonic() - killed_at:.1f} s later"
            ), True
    return f"pid {victim.pid} killed, not replaced within {wait:.0f} s", False


def spread_reminders(fixture: Fixture, first: float, last: float) -> None:
    """Make the fixture's reminders fall due one after another between ``first`` and ``last``
    seconds from now."""
    now = timezone.now()
    reminders = list(Reminder.objects.filter(pk__in=fixture.reminder_ids).order_by("pk"))
    step = (last - first) / max(1, len(reminders) - 1)
    for i, reminder in enumerate(reminders):
        reminder.fire_at = now + timedelta(seconds=first + i * step)
    Reminder.objects.bulk_update(reminders, ["fire_at"], batch_size=500)


def missing_writes(writes: dict[str, set[str]]) -> dict[str, list[str]]:
    """The acknowledged writes that are not in the database."""
    lookups: dict[str, Callable[[list[str]], set[str]]] = {
        "event": lambda texts: set(
            TimelineEvent.objects.filter(title__in=texts).values_list("title", flat=True)
        ),
        "filing": lambda texts: set(
            Filing.objects.filter(notes__in=texts).values_list("notes", flat=True)
        ),
    }
    missing: dict[str, list[str]] = {}
    for kind, texts in writes.items():
        ordered = sorted(texts)
        found: set[str] = set()
        for start in range(0, len(ordered), 500):
            found |= lookups[kind](ordered[start : start + 500])
        missing[kind] = [text for text in ordered if text not in found]
    return missing


def _wait(condition: Callable[[], bool], timeout: float, step: float = 1.0) -> bool:
    limit = time.monotonic() + timeout
    while time.monotonic() < limit:
        if condition():
            return True
        time.sleep(step)
    return condition()


def run_soak(options: Options, work: Path, log: Callable[[str], None]) -> tuple[Verdict, str]:
    """Run the soak; return the verdict and Locust's report of the run."""
    work.mkdir(parents=True, exist_ok=True)
    outbox = options.outbox or work / "outbox"
    outbox.mkdir(parents=True, exist_ok=True)
    accounts = work / "accounts.json"
    request_log = work / "requests.jsonl"
    total = options.minutes * 60
    plan = fault_schedule(options.minutes, options.kill_every)
    server: Proc | None = None
    redis: Redis | ExternalRedis | None = None
    run: LocustRun | None = None
    try:
        if options.host:
            host = options.host.rstrip("/")
            port = int(host.rsplit(":", 1)[-1].split("/")[0])
            redis = ExternalRedis(options.redis_port) if options.redis_port else None
        else:
            port = free_port()
            host = f"http://127.0.0.1:{port}"
            redis = Redis(work)
            redis.start()
            env = server_env(port=port, redis_url=redis.url, outbox=outbox, workers=options.workers)
            server = Proc("serve", [str(ROOT / "bin" / "serve")], env, work).start()
            log(f"started make serve's shape on {host} (Redis {redis.url}; log {server.log_path})")
            if not _wait(lambda: healthz(port) == 200 or not server.alive(), 300, 2):
                raise RuntimeError(f"server never healthy; see {server.log_path}")
            if not server.alive():
                raise RuntimeError(f"server exited; see {server.log_path}")
        root = server_root(port)
        log(f"server healthy; preparing {options.users} accounts of each kind")
        call_command(
            "loadtest_accounts",
            officers=options.users,
            legal=options.users,
            api=options.users,
            output=accounts,
            stdout=io.StringIO(),
        )
        tag = f"soak{uuid.uuid4().hex[:6]}"
        with transaction.atomic():
            fixture = build_fixture(
                tag, deadlines=options.deadlines, people=options.people, receiver=None
            )
            spread_reminders(fixture, first=86400, last=86400)  # not due until spread below
        sampler = Sampler(root=root)
        sampler.start()
        run = LocustRun(
            host=host,
            users=options.users,
            run_time=f"{int(total)}s",
            accounts=accounts,
            prefix=work / "soak",
            request_log=request_log,
        )
        run.start()
        begin = time.monotonic()
        spread_reminders(fixture, first=min(15, total / 10), last=max(20, total - 45))
        log(
            f"load running for {options.minutes:g} min; {len(fixture.reminder_ids)} reminders "
            f"({len(fixture.expected_email) + len(fixture.expected_inapp)} messages) fall due "
            f"during it; faults at " + ", ".join(f"{at:.0f} s {name}" for at, name in plan)
        )
        faults: list[Fault] = []
        windows: list[Window] = []
        for at, name in plan:
            time.sleep(max(0.0, begin + at - time.monotonic()))
            if not run.running():
                faults.append(Fault(name, at, "load test ended early", False))
                continue
            if name == KILL:
                detail, ok = kill_worker(root)
            elif name == REDIS:
                if redis is None:
                    faults.append(Fault(name, at, "skipped: no --redis-port", False))
                    continue
                window_start = time.time()
                redis.kill()
                time.sleep(2)
                redis.start()
                windows.append(Window(window_start, time.time() + options.redis_grace))
                detail = (
                    f"killed, answering again after {time.time() - window_start:.1f} s "
                    f"(+{options.redis_grace:g} s grace)"
                )
                ok = True
            else:
                dropped = _terminate_connections()
                detail, ok = f"{dropped} connections to {connection.settings_dict['NAME']}", True
            log(f"  {time.monotonic() - begin:6.1f} s: {name}: {detail}")
            faults.append(Fault(name, time.monotonic() - begin, detail, ok))
        run.wait()
        sampler.stop()
        connection.close()
        log("load finished; waiting for the last reminders")

        def settled() -> bool:
            counts = count_outputs(fixture, outbox, None)
            counts.pop("webhook")
            return all(c.distinct >= c.expected for c in counts.values()) and quiet(fixture)

        _wait(settled, options.settle, 2)
        time.sleep(2)
        counts = count_outputs(fixture, outbox, None)
        counts.pop("webhook")
        requests = read_request_log(request_log)
        inside, outside = split_server_errors(requests, windows)
        writes = acknowledged_writes(requests)
        if server is not None:
            answers = []
            for _ in range(5):  # one per gunicorn process, roughly: they can differ
                answers.append(healthz_body(port))
                time.sleep(0.5)
            good = sum(1 for status, _body in answers if status == 200)
            failing = sorted({b for status, b in answers if status != 200})
            detail = f"{good}/5 /healthz answers 200" + (
                f"; other: {failing[0]}" if failing else ""
            )
            alive = server.alive() and good == 5
            faults.append(Fault("server up and healthy at the end", total, detail, alive))
        verdict = Verdict(
            minutes=options.minutes,
            requests=len(requests),
            faults=faults,
            windows=windows,
            errors_inside=inside,
            errors_outside=outside,
            writes={kind: len(texts) for kind, texts in writes.items()},
            missing=missing_writes(writes),
            reminders=counts,
            notes=[f"work files: {work}"],
        )
        heading = f"Soak: {options.users} users for {options.minutes:g} min against {host}"
        return verdict, run.render(heading, sampler)
    finally:
        if run is not None:
            run.stop()
        if server is not None:
            # honcho starts each process in a group of its own: whatever is still running
            # after it stopped (by process, checked to be the same one) is killed.
            leftovers = []
            with contextlib.suppress(psutil.Error):
                leftovers = psutil.Process(server.pid).children(recursive=True)
            server.stop()
            for process in leftovers:
                with contextlib.suppress(psutil.Error):
                    if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                        process.kill()
        if isinstance(redis, Redis):
            redis.stop()
