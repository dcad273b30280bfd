"""Benchmark: 100,000 reminder deliveries falling due at once, sent by 2 worker processes.

Like ``reminder_faults`` it works in its own database (``<name>_reminder_bench``) unless
``--in-place``; it starts its own redis-server, workers and beat. The figure goes in
docs/performance.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tools.faults import ROOT, database_url, run_benchmark, workdir


class Command(BaseCommand):
    help = "Time 100,000 reminder deliveries due at once (needs PostgreSQL and redis-server)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--deadlines", type=int, default=2000)
        parser.add_argument("--people", type=int, default=25)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--in-place", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            url = database_url()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        if not options["in_place"]:
            name = f"{connection.settings_dict['NAME']}_reminder_bench"[:63]
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                cursor.execute(f'CREATE DATABASE "{name}"')
            env = {**os.environ, "DATABASE_URL": url.rsplit("/", 1)[0] + f"/{name}"}
            self.stdout.write(f"Benchmark database: {name} (migrating)")
            manage = [sys.executable, str(ROOT / "manage.py")]
            subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)  # noqa: S603
            command = [*manage, "bench_reminders", "--in-place"]
            for option in ("deadlines", "people", "workers"):
                command += [f"--{option}", str(options[option])]
            if subprocess.run(command, env=env, check=False).returncode:  # noqa: S603
                raise CommandError("benchmark failed")
            return
        with workdir() as work:
            result = run_benchmark(
                work=work,
                deadlines=options["deadlines"],
                people=options["people"],
                workers=options["workers"],
                log=lambda line: self.stdout.write(line),
            )
        self.stdout.write(result.line())
        if any(c.lost or c.duplicated for c in result.counts.values()):
            raise CommandError("lost or duplicated deliveries")
