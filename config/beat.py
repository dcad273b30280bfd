"""Beat's heartbeat: the scheduler itself records each tick, and /healthz reads its age.

A heartbeat *task* would be run by a worker, so its age would mix up "beat is dead" with "every
worker is busy or down" (which the worker ping already reports). Recording in ``tick()`` measures
beat alone. Beat wakes at least every ``CELERY_BEAT_MAX_LOOP_INTERVAL`` seconds (30), so a
healthy beat's heartbeat is never older than that plus the time one tick takes. Where it is kept:
``common.heartbeat``.
"""

from __future__ import annotations

import logging
from typing import Any

from celery.beat import PersistentScheduler

from common.heartbeat import beat_heartbeat_record

logger = logging.getLogger(__name__)


class HeartbeatScheduler(PersistentScheduler):
    """Celery's default scheduler, plus a heartbeat at every tick."""

    def tick(self, *args: Any, **kwargs: Any) -> float:
        interval: float = super().tick(*args, **kwargs)
        try:
            beat_heartbeat_record()
        except Exception:  # a cache outage must not stop the schedule; /healthz will say stale
            logger.warning("beat heartbeat could not be recorded", exc_info=True)
        return interval
