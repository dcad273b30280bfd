"""Celery tasks: thin, take ids, safe to run twice."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


@shared_task(ignore_result=True)
def heartbeat() -> str:
    """Proves that beat and a worker are alive; idempotent (it only logs)."""
    now = timezone.now().isoformat()
    logger.info("heartbeat %s", now)
    return now


@shared_task(ignore_result=True)
def worker_probe(token: str) -> None:
    """Writes var/probes/<token> so a test can see a real worker ran a task end to end.

    Idempotent: writing the same token twice leaves the same file.
    """
    if not _TOKEN.fullmatch(token):
        logger.warning("worker_probe: rejected token %r", token)
        return
    directory = Path(settings.VAR_DIR) / "probes"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / token).write_text(timezone.now().isoformat())
