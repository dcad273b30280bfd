"""Background export jobs: idempotent task, progress, download link, permissions."""

from __future__ import annotations

from unittest import mock
from zoneinfo import ZoneInfo

from django.test import Client
from django.urls import reverse

from exports import services
from exports.models import ExportJob, ExportLog
from exports.services import export_job_create
from exports.tasks import export_job_run
from incidents.models import Membership


def _job(incident, user) -> ExportJob:
    return export_job_create(
        incident=incident, user=user, fmt="pdf", language="en", tz=ZoneInfo("Asia/Seoul")
    )


def test_job_task_builds_the_pdf_once_even_when_run_twice(rich_incident, bob):
    job = _job(rich_incident, bob)
    export_job_run(job.pk)
    export_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == "done"
    assert job.progress == 100
    assert job.file.read(5) == b"%PDF-"
    assert ExportLog.objects.filter(via="task").count() == 1


def test_job_task_returns_quietly_when_the_job_is_gone(db):
    export_job_run(999_999)


def test_job_status_json_and_download_link(rich_incident, bob):
    job = _job(rich_incident, bob)
    client = Client()
    client.force_login(bob)
    pending = client.get(reverse("exports:job", args=[job.pk]), {"format": "json"}).json()
    assert pending["status"] == "pending"
    assert pending["download_url"] is None
    export_job_run(job.pk)
    done = client.get(reverse("exports:job", args=[job.pk]), HTTP_ACCEPT="application/json").json()
    assert done["status"] == "done"
    assert done["progress"] == 100
    page = client.get(reverse("exports:job", args=[job.pk]))
    assert done["download_url"] in page.content.decode()
    download = client.get(done["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_job_of_another_user_is_404(rich_incident, bob, legal_outsider, carol):
    job = _job(rich_incident, bob)
    for other in (legal_outsider, carol):
        client = Client()
        client.force_login(other)
        assert client.get(reverse("exports:job", args=[job.pk])).status_code == 404


def test_job_fails_with_a_reason_when_the_requester_lost_access(rich_incident, bob):
    job = _job(rich_incident, bob)
    Membership.objects.filter(incident=rich_incident, user=bob).delete()
    export_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed"
    assert "no longer" in job.error
    assert not job.file


def test_creating_a_job_enqueues_its_task_by_name_once_committed(
    rich_incident, bob, django_capture_on_commit_callbacks
):
    with mock.patch.object(services.current_app, "send_task") as send_task:
        with django_capture_on_commit_callbacks() as callbacks:
            job = _job(rich_incident, bob)
        send_task.assert_not_called()  # nothing leaves before the row is committed
        for callback in callbacks:
            callback()

    send_task.assert_called_once_with("incidents.exports.tasks.export_job_run", args=[job.pk])
    assert export_job_run.name == "incidents.exports.tasks.export_job_run"
