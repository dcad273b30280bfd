"""Benchmark the API's list endpoints in-process: p50 of a page of 50 with N incidents.

    python manage.py bench_api --incidents 10000

Builds (once; reused on the next run) N incidents with two legal entities each, owned by a
bench admin, half of them shared with a bench member; and one large incident with 60 of
everything that hangs off an incident (entities, events and corrections, deadlines with two
alternative triggers each, filings, count revisions) plus 60 notifications. Rows are written
with bulk_create, not through the services: the benchmark measures reads, and 10,000 incidents
through the deadline engine would take an hour. Then, for each list endpoint, 5 warm-up
requests and 50 timed ones through the in-process test client with token authentication.

Run it against PostgreSQL (DATABASE_URL); docs/performance.md records the figures.
Remove the data with --clean.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from incidents.models import (
    AffectedCountRevision,
    Deadline,
    DeadlineAlternative,
    Filing,
    Incident,
    LegalEntity,
    Membership,
    Notification,
    Profile,
    TimelineEvent,
)

PREFIX = "BENCH-"
BIG = "BENCH-BIG"
ADMIN = "bench-admin"
MEMBER = "bench-member"
T0 = datetime(2025, 11, 17, 7, 0, tzinfo=UTC)
PER_BIG = 60


class Command(BaseCommand):
    help = "Time the API list endpoints (p50 of a page of 50) with N incidents."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--incidents", type=int, default=10_000)
        parser.add_argument("--requests", type=int, default=50)
        parser.add_argument("--warmup", type=int, default=5)
        parser.add_argument("--page-size", type=int, default=50)
        parser.add_argument("--clean", action="store_true", help="Delete the bench data and stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["clean"]:
            self._clean()
            return
        vendor = connection.vendor
        if vendor != "postgresql":
            self.stderr.write(f"Warning: running on {vendor}; the target is for PostgreSQL.")
        # Query logging (DEBUG) costs time per query; production runs without it.
        settings.DEBUG = False
        admin, member = self._users()
        started = time.perf_counter()
        big = self._data(admin, member, options["incidents"])
        self.stdout.write(
            f"Data ready in {time.perf_counter() - started:.1f} s: "
            f"{Incident.objects.filter(reference__startswith=PREFIX).count()} bench incidents "
            f"on {vendor}."
        )
        size = options["page_size"]
        endpoints = [
            ("incidents (admin: all N)", admin, "/api/v1/incidents/"),
            ("incidents (member: N/2)", member, "/api/v1/incidents/"),
            (
                "incidents ?status=open&ordering=-updated_at",
                admin,
                "/api/v1/incidents/?status=open&ordering=-updated_at",
            ),
            ("entities", admin, f"/api/v1/incidents/{big.pk}/entities/"),
            ("events", admin, f"/api/v1/incidents/{big.pk}/events/"),
            ("deadlines", admin, f"/api/v1/incidents/{big.pk}/deadlines/"),
            ("filings", admin, f"/api/v1/incidents/{big.pk}/filings/"),
            ("count-revisions", admin, f"/api/v1/incidents/{big.pk}/count-revisions/"),
            ("notifications", admin, "/api/v1/notifications/"),
            ("regulators", admin, "/api/v1/regulators/"),
            ("obligations", admin, "/api/v1/obligations/"),
            ("calendars", admin, "/api/v1/calendars/"),
        ]
        rows = []
        for label, user, url in endpoints:
            client = APIClient(SERVER_NAME="localhost")
            token, _created = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
            sep = "&" if "?" in url else "?"
            full = f"{url}{sep}page_size={size}"
            for _ in range(options["warmup"]):
                self._get(client, full)
            timings = []
            for _ in range(options["requests"]):
                begin = time.perf_counter()
                response = self._get(client, full)
                timings.append((time.perf_counter() - begin) * 1000)
            with CaptureQueriesContext(connection) as queries:
                response = self._get(client, full)
            body = response.json()
            timings.sort()
            p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
            rows.append(
                (
                    label,
                    statistics.median(timings),
                    p95,
                    len(queries),
                    len(body["results"]),
                    body["count"],
                )
            )
        self.stdout.write("")
        self.stdout.write(
            f"{'endpoint':<46} {'p50 ms':>7} {'p95 ms':>7} {'queries':>7} {'rows':>5} {'total':>6}"
        )
        for label, p50, p95, nq, n, total in rows:
            self.stdout.write(f"{label:<46} {p50:7.1f} {p95:7.1f} {nq:7d} {n:5d} {total:6d}")

    def _get(self, client: APIClient, url: str) -> Any:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code} {response.content[:300]!r}")
        return response

    def _users(self) -> tuple[Any, Any]:
        user_model = get_user_model()
        admin, _ = user_model.objects.get_or_create(username=ADMIN)
        member, _ = user_model.objects.get_or_create(username=MEMBER)
        admin.groups.add(Group.objects.get_or_create(name="admin")[0])
        member.groups.add(Group.objects.get_or_create(name="compliance")[0])
        for user in (admin, member):
            Profile.objects.get_or_create(user=user)
        return admin, member

    @transaction.atomic
    def _data(self, admin: Any, member: Any, n: int) -> Incident:
        existing = (
            Incident.objects.filter(reference__startswith=PREFIX).exclude(reference=BIG).count()
        )
        batch = []
        for k in range(existing, n):
            batch.append(
                Incident(
                    reference=f"{PREFIX}{k:06d}",
                    title=f"Bench incident {k}",
                    severity=("low", "medium", "high", "critical")[k % 4],
                    status=("open", "contained", "reporting", "closed")[k % 4],
                    owner=admin,
                    data_categories=["name", "email"],
                )
            )
        created = Incident.objects.bulk_create(batch, batch_size=2000)
        LegalEntity.objects.bulk_create(
            [
                LegalEntity(incident=i, name=name, country="KR", jurisdictions=["KR"])
                for i in created
                for name in ("Op Co", "Parent Inc.")
            ],
            batch_size=2000,
        )
        Membership.objects.bulk_create(
            [Membership(incident=i, user=member) for k, i in enumerate(created) if k % 2 == 0],
            batch_size=2000,
        )
        big = Incident.objects.filter(reference=BIG).first()
        if big is not None:
            return big
        big = Incident.objects.create(reference=BIG, title="Bench: the big one", owner=admin)
        entities = LegalEntity.objects.bulk_create(
            [LegalEntity(incident=big, name=f"Entity {k}", country="KR") for k in range(PER_BIG)]
        )
        for k in range(PER_BIG):
            event = TimelineEvent.objects.create(
                incident=big,
                kind="awareness",
                occurred_at=T0 + timedelta(hours=k),
                title=f"e{k}",
                recorded_by=admin,
            )
            if k % 2 == 0:
                TimelineEvent.objects.create(
                    incident=big,
                    kind="awareness",
                    occurred_at=T0 + timedelta(hours=k, minutes=5),
                    title=f"c{k}",
                    supersedes=event,
                    correction_reason="bench",
                    recorded_by=admin,
                )
            deadline = Deadline.objects.create(
                incident=big,
                legal_entity=entities[k],
                code="kr-pipa-leak-report",
                title="PIPA leak report",
                trigger_event=event,
                trigger_at=event.occurred_at,
                due_at=event.occurred_at + timedelta(hours=72),
                explanation=[{"en": "trigger + 72 h", "ko": "기산 + 72시간"}] * 3,
            )
            DeadlineAlternative.objects.bulk_create(
                [
                    DeadlineAlternative(deadline=deadline, basis=basis, trigger_at=T0, due_at=T0)
                    for basis in ("company", "investigators")
                ]
            )
            Filing.objects.create(
                incident=big,
                deadline=deadline,
                recipient="PIPC",
                submitted_at=T0,
                submitted_by=admin,
            )
            AffectedCountRevision.objects.create(
                incident=big, jurisdiction="KR", count=k, as_of=T0, recorded_by=admin
            )
            Notification.objects.create(user=admin, incident=big, deadline=deadline, title=f"n{k}")
        return big

    @transaction.atomic
    def _clean(self) -> None:
        incidents = Incident.objects.filter(reference__startswith=PREFIX)
        Filing.objects.filter(incident__in=incidents).delete()
        TimelineEvent.objects.filter(incident__in=incidents, supersedes__isnull=False).delete()
        count, _ = incidents.delete()
        get_user_model().objects.filter(username__in=[ADMIN, MEMBER]).delete()
        self.stdout.write(f"Deleted {count} bench rows.")
