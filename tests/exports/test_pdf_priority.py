"""A PDF built in a web request runs below the pages' CPU priority where the request has its
process to itself (gunicorn's sync worker), and only there; a worker that may not raise its
priority again is retired after the response (exports/priority.py, config/gunicorn.conf.py)."""

from __future__ import annotations

import os
import runpy
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from exports import priority, views
from exports.priority import RETIRE_WORKER, lowered_priority

ROOT = Path(__file__).resolve().parents[2]
SYNC_WORKER = {"gunicorn.socket": object(), "wsgi.multithread": False}

linux_only = pytest.mark.skipif(not hasattr(os, "setpriority"), reason="no setpriority here")


def _in_thread(function: Any) -> Any:
    """Run ``function`` in a thread of its own: Linux keeps a nice value per thread, so the
    test's own thread keeps its priority whatever happens."""
    found: dict[str, Any] = {}

    def run() -> None:
        try:
            found["value"] = function()
        except BaseException as error:  # handed to the test's thread
            found["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in found:
        raise found["error"]
    return found["value"]


def _priorities(request: Any, events: int = 100) -> tuple[int, int, int, bool]:
    before = os.getpriority(os.PRIO_PROCESS, 0)
    with lowered_priority(request, events) as lowered:
        during = os.getpriority(os.PRIO_PROCESS, 0)
    return before, during, os.getpriority(os.PRIO_PROCESS, 0), lowered


@linux_only
def test_a_sync_workers_pdf_runs_ten_steps_lower_and_the_priority_comes_back(settings):
    settings.EXPORT_PDF_IN_REQUEST_NICE = 10
    request = RequestFactory().get("/", **SYNC_WORKER)
    before, during, after, lowered = _in_thread(lambda: _priorities(request))
    assert lowered is True
    assert during == min(before + 10, 19)
    # Raised again where permitted (root, CAP_SYS_NICE); otherwise the worker is retired.
    assert after == before or request.META.get(RETIRE_WORKER) is True


@pytest.mark.parametrize(
    ("environ", "steps"),
    [
        ({}, 10),  # the development server, the test client: no gunicorn socket
        ({"gunicorn.socket": object(), "wsgi.multithread": True}, 10),  # gthread
        (SYNC_WORKER, 0),  # turned off
    ],
)
@linux_only
def test_elsewhere_the_priority_is_left_alone(settings, environ, steps):
    settings.EXPORT_PDF_IN_REQUEST_NICE = steps
    request = RequestFactory().get("/", **environ)
    before, during, after, lowered = _in_thread(lambda: _priorities(request))
    assert lowered is False
    assert before == during == after
    assert RETIRE_WORKER not in request.META


@linux_only
def test_a_pdf_of_more_than_a_quarter_of_the_queue_threshold_keeps_the_priority(settings):
    # Ten steps lower, a PDF near the threshold could outlast gunicorn's timeout under load.
    settings.EXPORT_PDF_IN_REQUEST_NICE = 10
    settings.EXPORT_PDF_ASYNC_THRESHOLD = 2000
    request = RequestFactory().get("/", **SYNC_WORKER)
    assert _in_thread(lambda: _priorities(request, events=500))[3] is True
    before, during, after, lowered = _in_thread(lambda: _priorities(request, events=501))
    assert lowered is False
    assert before == during == after


@linux_only
def test_a_worker_that_may_not_raise_its_priority_again_is_marked_to_retire(settings, monkeypatch):
    settings.EXPORT_PDF_IN_REQUEST_NICE = 10
    real = os.setpriority
    calls: list[int] = []

    def unprivileged(which: int, who: int, value: int) -> None:
        if calls and value < calls[-1]:
            raise PermissionError(13, "Permission denied")
        calls.append(value)
        real(which, who, value)

    monkeypatch.setattr(priority.os, "setpriority", unprivileged)
    request = RequestFactory().get("/", **SYNC_WORKER)
    _in_thread(lambda: _priorities(request))
    assert request.META[RETIRE_WORKER] is True


@linux_only
def test_the_pdf_view_builds_at_the_lower_priority(incident, bob, settings, monkeypatch):
    settings.EXPORT_PDF_IN_REQUEST_NICE = 7
    seen: list[int] = []
    real_simple = views._simple

    def recording(*args: Any, **kwargs: Any) -> Any:
        seen.append(os.getpriority(os.PRIO_PROCESS, 0))
        return real_simple(*args, **kwargs)

    monkeypatch.setattr(views, "_simple", recording)
    client = Client()
    client.force_login(bob)
    url = reverse("exports:pdf", kwargs={"reference": incident.reference})

    # In the test's own thread: the test database's connection belongs to it.
    before = os.getpriority(os.PRIO_PROCESS, 0)
    response = client.get(url, **SYNC_WORKER)
    assert response.status_code == 200
    assert seen == [min(before + 7, 19)]
    assert os.getpriority(os.PRIO_PROCESS, 0) == before or response.wsgi_request.META.get(
        RETIRE_WORKER
    )


def _post_request(environ: dict[str, Any]) -> SimpleNamespace:
    conf = runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))
    worker = SimpleNamespace(alive=True)
    conf["post_request"](worker, None, environ, None)
    return worker


def test_gunicorn_retires_a_marked_worker_after_its_response_and_only_that_one():
    assert _post_request({RETIRE_WORKER: True}).alive is False
    assert _post_request({}).alive is True
