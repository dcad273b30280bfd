"""What-if from the command line: when is it due, and why.

    python manage.py deadline us-sec-8k-1-05 2025-11-18T10:00-05:00
    python manage.py deadline --offset 3bd --calendar KR --tz Asia/Seoul 2025-10-02T10:00+09:00 --json

Bad input prints one line on stderr and exits with status 2; no tracebacks.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from regulators.engine.calendars import BusinessCalendar
from regulators.engine.rules import (
    DeadlineResult,
    RuleSpec,
    Trigger,
    adhoc_rule,
    compute_for_versions,
    parse_offset,
    zone,
)
from regulators.models import Calendar, Obligation


def parse_instant(text: str, name: str = "trigger") -> datetime:
    """ISO 8601 with a UTC offset; anything else is refused with a clear message."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(
            f"{name}: {text!r} is not an ISO 8601 time (e.g. 2025-11-18T22:52+09:00).",
            returncode=2,
        ) from exc
    if value.tzinfo is None or value.utcoffset() is None:
        raise CommandError(
            f"{name}: {text!r} has no UTC offset; add one, e.g. {text}+09:00.", returncode=2
        )
    return value


def calendar_for(code: str | None) -> BusinessCalendar | None:
    if not code:
        return None
    try:
        return Calendar.engine_for(code)
    except ValueError as exc:
        known = ", ".join(sorted(Calendar.objects.values_list("code", flat=True))) or "KR, US-EDGAR"
        raise CommandError(f"Unknown calendar {code!r}; known: {known}.", returncode=2) from exc


class Command(BaseCommand):
    help = "Compute a legal deadline (rule code or ad hoc offset) with its explanation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("args", nargs="+", metavar="[CODE] TRIGGER")
        parser.add_argument("--offset", help="ad hoc period: 48h, 7cd, 5bd or 1mo")
        parser.add_argument("--calendar", help="calendar code for business days (KR, US-EDGAR)")
        parser.add_argument(
            "--tz",
            default=settings.TIME_ZONE,
            help="reference time zone (ad hoc; default TIME_ZONE)",
        )
        parser.add_argument("--roll-forward", action="store_true", help="Civil Act Art. 161")
        parser.add_argument("--awareness", help="awareness time (second clock of eu-dora-initial)")
        parser.add_argument(
            "--entity-tz", help="the obliged entity's own time zone (rules counting its days)"
        )
        parser.add_argument(
            "--dora-relief",
            choices=["eligible", "excluded"],
            help="DORA weekend relief (RTS 2025/301 Art. 5(5)); omitted = unknown",
        )
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args: str, **options: Any) -> None:
        try:
            self._handle(*args, **options)
        except DatabaseError as exc:
            raise CommandError(
                f"The database is not ready ({exc.__class__.__name__}); run migrate and "
                "load_catalogue first.",
                returncode=2,
            ) from exc

    def _handle(self, *args: str, **options: Any) -> None:
        offset: str | None = options["offset"]
        if offset:
            if len(args) != 1:
                raise CommandError("With --offset give only the trigger time.", returncode=2)
            trigger_text = args[0]
            versions, calendar = self._adhoc(offset, options)
        else:
            if len(args) != 2:
                raise CommandError("Give a rule code and a trigger time.", returncode=2)
            code, trigger_text = args
            parse_instant(trigger_text)  # refuse a bad time before touching the database
            rows = list(Obligation.objects.filter(code=code).select_related("calendar"))
            if not rows:
                raise CommandError(f"Unknown rule code {code!r}.", returncode=2)
            versions = [row.to_spec() for row in rows]
            calendar = calendar_for(versions[0].calendar_code)
        trigger = Trigger(at=parse_instant(trigger_text))
        awareness = None
        if options["awareness"]:
            awareness = Trigger(at=parse_instant(options["awareness"], "awareness"))
        entity_tz = options.get("entity_tz")
        if entity_tz:
            try:
                zone(entity_tz)
            except ValueError as exc:
                raise CommandError(str(exc), returncode=2) from exc
        relief = options.get("dora_relief")
        result = compute_for_versions(
            versions,
            trigger,
            calendar=calendar,
            awareness=awareness,
            entity_tz=entity_tz or None,
            relief_excluded=None if relief is None else relief == "excluded",
        )
        self._print(result, options["as_json"])

    def _adhoc(self, offset: str, options: dict[str, Any]) -> tuple[list[RuleSpec], Any]:
        try:
            amount, unit = parse_offset(offset)
        except ValueError as exc:
            raise CommandError(f"--offset: {exc}", returncode=2) from exc
        try:
            zone(options["tz"])
        except Exception as exc:  # zoneinfo raises several kinds for bad keys
            raise CommandError(f"Unknown time zone {options['tz']!r}.", returncode=2) from exc
        calendar = calendar_for(options["calendar"])
        spec = adhoc_rule(
            amount,
            unit,
            calendar_code=options["calendar"],
            reference_tz=options["tz"],
            roll_forward=options["roll_forward"],
        )
        return [spec], calendar

    def _print(self, result: DeadlineResult, as_json: bool) -> None:
        if as_json:
            data = result.to_dict()
            self.stdout.write(
                json.dumps(
                    {
                        "code": data["code"],
                        "due_at": data["due_at"],
                        "explanation": data["explanation"],
                        "version": data.get("version"),
                        "without_delay": data.get("without_delay"),
                        "not_in_force": data.get("not_in_force"),
                        "internal_target_at": data.get("internal_target_at"),
                    },
                    ensure_ascii=False,
                )
            )
            return
        due = result.due_at.isoformat() if result.due_at else "—"
        self.stdout.write(f"{result.code}: due {due}")
        for step in result.explanation:
            self.stdout.write(f"  {step.en}")
            self.stdout.write(f"  {step.ko}")
