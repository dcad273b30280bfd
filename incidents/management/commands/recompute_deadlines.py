"""Recompute open deadlines after a catalogue or calendar change, and print what moved.

    python manage.py recompute_deadlines                       # every incident, every rule
    python manage.py recompute_deadlines --calendar US-EDGAR   # clocks counted on that calendar
    python manage.py recompute_deadlines --rule kr-pipa-report --incident INC-2025-0001 --dry-run

Each moved due time is recorded (old, new, why) like any recomputation; filed verdicts stay
frozen. ``--dry-run`` prints the same lines and keeps nothing. Exits 0.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from incidents.models import Incident
from incidents.recompute import open_deadlines_recompute
from incidents.triggers import REQUEST_CODE
from regulators.models import Calendar, Obligation


class Command(BaseCommand):
    help = "Recompute open deadlines (after a rule or calendar edit) and print what moved."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--incident", metavar="REF", help="only this incident")
        parser.add_argument("--rule", metavar="CODE", help="only clocks of this obligation")
        parser.add_argument("--calendar", metavar="CODE", help="only clocks counted on it")
        parser.add_argument("--dry-run", action="store_true", help="print, keep nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        reference, rule, calendar = options["incident"], options["rule"], options["calendar"]
        if reference and not Incident.objects.filter(reference=reference).exists():
            raise CommandError(f"Unknown incident {reference!r}.", returncode=2)
        if rule and rule != REQUEST_CODE and not Obligation.objects.filter(code=rule).exists():
            raise CommandError(f"Unknown rule code {rule!r}.", returncode=2)
        if calendar and not Calendar.objects.filter(code=calendar).exists():
            raise CommandError(f"Unknown calendar {calendar!r}.", returncode=2)
        what = ", ".join(
            f"{name} {value}"
            for name, value in (("rule", rule), ("calendar", calendar), ("incident", reference))
            if value
        )
        reason = f"recompute_deadlines ({what or 'all'})"
        moved = open_deadlines_recompute(
            reason=reason,
            rule=rule,
            calendar=calendar,
            reference=reference,
            dry_run=options["dry_run"],
        )
        for item in moved:
            # UTC for both, so that old and new read side by side.
            old = item.old_due.astimezone(UTC).isoformat() if item.old_due else "—"
            new = item.new_due.astimezone(UTC).isoformat() if item.new_due else "—"
            self.stdout.write(
                f"{item.reference} {item.code} ({item.entity}): {old} -> {new} "
                f"[{item.status}] why: {item.reason}"
            )
        verb = "would move" if options["dry_run"] else "moved"
        self.stdout.write(f"{len(moved)} deadline(s) {verb}.")
