"""The container files say what `make serve` says (they cannot be built here: no container daemon).

The entry point runs the Procfile's own lines, so these checks tie the image and the compose
file to the process types that tests/config/test_serve.py starts for real.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PROCESS_TYPES = {"web", "reminders", "exports", "beat"}


def _procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def _compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_procfile_has_web_a_worker_per_queue_group_and_one_beat() -> None:
    procfile = _procfile()
    assert set(procfile) == PROCESS_TYPES
    assert "--queues reminders,celery" in procfile["reminders"]
    assert '--concurrency "$WORKERS"' in procfile["reminders"]
    assert '--concurrency "$EXPORT_WORKERS"' in procfile["exports"]
    for name in ("reminders", "beat"):
        assert procfile[name].startswith("exec bin/respawn celery -A config ")
    # PDF jobs yield the cores to the pages and the reminders.
    assert procfile["exports"].startswith(
        'exec bin/respawn bin/lower-priority "${EXPORT_WORKER_NICE:-10}" celery -A config '
    )
    assert "--queues exports" in procfile["exports"]
    assert "gunicorn --config config/gunicorn.conf.py config.wsgi" in procfile["web"]


def test_entrypoint_runs_the_procfile_line_of_each_process_type_without_respawn() -> None:
    # In a container the restart policy restarts, and `docker stop` signals PID 1 only.
    procfile = _procfile()
    for name in PROCESS_TYPES:
        shown = subprocess.run(  # noqa: S603
            [str(DEPLOY / "entrypoint.sh"), name],
            cwd=ROOT,
            env={**os.environ, "ENTRYPOINT_PRINT": "1"},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert shown == procfile[name].replace("exec bin/respawn ", "exec ")
        assert "respawn" not in shown


def test_lower_priority_lowers_the_process_and_its_sessions_scheduling_group() -> None:
    probe = (
        "import os, pathlib; print(os.nice(0)); group = pathlib.Path('/proc/self/autogroup'); "
        "print(group.read_text().split()[-1] if group.exists() else 'none')"
    )
    shown = subprocess.run(  # noqa: S603
        [str(ROOT / "bin" / "lower-priority"), "7", sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        # A session of its own, as honcho gives each Procfile line: the group changed is that one,
        # not the test run's.
        start_new_session=True,
    ).stdout.split()
    assert shown[0] == str(min(19, os.nice(0) + 7))
    assert shown[1] in ("7", "none")  # "none": a kernel without autogroup


def test_lower_priority_refuses_a_missing_command() -> None:
    result = subprocess.run(  # noqa: S603
        [str(ROOT / "bin" / "lower-priority"), "7"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "usage" in result.stderr


def test_entrypoint_passes_other_commands_through() -> None:
    result = subprocess.run(  # noqa: S603
        [str(DEPLOY / "entrypoint.sh"), "echo", "passed through"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == "passed through\n"


def test_image_is_slim_python_311_non_root_with_weasyprint_libraries_and_no_cjk_package() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim", dockerfile, re.M)
    assert re.search(r"^USER app$", dockerfile, re.M)
    for library in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"):
        assert library in dockerfile
    assert "fonts-noto-cjk" not in dockerfile  # the Korean font comes from the repository
    assert "pip install -r requirements.txt" in dockerfile
    assert 'ENTRYPOINT ["deploy/entrypoint.sh"]' in dockerfile


def test_compose_runs_postgres_15_and_redis_7_with_health_checks() -> None:
    services = _compose()["services"]
    assert services["db"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    for name in ("db", "redis", "web"):
        assert services[name]["healthcheck"]["test"], name
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])


def test_compose_runs_the_same_entry_points_once_each_after_migrate() -> None:
    services = _compose()["services"]
    commands = {name: svc.get("command") for name, svc in services.items()}
    assert commands["migrate"] == ["migrate"]
    for name in PROCESS_TYPES:
        assert commands[name] == [name]
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
    assert "deploy" not in services["beat"]  # never replicated: exactly one beat
