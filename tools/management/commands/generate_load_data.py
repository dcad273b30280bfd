"""Bulk-generate realistic load data for benchmarks.

    python manage.py generate_load_data --incidents 10000 --events-per-incident 100

Rows are written with bulk_create in batches (no per-row services: this is data for measuring
reads, not a test of the write path). Deadlines are computed by the real engine, so due times,
explanations and verdicts look like production data. A user `bench-member` is made a member of
20 incidents, for the "member of 20 incidents" benchmarks.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction

from incidents.deadlines import verdict_for
from incidents.models import (
    AffectedCountRevision,
    Deadline,
    DeadlineStatus,
    EventKind,
    Filing,
    Incident,
    LegalEntity,
    Membership,
    Profile,
    TimelineEvent,
)
from regulators.engine.rules import Trigger, compute_for_versions
from regulators.models import Obligation

BATCH = 5000
CODES = ["kr-network-act-48-3-initial", "kr-pipa-34-pipc-report", "kr-pipa-34-subject-notice"]
KINDS = [k for k in EventKind.values if k != EventKind.REGULATOR_REQUEST]


class Command(BaseCommand):
    help = "Generate N incidents with M timeline events each (bulk inserts) for benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--incidents", type=int, default=1000)
        parser.add_argument("--events-per-incident", type=int, default=100)
        parser.add_argument("--users", type=int, default=200)
        parser.add_argument("--seed", type=int, default=2025)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        rng = random.Random(options["seed"])  # noqa: S311  (reproducible test data, not secrets)
        n_incidents: int = options["incidents"]
        n_events: int = options["events_per_incident"]
        users = self._users(options["users"])
        versions = {
            code: [o.to_spec() for o in Obligation.objects.filter(code=code)] for code in CODES
        }
        versions = {code: v for code, v in versions.items() if v}
        regulators = {o.code: o.regulator_id for o in Obligation.objects.filter(code__in=CODES)}
        obligations = {o.code: o.pk for o in Obligation.objects.filter(code__in=CODES)}
        prefix = f"LOAD-{int(time.time()) % 100000:05d}-"
        totals = {"incidents": 0, "events": 0, "deadlines": 0, "filings": 0}
        for start in range(0, n_incidents, 500):
            chunk = min(500, n_incidents - start)
            with transaction.atomic():
                self._chunk(
                    rng,
                    prefix,
                    start,
                    chunk,
                    n_events,
                    users,
                    versions,
                    regulators,
                    obligations,
                    totals,
                )
            if options["verbosity"] > 1:
                self.stdout.write(f"  {start + chunk} incidents")
        self._bench_member(users)
        if connection.vendor == "postgresql":
            # Fresh planner statistics: without them PostgreSQL plans for the empty tables it
            # last saw and benchmarks measure bad plans, not the application.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.perf_counter() - started
        size = self._database_size()
        self.stdout.write(
            f"Generated {totals['incidents']:,} incidents, {totals['events']:,} events, "
            f"{totals['deadlines']:,} deadlines, {totals['filings']:,} filings "
            f"in {elapsed:.1f} s; database size {size}."
        )

    def _users(self, count: int) -> list[Any]:
        User = get_user_model()
        compliance = Group.objects.get(name="compliance")
        existing = list(User.objects.filter(username__startswith="load-user-").order_by("id"))
        missing = [
            User(username=f"load-user-{i:04d}", email=f"load{i}@example.com")
            for i in range(len(existing), count)
        ]
        for user in missing:
            user.set_unusable_password()
        User.objects.bulk_create(missing, batch_size=BATCH)
        users = list(User.objects.filter(username__startswith="load-user-").order_by("id"))
        compliance.user_set.add(*users)
        Profile.objects.bulk_create(
            [Profile(user=u) for u in users], ignore_conflicts=True, batch_size=BATCH
        )
        return users

    def _chunk(
        self,
        rng: random.Random,
        prefix: str,
        start: int,
        chunk: int,
        n_events: int,
        users: list[Any],
        versions: dict[str, list[Any]],
        regulators: dict[str, int],
        obligations: dict[str, int],
        totals: dict[str, int],
    ) -> None:
        base = datetime(2024, 1, 1, tzinfo=UTC)
        incidents = Incident.objects.bulk_create(
            [
                Incident(
                    reference=f"{prefix}{start + i:06d}",
                    title=f"Load incident {start + i}",
                    severity=rng.choice(["low", "medium", "high", "critical"]),
                    status=rng.choice(["open", "contained", "reporting", "monitoring", "closed"]),
                    owner=rng.choice(users),
                    external_attack=True,
                    sensitive_data=False,
                    unique_identifiers=False,
                )
                for i in range(chunk)
            ],
            batch_size=BATCH,
        )
        entities = LegalEntity.objects.bulk_create(
            [
                LegalEntity(
                    incident=incident,
                    name=f"Operating company {incident.reference}",
                    country="KR",
                    ict_service_provider=True,
                    jurisdictions=["KR"],
                )
                for incident in incidents
            ],
            batch_size=BATCH,
        )
        memberships = []
        for incident in incidents:
            for user in rng.sample(users, 2):
                if user.pk != incident.owner_id:
                    memberships.append(Membership(incident=incident, user=user))
        Membership.objects.bulk_create(memberships, batch_size=BATCH, ignore_conflicts=True)
        events: list[TimelineEvent] = []
        awareness_at: dict[int, datetime] = {}
        for incident, entity in zip(incidents, entities, strict=True):
            aware = base + timedelta(minutes=rng.randrange(0, 4 * 365 * 24 * 60))
            awareness_at[incident.pk] = aware
            for j in range(n_events):
                kind = EventKind.AWARENESS if j == 0 else rng.choice(KINDS)
                events.append(
                    TimelineEvent(
                        incident=incident,
                        legal_entity=entity if j == 0 else None,
                        kind=kind,
                        occurred_at=aware + timedelta(minutes=rng.randrange(-7200, 60 * 24 * 90))
                        if j
                        else aware,
                        title=f"{kind} #{j}",
                        description="Generated event for load tests.",
                        source_title="generator",
                        confidence="high",
                    )
                )
            if len(events) >= BATCH * 4:
                totals["events"] += len(TimelineEvent.objects.bulk_create(events, batch_size=BATCH))
                events = []
        if events:
            totals["events"] += len(TimelineEvent.objects.bulk_create(events, batch_size=BATCH))
        AffectedCountRevision.objects.bulk_create(
            [
                AffectedCountRevision(
                    incident=incident,
                    jurisdiction="KR",
                    count=rng.randrange(1, 5_000_000),
                    as_of=awareness_at[incident.pk],
                    source="generator",
                )
                for incident in incidents
            ],
            batch_size=BATCH,
        )
        deadlines: list[Deadline] = []
        for incident, entity in zip(incidents, entities, strict=True):
            trigger = Trigger(at=awareness_at[incident.pk])
            for code, specs in versions.items():
                result = compute_for_versions(specs, trigger)
                filed = rng.random() < 0.6
                filed_at = trigger.at + timedelta(hours=rng.randrange(1, 100)) if filed else None
                late = (
                    int((filed_at - result.due_at).total_seconds())
                    if filed_at and result.due_at
                    else None
                )
                deadlines.append(
                    Deadline(
                        incident=incident,
                        legal_entity=entity,
                        obligation_id=obligations.get(code),
                        regulator_id=regulators.get(code),
                        code=code,
                        title=code,
                        trigger_at=trigger.at,
                        due_at=result.due_at,
                        without_delay=result.without_delay,
                        explanation=[{"en": s.en, "ko": s.ko} for s in result.explanation],
                        status=DeadlineStatus.FILED if filed else DeadlineStatus.OPEN,
                        filed_at=filed_at,
                        late_by_seconds=late,
                        verdict=verdict_for(result.due_at, filed_at)[0] if filed_at else "",
                    )
                )
        created = Deadline.objects.bulk_create(deadlines, batch_size=BATCH)
        totals["deadlines"] += len(created)
        filings = [
            Filing(
                incident_id=d.incident_id,
                deadline=d,
                legal_entity_id=d.legal_entity_id,
                regulator_id=d.regulator_id,
                recipient=d.code,
                submitted_at=d.filed_at,
            )
            for d in created
            if d.filed_at
        ]
        totals["filings"] += len(Filing.objects.bulk_create(filings, batch_size=BATCH))
        totals["incidents"] += len(incidents)

    def _bench_member(self, users: list[Any]) -> None:
        User = get_user_model()
        member, created = User.objects.get_or_create(username="bench-member")
        if created:
            member.set_unusable_password()
            member.save()
            member.groups.add(Group.objects.get(name="compliance"))
            Profile.objects.get_or_create(user=member)
        have = Membership.objects.filter(user=member).count()
        if have < 20:
            candidates = (
                Incident.objects.exclude(memberships__user=member)
                .order_by("-id")
                .values_list("id", flat=True)[: 20 - have]
            )
            Membership.objects.bulk_create(
                [Membership(incident_id=pk, user=member) for pk in candidates]
            )

    def _database_size(self) -> str:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
                return str(cursor.fetchone()[0])
        if connection.vendor == "sqlite":
            path = connection.settings_dict["NAME"]
            try:
                from pathlib import Path

                return f"{Path(path).stat().st_size / 1e6:.0f} MB"
            except OSError:
                return "unknown"
        return "unknown"
