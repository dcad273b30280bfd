"""Production settings refuse to start without secrets and pass Django's deployment checks."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  (fixed argv, our own manage.py)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _base_env() -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    return env


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_required_variable(missing: str) -> None:
    env = _base_env()
    env.update(
        SECRET_KEY=secrets.token_urlsafe(60),
        DATABASE_URL="postgres://u@127.0.0.1:5432/db",
        REDIS_URL="redis://127.0.0.1:6379/0",
        ALLOWED_HOSTS="example.com",
    )
    env.pop(missing)
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_settings_pass_check_deploy_without_warnings() -> None:
    env = _base_env()
    env.update(
        SECRET_KEY=secrets.token_urlsafe(60),
        DATABASE_URL="postgres://u@127.0.0.1:5432/db",
        REDIS_URL="redis://127.0.0.1:6379/0",
        ALLOWED_HOSTS="example.com",
    )
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_sqlite_default_is_tuned_for_concurrent_processes() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "o = settings.DATABASES['default']; print(o['ENGINE']); "
        "print(o['OPTIONS']['transaction_mode']); print(o['OPTIONS']['init_command']); "
        "print(o['OPTIONS']['timeout'])"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    engine, mode, init, timeout = result.stdout.strip().splitlines()
    assert engine == "django.db.backends.sqlite3"
    assert mode == "IMMEDIATE"
    assert "journal_mode=WAL" in init
    assert "busy_timeout" in init
    assert int(timeout) >= 20


@pytest.mark.parametrize(
    ("settings_module", "installed"),
    [("config.settings.production", False), ("config.settings.test", True)],
)
def test_developer_tools_exist_only_outside_production(
    settings_module: str, installed: bool
) -> None:
    env = _base_env()
    env.update(
        DJANGO_SETTINGS_MODULE=settings_module,
        SECRET_KEY=secrets.token_urlsafe(60),
        DATABASE_URL="postgres://u@127.0.0.1:5432/db",
        REDIS_URL="redis://127.0.0.1:6379/0",
        ALLOWED_HOSTS="example.com",
    )
    result = _manage("help", "--commands", env=env)
    assert result.returncode == 0, result.stderr
    commands = set(result.stdout.split())
    tools = {"reminder_faults", "bench_reminders", "bench_pages", "bench_api", "bench_engine"}
    tools |= {"generate_load_data", "generate_export_load"}
    assert (tools <= commands) is installed
    assert not (tools & commands) or installed
    # The product's own commands are there either way.
    assert {"export_incident", "import_incident", "load_demo", "verify_audit"} <= commands
