"""Celery tasks for exports (found by Celery's autodiscovery in this app)."""

from __future__ import annotations

import logging

from celery import shared_task

from exports.services import EXPORT_JOB_TASK, export_job_execute

logger = logging.getLogger(__name__)


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
