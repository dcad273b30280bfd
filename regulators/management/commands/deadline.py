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
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from regulators.computation import deadline_compute
from regulators.engine.rules import DeadlineResult, zone
from regulators.models import Calendar


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


def _one_line(exc: ValidationError) -> str:
    """``--offset: ...`` / ``calendar: ...``: the option name, then the service's message."""
    if not hasattr(exc, "error_dict"):
        return "; ".join(exc.messages)
    parts = []
    for field, errors in exc.error_dict.items():
        name = {"offset": "--offset", "calendar": "--calendar", "tz": "--tz"}.get(field, field)
        text = "; ".join(str(m) for e in errors for m in e.messages)
        if field == "calendar":
            known = ", ".join(sorted(Calendar.objects.values_list("code", flat=True)))
            text = f"{text} Known: {known or 'KR, US-EDGAR'}."
        parts.append(f"{name}: {text}")
    return " ".join(parts)


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
            (trigger_text,) = args
            rule: dict[str, Any] = {
                "offset": offset,
                "calendar": options["calendar"] or "",
                "tz": options["tz"],
                "roll_forward": options["roll_forward"],
            }
        else:
            if len(args) != 2:
                raise CommandError("Give a rule code and a trigger time.", returncode=2)
            code, trigger_text = args
            rule = {"code": code}
        trigger_at = parse_instant(trigger_text)  # refuse a bad time before the database
        awareness_at = None
        if options["awareness"]:
            awareness_at = parse_instant(options["awareness"], "awareness")
        entity_tz = options.get("entity_tz") or None
        if entity_tz:
            try:
                zone(entity_tz)
            except ValueError as exc:
                raise CommandError(f"--entity-tz: {exc}", returncode=2) from exc
        relief = options.get("dora_relief")
        try:
            computed = deadline_compute(
                trigger_at=trigger_at,
                awareness_at=awareness_at,
                entity_tz=entity_tz,
                relief_excluded=None if relief is None else relief == "excluded",
                **rule,
            )
        except ValidationError as exc:
            raise CommandError(_one_line(exc), returncode=2) from exc
        self._print(computed.result, options["as_json"])

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
