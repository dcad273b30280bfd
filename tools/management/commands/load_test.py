"""The HTTP load test, headless, against a running server (`make serve`): one command.

    manage.py load_test [--host http://127.0.0.1:8000] [--users 16] [--spawn-rate 4]
                        [--run-time 60s] [--think-time 1] [--no-accounts]

Prepares the accounts (``loadtest_accounts``, as many of each kind as --users), runs Locust
(``tools/loadtest/locustfile.py``) headless in a subprocess, samples the server's processes
(found by the port of --host) every second, and prints throughput, p50/p95/p99 per request type,
errors, and the CPU and peak memory of the web, the workers and beat (tools/loadtest/runner.py,
shared with ``manage.py soak``). ``--think-time`` scales every user's pause between actions:
1 (the default, used by the soak) is the realistic mix, whose think time caps 16 users at ~5
requests/s; 0 is the throughput test, a closed loop where each user sends its next request as
soon as the previous one is answered, with the same tasks and weights, and statistics counted
from the moment every user has signed in. Locust's CSV files stay in var/loadtest/. Run it with the
server's DATABASE_URL and development settings (the tools app is not installed in production;
`make load-test` does both). Exit status 1 if any request failed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from incidents.models import Incident, TimelineEvent
from tools.loadtest.runner import LocustDidNotRun, LocustRun
from tools.loadtest.server import Sampler, server_root


def pacing(think_time: float) -> str:
    """How the users are paced, for the report's heading."""
    if think_time == 0:
        return "closed loop (no think time; statistics from the moment all users had signed in)"
    if think_time == 1:
        return "realistic think time"
    return f"think time x{think_time:g}"


class Command(BaseCommand):
    help = "Run the HTTP load mix against a running server; print per-type latency and server use."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.SITE_URL)
        parser.add_argument("--users", type=int, default=16)
        parser.add_argument("--spawn-rate", type=float, default=4.0)
        parser.add_argument("--run-time", default="60s")
        parser.add_argument(
            "--think-time",
            type=float,
            default=1.0,
            metavar="SCALE",
            help=(
                "multiply each user's think time by this (default 1: officers wait 2-6 s between "
                "actions, legal 5-15 s, API clients 1-3 s); 0: closed loop, each user sends its "
                "next request as soon as the previous one is answered (throughput; statistics "
                "start once every user has signed in)"
            ),
        )
        parser.add_argument(
            "--no-accounts", action="store_true", help="reuse the existing accounts file"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        work = Path(settings.VAR_DIR) / "loadtest"
        work.mkdir(parents=True, exist_ok=True)
        accounts = work / "accounts.json"
        users = options["users"]
        if users < 1:
            raise CommandError("--users must be at least 1")
        think_time = options["think_time"]
        if not think_time >= 0:  # also refuses NaN
            raise CommandError("--think-time must be at least 0")
        host = options["host"].rstrip("/")
        port = urlsplit(host).port or (443 if host.startswith("https") else 80)
        try:
            sampler = Sampler(root=server_root(port))
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        if not options["no_accounts"]:
            call_command(
                "loadtest_accounts",
                officers=users,
                legal=users,
                api=users,
                output=accounts,
                stdout=self.stdout,
            )

        run = LocustRun(
            host=host,
            users=users,
            run_time=options["run_time"],
            accounts=accounts,
            prefix=work / "run",
            spawn_rate=options["spawn_rate"],
            think_time=think_time,
        )
        sampler.start()
        run.start()
        run.wait()
        sampler.stop()
        try:
            rows = run.rows()
        except LocustDidNotRun as exc:
            raise CommandError(str(exc)) from exc
        heading = (
            f"Load test: {users} users for {options['run_time']} against {host}, "
            f"{pacing(think_time)}; data: {Incident.objects.count():,} incidents, "
            f"{TimelineEvent.objects.count():,} events"
        )
        self.stdout.write(run.render(heading, sampler))
        if any(row.failures for row in rows):
            raise CommandError("some requests failed (see errors above)")
