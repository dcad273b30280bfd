"""Load (or refresh) the shipped rule catalogue and calendars. Idempotent.

Rows are matched by (code, version). An existing row is left alone unless --update is given, so
that an admin's edits survive `make run`; new codes and versions are always added.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from regulators.engine.calendars import builtin_calendar
from regulators.engine.catalogue import CATALOGUE, regulators
from regulators.models import Calendar, CalendarClosure, Obligation, Regulator

CALENDARS = [
    ("KR", "Korea public holidays (관공서의 공휴일)", "KR"),
    ("US-EDGAR", "US federal holidays and EDGAR closures", "US"),
    ("WEEKENDS", "Weekends only", ""),
]


class Command(BaseCommand):
    help = "Load the regulators, the rule catalogue and the KR / US-EDGAR calendars."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--update", action="store_true", help="Overwrite existing rows with the shipped data."
        )

    @transaction.atomic
    def handle(self, *args: Any, update: bool = False, **options: Any) -> None:
        for code, name_en, name_ko, country, website, channel in regulators():
            regulator_defaults: dict[str, Any] = {
                "name_en": name_en,
                "name_ko": name_ko,
                "country": country,
                "website": website,
                "filing_channel": channel,
            }
            if update:
                Regulator.objects.update_or_create(code=code, defaults=regulator_defaults)
            else:
                Regulator.objects.get_or_create(code=code, defaults=regulator_defaults)

        calendars: dict[str, Calendar] = {}
        for code, name, source in CALENDARS:
            calendars[code], _created = Calendar.objects.get_or_create(
                code=code, defaults={"name": name, "holiday_source": source}
            )
            shipped = builtin_calendar(code)
            for closure in (*shipped.confirmed_closures, *shipped.unconfirmed_closures):
                CalendarClosure.objects.get_or_create(
                    calendar=calendars[code],
                    day=closure.day,
                    defaults={
                        "confirmed": closure.confirmed,
                        "label": closure.label,
                        "kind": CalendarClosure.Kind.CLOSED,
                    },
                )

        created = 0
        for entry in CATALOGUE:
            rule = entry.rule
            defaults: dict[str, Any] = {
                "regulator": Regulator.objects.get(code=entry.regulator),
                "title_en": rule.title_en,
                "title_ko": rule.title_ko,
                "recipient_en": entry.recipient_en,
                "recipient_ko": entry.recipient_ko,
                "citation": entry.citation,
                "trigger_kind": entry.trigger_kind,
                "period_amount": rule.period_amount,
                "period_unit": rule.period_unit.value,
                "calendar": calendars.get(rule.calendar_code) if rule.calendar_code else None,
                "reference_tz": rule.reference_tz,
                "cutoff": rule.cutoff,
                "conditions": dict(entry.conditions or {}),
                "effective_from": rule.effective_from,
                "effective_to": rule.effective_to,
                "internal_target_amount": rule.internal_target_amount,
                "internal_target_unit": rule.internal_target_unit.value
                if rule.internal_target_unit
                else "",
                "long_stop_hours": rule.long_stop_hours,
                "roll_forward": rule.roll_forward,
                "day_zone": rule.day_zone.value,
                "weekend_relief": rule.weekend_relief.value,
                "first_day_counts": rule.first_day_counts,
                "notes": entry.notes,
                "confidence": entry.confidence,
                "source": entry.source,
            }
            if update:
                _obj, was_created = Obligation.objects.update_or_create(
                    code=rule.code, version=rule.version, defaults=defaults
                )
            else:
                _obj, was_created = Obligation.objects.get_or_create(
                    code=rule.code, version=rule.version, defaults=defaults
                )
            created += int(was_created)
        if options.get("verbosity", 1):
            self.stdout.write(
                f"Catalogue: {len(CATALOGUE)} rule versions ({created} new), "
                f"{Regulator.objects.count()} regulators, {len(calendars)} calendars."
            )
