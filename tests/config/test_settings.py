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
    env["SITE_URL"] = "https://clock.example.com"
    env["AXES_PROXY_COUNT"] = "1"
    return env


@pytest.mark.parametrize(
    "missing",
    ["SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "SITE_URL", "AXES_PROXY_COUNT"],
)
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


def _dev_settings_print(statements: str, *, without: str, **extra: str) -> list[str]:
    """The lines ``statements`` print with the development settings loaded in a fresh Python,
    the environment variable ``without`` unset and ``extra`` set."""
    env = {k: v for k, v in os.environ.items() if k != without}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    env.update(extra)
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; " + statements,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip().splitlines()


def test_sqlite_default_is_tuned_for_concurrent_processes() -> None:
    engine, mode, init, timeout = _dev_settings_print(
        "o = settings.DATABASES['default']; print(o['ENGINE']); "
        "print(o['OPTIONS']['transaction_mode']); print(o['OPTIONS']['init_command']); "
        "print(o['OPTIONS']['timeout'])",
        without="DATABASE_URL",
    )
    assert engine == "django.db.backends.sqlite3"
    assert mode == "IMMEDIATE"
    assert "journal_mode=WAL" in init
    assert "busy_timeout" in init
    assert int(timeout) >= 20


def test_production_without_proxy_headers_needs_no_proxy_count() -> None:
    env = _base_env()
    env.update(
        SECRET_KEY=secrets.token_urlsafe(60),
        DATABASE_URL="postgres://u@127.0.0.1:5432/db",
        REDIS_URL="redis://127.0.0.1:6379/0",
        ALLOWED_HOSTS="example.com",
        TRUST_PROXY_HEADERS="false",
    )
    env.pop("AXES_PROXY_COUNT")
    result = _manage("check", env=env)
    assert result.returncode == 0, result.stderr


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
    tools |= {"generate_load_data", "generate_export_load", "load_test", "loadtest_accounts"}
    assert (tools <= commands) is installed
    assert not (tools & commands) or installed
    # The product's own commands are there either way.
    assert {"export_incident", "import_incident", "load_demo", "verify_audit"} <= commands


def _production_values(*names: str, **extra: str) -> list[str]:
    env = _base_env()
    env.update(
        SECRET_KEY=secrets.token_urlsafe(60),
        DATABASE_URL="postgres://u@127.0.0.1:5432/db",
        REDIS_URL="redis://127.0.0.1:6379/0",
        ALLOWED_HOSTS="example.com",
        **extra,
    )
    return _settings_values(env, *names)


def _settings_values(env: dict[str, str], *names: str) -> list[str]:
    """Each of ``names`` (expressions on ``s``, the settings) as printed by a fresh process."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        f"[print(repr(eval(n, {{'s': s}}))) for n in {list(names)!r}]"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip().splitlines()


def test_production_behind_pgbouncer_disables_server_side_cursors_and_prepared_statements() -> None:
    names = (
        "s.DATABASES['default'].get('DISABLE_SERVER_SIDE_CURSORS', False)",
        "s.DATABASES['default'].get('OPTIONS', {}).get('prepare_threshold', 'unset')",
    )
    # Directly connected: the prepared reads of common/compiled.py may be prepared.
    assert _production_values(*names) == ["False", "5"]
    assert _production_values(*names, PGBOUNCER_TRANSACTION_POOLING="true") == ["True", "None"]


def test_production_requires_every_health_part_and_exempts_healthz_from_the_https_redirect() -> (
    None
):
    values = _production_values(
        "s.HEALTHZ_REQUIRED",
        "s.HEALTHZ_WORKER_GROUPS",
        "s.SECURE_REDIRECT_EXEMPT",
        "(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)",
    )
    assert values == [
        "['database', 'broker', 'worker', 'beat']",
        "['reminders', 'exports']",
        "['^healthz$']",
        "(True, True, True)",
    ]


@pytest.mark.parametrize(("value", "expected"), [(None, 2000), ("0", 0), ("150", 150)])
def test_the_pdf_queue_threshold_comes_from_the_environment(value, expected) -> None:
    printed = _dev_settings_print(
        "print(settings.EXPORT_PDF_ASYNC_THRESHOLD)",
        without="EXPORT_PDF_ASYNC_THRESHOLD",
        **({"EXPORT_PDF_ASYNC_THRESHOLD": value} if value is not None else {}),
    )
    assert int(printed[-1]) == expected


def _development_value(name: str, database_url: str) -> str:
    env = _base_env()
    env.update(DJANGO_SETTINGS_MODULE="config.settings.dev", DATABASE_URL=database_url)
    return _settings_values(env, name)[-1]


def test_only_postgresql_connections_get_a_prepare_threshold() -> None:
    name = "s.DATABASES['default'].get('OPTIONS', {}).get('prepare_threshold', 'unset')"
    assert _development_value(name, "postgres://u@127.0.0.1:5432/db") == "5"
    # SQLite's driver takes no such option: none is given.
    assert _development_value(name, "sqlite:////tmp/incident-clock-settings.sqlite3") == "'unset'"
