"""Run the reminder fault scenarios with real processes; one line per scenario.

By default the harness works in its own database (``<configured name>_reminder_faults`` on the
configured PostgreSQL server, created fresh and migrated), so that the workers it starts never
touch the reminders of a running installation. ``--in-place`` uses the configured database as it
is (the test suite does, on its throw-away test database).
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tools.faults import ROOT, SCENARIOS, database_url, run_scenarios


class Command(BaseCommand):
    help = "Prove exactly-once reminder delivery under faults (needs PostgreSQL and redis-server)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--scenario", action="append", choices=sorted(SCENARIOS), help="default: all four"
        )
        parser.add_argument("--deadlines", type=int, default=200)
        parser.add_argument("--people", type=int, default=5)
        parser.add_argument(
            "--tasks",
            type=int,
            default=None,
            help="action items with a due task reminder (default: a quarter of --deadlines)",
        )
        parser.add_argument("--in-place", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        names = options["scenario"] or sorted(SCENARIOS)
        try:
            url = database_url()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        if not options["in_place"]:
            self._run_in_own_database(url, names, options)
            return
        results = run_scenarios(
            names,
            deadlines=options["deadlines"],
            people=options["people"],
            tasks=options["tasks"],
            log=lambda line: self.stdout.write(line),
        )
        if not all(r.ok for r in results):
            raise CommandError("a scenario lost or duplicated a message")

    def _run_in_own_database(self, url: str, names: list[str], options: dict[str, Any]) -> None:
        name = f"{connection.settings_dict['NAME']}_reminder_faults"[:63]
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        own = url.rsplit("/", 1)[0] + f"/{name}"
        env = {**os.environ, "DATABASE_URL": own}
        self.stdout.write(f"Fault harness database: {name} (migrating)")
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)  # noqa: S603
        command = [*manage, "reminder_faults", "--in-place"]
        command += ["--deadlines", str(options["deadlines"]), "--people", str(options["people"])]
        if options["tasks"] is not None:
            command += ["--tasks", str(options["tasks"])]
        for scenario in names:
            command += ["--scenario", scenario]
        completed = subprocess.run(command, env=env, check=False)  # noqa: S603
        if completed.returncode:
            raise CommandError("a scenario lost or duplicated a message")
