"""A PDF built in a web request runs at a lower CPU priority than the pages.

The exports worker builds its PDFs at a lower priority already (bin/lower-priority, Procfile):
a PDF takes the cores only when no page, API call or reminder is waiting for them. A PDF built
in the request (a small incident, with a free slot: exports/slots.py) used to take a full share
beside the pages: under the closed-loop load test one of the five web processes was always
laying out a PDF, a fifth of the web's CPU for 24 requests a minute (docs/performance.md). Now
the process that builds one lowers its own priority for the time of the build, by
``EXPORT_PDF_IN_REQUEST_NICE`` steps (default 10, as the exports worker; 0 turns it off), for
incidents of up to a quarter of ``EXPORT_PDF_ASYNC_THRESHOLD`` events (``lowers_for``). On a
machine with idle cores nothing changes: the PDF gets them.

Only where the request has its process to itself: gunicorn's sync worker (the default, one
request at a time per process). Under gthread the other threads' clients would wait behind it,
and elsewhere (the development server, tests) nothing is changed. Linux applies a nice value per
thread, and an unprivileged process may lower its priority but not raise it again: where raising
it back is refused, the request is marked and gunicorn's ``post_request`` hook
(config/gunicorn.conf.py) retires the worker after the response; the master starts a fresh one
at the normal priority.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.http import HttpRequest

log = logging.getLogger(__name__)

# Set in the request's WSGI environ when the worker must stop after this response.
RETIRE_WORKER = "incident_clock.retire_worker"
NICE_MAX = 19


def _alone_in_process(request: HttpRequest) -> bool:
    meta = request.META
    return "gunicorn.socket" in meta and meta.get("wsgi.multithread") is False


def lowers_for(events: int) -> bool:
    """Whether a PDF of ``events`` events is built at the lower priority: up to a quarter of
    ``EXPORT_PDF_ASYNC_THRESHOLD`` (500 by default). Ten steps lower, a process gets about a
    tenth of the CPU while the pages keep the cores busy; a PDF near the threshold (~6 s on a
    quiet machine) could then outlast gunicorn's timeout (60 s), which kills a sync worker with
    its request."""
    return events <= int(getattr(settings, "EXPORT_PDF_ASYNC_THRESHOLD", 2000)) // 4


@contextmanager
def lowered_priority(request: HttpRequest, events: int) -> Iterator[bool]:
    """Run the block (the PDF of an incident of ``events`` events) at
    ``EXPORT_PDF_IN_REQUEST_NICE`` steps lower priority where the request has its process to
    itself and the PDF is small (``lowers_for``); yields whether it did."""
    steps = int(getattr(settings, "EXPORT_PDF_IN_REQUEST_NICE", 10))
    if (
        steps <= 0
        or not lowers_for(events)
        or not _alone_in_process(request)
        or not hasattr(os, "setpriority")
    ):
        yield False
        return
    try:
        before = os.getpriority(os.PRIO_PROCESS, 0)
        os.setpriority(os.PRIO_PROCESS, 0, min(before + steps, NICE_MAX))
    except OSError:
        yield False  # e.g. a sandbox that forbids it: build at the usual priority
        return
    try:
        yield True
    finally:
        try:
            os.setpriority(os.PRIO_PROCESS, 0, before)
        except OSError:
            # Not permitted to raise it again (no CAP_SYS_NICE, as for a non-root user).
            request.META[RETIRE_WORKER] = True
            log.info("PDF built at a lower priority: this worker retires after the response")


__all__ = ["RETIRE_WORKER", "lowered_priority", "lowers_for"]
