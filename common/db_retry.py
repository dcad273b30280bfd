"""Answer a read again when the database connection was lost under it (instead of a 500).

PostgreSQL may drop a connection at any time: a failover, a restart, a backend terminated by
an operator or pgbouncer. A request that began on a healthy connection then fails with
``OperationalError``/``InterfaceError``. For a safe method (GET, HEAD) nothing was written, so the
view is run once more on a fresh connection; writes are never replayed (the client decides).
Measured by ``manage.py soak``: a PDF export whose connection was terminated answered 500.

Last in ``MIDDLEWARE`` so that the retry runs only the view.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD"})
_RETRIED = "_db_lost_connection_retried"


def _lost_connections() -> list[str]:
    """Aliases used by this request whose connection no longer works, or which Django already
    dropped: when the error surfaced inside ``atomic()``, the rollback failed on the dead
    connection and Django closed it (``connection`` is then None; the 30-minute soak's PDF export
    failed that way inside the audit chain's transaction)."""
    lost = []
    for conn in connections.all(initialized_only=True):
        if conn.connection is None or not conn.is_usable():
            lost.append(conn.alias)
    return lost


class RetryReadOnLostConnection:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        if request.method not in SAFE_METHODS or getattr(request, _RETRIED, False):
            return None
        lost = _lost_connections()
        if not lost:
            return None  # a real error (bad SQL, lock timeout...), not a dropped connection
        for alias in lost:
            # Inside an atomic block Django refuses to close; a GET holds none at this point
            # unless ATOMIC_REQUESTS is on, which this project does not use.
            connections[alias].close()
        setattr(request, _RETRIED, True)
        log.warning(
            "database connection lost during %s %s; answering again", request.method, request.path
        )
        return self.get_response(request)
