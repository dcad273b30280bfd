"""A big incident for export benchmarks: ``manage.py generate_export_load --events 1000000``.

Events are bulk-inserted (no deadline computation: they are notes, which start no clock), with
Korean and English titles, sources and some formula-like text so the exports' escaping is
exercised at scale.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from incidents.models import EventKind, Incident, LegalEntity, TimelineEvent

BATCH = 10_000


class Command(BaseCommand):
    help = "Create an incident with N timeline events for export benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--events", type=int, required=True)
        parser.add_argument("--reference", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        count: int = options["events"]
        if count < 1:
            raise CommandError("--events must be at least 1.")
        reference = options["reference"] or f"LOAD-{count}"
        if Incident.objects.filter(reference=reference).exists():
            raise CommandError(f"{reference} already exists.")
        model = get_user_model()
        owner, _created = model._default_manager.get_or_create(
            **{model.USERNAME_FIELD: "load-owner"}, defaults={"is_active": False}
        )
        with transaction.atomic():
            incident = Incident.objects.create(
                reference=reference,
                title=f"부하 시험 사고 / Load test incident ({count:,} events)",
                owner=owner,
            )
            entity = LegalEntity.objects.create(
                incident=incident,
                name="Load Test Co.",
                name_local="부하시험 주식회사",
                country="KR",
            )
        start = datetime(2025, 1, 1, tzinfo=UTC)
        kinds = [EventKind.NOTE, EventKind.INVESTIGATION_MILESTONE, EventKind.PRESS]
        made = 0
        while made < count:
            rows = []
            for n in range(made, min(count, made + BATCH)):
                rows.append(
                    TimelineEvent(
                        incident=incident,
                        kind=kinds[n % len(kinds)],
                        occurred_at=start + timedelta(minutes=n),
                        title=(
                            f"=SUM(A{n}) 수식처럼 보이는 제목 {n}"
                            if n % 997 == 0
                            else f"사건 기록 {n} / Event record {n}"
                        ),
                        description="조사팀 메모, 고객 문의 증가" if n % 3 == 0 else "",
                        source_title=f"내부 보고 {n // 100}",
                        source_url="https://example.com/report" if n % 5 == 0 else "",
                        legal_entity=entity if n % 2 == 0 else None,
                        confidence="medium",
                    )
                )
            TimelineEvent.objects.bulk_create(rows, batch_size=BATCH)
            made += len(rows)
            self.stdout.write(f"{made:,} / {count:,}")
        self.stdout.write(f"Created {reference} with {count:,} events.")
