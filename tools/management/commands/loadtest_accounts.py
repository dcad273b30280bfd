"""Create or refresh the HTTP load-test accounts (tools/loadtest/accounts.py) and write their file.

    manage.py loadtest_accounts [--officers 16] [--legal 16] [--api 16] [--incidents-each 20]
                                [--output var/loadtest/accounts.json] [--remove]

Run against the database the server uses (same DATABASE_URL). ``manage.py load_test`` runs this
first; ``--remove`` deletes the accounts again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tools.loadtest.accounts import loadtest_accounts_prepare, loadtest_accounts_remove


def default_output() -> Path:
    return Path(settings.VAR_DIR) / "loadtest" / "accounts.json"


class Command(BaseCommand):
    help = "Create the load-test accounts (officers, legal with TOTP, API tokens)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--officers", type=int, default=16)
        parser.add_argument("--legal", type=int, default=16)
        parser.add_argument("--api", type=int, default=16)
        parser.add_argument("--incidents-each", type=int, default=20)
        parser.add_argument("--output", type=Path, default=None)
        parser.add_argument("--remove", action="store_true", help="delete the accounts instead")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["remove"]:
            self.stdout.write(f"removed {loadtest_accounts_remove()} rows")
            return
        for name in ("officers", "legal", "api", "incidents_each"):
            if options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} must be at least 1")
        output = options["output"] or default_output()
        try:
            data = loadtest_accounts_prepare(
                officers=options["officers"],
                legal=options["legal"],
                api=options["api"],
                incidents_each=options["incidents_each"],
                output=output,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{len(data['officers'])} officers, {len(data['legal'])} legal, "
            f"{len(data['api'])} API clients, each a member of "
            f"{len(data['officers'][0]['incidents'])} incidents; written to {output}"
        )
