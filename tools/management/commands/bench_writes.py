"""Time the write paths through the API: recording an event (a note, a later awareness event, and
an earlier awareness event that moves every awareness clock), a filing and a count revision, on an
incident with 100 events and 30 deadlines.

    manage.py bench_writes [--rounds 30] [--warmup 2] [--profile "note"]

The incident (``BENCH-W-…``, owned by ``bench-admin``) is built through the services first: legal
entities until it has at least 30 deadlines, a count, then events up to 100. Each round posts one
of each write and requests the bare ``@login_required`` view (tools/bench_urls.py), in a shuffled
order; p50/p95, the multiple of the bare view and the SQL queries of one write are printed with
the load average. The incident grows by a few rows per round (printed at the end); remove it with
the Django admin or a fresh load when it matters. ``--profile WRITE`` runs cProfile instead.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import random
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from incidents import services
from incidents.models import Deadline, Incident, TimelineEvent
from tools.bench_urls import BARE_PATH, bench_settings
from tools.management.commands.bench_pages import Command as PagesCommand
from tools.management.commands.bench_pages import load_average, p95

KST = ZoneInfo("Asia/Seoul")
START = datetime(2026, 6, 1, 9, 0, tzinfo=KST)
WRITES = ["note", "awareness", "move", "filing", "count"]


class Command(BaseCommand):
    help = "Benchmark recording an event, a filing and a count (API, p50/p95 vs a bare view)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rounds", type=int, default=30)
        parser.add_argument("--warmup", type=int, default=2)
        parser.add_argument("--profile", default="", choices=["", *WRITES])
        parser.add_argument("--requests", type=int, default=10, help="writes when profiling")

    def handle(self, *args: Any, **options: Any) -> None:
        with override_settings(**bench_settings()):
            self._run(**options)

    def _run(self, **options: Any) -> None:
        admin = PagesCommand()._user("bench-admin", "admin")
        incident = self._incident(admin)
        client = Client()
        client.force_login(admin)
        self.counter = 0
        writes: dict[str, Callable[[], None]] = {
            "note": lambda: self._post(client, incident, "events", self._event("note")),
            "awareness": lambda: self._post(client, incident, "events", self._event("awareness")),
            "move": lambda: self._post(client, incident, "events", self._earlier_awareness()),
            "filing": lambda: self._post(client, incident, "filings", self._filing()),
            "count": lambda: self._post(client, incident, "count-revisions", self._count()),
            "bare view": lambda: self._get(client, BARE_PATH),
        }
        if options["profile"]:
            self._profile(writes[options["profile"]], options["requests"])
            return
        self.stdout.write(
            f"date={timezone.now():%Y-%m-%d %H:%M} UTC database={connection.vendor} "
            f"DEBUG={settings.DEBUG} incident={incident.reference} "
            f"events={TimelineEvent.objects.filter(incident=incident).count()} "
            f"deadlines={Deadline.objects.filter(incident=incident).count()} "
            f"rounds={options['rounds']}"
        )
        self.stdout.write(f"load average before: {load_average()}")
        queries = {}
        for name, write in writes.items():
            for _ in range(options["warmup"]):
                write()
            with CaptureQueriesContext(connection) as captured:
                write()
            queries[name] = len(captured)
        samples: dict[str, list[float]] = {name: [] for name in writes}
        order = list(writes)
        shuffle = random.Random(20)  # noqa: S311  (an order, not a secret)
        for _ in range(options["rounds"]):
            shuffle.shuffle(order)
            for name in order:
                start = time.perf_counter()
                writes[name]()
                samples[name].append((time.perf_counter() - start) * 1000)
        bare = statistics.median(samples["bare view"])
        self.stdout.write(f"{'write':<10} {'p50 ms':>7} {'p95 ms':>7} {'x bare':>7} {'queries':>7}")
        for name, got in samples.items():
            p50 = statistics.median(got)
            self.stdout.write(
                f"{name:<10} {p50:>7.1f} {p95(got):>7.1f} {p50 / bare:>7.1f} {queries[name]:>7}"
            )
        self.stdout.write(
            f"load average after: {load_average()}; the incident now has "
            f"{TimelineEvent.objects.filter(incident=incident).count()} events and "
            f"{Deadline.objects.filter(incident=incident).count()} deadlines"
        )

    # --- the writes ----------------------------------------------------------------------------

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    def _event(self, kind: str) -> dict[str, Any]:
        n = self._next()
        when = START + timedelta(hours=2, minutes=n % 600)
        return {"kind": kind, "occurred_at": when.isoformat(), "title": f"bench {kind} {n}"}

    def _earlier_awareness(self) -> dict[str, Any]:
        # A minute before the earliest awareness so far: every awareness clock moves (trigger,
        # explanation, the hour-based due times), is saved, recorded and re-planned.
        n = self._next()
        when = START - timedelta(minutes=n)
        return {"kind": "awareness", "occurred_at": when.isoformat(), "title": f"earlier {n}"}

    def _filing(self) -> dict[str, Any]:
        n = self._next()
        when = START + timedelta(days=1, minutes=n)
        return {"recipient": f"Bench regulator {n}", "submitted_at": when.isoformat()}

    def _count(self) -> dict[str, Any]:
        n = self._next()
        when = START + timedelta(hours=3, minutes=n)
        return {"jurisdiction": "KR", "count": 1_000_000, "as_of": when.isoformat()}

    def _post(self, client: Client, incident: Incident, what: str, body: dict[str, Any]) -> None:
        url = f"/api/v1/incidents/{incident.pk}/{what}/"
        response = client.post(url, body, content_type="application/json")
        if response.status_code != 201:
            raise CommandError(f"POST {url} answered {response.status_code}: {response.content!r}")

    def _get(self, client: Client, url: str) -> None:
        if client.get(url).status_code != 200:
            raise CommandError(f"{url} failed")

    def _profile(self, write: Callable[[], None], requests: int) -> None:
        write()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            write()
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(50)
        self.stdout.write(f"load average {load_average()}")
        self.stdout.write(out.getvalue())

    # --- the incident ----------------------------------------------------------------------------

    def _incident(self, owner: Any) -> Incident:
        n = Incident.objects.filter(reference__startswith="BENCH-W-").count()
        incident = services.incident_open(
            title="Write benchmark", owner=owner, reference=f"BENCH-W-{n:04d}"
        )
        services.affected_count_revise(
            incident=incident, jurisdiction="KR", count=1_000_000, as_of=START
        )
        services.timeline_event_record(
            incident=incident, kind="awareness", occurred_at=START, title="aware"
        )
        for k in range(15):
            if Deadline.objects.filter(incident=incident).count() >= 30:
                break
            services.legal_entity_add(
                incident=incident,
                name=f"Bench entity {k}",
                country="KR",
                ict_service_provider=True,
                sec_registrant=True,
                nis2_entity=True,
                jurisdictions=["KR", "EU", "US"],
            )
        events = TimelineEvent.objects.filter(incident=incident).count()
        for k in range(100 - events):
            services.timeline_event_record(
                incident=incident,
                kind="note",
                occurred_at=START + timedelta(minutes=k + 1),
                title=f"note {k}",
            )
        return incident
