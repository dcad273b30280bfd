"""The soak's verdict, from what the run recorded (pure functions; tests/tools/test_soak.py).

- **Reminders**: the counts of what left the system (``tools.faults.scenarios.count_outputs``:
  outbox files and notifications against the expected set): none lost, none duplicated.
- **Server errors**: every request of the Locust request log answered 5xx (or not answered at all)
  is placed in time; those overlapping a Redis restart window (from the kill until Redis answers
  again, plus a grace period) are allowed, any other fails the run.
- **Data**: every write the server acknowledged (201 from the API, a redirect to the incident
  after a web form, never a redirect to the sign-in page) must be in the database afterwards.
- **Faults**: every scheduled fault happened, and every killed worker was replaced.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tools.faults.scenarios import Count


@dataclass(frozen=True)
class Request:
    t0: float
    t1: float
    name: str
    status: int
    method: str = ""
    location: str = ""
    record: str = ""
    text: str = ""
    error: str = ""

    @property
    def server_error(self) -> bool:
        """5xx, or no HTTP answer at all (connection refused or reset)."""
        return self.status >= 500 or self.status == 0

    @property
    def acknowledged_write(self) -> bool:
        if not self.record or not self.text:
            return False
        if self.status == 201:
            return True
        return self.status in (302, 303) and "/accounts/" not in self.location


def read_request_log(path: Path) -> list[Request]:
    """The JSON lines the locustfile writes with LOADTEST_REQUEST_LOG; a torn last line is skipped."""
    requests: list[Request] = []
    if not path.exists():
        return requests
    for line in path.read_text().splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        t1 = float(row["t1"])
        requests.append(
            Request(
                t0=float(row.get("t0") or t1),
                t1=t1,
                name=str(row.get("name", "")),
                status=int(row.get("status") or 0),
                method=str(row.get("method", "")),
                location=str(row.get("location", "")),
                record=str(row.get("record", "")),
                text=str(row.get("text", "")),
                error=str(row.get("error", "")),
            )
        )
    return requests


@dataclass(frozen=True)
class Window:
    """Wall-clock seconds (time.time()) during which server errors are expected."""

    start: float
    end: float

    def overlaps(self, request: Request) -> bool:
        return request.t0 <= self.end and request.t1 >= self.start


def split_server_errors(
    requests: Iterable[Request], windows: list[Window]
) -> tuple[list[Request], list[Request]]:
    """(inside a window, outside every window) of the requests that got a server error."""
    inside: list[Request] = []
    outside: list[Request] = []
    for request in requests:
        if not request.server_error:
            continue
        (inside if any(w.overlaps(request) for w in windows) else outside).append(request)
    return inside, outside


def acknowledged_writes(requests: Iterable[Request]) -> dict[str, set[str]]:
    """Per kind of record ("event", "filing"), the marked texts the server said it stored."""
    writes: dict[str, set[str]] = {}
    for request in requests:
        if request.acknowledged_write:
            writes.setdefault(request.record, set()).add(request.text)
    return writes


@dataclass
class Fault:
    name: str
    at: float  # seconds into the run
    detail: str
    ok: bool


@dataclass
class Verdict:
    minutes: float
    requests: int
    faults: list[Fault]
    windows: list[Window]
    errors_inside: list[Request]
    errors_outside: list[Request]
    writes: dict[str, int]  # acknowledged, per kind
    missing: dict[str, list[str]]  # acknowledged but not in the database, per kind
    reminders: dict[str, Count]
    notes: list[str] = field(default_factory=list)

    @property
    def reminders_ok(self) -> bool:
        return all(c.lost == 0 and c.duplicated == 0 for c in self.reminders.values()) and any(
            c.expected for c in self.reminders.values()
        )

    @property
    def ok(self) -> bool:
        return (
            self.reminders_ok
            and not self.errors_outside
            and not any(self.missing.values())
            and all(f.ok for f in self.faults)
            and self.requests > 0
        )

    def lines(self) -> list[str]:
        out = [f"Soak verdict ({self.minutes:g} min, {self.requests} requests):"]
        for fault in self.faults:
            mark = "ok" if fault.ok else "FAILED"
            out.append(f"  fault at {fault.at:6.1f} s: {fault.name}: {fault.detail} [{mark}]")
        for window in self.windows:
            out.append(f"  Redis restart window: {window.end - window.start:.1f} s")
        out.append(
            f"  server errors (5xx or no answer): {len(self.errors_inside)} inside the Redis "
            f"restart window, {len(self.errors_outside)} outside"
        )
        for request in self.errors_outside[:10]:
            what = request.error or str(request.status)
            out.append(f"    outside: {request.method} {request.name}: {what}")
        parts = []
        for kind, count in sorted(self.writes.items()):
            parts.append(f"{kind}s {count - len(self.missing.get(kind, []))}/{count}")
        out.append(
            "  acknowledged writes found in the database: " + (", ".join(parts) or "none made")
        )
        for kind, texts in self.missing.items():
            out.extend(f"    missing {kind}: {text}" for text in texts[:10])
        parts = [
            f"{name} {c.distinct}/{c.expected}"
            + (f" lost {c.lost}" if c.lost else "")
            + (f" +{c.duplicated} dup" if c.duplicated else "")
            for name, c in self.reminders.items()
        ]
        out.append("  reminders that left the system: " + ", ".join(parts))
        out.extend(f"  note: {note}" for note in self.notes)
        out.append("SOAK OK" if self.ok else "SOAK FAILED")
        return out
