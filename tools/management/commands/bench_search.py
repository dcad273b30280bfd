"""Time search (page and API) with the in-process test client: p50/p95 per query, as an admin and
as a member of 20 incidents, plus the SQL query count of one request.

    manage.py bench_search [--requests 30] [--warmup 3]

Run it on the load data (``generate_load_data --incidents 10000 --events-per-incident 100``) in
a PostgreSQL database with the search migration applied. The bench users are made as in
``bench_pages`` (``bench-admin``; ``bench-member`` is added to the 20 most recent incidents).
"""

from __future__ import annotations

import statistics
import time
from typing import Any
from urllib.parse import urlencode

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings, setup_test_environment

from incidents import services
from incidents.models import Incident
from tools.management.commands.bench_pages import Command as PagesCommand

# Latin and Hangul; broad (matches most events) and narrow (one incident) queries.
QUERIES = [
    "Load incident 4321",  # three words, one incident
    "generator",  # every generated event's source: the broadest query
    "containment",  # a tenth of the events' titles
    "LOAD-",  # reference prefix (substring)
    "개인정보",  # Hangul (the demo's records)
    "유출",  # Hangul, two syllables, inside compounds
]


class Command(BaseCommand):
    help = "Benchmark search (page and API): p50/p95 per query, as admin and as a member."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--requests", type=int, default=30)
        parser.add_argument("--warmup", type=int, default=3)

    def handle(self, *args: Any, **options: Any) -> None:
        setup_test_environment()  # 'testserver' allowed, e-mail in memory
        with override_settings(OTP_ENFORCED=False):  # force_login cannot pass a second factor
            self._run(options["requests"], options["warmup"])

    def _run(self, requests: int, warmup: int) -> None:
        users = PagesCommand()
        admin = users._user("bench-admin", "admin")
        member = users._user("bench-member", "compliance")
        for incident in Incident.objects.order_by("-created_at")[:20]:
            services.membership_add(incident=incident, user=member)
        self.stdout.write(
            f"incidents={Incident.objects.count()} database={connection.vendor} "
            f"requests={requests} warmup={warmup}"
        )
        self.stdout.write(
            f"{'user':<7} {'door':<5} {'query':<20} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}"
        )
        every: list[float] = []
        for label, user in (("admin", admin), ("member", member)):
            client = Client()
            client.force_login(user)
            for query in QUERIES:
                for door, path in (("page", "/search/"), ("api", "/api/v1/search/")):
                    url = f"{path}?{urlencode({'q': query})}"
                    samples, queries = self._time(client, url, requests, warmup)
                    every.extend(samples)
                    p50, p95 = statistics.median(samples), self._p95(samples)
                    self.stdout.write(
                        f"{label:<7} {door:<5} {query:<20} {p50:>8.1f} {p95:>8.1f} {queries:>8}"
                    )
        self.stdout.write(
            f"all requests: p50 {statistics.median(every):.1f} ms, p95 {self._p95(every):.1f} ms"
        )

    def _p95(self, samples: list[float]) -> float:
        ordered = sorted(samples)
        return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]

    def _time(
        self, client: Client, url: str, requests: int, warmup: int
    ) -> tuple[list[float], int]:
        for _ in range(warmup):
            client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        queries = len(captured)  # read now: later requests clear the connection's query log
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        samples = []
        for _ in range(requests):
            start = time.perf_counter()
            client.get(url)
            samples.append((time.perf_counter() - start) * 1000)
        return samples, queries
