"""/healthz: the database, the broker, a worker answering a ping, and beat's last tick.

Each part is "ok" or says what is wrong. ``HEALTHZ_REQUIRED`` names the parts that decide the
status (503 if one fails); the others are reported and listed under "informational". In
development only the database and the broker are required (``make web`` alone is healthy); in
production all four are (docs/scaling.md).

Kept fast for load balancers: a ``SELECT 1``, one broker connection, a ping broadcast that
returns as soon as the expected worker groups have answered (at most ``HEALTHZ_PING_TIMEOUT``
per wait when one is missing, and not at all when the broker is down), and one cache or file
read for beat.

The Celery app is the current one (``config.celery``, made current when ``config`` loads), so
this app does not import the project package.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any

from celery import current_app as app
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from common.heartbeat import beat_heartbeat_last

PARTS = ("database", "broker", "worker", "beat")
_GROUP_SUFFIX = re.compile(r"[.-]\d+$")
_PING_LOCK = threading.Lock()


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any driver error means "not reachable"
        return False
    return True


def _broker_ok() -> bool:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # kombu raises transport-specific errors
        return False
    return True


def worker_group(node: str) -> str:
    """``reminders@host`` -> ``reminders``; ``exports.2@host`` -> ``exports``."""
    return _GROUP_SUFFIX.sub("", node.split("@", 1)[0])


def _worker_status() -> tuple[str, dict[str, Any]]:
    groups = list(settings.HEALTHZ_WORKER_GROUPS)
    try:
        # All pings of one process share one reply queue (kombu's pidbox), and a ping that reads
        # another's reply counts it against its own limit: one at a time per process.
        # A connection of its own for each ping: a pooled one remembers that it declared the
        # reply queue, and after a Redis restart (which forgets the declaration) its pings
        # get no replies, so /healthz flapped to "worker unavailable" (found by manage.py soak).
        with _PING_LOCK, app.connection_for_write() as conn:
            # limit: stop waiting as soon as one node per expected group could have answered.
            replies = app.control.ping(
                timeout=settings.HEALTHZ_PING_TIMEOUT, limit=max(1, len(groups)), connection=conn
            )
    except Exception:  # the broadcast goes through the broker, which may just have gone
        return "unavailable", {"nodes": 0}
    nodes = sorted(name for reply in replies or [] for name in reply)
    seen = {worker_group(name) for name in nodes}
    missing = [group for group in groups if group not in seen]
    detail: dict[str, Any] = {"nodes": len(nodes), "groups": sorted(seen)}
    if not nodes:
        return "unavailable", detail
    if missing:
        detail["missing_groups"] = missing
        return "unavailable", detail
    return "ok", detail


def _beat_status() -> tuple[str, dict[str, Any]]:
    try:
        last = beat_heartbeat_last()
    except Exception:  # the cache (Redis) is unreachable
        return "unavailable", {}
    if last is None:
        return "unavailable", {"last_tick_age_s": None}
    age = round(max(0.0, time.time() - last), 1)
    return ("ok" if age <= settings.HEALTHZ_BEAT_MAX_AGE else "stale"), {"last_tick_age_s": age}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    started = time.perf_counter()
    database = "ok" if _database_ok() else "unavailable"
    broker = "ok" if _broker_ok() else "unavailable"
    if broker == "ok":
        worker, worker_detail = _worker_status()
    else:
        # A ping needs the broker; don't wait for replies that cannot come.
        worker, worker_detail = "unavailable", {"nodes": 0}
    beat, beat_detail = _beat_status()
    status = {"database": database, "broker": broker, "worker": worker, "beat": beat}
    required = [part for part in PARTS if part in settings.HEALTHZ_REQUIRED]
    ok = all(status[part] == "ok" for part in required)
    body: dict[str, Any] = {
        "status": "ok" if ok else "unavailable",
        **status,
        "informational": [part for part in PARTS if part not in required],
        "details": {"worker": worker_detail, "beat": beat_detail},
        "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    return JsonResponse(body, status=200 if ok else 503)
