"""Celery tasks for exports (found by Celery's autodiscovery in this app)."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.signals import celeryd_init

from exports.pdf import prepare_pdf
from exports.services import EXPORT_JOB_TASK, export_job_execute

logger = logging.getLogger(__name__)
# The queue config/settings/celery.py routes these tasks to (the Procfile's exports worker).
EXPORTS_QUEUE = "exports"


# The name is the one from before exports became an app: queued messages carry it.
@shared_task(
    name=EXPORT_JOB_TASK,
    ignore_result=True,
    soft_time_limit=20 * 60,
    time_limit=25 * 60,
)
def export_job_run(job_id: int) -> None:
    """Build the file of ExportJob ``job_id``.

    Idempotent: the job is claimed with a conditional UPDATE (pending -> running); a second run,
    or a run for a deleted job, does nothing.
    """
    job = export_job_execute(job_id=job_id)
    if job is None:
        logger.info("export_job_run: job %s gone or already claimed", job_id)


@celeryd_init.connect
def prepare_exports_worker(sender: str | None = None, options: Any = None, **kwargs: Any) -> None:
    """In the main process of a worker that consumes the exports queue, before its pool forks:
    WeasyPrint imported and the font unpacked once (``prepare_pdf``), where each child paid ~2 s
    of CPU for them on its first PDF, again after every ``--max-tasks-per-child`` (Procfile)."""
    queues = (options or {}).get("queues") or []
    if isinstance(queues, str):
        queues = queues.split(",")
    if EXPORTS_QUEUE not in {str(queue).strip() for queue in queues}:
        return
    try:
        prepare_pdf()
    except Exception:  # an optimisation: the worker starts anyway, and a job says what is missing
        logger.info("exports worker: PDF export not available yet", exc_info=True)
