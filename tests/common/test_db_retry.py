"""A read whose database connection dropped is answered again; writes and real errors are not."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError, connections
from django.http import HttpResponse
from django.test import RequestFactory

from common import db_retry
from common.db_retry import RetryReadOnLostConnection


class FlakyView:
    """Fails like a terminated connection on the first call, answers afterwards."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, request: Any) -> HttpResponse:
        self.calls += 1
        return HttpResponse("fine")


@pytest.fixture
def lost(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    closed: list[str] = []
    monkeypatch.setattr(db_retry, "_lost_connections", lambda: ["default"])
    monkeypatch.setattr(connections["default"], "close", lambda: closed.append("default"))
    return closed


def _error() -> OperationalError:
    return OperationalError("terminating connection due to administrator command")


def test_a_get_whose_connection_dropped_is_answered_again_on_a_fresh_connection(lost):
    view = FlakyView()
    middleware = RetryReadOnLostConnection(view)
    request = RequestFactory().get("/incidents/INC-2026-0001/export.pdf")
    response = middleware.process_exception(request, _error())
    assert response is not None
    assert response.content == b"fine"
    assert view.calls == 1
    assert lost == ["default"]


def test_it_is_answered_again_only_once(lost):
    middleware = RetryReadOnLostConnection(FlakyView())
    request = RequestFactory().get("/")
    assert middleware.process_exception(request, _error()) is not None
    assert middleware.process_exception(request, _error()) is None


@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_a_write_is_never_replayed(lost, method):
    view = FlakyView()
    request = getattr(RequestFactory(), method)("/api/v1/incidents/")
    assert RetryReadOnLostConnection(view).process_exception(request, _error()) is None
    assert view.calls == 0
    assert lost == []


def test_an_error_on_a_working_connection_is_not_retried(monkeypatch):
    monkeypatch.setattr(db_retry, "_lost_connections", list)
    view = FlakyView()
    request = RequestFactory().get("/")
    assert RetryReadOnLostConnection(view).process_exception(request, _error()) is None
    assert RetryReadOnLostConnection(view).process_exception(request, ValueError("x")) is None
    assert view.calls == 0


@pytest.mark.django_db
def test_a_live_connection_is_not_reported_lost():
    connections["default"].ensure_connection()
    assert db_retry._lost_connections() == []


def test_a_connection_django_dropped_after_a_failed_rollback_counts_as_lost(monkeypatch):
    # Inside atomic() a dead connection's rollback fails and Django closes it (``connection``
    # None): nothing is left to ask is_usable(), and the read must still be answered again.
    class Dropped:
        alias = "default"
        connection = None

        def is_usable(self) -> bool:
            raise AssertionError("not asked: there is no connection")

    monkeypatch.setattr(connections, "all", lambda initialized_only=False: [Dropped()])
    assert db_retry._lost_connections() == ["default"]
