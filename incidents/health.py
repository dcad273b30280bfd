"""/healthz: is the database reachable, is the broker reachable.

The broker is the current Celery app's (``config.celery``, made current when ``config`` loads),
so this app does not import the project package.
"""

from __future__ import annotations

from celery import current_app
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


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
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # kombu raises transport-specific errors
        return False
    return True


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database = _database_ok()
    broker = _broker_ok()
    ok = database and broker
    return JsonResponse(
        {
            "status": "ok" if ok else "unavailable",
            "database": "ok" if database else "unavailable",
            "broker": "ok" if broker else "unavailable",
        },
        status=200 if ok else 503,
    )
