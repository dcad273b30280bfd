"""Schemathesis against a live test server: every operation, a token, every check, no failures.

The number of examples per operation is capped so the run fits the CI budget:
SCHEMATHESIS_MAX_EXAMPLES (default 25; .ci/run sets 8). SCHEMATHESIS_SEED pins the seed.
Settings that hold for every run live in tests/api/schemathesis.toml.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

HERE = Path(__file__).resolve().parent


def test_schemathesis_finds_no_failures_on_any_operation(live_server, tmp_path) -> None:
    call_command("load_catalogue", verbosity=0)
    call_command("load_demo", verbosity=0)
    admin = UserFactory(username="st-admin", role="admin", is_staff=True)
    assert Group.objects.filter(name="admin", user=admin).exists()
    token = Token.objects.create(user=admin)
    max_examples = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25")
    command = [
        sys.executable,
        "-c",
        "from schemathesis.cli import schemathesis; schemathesis()",
        "--config-file",
        str(HERE / "schemathesis.toml"),
        "run",
        f"{live_server.url}/api/schema/",
        "--checks",
        "all",
        "--max-examples",
        max_examples,
        "--workers",
        "1",
        "--header",
        f"Authorization: Token {token.key}",
        "--no-color",
    ]
    if os.environ.get("SCHEMATHESIS_SEED"):
        command += ["--seed", os.environ["SCHEMATHESIS_SEED"]]
    result = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        # In a temporary directory: schemathesis keeps a cache (.schemathesis/) where it runs.
        command,
        capture_output=True,
        text=True,
        timeout=3000,
        check=False,
        cwd=tmp_path,
    )
    output = result.stdout + result.stderr
    summary = output[-6000:]
    assert result.returncode == 0, summary
    # 46 operations before issue 16; +10 action items, +10 notice campaigns, +9 records.
    assert "Selected: 75/75" in output, summary
    assert "Tested: 75" in output, summary
