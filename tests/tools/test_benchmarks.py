"""The page and write benchmarks (issue #20 item 1): ``bench_pages`` and ``bench_writes``.

The figures themselves are machine-dependent and recorded in docs/performance.md; these tests
check what the commands measure and print: every page for both users beside the bare
``@login_required`` view, p50/p95, the ratio to the bare view of the same user, the queries of one
request, and the clear refusals.
"""

from __future__ import annotations

import gc
import io
import re
from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from incidents.models import Deadline, Incident, TimelineEvent
from tools.bench_urls import BARE_PATH, bench_settings

PAGES = [
    "bare view",
    "dashboard",
    "deadline list",
    "incident list",
    "incident page",
    "API incidents",
    "API events",
]
WRITES = ["note", "awareness", "move", "filing", "count", "bare view"]
ROW = re.compile(
    r"^(?P<name>.+?)\s+(?P<p50>\d+\.\d)\s+(?P<p95>\d+\.\d)\s+(?P<x>\d+\.\d)\s+(?P<q>\d+)$"
)


@pytest.fixture(autouse=True)
def _unfreeze() -> Iterator[None]:
    # bench_pages freezes the process's objects as gunicorn does before forking; give them back
    # to the collector so the rest of the test run is not affected.
    yield
    gc.unfreeze()


def _rows(output: str) -> dict[str, tuple[float, float, float, int]]:
    rows = {}
    for line in output.splitlines():
        match = ROW.match(line.strip())
        if match:
            rows[re.sub(r"\s+", " ", match["name"])] = (
                float(match["p50"]),
                float(match["p95"]),
                float(match["x"]),
                int(match["q"]),
            )
    return rows


# bench_pages warms the process up as gunicorn's master does, which ends by closing every database
# connection: inside a test's transaction that would close the test's own, so these tests commit.
BENCH_DB = pytest.mark.django_db(transaction=True)


def _bench_pages(*args: str) -> str:
    out = io.StringIO()
    call_command("bench_pages", *args, stdout=out)
    return out.getvalue()


@BENCH_DB
def test_bench_pages_times_every_page_for_both_users_beside_the_bare_view(catalogue) -> None:
    output = _bench_pages("--seed", "2", "--rounds", "3", "--warmup", "1")

    rows = _rows(output)
    assert set(rows) == {f"{user} {page}" for user in ("admin", "member") for page in PAGES}
    for user in ("admin", "member"):
        bare_p50 = rows[f"{user} bare view"][0]
        assert rows[f"{user} bare view"][2] == 1.0
        for page in PAGES:
            p50, p95, ratio, queries = rows[f"{user} {page}"]
            assert 0 < p50 <= p95
            assert 1 <= queries <= 15
            # The ratio is this page's p50 over the same user's bare view (printed rounded).
            assert ratio == pytest.approx(p50 / bare_p50, abs=0.1 + 0.06 * p50 / bare_p50)
    assert "database=" in output
    assert "rounds=3" in output
    assert "load average before:" in output
    assert "load average after:" in output
    # The member was given the recent incidents; the page timed has its events.
    assert "incident page: BENCH-" in output


@BENCH_DB
def test_bench_pages_only_times_the_pages_asked_for_and_the_bare_view(catalogue) -> None:
    output = _bench_pages("--seed", "1", "--rounds", "2", "--warmup", "0", "--only", "dashboard")

    assert set(_rows(output)) == {
        "admin bare view",
        "admin dashboard",
        "member bare view",
        "member dashboard",
    }


@BENCH_DB
def test_bench_pages_profiles_one_page(catalogue) -> None:
    output = _bench_pages(
        "--seed", "1", "--warmup", "0", "--profile", "incident page", "--requests", "2"
    )

    assert re.search(r"/incidents/BENCH-\d+/ x 2", output)
    assert "function calls" in output


@BENCH_DB
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--only", "dashboard,nowhere"], "--only: unknown nowhere"),
        (["--profile", "nowhere"], "--profile: one of dashboard"),
    ],
)
def test_bench_pages_refuses_pages_it_does_not_know(catalogue, args, message) -> None:
    with pytest.raises(CommandError, match=message):
        _bench_pages("--seed", "1", "--rounds", "1", *args)


@BENCH_DB
def test_bench_pages_on_an_empty_database_says_how_to_get_incidents() -> None:
    with pytest.raises(CommandError, match="No incidents: load the demo or pass --seed N"):
        _bench_pages("--rounds", "1")
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_the_bare_view_asks_for_a_sign_in_like_every_page() -> None:
    with override_settings(**bench_settings()):
        response = Client().get(BARE_PATH)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_bench_writes_times_each_write_on_an_incident_of_100_events_and_30_deadlines(
    catalogue,
) -> None:
    out = io.StringIO()
    call_command("bench_writes", "--rounds", "2", "--warmup", "0", stdout=out)
    output = out.getvalue()

    header = re.search(r"incident=(BENCH-W-\d+) events=(\d+) deadlines=(\d+)", output)
    assert header is not None
    assert int(header[2]) == 100
    assert int(header[3]) >= 30
    rows = _rows(output)
    assert set(rows) == set(WRITES)
    assert rows["bare view"][2] == 1.0
    for p50, p95, _ratio, queries in rows.values():
        assert 0 < p50 <= p95
        assert queries >= 1
    # Every write went through the API and was stored: one of each per timed request and the
    # one whose queries were counted (3 notes, 3 later and 3 earlier awareness events).
    incident = Incident.objects.get(reference=header[1])
    assert TimelineEvent.objects.filter(incident=incident).count() == 100 + 9
    assert Deadline.objects.filter(incident=incident).count() >= 30
    assert f"the incident now has {100 + 9} events" in output
