"""The HTTP load mix of issues #19 (item 3) and #20 (item 1), for Locust.

Run through ``manage.py load_test`` (it prepares the accounts and reads the server's CPU and
memory); by hand: ``LOADTEST_ACCOUNTS=var/loadtest/accounts.json locust -f tools/loadtest/locustfile.py
--headless -u 16 -r 4 -t 60s --host http://127.0.0.1:8000``.

Three kinds of user, with think time between actions (seconds, uniform):

- compliance officers (weight 6, 2-6 s): dashboard, deadline list, incident list and pages,
  what-if, recording a timeline event and a filing through the web forms;
- legal (weight 1, 5-15 s): a CSV export (streamed) and a PDF export (a background job above
  EXPORT_PDF_ASYNC_THRESHOLD events: polled until done, then downloaded);
- API clients (weight 3, 1-3 s): incident lists with filters, nested lists, event posts.

``LOADTEST_THINK_TIME`` multiplies every think time (default 1, the realistic mix). 0 makes a
closed loop: each user sends its next request as soon as the previous one is answered, with the
same users, tasks and weights (``manage.py load_test --think-time 0``, the throughput test). The
2 s between polls of a PDF job is the job's pace, not a person's, and stays. In the closed loop
every user waits, once signed in, until all are; then the statistics start afresh, so that they
measure the steady state, not the ramp and the deliberately slow password hashing (unless a
sign-in failed: then nothing is reset, and the failure stays in the report).

Request names group URLs by type ("incident page", not one line per reference), so the report
gives p50/p95/p99 per request type. Every record written carries a unique marker in its title or
notes; with ``LOADTEST_REQUEST_LOG=path`` each request is also logged as one JSON line (start and
end time, type, status, redirect target, marker), which ``manage.py soak`` reads to place 5xx
answers in time and to find every acknowledged write in the database. Besides Locust it imports
only ``tools.loadtest.otp`` (run it from the repository root): it needs no Django and runs
against any server.

The users are ``FastHttpUser`` (geventhttpclient), not ``HttpUser`` (python-requests): Locust
runs on the same two cores as the server it measures, so every CPU-second it spends per request
is taken from the server and is measurement overhead. With this mix Locust's own CPU went from
1.6-1.7 ms per request (requests) to 0.85-0.9 ms (docs/performance.md). What differs from
requests: the cookies are ``client.cookiejar``; there are no session-wide headers, so the API
token goes in the user's ``default_headers`` (sent with every request); a request that got no
answer yields an ``ErrorResponse`` (status 0, no headers, no body to stream).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from gevent.event import Event
from locust import FastHttpUser, between, events, task
from locust.contrib.fasthttp import FAILURE_EXCEPTIONS

from tools.loadtest.otp import totp

ZONE = "Asia/Seoul"
THINK_TIME = float(os.environ.get("LOADTEST_THINK_TIME") or 1)
if not THINK_TIME >= 0:  # also refuses NaN
    raise ValueError(f"LOADTEST_THINK_TIME must be at least 0, not {THINK_TIME}")


def think(low: float, high: float) -> Any:
    """Locust's ``between(low, high)`` seconds, scaled by THINK_TIME (0: no wait at all)."""
    return between(low * THINK_TIME, high * THINK_TIME)


class StartLine:
    """The closed loop's start: users arrive once signed in (or not); the last of them resets
    the statistics (if every sign-in worked) and lets everybody go at once."""

    def __init__(self) -> None:
        self.arrived = 0
        self.failed = False
        self.everyone_in = Event()

    def arrive(self, user: Any, *, signed_in: bool) -> None:
        self.arrived += 1
        self.failed |= not signed_in
        runner = user.environment.runner
        expected = runner.target_user_count if runner is not None else self.arrived
        if self.arrived >= expected and not self.everyone_in.is_set():
            if not self.failed:
                user.environment.stats.reset_all()
            self.everyone_in.set()
        self.everyone_in.wait()


_START = StartLine()


def _arrive(user: Any, *, signed_in: bool) -> None:
    if THINK_TIME == 0:
        _START.arrive(user, signed_in=signed_in)


_ACCOUNTS: dict[str, Any] = json.loads(
    Path(os.environ.get("LOADTEST_ACCOUNTS", "var/loadtest/accounts.json")).read_text()
)
# Each simulated user takes its own account: a TOTP code is accepted once per account and step,
# so two users signing in as one legal account within 30 s would fail. load_test creates as many
# accounts of each kind as there are users.
_NEXT = {kind: itertools.count() for kind in ("officers", "legal", "api")}


def _account(kind: str) -> dict[str, Any]:
    pool = _ACCOUNTS[kind]
    return dict(pool[next(_NEXT[kind]) % len(pool)])


def _local_now() -> datetime:
    return datetime.now(UTC).astimezone(ZoneInfo(ZONE))


def _location(response: Any) -> str:
    """The answer's redirect target, or "" (a request that got no answer has no headers)."""
    headers = getattr(response, "headers", None) or {}
    return str(headers.get("Location") or "")


def _marked(text: str) -> str:
    """``text`` with a unique marker, so that the soak can find this very record afterwards."""
    return f"{text} [{uuid.uuid4().hex[:12]}]"


_REQUEST_LOG = os.environ.get("LOADTEST_REQUEST_LOG")
if _REQUEST_LOG:
    _LOG = Path(_REQUEST_LOG).open("a", buffering=1)  # noqa: SIM115 (open for the whole run)

    @events.request.add_listener
    def _log_request(
        request_type: str,
        name: str,
        response: Any,
        context: dict[str, Any] | None,
        exception: BaseException | None,
        start_time: float | None = None,
        **_kwargs: Any,
    ) -> None:
        status = int(getattr(response, "status_code", 0) or 0)
        record = {
            "t0": start_time,
            "t1": time.time(),
            "method": request_type,
            "name": name,
            "status": status,
            "location": _location(response) if 300 <= status < 400 else "",
            **{k: v for k, v in (context or {}).items() if k in ("record", "text")},
        }
        if exception is not None:
            record["error"] = str(exception)[:200]
        _LOG.write(json.dumps(record) + "\n")


class _WebUser(FastHttpUser):
    abstract = True
    kind = "officers"

    def on_start(self) -> None:
        signed_in = False
        try:
            self._sign_in()
            signed_in = True
        finally:
            _arrive(self, signed_in=signed_in)

    def _sign_in(self) -> None:
        self.account = _account(self.kind)
        self.client.get("/accounts/login/", name="sign in (form)")
        response = self.client.post(
            "/accounts/login/",
            data={
                "username": self.account["username"],
                "password": _ACCOUNTS["password"],
                "csrfmiddlewaretoken": self._csrf(),
            },
            name="sign in",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"sign-in refused for {self.account['username']}")
        if "/accounts/otp/" in _location(response):
            self._second_factor()

    def _second_factor(self) -> None:
        self.client.get("/accounts/otp/", name="sign in (second factor form)")
        response = self.client.post(
            "/accounts/otp/",
            data={"token": totp(self.account["totp_key"]), "csrfmiddlewaretoken": self._csrf()},
            name="sign in (second factor)",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"second factor refused for {self.account['username']}")

    def _csrf(self) -> str:
        token = next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), None)
        return token or ""

    def _reference(self) -> str:
        return str(random.choice(self.account["incidents"]))  # noqa: S311 (not security)


class ComplianceOfficer(_WebUser):
    weight = 6
    wait_time = think(2, 6)
    kind = "officers"

    @task(5)
    def dashboard(self) -> None:
        self.client.get("/", name="dashboard")

    @task(3)
    def deadlines(self) -> None:
        self.client.get("/deadlines/", name="deadline list")

    @task(2)
    def incidents(self) -> None:
        self.client.get("/incidents/", name="incident list")

    @task(5)
    def incident_page(self) -> None:
        self.client.get(f"/incidents/{self._reference()}/", name="incident page")

    @task(1)
    def what_if(self) -> None:
        trigger = _local_now() - timedelta(hours=random.randint(1, 200))  # noqa: S311
        self.client.get(
            "/what-if/",
            params={
                "obligation": random.choice(_ACCOUNTS["obligations"]),  # noqa: S311
                "trigger_date": trigger.date().isoformat(),
                "trigger_time": trigger.strftime("%H:%M"),
                "trigger_tz": ZONE,
                "rule_tz": ZONE,
                "precision": "exact",
            },
            name="what-if",
        )

    @task(2)
    def record_event(self) -> None:
        reference = self._reference()
        when = _local_now() - timedelta(minutes=random.randint(1, 600))  # noqa: S311
        title = _marked("Load test: forensic image verified")
        with self.client.post(
            f"/incidents/{reference}/events/new/",
            data={
                "kind": "investigation_milestone",
                "title": title,
                "occurred_date": when.date().isoformat(),
                "occurred_time": when.strftime("%H:%M"),
                "entered_tz": ZONE,
                "precision": "exact",
                "confidence": "high",
                "csrfmiddlewaretoken": self._csrf(),
            },
            name="record event (web)",
            allow_redirects=False,
            catch_response=True,
            context={"record": "event", "text": title},
        ) as response:
            if response.status_code != 302:
                response.failure(f"form not accepted: {response.status_code}")

    @task(1)
    def record_filing(self) -> None:
        reference = self._reference()
        when = _local_now() - timedelta(minutes=random.randint(1, 600))  # noqa: S311
        notes = _marked("Load test filing")
        with self.client.post(
            f"/incidents/{reference}/filings/new/",
            data={
                "recipient": "KISA",
                "submitted_date": when.date().isoformat(),
                "submitted_time": when.strftime("%H:%M"),
                "submitted_tz": ZONE,
                "channel": "portal",
                "notes": notes,
                "csrfmiddlewaretoken": self._csrf(),
            },
            name="record filing (web)",
            allow_redirects=False,
            catch_response=True,
            context={"record": "filing", "text": notes},
        ) as response:
            if response.status_code != 302:
                response.failure(f"form not accepted: {response.status_code}")


class Legal(_WebUser):
    weight = 1
    wait_time = think(5, 15)
    kind = "legal"

    @task(2)
    def csv_export(self) -> None:
        with self.client.get(
            f"/incidents/{self._reference()}/export/csv/",
            name="export csv",
            stream=True,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                # The error is counted already; a request with no answer has no body to read
                # (its iter_content raises, which would lose the request from the statistics).
                return
            try:
                chunks = response.iter_content(65536, decode_content=False)
                size = sum(len(chunk) for chunk in chunks)
            except FAILURE_EXCEPTIONS as error:
                # A body cut short raises here (after the request was timed, as with requests);
                # marked failed, the request is still counted and logged instead of lost.
                response.failure(f"CSV cut short: {error!r}")
                return
            if size == 0:
                response.failure("empty CSV")
            elif not response.isclosed():
                # iter_content also ends quietly on some closed connections: the whole body
                # was read only if the HTTP message is complete.
                response.failure("CSV cut short")

    @task(1)
    def pdf_export(self) -> None:
        # An incident large enough for a background job if the data has one, else any.
        large = self.account.get("pdf_job_incidents") or []
        reference = random.choice(large) if large else self._reference()  # noqa: S311
        response = self.client.get(
            f"/incidents/{reference}/export/pdf/", name="export pdf", allow_redirects=False
        )
        if response.status_code != 303:
            return  # built in the request (small incident), or the error Locust already counted
        job_url = _location(response)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            time.sleep(2)
            status = self.client.get(
                job_url, params={"format": "json"}, name="export job status"
            ).json()
            if status["status"] == "done":
                self.client.get(status["download_url"], name="export job download")
                return
            if status["status"] == "failed":
                return


class ApiClient(FastHttpUser):
    weight = 3
    wait_time = think(1, 3)

    def __init__(self, environment: Any) -> None:
        # FastHttpSession has no session-wide headers; default_headers, read when the client is
        # made, go with every request, so the token is set before the parent makes it.
        self.account = _account("api")
        self.default_headers = {"Authorization": f"Token {self.account['token']}"}
        super().__init__(environment)

    def on_start(self) -> None:
        _arrive(self, signed_in=True)

    def _incident(self) -> int:
        return int(random.choice(self.account["incident_ids"]))  # noqa: S311

    @task(4)
    def list_open(self) -> None:
        self.client.get(
            "/api/v1/incidents/",
            params={"status": "open", "ordering": "-updated_at"},
            name="api incidents ?status&ordering",
        )

    @task(2)
    def list_by_severity(self) -> None:
        self.client.get(
            "/api/v1/incidents/",
            params={"severity": random.choice(["low", "medium", "high", "critical"])},  # noqa: S311
            name="api incidents ?severity",
        )

    @task(3)
    def deadlines(self) -> None:
        self.client.get(f"/api/v1/incidents/{self._incident()}/deadlines/", name="api deadlines")

    @task(3)
    def events(self) -> None:
        self.client.get(f"/api/v1/incidents/{self._incident()}/events/", name="api events")

    @task(2)
    def post_event(self) -> None:
        when = datetime.now(UTC) - timedelta(minutes=random.randint(1, 600))  # noqa: S311
        title = _marked("Load test: log review finished")
        self.client.post(
            f"/api/v1/incidents/{self._incident()}/events/",
            json={
                "kind": "investigation_milestone",
                "occurred_at": when.isoformat(),
                "title": title,
                "precision": "exact",
                "confidence": "high",
            },
            name="api post event",
            context={"record": "event", "text": title},
        )
