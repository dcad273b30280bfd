"""Settings for the processes the reminder fault harness and benchmark start (not for people).

E-mail goes to the outbox file backend (one file per message) under EMAIL_FILE_PATH, where the
harness counts what actually left; database and Redis come from the environment as usual.
"""

from __future__ import annotations

from config.settings.base import *  # noqa: F403
from config.settings.base import INSTALLED_APPS, env

# Developer tools (fault harness, benchmarks, load generators): never in production settings.
INSTALLED_APPS = [*INSTALLED_APPS, "tools"]

SECRET_KEY = env.str("SECRET_KEY", default="reminder-harness-only-not-a-production-secret-0123")
DEBUG = False
EMAIL_BACKEND = "tools.mail.OutboxFileBackend"
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(process)d %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
