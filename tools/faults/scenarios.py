"""The reminder fault harness scenarios: real worker, beat and Redis processes, real faults, and a count of
what actually left the system.

Each scenario builds its own incident whose deadlines each have one due reminder (the creation
notice) for U people on e-mail and in-app and one webhook, starts its own processes, injects one
fault, waits (at most two minutes after the fault ends) until nothing is pending or being sent,
and then counts:

- e-mail: the message files the outbox file backend wrote, read back by their headers;
- webhook: the hits on a local receiver (HMAC signature checked);
- in-app: the Notification rows.

Each is compared with the expected set, which is computed from the fixture (deadlines x people x
channels), not from the delivery table. ``lost`` is expected messages never seen; ``duplicated``
is every message beyond the first for the same (reminder, recipient, channel).

Scenarios: (a) SIGKILL a worker in the middle of a batch (once right after a webhook reached the
receiver, before the worker could record it; once while e-mails are being written), then restart
it; (b) SIGKILL and restart Redis while a sweep's batches are queued; (c) two beat schedulers at
once; (d) terminate every database connection of the workers while they send.

The harness starts its own redis-server on a free port (never the shared one) and uses the
configured PostgreSQL database.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from incidents.models import Deadline, Incident, LegalEntity, Membership, Notification, Profile
from reminders.models import (
    Delivery,
    DeliveryState,
    Reminder,
    ReminderPolicy,
    ReminderState,
    WebhookEndpoint,
)
from reminders.services import reminders_sync_for
from tools.faults.processes import (
    HARNESS_CODE,
    SCENARIOS,
    Cluster,
    Receiver,
    Redis,
    owns_socket,
    socket_inode,
)
from tools.faults.task_items import TaskFixture, build_tasks, task_notifications


@dataclass
class Fixture:
    incident: Incident
    deadline_ids: list[int]
    reminder_ids: list[int]
    users: list[Any]
    endpoint: WebhookEndpoint | None
    tasks: TaskFixture = field(default_factory=TaskFixture)

    @property
    def expected_email(self) -> set[tuple[str, str]]:
        return {(f"reminder:{r}", u.email) for r in self.reminder_ids for u in self.users}

    @property
    def expected_inapp(self) -> set[tuple[int, int]]:
        return {(d, u.pk) for d in self.deadline_ids for u in self.users}

    @property
    def expected_webhook(self) -> set[int]:
        return set(self.reminder_ids) if self.endpoint else set()


def build_fixture(
    tag: str, *, deadlines: int, people: int, receiver: Receiver | None, tasks: int = 0
) -> Fixture:
    """An incident with ``deadlines`` deadlines, each with exactly one due reminder (the creation
    notice; the policy for the harness's rule code has no other offset), for ``people`` people,
    and ``tasks`` action items with one due reminder each for its owner (tools/faults/task_items.py)."""
    User = get_user_model()
    compliance, _ = Group.objects.get_or_create(name="compliance")
    users = User.objects.bulk_create(
        [
            User(username=f"harness-{tag}-{i}", email=f"harness-{tag}-{i}@example.com")
            for i in range(people)
        ]
    )
    compliance.user_set.add(*users)
    Profile.objects.bulk_create(
        [
            Profile(
                user=user,
                language="ko" if i % 2 == 0 else "en",
                time_zone="Asia/Seoul" if i % 2 == 0 else "America/New_York",
            )
            for i, user in enumerate(users)
        ]
    )
    ReminderPolicy.objects.update_or_create(
        obligation_code=HARNESS_CODE,
        defaults={
            "offsets": ["created"],
            "without_delay_every": "",
            "escalation": [],
            "webhook": receiver is not None,
        },
    )
    WebhookEndpoint.objects.update(active=False)
    endpoint = None
    if receiver is not None:
        endpoint = WebhookEndpoint.objects.create(
            name=f"harness {tag}",
            url=f"http://127.0.0.1:{receiver.port}/hook",
            status_url=f"http://127.0.0.1:{receiver.port}/status",
            secret=receiver.secret,
        )
    incident = Incident.objects.create(
        reference=f"H-{tag}"[:20], title=f"Fault harness {tag}", owner=users[0]
    )
    Membership.objects.bulk_create([Membership(incident=incident, user=u) for u in users[1:]])
    entity = LegalEntity.objects.create(incident=incident, name="Harness Co.", country="KR")
    now = timezone.now()
    rows = [
        Deadline(
            incident=incident,
            legal_entity=entity,
            code=HARNESS_CODE,
            trigger_key=str(i),
            title=f"Harness deadline {i} / 장애 시험 기한 {i}",
            trigger_at=now,
            due_at=now + timedelta(days=30),
        )
        for i in range(deadlines)
    ]
    Deadline.objects.bulk_create(rows)
    reminders_sync_for(incident=incident)
    deadline_ids = list(Deadline.objects.filter(incident=incident).values_list("pk", flat=True))
    reminder_ids = list(
        Reminder.objects.filter(deadline__incident=incident, kind="created").values_list(
            "pk", flat=True
        )
    )
    task_fixture = build_tasks(incident, users, count=tasks, tag=tag, webhook=receiver is not None)
    return Fixture(incident, deadline_ids, reminder_ids, users, endpoint, task_fixture)


def _count(expected: set[Any], seen: Counter[Any]) -> Count:
    return Count(
        expected=len(expected),
        distinct=len(expected & set(seen)),
        total=sum(seen.values()),
        unexpected=sum(n for k, n in seen.items() if k not in expected),
    )


@dataclass
class Count:
    expected: int = 0
    distinct: int = 0
    total: int = 0
    unexpected: int = 0

    @property
    def lost(self) -> int:
        return self.expected - self.distinct

    @property
    def duplicated(self) -> int:
        return self.total - self.distinct - self.unexpected


def count_outputs(fixture: Fixture, outbox: Path, receiver: Receiver | None) -> dict[str, Count]:
    parser = BytesHeaderParser()
    emails: Counter[tuple[str, str]] = Counter()
    ids: Counter[str] = Counter()
    if outbox.exists():
        for path in outbox.iterdir():
            if not path.name.endswith(".eml"):
                continue  # .tmp-* files are messages that were never completed
            with path.open("rb") as handle:
                headers = parser.parse(handle)
            emails[(str(headers["X-Incident-Clock-Reference"]), str(headers["To"]))] += 1
            ids[str(headers["X-Incident-Clock-Delivery"])] += 1
    # Task reminders' messages are counted on their own lines (task-*), deadlines' here.
    task_refs = {f"reminder:{r}" for r in fixture.tasks.reminder_ids}
    task_emails = Counter({k: n for k, n in emails.items() if k[0] in task_refs})
    emails = Counter({k: n for k, n in emails.items() if k[0] not in task_refs})
    expected_email = fixture.expected_email
    email = Count(
        expected=len(expected_email),
        distinct=len(expected_email & set(emails)),
        total=sum(emails.values()),
        unexpected=sum(n for k, n in emails.items() if k not in expected_email),
    )
    hooks: Counter[int] = Counter()
    if receiver is not None:
        with receiver.lock:
            hooks = Counter(hit["reminder"] for hit in receiver.hits)
    task_hooks = Counter({k: n for k, n in hooks.items() if k in fixture.tasks.reminder_ids})
    hooks = Counter({k: n for k, n in hooks.items() if k not in fixture.tasks.reminder_ids})
    expected_hooks = fixture.expected_webhook
    webhook = Count(
        expected=len(expected_hooks),
        distinct=len(expected_hooks & set(hooks)),
        total=sum(hooks.values()),
        unexpected=sum(n for k, n in hooks.items() if k not in expected_hooks),
    )
    notes = Counter(
        Notification.objects.filter(deadline_id__in=fixture.deadline_ids).values_list(
            "deadline_id", "user_id"
        )
    )
    expected_notes = fixture.expected_inapp
    inapp = Count(
        expected=len(expected_notes),
        distinct=len(expected_notes & set(notes)),
        total=sum(notes.values()),
        unexpected=sum(n for k, n in notes.items() if k not in expected_notes),
    )
    counts = {"email": email, "webhook": webhook, "inapp": inapp}
    if fixture.tasks.items:
        counts["task-email"] = _count(fixture.tasks.expected_email, task_emails)
        counts["task-webhook"] = _count(
            fixture.tasks.reminder_ids if fixture.endpoint else set(), task_hooks
        )
        counts["task-inapp"] = _count(
            fixture.tasks.expected_inapp, task_notifications(fixture.tasks, fixture.incident)
        )
    return counts


def quiet(fixture: Fixture) -> bool:
    """Nothing of this scenario is due, pending or being sent: no further message can leave."""
    reminders_busy = Reminder.objects.filter(
        Q(deadline__incident=fixture.incident) | Q(action_item__incident=fixture.incident),
        state__in=[ReminderState.PENDING, ReminderState.CLAIMED],
        fire_at__lte=timezone.now(),
    ).exists()
    deliveries_busy = Delivery.objects.filter(
        Q(reminder__deadline__incident=fixture.incident)
        | Q(reminder__action_item__incident=fixture.incident),
        state__in=[DeliveryState.PENDING, DeliveryState.SENDING],
    ).exists()
    return not reminders_busy and not deliveries_busy


@dataclass
class ScenarioResult:
    name: str
    description: str
    counts: dict[str, Count]
    fault: str
    seconds_after_fault: float
    confirmed: int
    interrupted_attempts: int

    @property
    def expected(self) -> int:
        return sum(c.expected for c in self.counts.values())

    @property
    def delivered(self) -> int:
        return sum(c.distinct for c in self.counts.values())

    @property
    def lost(self) -> int:
        return sum(c.lost for c in self.counts.values())

    @property
    def duplicated(self) -> int:
        return sum(c.duplicated for c in self.counts.values())

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.duplicated == 0

    def line(self) -> str:
        parts = ", ".join(
            f"{name} {c.distinct}/{c.expected}" + (f" +{c.duplicated} dup" if c.duplicated else "")
            for name, c in self.counts.items()
        )
        return (
            f"({self.name}) {self.description}: expected={self.expected} "
            f"delivered={self.delivered} lost={self.lost} duplicated={self.duplicated} "
            f"[{parts}; fault: {self.fault}; settled {self.seconds_after_fault:.0f} s after it; "
            f"{self.interrupted_attempts} interrupted attempts, {self.confirmed} settled by asking "
            f"the sink] {'OK' if self.ok else 'FAIL'}"
        )


# -- scenarios -----------------------------------------------------------------------------------

FAST_TIMINGS = {
    "REMINDER_SWEEP_SECONDS": "2",
    "REMINDER_CLAIM_LEASE_SECONDS": "10",
    "REMINDER_SEND_LEASE_SECONDS": "10",
    "REMINDER_DISPATCH_LEASE_SECONDS": "10",
    "REMINDER_DIGEST_SECONDS": "86400",
    "REMINDER_BATCH_SIZE": "40",
    "REMINDER_DB_RETRY_SECONDS": "60",
}


def _wait(condition: Callable[[], bool], timeout: float, step: float = 0.01) -> bool:
    limit = time.monotonic() + timeout
    while time.monotonic() < limit:
        if condition():
            return True
        time.sleep(step)
    return condition()


def _outbox_count(outbox: Path) -> int:
    try:
        return sum(1 for p in os.scandir(outbox) if p.name.endswith(".eml"))
    except FileNotFoundError:
        return 0


def _terminate_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def run_scenario(
    name: str,
    *,
    work: Path,
    deadlines: int = 200,
    people: int = 5,
    tasks: int | None = None,
    timings: dict[str, str] | None = None,
    log: Callable[[str], None] = lambda _m: None,
) -> ScenarioResult:
    tag = f"{name}{uuid.uuid4().hex[:6]}"
    scenario_dir = work / tag
    outbox = scenario_dir / "outbox"
    outbox.mkdir(parents=True)
    redis = Redis(scenario_dir)
    redis.start()
    secret = uuid.uuid4().hex
    receiver = Receiver(secret)
    cluster = Cluster(scenario_dir, redis, {**FAST_TIMINGS, **(timings or {})})
    fault = "none"
    fault_end = time.monotonic()
    try:
        with receiver:
            fixture = build_fixture(
                tag,
                deadlines=deadlines,
                people=people,
                receiver=receiver,
                tasks=deadlines // 4 if tasks is None else tasks,
            )
            expected_email = len(fixture.expected_email) + len(fixture.tasks.expected_email)
            log(
                f"  {tag}: {len(fixture.reminder_ids)} deadline and "
                f"{len(fixture.tasks.items)} task reminders due, workdir {scenario_dir}"
            )
            w1 = cluster.worker("worker1")
            w2 = cluster.worker("worker2")
            if name == "a":
                killed: list[str] = []
                trigger_hit = max(2, deadlines // 3)

                def on_hit(number: int, port: int) -> None:
                    if number < trigger_hit or killed:
                        return
                    inode = socket_inode(port)
                    victim = next(
                        (w for w in (w1, w2) if inode and owns_socket(w.pid, inode)), None
                    )
                    if victim is not None:
                        killed.append(victim.name)
                        victim.kill()

                receiver.on_hit = on_hit
                receiver.delay = 0.002
                cluster.beat("beat1")
                _wait(lambda: bool(killed), 120)
                receiver.on_hit = None
                time.sleep(1)
                for proc in (w1, w2):
                    if not proc.alive():
                        proc.start()
                first = killed[0] if killed else "nobody (trigger not reached)"
                # Second kill: while e-mails are being written.
                start_count = _outbox_count(outbox)
                reached = _wait(
                    lambda: (
                        _outbox_count(outbox)
                        >= min(expected_email - 1, start_count + expected_email // 4)
                    ),
                    120,
                    0.002,
                )
                second = "none (e-mail already done)"
                if reached and _outbox_count(outbox) < expected_email:
                    w2.kill()
                    second = w2.name
                    time.sleep(1)
                    w2.start()
                fault = f"SIGKILL {first} at webhook hit {trigger_hit}, SIGKILL {second} mid e-mail, both restarted"
            elif name == "b":
                receiver.delay = 0.01
                cluster.beat("beat1")
                reached = _wait(lambda: _outbox_count(outbox) >= expected_email // 5, 120, 0.005)
                queued = "?"
                with (
                    contextlib.suppress(OSError),
                    socket.create_connection(("127.0.0.1", redis.port), 1) as s,
                ):
                    s.sendall(b"LLEN celery\r\n")
                    queued = s.recv(64).decode().strip().lstrip(":")
                redis.kill()
                time.sleep(2)
                redis.start()
                fault = f"SIGKILL redis-server with {queued} batch messages queued{'' if reached else ' (late)'}, restarted after 2 s"
            elif name == "c":
                cluster.beat("beat1")
                cluster.beat("beat2")
                fault = "two beat schedulers running throughout"
            elif name == "d":
                receiver.delay = 0.005
                cluster.beat("beat1")
                _wait(lambda: _outbox_count(outbox) >= expected_email // 5, 120, 0.005)
                dropped = 0
                for _ in range(3):
                    dropped += _terminate_connections()
                    time.sleep(0.3)
                fault = f"terminated {dropped} database connections (3 times, 0.3 s apart) mid-send"
            else:
                raise ValueError(f"unknown scenario {name!r}")
            fault_end = time.monotonic()
            connection.close()  # the harness's own connection may have been dropped too

            def done() -> bool:
                counts = count_outputs(fixture, outbox, receiver)
                complete = all(c.distinct == c.expected for c in counts.values())
                return complete and quiet(fixture)

            _wait(done, 120, 0.5)
            settled = time.monotonic() - fault_end
            # Whatever could still be reclaimed would be by now; then count for real.
            time.sleep(1)
            counts = count_outputs(fixture, outbox, receiver)
            deliveries = Delivery.objects.filter(
                Q(reminder__deadline__incident=fixture.incident)
                | Q(reminder__action_item__incident=fixture.incident)
            )
            confirmed = deliveries.filter(confirmed_after_interruption=True).count()
            interrupted = deliveries.filter(attempts__gt=1).count()
            if receiver.bad_signatures:
                fault += f"; {receiver.bad_signatures} hits with a bad signature"
    finally:
        cluster.stop()
        redis.stop()
    return ScenarioResult(name, SCENARIOS[name], counts, fault, settled, confirmed, interrupted)


@contextlib.contextmanager
def workdir(base: Path | None = None) -> Iterator[Path]:
    path = (base or Path(settings.VAR_DIR) / "reminder-faults") / time.strftime("%Y%m%d-%H%M%S")
    path.mkdir(parents=True, exist_ok=True)
    yield path


def run_scenarios(
    names: list[str],
    *,
    deadlines: int = 200,
    people: int = 5,
    tasks: int | None = None,
    log: Callable[[str], None] = print,
    base: Path | None = None,
) -> list[ScenarioResult]:
    results = []
    with workdir(base) as work:
        for name in names:
            result = run_scenario(
                name, work=work, deadlines=deadlines, people=people, tasks=tasks, log=log
            )
            log(result.line())
            results.append(result)
    return results


# -- benchmark -----------------------------------------------------------------------------------


@dataclass
class BenchResult:
    deliveries: int
    seconds: float
    first_sweep_seconds: float
    counts: dict[str, Count]
    workers: int

    def line(self) -> str:
        lost = sum(c.lost for c in self.counts.values())
        duplicated = sum(c.duplicated for c in self.counts.values())
        return (
            f"{self.deliveries} deliveries due at once, {self.workers} worker processes: all sent "
            f"{self.seconds:.1f} s after the workers were started (sending began "
            f"{self.first_sweep_seconds:.1f} s in); lost={lost} duplicated={duplicated} "
            f"({self.deliveries / self.seconds:.0f} deliveries/s)"
        )


def run_benchmark(
    *,
    work: Path,
    deadlines: int = 2000,
    people: int = 25,
    workers: int = 2,
    timeout: float = 600,
    log: Callable[[str], None] = print,
) -> BenchResult:
    """``deadlines`` x ``people`` x (e-mail, in-app) deliveries fall due at once and are sent by
    ``workers`` worker processes in batches; timed from starting the workers to the last one."""
    tag = f"bench{uuid.uuid4().hex[:6]}"
    bench_dir = work / tag
    outbox = bench_dir / "outbox"
    outbox.mkdir(parents=True)
    redis = Redis(bench_dir)
    redis.start()
    timings = {**FAST_TIMINGS, "REMINDER_SWEEP_SECONDS": "5", "REMINDER_BATCH_SIZE": "250"}
    # Production leases: a backlog this size must not be mistaken for stuck work.
    timings.update(
        {
            "REMINDER_CLAIM_LEASE_SECONDS": "120",
            "REMINDER_SEND_LEASE_SECONDS": "60",
            "REMINDER_DISPATCH_LEASE_SECONDS": "60",
        }
    )
    cluster = Cluster(bench_dir, redis, timings)
    try:
        built = time.monotonic()
        fixture = build_fixture(tag, deadlines=deadlines, people=people, receiver=None)
        expected = len(fixture.expected_email) + len(fixture.expected_inapp)
        log(f"  fixture: {expected} deliveries due ({time.monotonic() - built:.1f} s to build)")
        started = time.monotonic()
        for i in range(workers):
            cluster.worker(f"worker{i + 1}")
        cluster.beat("beat1")
        first_sent: float | None = None

        def progress() -> bool:
            nonlocal first_sent
            sent = _outbox_count(outbox)
            if sent and first_sent is None:
                first_sent = time.monotonic() - started
            if sent < len(fixture.expected_email):
                return False
            notes = Notification.objects.filter(deadline_id__in=fixture.deadline_ids).count()
            return notes >= len(fixture.expected_inapp) and quiet(fixture)

        _wait(progress, timeout, 0.25)
        seconds = time.monotonic() - started
        counts = count_outputs(fixture, outbox, None)
        counts.pop("webhook")
    finally:
        cluster.stop()
        redis.stop()
    return BenchResult(expected, seconds, first_sent or 0.0, counts, workers)
