"""Issue 20: sessions read from Redis when there is one, hashed static files in production, and
the zero-setup default (no REDIS_URL) unchanged."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.config.test_settings import ROOT, _production_values


def _dev_values(*names: str, **extra: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.dev", **extra)
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        f"[print(repr(eval(n, {{'s': s}}))) for n in {list(names)!r}]"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip().splitlines()


NAMES = ("s.SESSION_ENGINE", "s.CACHES['default']['BACKEND']")


def test_without_redis_sessions_stay_in_the_database_and_the_cache_in_memory() -> None:
    assert _dev_values(*NAMES) == [
        "'django.contrib.sessions.backends.db'",
        "'django.core.cache.backends.locmem.LocMemCache'",
    ]


def test_with_redis_sessions_are_read_from_the_cache_and_kept_in_the_database() -> None:
    assert _dev_values(*NAMES, REDIS_URL="redis://127.0.0.1:6379/9") == [
        "'django.contrib.sessions.backends.cached_db'",
        "'common.redis_cache.RedisCache'",
    ]


def test_production_serves_hashed_static_files_with_redis_sessions() -> None:
    assert _production_values(
        "s.SESSION_ENGINE",
        "s.STORAGES['staticfiles']['BACKEND']",
        "s.STORAGES['default']['BACKEND']",
        "(s.DATABASES['default']['CONN_MAX_AGE'], s.DATABASES['default']['CONN_HEALTH_CHECKS'])",
    ) == [
        "'django.contrib.sessions.backends.cached_db'",
        "'whitenoise.storage.CompressedManifestStaticFilesStorage'",
        "'django.core.files.storage.FileSystemStorage'",
        "(60, True)",
    ]
