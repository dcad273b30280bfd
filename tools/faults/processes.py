"""Processes and fixtures of the reminder fault harness: a webhook receiver, worker/beat/Redis
processes and the cluster that runs them. The scenarios are in ``tools.faults.scenarios``."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from django.db import connection

from reminders.channels import verify_signature

ROOT = Path(__file__).resolve().parents[2]
HARNESS_CODE = "reminder-harness"
SCENARIOS = {
    "a": "SIGKILL a worker mid-batch, then restart it",
    "b": "restart Redis during a sweep",
    "c": "two beat schedulers at once",
    "d": "drop the database connections during a send",
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url() -> str:
    """The URL of the database this process uses, for the child processes."""
    conf = connection.settings_dict
    if conf["ENGINE"] != "django.db.backends.postgresql":
        raise RuntimeError("the fault harness needs PostgreSQL (set DATABASE_URL)")
    user = quote(conf.get("USER") or "", safe="")
    password = quote(conf.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = conf.get("HOST") or "127.0.0.1"
    port = conf.get("PORT") or "5432"
    return f"postgres://{auth}{host}:{port}/{conf['NAME']}"


# -- the webhook receiver ------------------------------------------------------------------------


class Receiver:
    """A local Slack-style webhook receiver that records every hit and answers status queries."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.hits: list[dict[str, Any]] = []
        self.bad_signatures = 0
        self.lock = threading.Lock()
        self.on_hit: Callable[[int, int], None] | None = None  # (hit number, client port)
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                ok = verify_signature(
                    receiver.secret,
                    self.headers.get("X-Incident-Clock-Timestamp", ""),
                    body,
                    self.headers.get("X-Incident-Clock-Signature", ""),
                )
                if not ok:
                    with receiver.lock:
                        receiver.bad_signatures += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                payload = json.loads(body)
                with receiver.lock:
                    receiver.hits.append(
                        {
                            "delivery": self.headers.get("X-Incident-Clock-Delivery"),
                            "reminder": payload.get("reminder", {}).get("id"),
                            "text": payload.get("text"),
                        }
                    )
                    number = len(receiver.hits)
                if receiver.on_hit is not None:
                    # Called after the hit is recorded and before the answer: a kill here lands
                    # exactly where the sender cannot know whether its message arrived.
                    receiver.on_hit(number, self.client_address[1])
                if receiver.delay:
                    time.sleep(receiver.delay)
                with contextlib.suppress(OSError):
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(b"ok")

            def do_GET(self) -> None:
                query = parse_qs(urlsplit(self.path).query)
                wanted = (query.get("delivery") or [""])[0]
                with receiver.lock:
                    seen = any(hit["delivery"] == wanted for hit in receiver.hits)
                self.send_response(200 if seen else 404)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- processes -----------------------------------------------------------------------------------


def socket_inode(port: int) -> str | None:
    """The inode of the local TCP socket on ``port`` (the client side of a connection)."""
    wanted = f":{port:04X}"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                parts = line.split()
                if parts[1].endswith(wanted):
                    return parts[9]
    return None


def owns_socket(pid: int, inode: str) -> bool:
    target = f"socket:[{inode}]"
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                if str(fd.readlink()) == target:
                    return True
    return False


class Proc:
    """A child process in its own session, so that it (and only it) can be killed as a group."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.args = args
        self.env = env
        self.log_path = log_dir / f"{name}.log"
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> Proc:
        log = self.log_path.open("ab")
        self.popen = subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
            self.args,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        return self

    @property
    def pid(self) -> int:
        return self.popen.pid if self.popen else -1

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()


class Redis:
    def __init__(self, work: Path) -> None:
        self.port = free_port()
        self.work = work
        self.proc: Proc | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        args = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.work),
        ]
        self.proc = Proc(f"redis-{self.port}", args, dict(os.environ), self.work).start()
        limit = time.monotonic() + 10
        while time.monotonic() < limit:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), 0.2) as s,
            ):
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.proc:
            self.proc.kill()

    def stop(self) -> None:
        if self.proc:
            self.proc.stop()


@dataclass
class Cluster:
    """The workers and beats of one scenario, all talking to the harness's own Redis."""

    work: Path
    redis: Redis
    timings: dict[str, str]
    procs: list[Proc] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "CELERY_", "PYTEST_"))
        }
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings.harness",
                "DATABASE_URL": database_url(),
                "REDIS_URL": self.redis.url,
                "EMAIL_FILE_PATH": str(self.work / "outbox"),
                "SITE_URL": "http://127.0.0.1:8000",
                "CONN_MAX_AGE": "60",
                **self.timings,
            }
        )
        return env

    def worker(self, name: str) -> Proc:
        args = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
            "--hostname",
            f"{name}-{uuid.uuid4().hex[:6]}@%h",
        ]
        proc = Proc(name, args, self.env(), self.work).start()
        self.procs.append(proc)
        return proc

    def beat(self, name: str) -> Proc:
        args = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "beat",
            "--loglevel=WARNING",
            "-s",
            str(self.work / f"{name}-schedule"),
        ]
        proc = Proc(name, args, self.env(), self.work).start()
        self.procs.append(proc)
        return proc

    def restart(self, proc: Proc) -> None:
        proc.kill()
        proc.start()

    def stop(self) -> None:
        for proc in self.procs:
            proc.stop()


# -- fixture and counting ------------------------------------------------------------------------
