"""`manage.py deadline`: legal what-if from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.usefixtures("catalogue")
ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> dict:
    out = StringIO()
    call_command("deadline", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_rule_code_and_trigger_give_the_due_time_in_the_rules_zone() -> None:
    data = run("us-sec-8k-1-05", "2025-11-18T10:00-05:00")
    assert data["code"] == "us-sec-8k-1-05"
    assert data["due_at"] == "2025-11-24T17:30:00-05:00"
    assert "11-19, 11-20, 11-21, 11-24" in data["explanation"][0]["en"]


def test_ad_hoc_offset_in_korean_business_days() -> None:
    data = run(
        "--offset", "3bd", "--calendar", "KR", "--tz", "Asia/Seoul", "2025-10-02T10:00+09:00"
    )
    assert data["due_at"] == "2025-10-14T23:59:59+09:00"


def test_dora_initial_takes_the_earlier_of_two_clocks() -> None:
    data = run("eu-dora-initial", "2026-06-09T15:30+02:00", "--awareness", "2026-06-09T08:00+02:00")
    assert data["due_at"] == "2026-06-09T19:30:00+02:00"


def test_trigger_before_the_rule_was_in_force_gives_null_with_a_reason() -> None:
    data = run("us-ca-1798-82", "2025-06-01T10:00-07:00")
    assert data["due_at"] is None
    assert "not in force" in data["explanation"][0]["en"]


def test_without_delay_rule_has_no_legal_due_time() -> None:
    data = run("kr-efta-21-5-report", "2025-06-01T10:00+09:00")
    assert data["due_at"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-rule", "2025-11-18T10:00-05:00"], "Unknown rule code"),
        (["us-sec-8k-1-05", "2025-11-18T10:00"], "no UTC offset"),
        (["us-sec-8k-1-05", "yesterday"], "not an ISO 8601 time"),
        (["--offset", "3bd", "--calendar", "MARS", "2025-11-18T10:00+09:00"], "Unknown calendar"),
        (["--offset", "3 weeks", "2025-11-18T10:00+09:00"], "--offset"),
        (
            [
                "--offset",
                "3bd",
                "--calendar",
                "KR",
                "--tz",
                "Mars/Olympus",
                "2025-11-18T10:00+09:00",
            ],
            "time zone",
        ),
        (["--offset", "3bd", "2025-11-18T10:00+09:00"], "Business days need a calendar"),
    ],
)
def test_bad_input_is_a_clear_error_with_status_2(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message) as excinfo:
        call_command("deadline", *args)
    assert excinfo.value.returncode == 2


@pytest.mark.parametrize(
    "argv",
    [
        ["us-sec-8k-1-05", "2025-11-18T10:00"],
        ["--offset", "3 weeks", "2025-11-18T10:00+09:00"],
    ],
)
def test_bad_input_from_the_shell_prints_one_line_and_exits_2(argv: list[str]) -> None:
    # Refused before any database access, so the real process needs no migrated database.
    result = subprocess.run(  # noqa: S603  (fixed argv, our own manage.py)
        [sys.executable, "manage.py", "deadline", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_entity_zone_gives_the_los_angeles_hipaa_date() -> None:
    # 2026-01-15 23:30 PST: LA day 0 = 01-15, + 60 = 03-16 end of day (PDT).
    data = run(
        "us-hipaa-individuals", "2026-01-15T23:30-08:00", "--entity-tz", "America/Los_Angeles"
    )
    assert data["due_at"] == "2026-03-16T23:59:59-07:00"


def test_dora_relief_option_moves_a_saturday_time_limit_to_monday_noon() -> None:
    # Classified Fri 2026-06-12 22:00 CEST + 4 h = Sat 02:00 -> Mon 06-15 12:00 if eligible.
    args = ("eu-dora-initial", "2026-06-12T22:00+02:00", "--awareness", "2026-06-12T10:00+02:00")
    assert run(*args)["due_at"] == "2026-06-13T02:00:00+02:00"
    assert run(*args, "--dora-relief", "eligible")["due_at"] == "2026-06-15T12:00:00+02:00"


def test_unknown_entity_zone_is_refused() -> None:
    with pytest.raises(CommandError, match="Unknown time zone"):
        run("us-hipaa-individuals", "2026-01-15T23:30-08:00", "--entity-tz", "Mars/Olympus")
