"""Development settings: DEBUG on, a secret key generated once into var/ and reused."""

from __future__ import annotations

import secrets

from config.settings.base import *  # noqa: F403
from config.settings.base import INSTALLED_APPS, VAR_DIR, env

# Developer tools (fault harness, benchmarks, load generators): never in production settings.
INSTALLED_APPS = [*INSTALLED_APPS, "tools"]

DEBUG = env.bool("DEBUG", default=True)


def _dev_secret_key() -> str:
    # Generated once and kept, so sessions survive restarts and all processes agree on it.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _dev_secret_key()
