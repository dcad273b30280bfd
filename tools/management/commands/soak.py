"""Soak under faults: the load test's mix against the production shape, with workers SIGKILLed,
Redis restarted and PostgreSQL connections terminated; prints the verdict (exit 1 on failure).

    manage.py soak [--minutes 5] [--kill-every MIN] [--users 16] [--workers 2]
                   [--deadlines 200] [--people 5] [--redis-grace 5]
                   [--host URL --redis-port N --outbox DIR]

Without ``--host`` it starts ``bin/serve`` itself (port, redis-server and outbox of its own; the
configured DATABASE_URL, which must hold the load data: use a database of your own, the soak adds
reminders, accounts and records to it). With ``--host`` it soaks a running server; give its
Redis port (not 6379) to restart and its outbox directory (EMAIL_BACKEND
``tools.mail.OutboxFileBackend``). Work files (Locust CSVs, request log, server log) go to
var/soak/<time>/. The issue's full run: ``--minutes 30`` (a worker killed every 5 minutes).
Details: tools/soak/run.py, docs/performance.md ("Soak under faults").
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tools.faults import database_url
from tools.soak.run import Options, default_kill_every, fault_schedule, run_soak


class Command(BaseCommand):
    help = "Run the load mix against the production shape under faults; print the verdict."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--minutes", type=float, default=5.0)
        parser.add_argument(
            "--kill-every",
            type=float,
            default=None,
            help="minutes between worker kills (default 5; minutes/2.5 for runs under 10 min)",
        )
        parser.add_argument("--users", type=int, default=16)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--deadlines", type=int, default=200)
        parser.add_argument("--people", type=int, default=5)
        parser.add_argument("--redis-grace", type=float, default=5.0)
        parser.add_argument("--settle", type=float, default=180.0)
        parser.add_argument("--host", default=None)
        parser.add_argument("--redis-port", type=int, default=None)
        parser.add_argument("--outbox", type=Path, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            database_url()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        if options["minutes"] <= 0 or options["users"] < 1:
            raise CommandError("--minutes and --users must be positive")
        if options["host"] and not options["outbox"]:
            raise CommandError("--host needs --outbox (the running server's e-mail outbox)")
        if options["redis_port"] == 6379:
            raise CommandError("refusing to restart the Redis on 6379 (shared); use your own")
        try:
            fault_schedule(options["minutes"], options["kill_every"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        soak = Options(
            minutes=options["minutes"],
            kill_every=options["kill_every"] or default_kill_every(options["minutes"]),
            users=options["users"],
            workers=options["workers"],
            deadlines=options["deadlines"],
            people=options["people"],
            redis_grace=options["redis_grace"],
            settle=options["settle"],
            host=options["host"],
            redis_port=options["redis_port"],
            outbox=options["outbox"],
        )
        work = Path(settings.VAR_DIR) / "soak" / time.strftime("%Y%m%d-%H%M%S")
        verdict, summary = run_soak(soak, work, lambda line: self.stdout.write(line))
        self.stdout.write(summary)
        self.stdout.write("")
        self.stdout.write("\n".join(verdict.lines()))
        if not verdict.ok:
            raise CommandError("the soak failed (see the verdict above)")
