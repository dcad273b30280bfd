"""Time the main pages and API lists against a bare ``@login_required`` view, in the same run.

    manage.py bench_pages [--rounds 40] [--warmup 3] [--seed 0]
    manage.py bench_pages --profile "incident page" [--as member] [--requests 30]
    manage.py bench_pages --only "dashboard,incident page"   (a quick A/B of some pages)

Each round requests every page once per user (``bench-admin``, who sees everything, and
``bench-member``, a compliance officer who is a member of the 20 most recent incidents) plus the
bare view (tools/bench_urls.py: login required, returns "ok"), in a shuffled order; the figure
that counts is each page's p50 as a multiple of the bare view's p50 for the same user, which
stays meaningful on a machine shared with other jobs. The load average is printed before and
after. Query counts are those of one request.

``--profile PAGE`` runs cProfile over ``--requests`` requests of that page instead and prints the
most expensive functions. ``--seed N`` first creates N synthetic incidents through the services.
Run with ``DEBUG=false`` (docs/performance.md records the results). The process is warmed up and
its start-up objects frozen (``gc.freeze``) first, as gunicorn does before forking its workers.
"""

from __future__ import annotations

import cProfile
import gc
import io
import os
import pstats
import random
import statistics
import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import Count, F
from django.db.models.functions import Abs
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from config.warmup import warm_up
from incidents import services
from incidents.models import Deadline, Incident, Profile, TimelineEvent
from tools.bench_urls import BARE_PATH, bench_settings

KST = ZoneInfo("Asia/Seoul")
BARE = "bare view"


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


class Command(BaseCommand):
    help = "Benchmark the pages and API lists as a multiple of a bare login-required view."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rounds", type=int, default=40)
        parser.add_argument("--warmup", type=int, default=3)
        parser.add_argument(
            "--seed", type=int, default=0, help="create N synthetic incidents first"
        )
        parser.add_argument("--profile", default="", help="profile this page instead")
        parser.add_argument(
            "--only", default="", help="comma-separated pages to time (the bare view always)"
        )
        parser.add_argument("--as", dest="as_user", default="admin", choices=["admin", "member"])
        parser.add_argument("--requests", type=int, default=30, help="requests when profiling")
        parser.add_argument("--sort", default="cumulative", help="pstats order when profiling")

    def handle(self, *args: Any, **options: Any) -> None:
        with override_settings(**bench_settings()):
            self._run(**options)

    def _run(self, **options: Any) -> None:
        # As gunicorn's workers start (config/gunicorn.conf.py): the application loaded and warmed
        # up, then frozen out of the garbage collector's reach, so that the collections during
        # the timed requests scan what a server's would.
        warm_up()
        gc.freeze()
        if options["seed"]:
            self._seed(options["seed"])
        users = {
            "admin": self._user("bench-admin", "admin"),
            "member": self._user("bench-member", "compliance"),
        }
        # The write benchmark's incidents (bench_writes) grow with every run: not measured here.
        recent = list(
            Incident.objects.exclude(reference__startswith="BENCH-W-").order_by("-created_at")[:20]
        )
        if not recent:
            raise CommandError("No incidents: load the demo or pass --seed N.")
        for incident in recent:
            services.membership_add(incident=incident, user=users["member"])
        # The member's incident nearest 100 events (the load data's size; load tests add to some).
        busiest = (
            Incident.objects.filter(pk__in=[i.pk for i in recent])
            .annotate(n=Count("events"))
            .order_by(Abs(F("n") - 100), "-created_at")
            .first()
        )
        assert busiest is not None  # noqa: S101 - recent is non-empty
        pages = {
            "dashboard": "/",
            "deadline list": "/deadlines/",
            "incident list": "/incidents/",
            "incident page": f"/incidents/{busiest.reference}/",
            "API incidents": "/api/v1/incidents/",
            "API events": f"/api/v1/incidents/{busiest.pk}/events/",
        }
        clients = {}
        for label, user in users.items():
            clients[label] = Client()
            clients[label].force_login(user)
        if options["profile"]:
            if options["profile"] not in pages:
                raise CommandError(f"--profile: one of {', '.join(pages)}")
            self._profile(clients[options["as_user"]], pages[options["profile"]], **options)
            return
        if options["only"]:
            wanted = [name.strip() for name in options["only"].split(",")]
            unknown = set(wanted) - set(pages)
            if unknown:
                raise CommandError(f"--only: unknown {', '.join(sorted(unknown))}")
            pages = {name: url for name, url in pages.items() if name in wanted}
        self._header(busiest, options)
        self._bench(clients, {BARE: BARE_PATH, **pages}, options["rounds"], options["warmup"])

    def _header(self, busiest: Incident, options: dict[str, Any]) -> None:
        self.stdout.write(
            f"date={timezone.now():%Y-%m-%d %H:%M} UTC database={connection.vendor} "
            f"DEBUG={settings.DEBUG} incidents={Incident.objects.count()} "
            f"events={TimelineEvent.objects.count()} deadlines={Deadline.objects.count()} "
            f"rounds={options['rounds']} warmup={options['warmup']}"
        )
        self.stdout.write(
            f"incident page: {busiest.reference} "
            f"({TimelineEvent.objects.filter(incident=busiest).count()} events)"
        )
        self.stdout.write(f"load average before: {load_average()}")

    def _bench(
        self, clients: dict[str, Client], pages: dict[str, str], rounds: int, warmup: int
    ) -> None:
        queries: dict[tuple[str, str], int] = {}
        for label, client in clients.items():
            for name, url in pages.items():
                for _ in range(warmup):
                    self._get(client, url)
                with CaptureQueriesContext(connection) as captured:
                    self._get(client, url)
                # Read now: later requests clear the connection's query log.
                queries[(label, name)] = len(captured)
        samples: dict[tuple[str, str], list[float]] = {key: [] for key in queries}
        order = list(queries)
        shuffle = random.Random(20)  # noqa: S311  (an order, not a secret)
        for _ in range(rounds):
            shuffle.shuffle(order)
            for label, name in order:
                start = time.perf_counter()
                self._get(clients[label], pages[name])
                samples[(label, name)].append((time.perf_counter() - start) * 1000)
        self.stdout.write(
            f"{'user':<7} {'page':<14} {'p50 ms':>7} {'p95 ms':>7} {'x bare':>7} {'queries':>7}"
        )
        for label in clients:
            bare = statistics.median(samples[(label, BARE)])
            for name in pages:
                got = samples[(label, name)]
                p50 = statistics.median(got)
                self.stdout.write(
                    f"{label:<7} {name:<14} {p50:>7.1f} {p95(got):>7.1f} "
                    f"{p50 / bare:>7.1f} {queries[(label, name)]:>7}"
                )
        self.stdout.write(f"load average after: {load_average()}")

    def _get(self, client: Client, url: str) -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")

    def _profile(self, client: Client, url: str, **options: Any) -> None:
        for _ in range(options["warmup"]):
            self._get(client, url)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(options["requests"]):
            self._get(client, url)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(options["sort"]).print_stats(
            int(os.environ.get("BENCH_PROFILE_LINES", "45"))
        )
        self.stdout.write(f"{url} x {options['requests']} (load average {load_average()})")
        self.stdout.write(out.getvalue())

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
