"""Scripted exports: ``manage.py export_incident INC-2025-0001 --format pdf --output report.pdf``.

With ``--user`` the export is permission-checked as that user (like the pages); without it the
command runs as the server operator. Every run is written to the export log (via "cli").
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from common.roles import Action
from exports.data import language_for, zone_for
from exports.errors import ExportUnavailable
from exports.models import ExportFormat, ExportVia
from exports.services import DRAFT_KINDS, export_log_record, export_render
from incidents.models import Incident
from incidents.permissions import incident_for

FORMATS = ["pdf", "xlsx", "csv", "json", "docx"]


class Command(BaseCommand):
    help = "Export one incident as PDF, XLSX, CSV, JSON or a DOCX filing draft."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference")
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument("--output", required=True, help="File to write.")
        parser.add_argument("--draft", choices=DRAFT_KINDS, help="Draft kind for --format docx.")
        parser.add_argument("--lang", choices=["ko", "en"], help="Report language (PDF).")
        parser.add_argument("--tz", help="Time zone for times shown (default: user's or site's).")
        parser.add_argument("--user", help="Export as this user, with their permissions.")

    def handle(self, *args: Any, **options: Any) -> None:
        fmt: str = options["format"]
        if fmt == "docx" and not options["draft"]:
            raise CommandError(f"--format docx needs --draft ({', '.join(DRAFT_KINDS)}).")
        user = None
        if options["user"]:
            model = get_user_model()
            user = model._default_manager.filter(
                **{model.USERNAME_FIELD: options["user"]}, is_active=True
            ).first()
            if user is None:
                raise CommandError(f"No active user {options['user']!r}.")
            try:
                incident = incident_for(user, reference=options["reference"], action=Action.EXPORT)
            except Http404 as exc:
                raise CommandError(
                    f"No incident {options['reference']} visible to that user."
                ) from exc
            except PermissionDenied as exc:
                raise CommandError("That user's role does not allow exports.") from exc
        else:
            found = Incident.objects.filter(reference=options["reference"]).first()
            if found is None:
                raise CommandError(f"No incident {options['reference']}.")
            incident = found
        try:
            tz = zone_for(user, options["tz"])
        except (ValueError, KeyError) as exc:
            raise CommandError(f"Unknown time zone {options['tz']!r}.") from exc
        language = language_for(user, options["lang"])
        output = Path(options["output"])
        if fmt == ExportFormat.CSV:
            # Streamed straight to the file: constant memory for any number of events.
            from exports.csv_export import csv_chunks

            size = 0
            with output.open("wb") as handle:
                for chunk in csv_chunks(incident, tz=tz):
                    handle.write(chunk)
                    size += len(chunk)
        else:
            try:
                rendered = export_render(
                    incident=incident,
                    fmt=fmt,
                    user=user,
                    tz=tz,
                    language=language,
                    draft=options["draft"] or "",
                )
            except (ExportUnavailable, ValidationError) as exc:
                raise CommandError(str(exc)) from exc
            output.write_bytes(rendered.data)
            size = len(rendered.data)
        export_log_record(
            user=user,
            incident=incident,
            fmt=fmt,
            via=ExportVia.CLI,
            size=size,
            variant=options["draft"] or (language if fmt == "pdf" else ""),
            username=f"cli:{getpass.getuser()}",
        )
        self.stdout.write(f"Wrote {output} ({size:,} bytes).")
