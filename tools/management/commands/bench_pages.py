"""Time the main pages with the in-process test client: p50/p95 per page, as an admin and as a
member of 20 incidents, plus the SQL query count of one request.

    manage.py bench_pages [--requests 50] [--warmup 5] [--seed 0]

``--seed N`` first creates N synthetic incidents through the services (slow; for a quick local
figure). The bench users ``bench-admin`` and ``bench-member`` are created if missing; the member is
added to the 20 most recent incidents. Results go to stdout (docs/performance.md records them).
"""

from __future__ import annotations

import statistics
import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings, setup_test_environment

from incidents import services
from incidents.models import Incident, Profile

KST = ZoneInfo("Asia/Seoul")


class Command(BaseCommand):
    help = "Benchmark the dashboard, incident list and incident page (p50/p95)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--requests", type=int, default=50)
        parser.add_argument("--warmup", type=int, default=5)
        parser.add_argument(
            "--seed", type=int, default=0, help="create N synthetic incidents first"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # The test client needs 'testserver' in ALLOWED_HOSTS; this also keeps e-mail in memory.
        setup_test_environment()
        # force_login cannot pass a second factor; the benchmark measures the pages themselves.
        with override_settings(OTP_ENFORCED=False):
            self._run(**options)

    def _run(self, **options: Any) -> None:
        if options["seed"]:
            self._seed(options["seed"])
        admin = self._user("bench-admin", "admin")
        member = self._user("bench-member", "compliance")
        recent = list(Incident.objects.order_by("-created_at")[:20])
        for incident in recent:
            services.membership_add(incident=incident, user=member)
        if not recent:
            self.stderr.write("No incidents: load the demo or pass --seed N.")
            return
        busiest = (
            Incident.objects.filter(pk__in=[i.pk for i in recent]).order_by("-created_at").first()
        )
        assert busiest is not None  # noqa: S101 - recent is non-empty
        pages = {
            "dashboard": "/",
            "deadlines": "/deadlines/",
            "incident list": "/incidents/",
            "incident page": f"/incidents/{busiest.reference}/",
        }
        self.stdout.write(
            f"incidents={Incident.objects.count()} database={connection.vendor} "
            f"requests={options['requests']} warmup={options['warmup']}"
        )
        self.stdout.write(f"{'user':<8} {'page':<14} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
        for label, user in (("admin", admin), ("member", member)):
            client = Client()
            client.force_login(user)
            for name, url in pages.items():
                p50, p95, queries = self._time(client, url, options["requests"], options["warmup"])
                self.stdout.write(f"{label:<8} {name:<14} {p50:>8.1f} {p95:>8.1f} {queries:>8}")

    def _time(
        self, client: Client, url: str, requests: int, warmup: int
    ) -> tuple[float, float, int]:
        for _ in range(warmup):
            client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        # Read now: later requests clear the connection's query log.
        queries = len(captured)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        samples = []
        for _ in range(requests):
            start = time.perf_counter()
            client.get(url)
            samples.append((time.perf_counter() - start) * 1000)
        samples.sort()
        p95 = samples[min(len(samples) - 1, max(0, round(0.95 * len(samples)) - 1))]
        return statistics.median(samples), p95, queries

    def _user(self, username: str, role: str) -> User:
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.save()
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        Profile.objects.get_or_create(user=user)
        return user

    def _seed(self, count: int) -> None:
        owner = self._user("bench-owner", "compliance")
        base = Incident.objects.count()
        for n in range(count):
            start = datetime(2026, 1, 1, 9, 0, tzinfo=KST) + timedelta(hours=7 * n)
            incident = services.incident_open(
                title=f"Synthetic incident {base + n}",
                owner=owner,
                reference=f"BENCH-{base + n:06d}",
                severity=["low", "medium", "high", "critical"][n % 4],
            )
            services.legal_entity_add(
                incident=incident,
                name="Bench Korea",
                country="KR",
                ict_service_provider=True,
                sec_registrant=False,
                jurisdictions=["KR"],
            )
            services.affected_count_revise(
                incident=incident, jurisdiction="KR", count=1000 + n, as_of=start
            )
            for k, kind in enumerate(["detection", "awareness", "containment", "note", "note"]):
                services.timeline_event_record(
                    incident=incident,
                    kind=kind,
                    occurred_at=start + timedelta(hours=k),
                    title=f"{kind} {k}",
                )
        self.stdout.write(f"seeded {count} incidents")
