"""The HTTP load test's parts: accounts (roles, memberships, TOTP, tokens), the one-time codes,
finding and measuring the server's processes, and the printed report.

The locustfile itself is not imported here: importing Locust monkey-patches the standard library
(gevent). The end-to-end run against `make serve` is in docs/performance.md (smoke run).
"""

from __future__ import annotations

import io
import json
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from common.roles import Role, roles_of
from incidents.models import Membership
from tests.factories import IncidentFactory, TimelineEventFactory
from tools.loadtest import report, runner
from tools.loadtest.accounts import loadtest_accounts_prepare, loadtest_accounts_remove
from tools.loadtest.otp import totp
from tools.loadtest.runner import LocustRun
from tools.loadtest.server import Sampler, Usage, role_of, server_root
from tools.management.commands import load_test

ROOT = Path(__file__).resolve().parents[2]

# --- one-time codes ---------------------------------------------------------------------------


def test_totp_matches_the_rfc_6238_sha1_test_vectors() -> None:
    # RFC 6238 appendix B: the ASCII key "12345678901234567890", 8 digits.
    key = b"12345678901234567890".hex()
    assert totp(key, at=59, digits=8) == "94287082"
    assert totp(key, at=1111111109, digits=8) == "07081804"
    assert totp(key, at=2000000000, digits=8) == "69279037"


@pytest.mark.django_db
def test_totp_code_is_accepted_by_the_sign_in_device(tmp_path: Path) -> None:
    IncidentFactory()
    data = loadtest_accounts_prepare(
        officers=1, legal=1, api=1, incidents_each=1, output=tmp_path / "a.json"
    )
    legal = data["legal"][0]
    device = TOTPDevice.objects.get(user__username=legal["username"])
    assert device.verify_token(totp(legal["totp_key"]))


# --- accounts ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_accounts_get_their_roles_memberships_tokens_and_a_private_file(tmp_path: Path) -> None:
    incidents = [IncidentFactory() for _ in range(4)]
    output = tmp_path / "accounts.json"
    data = loadtest_accounts_prepare(officers=2, legal=1, api=2, incidents_each=3, output=output)

    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    assert json.loads(output.read_text()) == data
    newest: list[str] = [i.reference for i in sorted(incidents, key=lambda i: -i.pk)[:3]]
    User = get_user_model()
    officer = User.objects.get(username=data["officers"][0]["username"])
    legal = User.objects.get(username=data["legal"][0]["username"])
    api = User.objects.get(username=data["api"][1]["username"])
    assert roles_of(officer) == {Role.COMPLIANCE}
    assert roles_of(legal) == {Role.LEGAL}
    assert officer.check_password(data["password"])
    assert sorted(data["officers"][0]["incidents"]) == sorted(newest)
    assert set(
        Membership.objects.filter(user=api).values_list("incident__reference", flat=True)
    ) == set(newest)
    assert Token.objects.get(user=api).key == data["api"][1]["token"]
    assert data["legal"][0]["totp_key"] == TOTPDevice.objects.get(user=legal).key


@pytest.mark.django_db
def test_legal_accounts_ask_for_pdf_jobs_on_incidents_above_the_threshold(
    settings, tmp_path: Path
) -> None:
    settings.EXPORT_PDF_ASYNC_THRESHOLD = 2
    large = IncidentFactory()
    TimelineEventFactory.create_batch(3, incident=large)
    small = IncidentFactory()
    TimelineEventFactory.create_batch(2, incident=small)
    IncidentFactory.create_batch(3)  # the most recent ones: large and small are not among them
    data = loadtest_accounts_prepare(
        officers=1, legal=1, api=1, incidents_each=3, output=tmp_path / "a.json"
    )
    assert data["legal"][0]["pdf_job_incidents"] == [large.reference]
    assert Membership.objects.filter(
        user__username=data["legal"][0]["username"], incident=large
    ).exists()
    assert not Membership.objects.filter(
        user__username=data["officers"][0]["username"], incident=large
    ).exists()


@pytest.mark.django_db
def test_preparing_again_reuses_the_accounts_with_a_new_password(tmp_path: Path) -> None:
    IncidentFactory()
    first = loadtest_accounts_prepare(
        officers=2, legal=2, api=2, incidents_each=1, output=tmp_path / "a.json"
    )
    second = loadtest_accounts_prepare(
        officers=2, legal=2, api=2, incidents_each=1, output=tmp_path / "a.json"
    )
    User = get_user_model()
    assert User.objects.filter(username__startswith="load-").count() == 6
    assert first["password"] != second["password"]
    officer = User.objects.get(username="load-officer-01")
    assert officer.check_password(second["password"])
    assert not officer.check_password(first["password"])
    assert [a["token"] for a in first["api"]] == [a["token"] for a in second["api"]]
    assert TOTPDevice.objects.filter(user__username="load-legal-01").count() == 1


@pytest.mark.django_db
def test_removing_deletes_only_the_load_test_accounts(tmp_path: Path) -> None:
    incident = IncidentFactory()
    loadtest_accounts_prepare(
        officers=1, legal=1, api=1, incidents_each=1, output=tmp_path / "a.json"
    )
    assert loadtest_accounts_remove() > 0
    User = get_user_model()
    assert not User.objects.filter(username__startswith="load-officer-").exists()
    assert User.objects.filter(pk=incident.owner_id).exists()


@pytest.mark.django_db
def test_accounts_command_refuses_an_empty_database(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no incidents"):
        call_command("loadtest_accounts", output=tmp_path / "a.json")


@pytest.mark.django_db
def test_load_test_command_says_when_no_server_listens_before_touching_accounts() -> None:
    IncidentFactory()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(CommandError, match=f"no process listens on port {port}"):
        call_command("load_test", host=f"http://127.0.0.1:{port}", users=1, stdout=io.StringIO())
    assert not get_user_model().objects.filter(username__startswith="load-").exists()


# --- server processes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cmdline", "role"),
    [
        (["python", ".venv/bin/gunicorn", "--config", "config/gunicorn.conf.py"], "web"),
        (["python", "celery", "-A", "config", "worker", "--queues", "exports"], "worker (exports)"),
        (
            ["python", "celery", "-A", "config", "worker", "--queues", "reminders,celery"],
            "worker (reminders)",
        ),
        (["python", "celery", "-A", "config", "beat"], "beat"),
        (["python", "honcho", "start"], "other"),
        (["bash", "bin/respawn", "celery", "-A", "config", "beat"], "other"),
    ],
)
def test_server_processes_are_grouped_by_part(cmdline: list[str], role: str) -> None:
    assert role_of(cmdline) == role


def test_server_is_found_by_the_port_it_listens_on() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                found = server_root(port)
                break
            except LookupError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert found.pid == server.pid
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_sampler_counts_the_cpu_time_used_during_the_run() -> None:
    sampler = Sampler(root=psutil.Process(), interval=0.05)
    sampler.start()
    spin_until = time.process_time() + 0.3
    while time.process_time() < spin_until:
        pass
    sampler.stop()
    usage = sampler.usage()["other"]
    assert usage.processes >= 1
    assert 0.25 <= usage.cpu_seconds < 5
    assert usage.peak_rss > 10 * 2**20


# --- report -------------------------------------------------------------------------------------

STATS = """Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,\
Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,\
90%,95%,98%,99%,99.9%,99.99%,100%
GET,dashboard,120,0,41,45.2,30,210,10000,2.0,0.0,41,44,46,48,60,75,90,120,210,210,210
POST,api post event,30,3,88,95.1,50,400,300,0.5,0.05,88,90,95,100,150,300,380,400,400,400,400
,Aggregated,150,3,45,55.0,30,400,8000,2.5,0.05,45,50,55,60,90,150,300,380,400,400,400
"""
FAILURES = """Method,Name,Error,Occurrences,First Seen,Last Seen
POST,api post event,HTTPError('409 Client Error'),3,x,y
"""


def test_report_prints_percentiles_per_request_type_errors_and_server_use(tmp_path: Path) -> None:
    prefix = tmp_path / "run"
    Path(f"{prefix}_stats.csv").write_text(STATS)
    Path(f"{prefix}_failures.csv").write_text(FAILURES)
    rows = report.read_stats(prefix)
    assert [r.name for r in rows] == ["GET dashboard", "POST api post event", "total"]
    assert (rows[1].requests, rows[1].failures, rows[1].p50, rows[1].p95, rows[1].p99) == (
        30,
        3,
        88,
        300,
        400,
    )
    text = report.render(
        heading="Load test",
        rows=rows,
        failures=report.read_failures(prefix),
        usage={"web": Usage(cpu_seconds=30.0, peak_rss=300 * 2**20, processes=3)},
        seconds=60.0,
        cores=2,
        load_average=(1.0, 2.0, 3.0),
    )
    assert "POST api post event" in text
    assert "throughput: 2.5 requests/s; 150 requests, 3 failed; p95 150 ms" in text
    assert "      3 x POST api post event: HTTPError('409 Client Error')" in text
    # 30 CPU seconds in 60 s is half a core: 50 %; 300 MB peak.
    web = next(line for line in text.splitlines() if line.strip().startswith("web"))
    assert web.split() == ["web", "3", "30.0", "50", "300"]
    total = next(line for line in text.splitlines() if line.startswith("total"))
    assert total.split()[1:4] == ["150", "3", "2.5"]


# --- think time: the realistic mix and the closed loop ---------------------------------------


def _wait_times(tmp_path: Path, think_time: str | None) -> dict[str, list[float]]:
    """Each user class's wait_time, sampled in a subprocess (importing Locust patches the
    standard library, so not in this one)."""
    accounts = tmp_path / "accounts.json"
    accounts.write_text("{}")
    env = {**os.environ, "LOADTEST_ACCOUNTS": str(accounts)}
    env.pop("LOADTEST_THINK_TIME", None)
    if think_time is not None:
        env["LOADTEST_THINK_TIME"] = think_time
    code = (
        "import json; from tools.loadtest import locustfile as f; "
        "print(json.dumps({c.__name__: [c.wait_time(None) for _ in range(200)] "
        "for c in (f.ComplianceOfficer, f.Legal, f.ApiClient)}))"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_locust_users_think_as_people_do_by_default(tmp_path: Path) -> None:
    waits = _wait_times(tmp_path, None)
    assert all(2 <= w <= 6 for w in waits["ComplianceOfficer"])
    assert all(5 <= w <= 15 for w in waits["Legal"])
    assert all(1 <= w <= 3 for w in waits["ApiClient"])


def test_locust_users_send_the_next_request_at_once_with_think_time_zero(tmp_path: Path) -> None:
    waits = _wait_times(tmp_path, "0")
    assert {w for values in waits.values() for w in values} == {0}


def test_locust_think_time_scales_every_pause(tmp_path: Path) -> None:
    waits = _wait_times(tmp_path, "0.5")
    assert all(1 <= w <= 3 for w in waits["ComplianceOfficer"])
    assert all(0.5 <= w <= 1.5 for w in waits["ApiClient"])


def test_locust_gets_the_think_time_from_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[tuple[list[str], dict[str, str]]] = []

    class FakePopen:
        def __init__(self, command: list[str], env: dict[str, str], **_kwargs: object) -> None:
            started.append((command, env))

    monkeypatch.setattr(runner.subprocess, "Popen", FakePopen)
    for think_time in (1.0, 0.0):
        LocustRun(
            host="http://127.0.0.1:1",
            users=16,
            run_time="60s",
            accounts=tmp_path / "a.json",
            prefix=tmp_path / "run",
            think_time=think_time,
        ).start()
    (realistic, realistic_env), (closed, closed_env) = started
    assert realistic_env["LOADTEST_THINK_TIME"] == "1.0"
    assert closed_env["LOADTEST_THINK_TIME"] == "0.0"
    assert realistic == closed
    assert closed[closed.index("--users") + 1] == "16"


START_LINE = """
import gevent
from types import SimpleNamespace
from tools.loadtest.locustfile import StartLine

def run(outcomes):
    resets, released = [], []
    stats = SimpleNamespace(reset_all=lambda: resets.append(len(released)))
    env = SimpleNamespace(runner=SimpleNamespace(target_user_count=len(outcomes)), stats=stats)
    line = StartLine()

    def user(n, ok):
        gevent.sleep(0.01 * n)
        line.arrive(SimpleNamespace(environment=env), signed_in=ok)
        released.append(n)

    gevent.joinall([gevent.spawn(user, n, ok) for n, ok in enumerate(outcomes)], timeout=10)
    return resets, sorted(released)

print(run([True, True, True]), run([True, False, True]))
"""


def test_closed_loop_statistics_start_once_every_user_has_signed_in(tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.json"
    accounts.write_text("{}")
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", START_LINE],
        cwd=ROOT,
        env={**os.environ, "LOADTEST_ACCOUNTS": str(accounts), "LOADTEST_THINK_TIME": "0"},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    # All signed in: one reset, when the third arrived and before anyone went on; then all go.
    # A sign-in failed: no reset (its error stays in the report); the others still go.
    assert result.stdout.strip().splitlines()[-1] == "([0], [0, 1, 2]) ([], [0, 1, 2])"


@pytest.mark.parametrize("think_time", [-1.0, float("nan")])
@pytest.mark.django_db
def test_load_test_command_refuses_a_negative_think_time(think_time: float) -> None:
    with pytest.raises(CommandError, match="--think-time must be at least 0"):
        call_command(
            "load_test", host="http://127.0.0.1:1", think_time=think_time, stdout=io.StringIO()
        )
    assert not get_user_model().objects.filter(username__startswith="load-").exists()


@pytest.mark.django_db
def test_load_test_command_runs_the_closed_loop_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings
) -> None:
    settings.VAR_DIR = tmp_path
    IncidentFactory()
    runs: list[LocustRun] = []

    def start(self: LocustRun) -> None:
        runs.append(self)
        self.started = time.monotonic()

    def wait(self: LocustRun) -> int:
        Path(f"{self.prefix}_stats.csv").write_text(STATS.replace(",3,", ",0,"))
        self.finished = time.monotonic()
        return 0

    monkeypatch.setattr(LocustRun, "start", start)
    monkeypatch.setattr(LocustRun, "wait", wait)
    monkeypatch.setattr(load_test, "server_root", lambda port: psutil.Process())
    out = io.StringIO()
    call_command("load_test", host="http://127.0.0.1:8031", users=2, think_time=0, stdout=out)
    assert [run.think_time for run in runs] == [0.0]
    assert "2 users for 60s against http://127.0.0.1:8031, closed loop (no think time" in (
        out.getvalue()
    )
    assert "throughput: 2.5 requests/s" in out.getvalue()


def test_report_heading_names_the_pacing() -> None:
    assert load_test.pacing(1).startswith("realistic think time")
    assert load_test.pacing(0).startswith("closed loop")
    assert load_test.pacing(0.25) == "think time x0.25"


def test_report_leaves_out_request_types_with_no_request(tmp_path: Path) -> None:
    prefix = tmp_path / "run"
    signed_in = "POST,sign in,0,0,0,0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A\n"
    Path(f"{prefix}_stats.csv").write_text(
        STATS.replace("\n,Aggregated", f"\n{signed_in},Aggregated")
    )
    rows = report.read_stats(prefix)
    assert "POST sign in" in [r.name for r in rows]
    text = report.render(
        heading="Load test",
        rows=rows,
        failures=[],
        usage={},
        seconds=60.0,
        cores=2,
        load_average=(1.0, 2.0, 3.0),
    )
    assert "sign in" not in text
    assert "GET dashboard" in text
