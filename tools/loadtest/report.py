"""The printed summary: Locust's per-request-type statistics plus the server's CPU and memory."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from tools.loadtest.server import Usage


@dataclass(frozen=True)
class Row:
    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float


def _number(value: str) -> float:
    try:
        return float(value)
    except ValueError:  # "N/A" when a type had no request
        return 0.0


def read_stats(prefix: Path) -> list[Row]:
    """Rows of ``<prefix>_stats.csv``, the aggregate last (named "total")."""
    rows = []
    with Path(f"{prefix}_stats.csv").open(newline="") as handle:
        for record in csv.DictReader(handle):
            name = record["Name"]
            if record["Type"]:
                name = f"{record['Type']} {name}"
            rows.append(
                Row(
                    name="total" if record["Name"] == "Aggregated" else name,
                    requests=int(record["Request Count"]),
                    failures=int(record["Failure Count"]),
                    rps=_number(record["Requests/s"]),
                    p50=_number(record["50%"]),
                    p95=_number(record["95%"]),
                    p99=_number(record["99%"]),
                )
            )
    return rows


def read_failures(prefix: Path) -> list[tuple[str, str, int]]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        return [
            (f"{r['Method']} {r['Name']}", r["Error"], int(r["Occurrences"]))
            for r in csv.DictReader(handle)
        ]


def render(
    *,
    heading: str,
    rows: list[Row],
    failures: list[tuple[str, str, int]],
    usage: dict[str, Usage],
    seconds: float,
    cores: int,
    load_average: tuple[float, float, float],
) -> str:
    width = max([len(r.name) for r in rows] + [20])
    lines = [heading, ""]
    lines.append(
        f"{'request type':<{width}} {'reqs':>7} {'fails':>6} {'req/s':>7} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    )
    for row in rows:
        if row.requests == 0 and row.name != "total":
            continue  # e.g. the sign-ins, before the closed loop's statistics start
        if row.name == "total":
            lines.append("-" * (width + 48))
        lines.append(
            f"{row.name:<{width}} {row.requests:>7} {row.failures:>6} {row.rps:>7.1f} "
            f"{row.p50:>7.0f} {row.p95:>7.0f} {row.p99:>7.0f}"
        )
    total_row = next((row for row in rows if row.name == "total"), None)
    if total_row is not None:
        lines.append("")
        lines.append(
            f"throughput: {total_row.rps:.1f} requests/s; {total_row.requests} requests, "
            f"{total_row.failures} failed; p95 {total_row.p95:.0f} ms"
        )
    lines.append("")
    if failures:
        lines.append("errors:")
        lines.extend(f"  {count:>6} x {where}: {error}" for where, error, count in failures)
    else:
        lines.append("errors: none")
    lines.append("")
    lines.append(f"server processes over {seconds:.0f} s ({cores} cores on this machine):")
    lines.append(f"  {'part':<20} {'procs':>5} {'CPU s':>8} {'avg CPU %':>10} {'peak RSS MB':>12}")
    total = Usage()
    for role, item in usage.items():
        total.cpu_seconds += item.cpu_seconds
        total.peak_rss += item.peak_rss
        total.processes += item.processes
        lines.append(_usage_line(role, item, seconds))
    lines.append(_usage_line("all", total, seconds))
    lines.append("  (avg CPU %: 100 = one core busy for the whole run; peak RSS summed per part)")
    lines.append("machine load average at the end: " + " ".join(f"{v:.2f}" for v in load_average))
    return "\n".join(lines)


def _usage_line(role: str, item: Usage, seconds: float) -> str:
    return (
        f"  {role:<20} {item.processes:>5} {item.cpu_seconds:>8.1f} "
        f"{100 * item.cpu_seconds / seconds:>10.0f} {item.peak_rss / 2**20:>12.0f}"
    )
