"""Reminder tasks: thin, take ids, safe to run twice or at once (see each docstring).

Task names keep their pre-move ``incidents.reminders.*`` spelling: the beat schedule and any
message already queued in the broker refer to them by name.
"""

from __future__ import annotations

import logging
from dataclasses import asdict

from celery import shared_task
from django.utils import timezone

from reminders.digest import digests_create
from reminders.sending import send_deliveries as send
from reminders.sweep import dispatch, sweep

logger = logging.getLogger(__name__)


def _enqueue(ids: list[str]) -> None:
    send_deliveries.delay(ids)


@shared_task(name="incidents.reminders.sweep", ignore_result=True)
def sweep_reminders() -> dict[str, int]:
    """Claim due reminders, record their deliveries, dispatch pending deliveries.

    Idempotent and concurrency-safe: claims are conditional UPDATEs, deliveries are unique per
    (reminder, recipient, channel). Two beats, or a rerun after a crash, do no harm.
    """
    result = asdict(sweep(enqueue=_enqueue))
    if result["claimed"] or result["dispatched"]:
        logger.info("reminder sweep %s", result)
    return result


@shared_task(name="incidents.reminders.send_deliveries", ignore_result=True)
def send_deliveries(delivery_ids: list[str]) -> dict[str, int]:
    """Send the given deliveries. Each is claimed by a conditional UPDATE first, so a delivery
    already sent, being sent elsewhere or cancelled is skipped; running this twice is harmless."""
    result = send(delivery_ids)
    return {k: v for k, v in asdict(result).items() if isinstance(v, int)}


@shared_task(name="incidents.reminders.digests", ignore_result=True)
def send_digests() -> int:
    """Create the 09:00 digests that are due (one per user and local date, by constraint) and
    dispatch their deliveries."""
    runs = digests_create()
    if runs:
        dispatch(now=timezone.now(), enqueue=_enqueue)
    return len(runs)
