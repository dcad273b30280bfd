"""Restore an incident from a JSON full export: ``manage.py import_incident FILE``.

All or nothing. Users are matched by username; missing users are created inactive (they cannot
sign in until an admin activates them and sets a password).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exports.errors import ImportRejected
from exports.jsonio import import_json_bytes


class Command(BaseCommand):
    help = "Import an incident from a JSON full export into a database that does not have it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        try:
            incident, created = import_json_bytes(data)
        except ImportRejected as exc:
            raise CommandError(f"Nothing imported: {exc}") from exc
        self.stdout.write(f"Imported {incident.reference} ({incident.title}).")
        if created:
            self.stdout.write("Created inactive users: " + ", ".join(created))
