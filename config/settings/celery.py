"""Celery settings (imported by base.py).

Unset REDIS_URL means Celery's filesystem broker under var/, so that a fresh clone runs with no
services. Correctness never depends on the broker: the database says what is due and what was
sent, and the beat sweep re-finds anything a lost message did not finish.
"""

from __future__ import annotations

from pathlib import Path

import environ

_env = environ.Env()
_VAR = Path(__file__).resolve().parent.parent.parent / "var"
_REDIS_URL = _env.str("REDIS_URL", default="")

if _REDIS_URL:
    CELERY_BROKER_URL = _REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
else:
    _broker_dir = _VAR / "broker"
    # kombu's filesystem transport does not create its folders; every process needs them.
    for _sub in ("queue", "processed"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(_VAR / "celerybeat-schedule")
# Each entry expires just under its period so a backlog never stacks duplicate sweeps.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "heartbeat": {
        "task": "incidents.tasks.heartbeat",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}

# --- Reminders (reminders, docs/reminders.md) ----------------------------------------
# Periods and leases can be shortened by the environment (the fault harness does); the defaults
# are the production ones.
REMINDER_SWEEP_SECONDS = _env.float("REMINDER_SWEEP_SECONDS", default=60.0)
REMINDER_DIGEST_SECONDS = _env.float("REMINDER_DIGEST_SECONDS", default=300.0)
REMINDER_CLAIM_LEASE_SECONDS = _env.int("REMINDER_CLAIM_LEASE_SECONDS", default=120)
REMINDER_SEND_LEASE_SECONDS = _env.int("REMINDER_SEND_LEASE_SECONDS", default=60)
REMINDER_DISPATCH_LEASE_SECONDS = _env.int("REMINDER_DISPATCH_LEASE_SECONDS", default=60)
REMINDER_BATCH_SIZE = _env.int("REMINDER_BATCH_SIZE", default=250)
REMINDER_DIGEST_HOUR = 9
CELERY_BEAT_SCHEDULE["reminders-sweep"] = {
    "task": "incidents.reminders.sweep",
    "schedule": REMINDER_SWEEP_SECONDS,
    "options": {"expires": max(REMINDER_SWEEP_SECONDS - 5, REMINDER_SWEEP_SECONDS * 0.9)},
}
CELERY_BEAT_SCHEDULE["reminders-digest"] = {
    "task": "incidents.reminders.digests",
    "schedule": REMINDER_DIGEST_SECONDS,
    "options": {"expires": max(REMINDER_DIGEST_SECONDS - 10, REMINDER_DIGEST_SECONDS * 0.9)},
}
