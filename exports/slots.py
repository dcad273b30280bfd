"""How many PDFs web requests build at the same time: ``EXPORT_PDF_IN_REQUEST`` (default 1).

A PDF built in the request holds a web thread and a core for a second or more (WeasyPrint's
layout; 0.7-2 s of CPU for 100 events). One at a time is a convenience; several at once take the
cores from everybody else's pages (issue #20: in the closed-loop load test two legal users
exporting without pause took a quarter of the web's CPU). So a request takes one of the slots
before building; when none is free the PDF is made by the export queue instead, exactly as for
an incident over ``EXPORT_PDF_ASYNC_THRESHOLD`` events (303 to the job page, then the download),
and the queue's worker runs at a lower CPU priority than the pages (Procfile).

The slots are cache keys added atomically (``cache.add``): site-wide with Redis, per process with
the in-memory cache of a development server. A slot expires on its own after
``SLOT_SECONDS``, longer than any request may run (gunicorn's ``timeout``), so a worker killed
while building cannot keep it. ``EXPORT_PDF_IN_REQUEST=0`` sets no limit.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache

SLOT_SECONDS = 120
_KEY = "exports:pdf-in-request-slot:{}"


def slot_count() -> int:
    """The number of slots (0: no limit)."""
    return max(0, int(getattr(settings, "EXPORT_PDF_IN_REQUEST", 1)))


@contextmanager
def pdf_slot() -> Iterator[bool]:
    """Yields whether this request may build its PDF now (True: a slot is held until the end of
    the ``with``; False: every slot is taken, send the PDF to the queue)."""
    count = slot_count()
    if count == 0:
        yield True
        return
    token = secrets.token_hex(8)
    for index in range(count):
        key = _KEY.format(index)
        if cache.add(key, token, SLOT_SECONDS):
            try:
                yield True
            finally:
                # Freed only if still ours: after SLOT_SECONDS another request may hold it. (Read
                # and delete are two steps; at worst one more PDF than the limit is built then.)
                if cache.get(key) == token:
                    cache.delete(key)
            return
    yield False
