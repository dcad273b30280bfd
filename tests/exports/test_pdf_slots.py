"""PDFs built inside web requests are limited (EXPORT_PDF_IN_REQUEST); one more goes to the queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from django.core.cache import cache
from django.urls import reverse

from exports import pdf, slots
from exports.errors import ExportUnavailable
from exports.models import ExportJob, ExportLog
from exports.slots import pdf_slot

PDF_CONTENT_TYPE = "application/pdf"


def test_a_small_incident_pdf_is_built_in_the_request_and_its_slot_freed(
    incident, bob, export_pdf_as
):
    response, sent = export_pdf_as(bob, incident)

    assert response.status_code == 200
    assert response["Content-Type"] == PDF_CONTENT_TYPE
    assert sent == []
    assert not ExportJob.objects.exists()
    with pdf_slot() as free:  # the request gave its slot back
        assert free is True


def test_while_every_slot_is_taken_the_pdf_goes_to_the_export_queue(
    incident, bob, settings, export_pdf_as
):
    settings.EXPORT_PDF_IN_REQUEST = 1
    with pdf_slot() as free:  # another request is building its PDF
        assert free is True
        response, sent = export_pdf_as(bob, incident)

    job = ExportJob.objects.get()
    assert response.status_code == 303
    assert response["Location"] == reverse("exports:job", args=[job.pk])
    assert (job.incident, job.requested_by, job.format, job.status) == (
        incident,
        bob,
        "pdf",
        "pending",
    )
    assert sent == [("incidents.exports.tasks.export_job_run", job.pk)]
    # The job's task will write the export log when it builds the file, not this request.
    assert not ExportLog.objects.exists()


def test_two_slots_let_two_requests_build_at_once_and_no_third(settings):
    settings.EXPORT_PDF_IN_REQUEST = 2
    with pdf_slot() as first, pdf_slot() as second, pdf_slot() as third:
        assert (first, second, third) == (True, True, False)
    with pdf_slot() as again:
        assert again is True


def test_no_limit_when_the_setting_is_zero(settings):
    settings.EXPORT_PDF_IN_REQUEST = 0
    with pdf_slot() as first, pdf_slot() as second, pdf_slot() as third:
        assert (first, second, third) == (True, True, True)


def test_a_failed_pdf_gives_its_slot_back(incident, bob, settings, export_pdf_as, monkeypatch):
    settings.EXPORT_PDF_IN_REQUEST = 1

    def unavailable(*args, **kwargs):
        raise ExportUnavailable("no Pango here")

    monkeypatch.setattr(pdf, "weasyprint_module", unavailable)
    response, _sent = export_pdf_as(bob, incident)

    assert response.status_code == 503
    with pdf_slot() as free:
        assert free is True


def test_a_slot_left_by_a_killed_request_expires_on_its_own(settings):
    settings.EXPORT_PDF_IN_REQUEST = 1
    with time_machine.travel(datetime(2026, 1, 5, 9, 0, tzinfo=UTC), tick=False) as clock:
        # A request took the slot as pdf_slot does, then its worker was killed mid-build.
        assert cache.add(slots._KEY.format(0), "killed-request", slots.SLOT_SECONDS)
        clock.shift(timedelta(seconds=slots.SLOT_SECONDS - 1))
        with pdf_slot() as free:
            assert free is False
        clock.shift(timedelta(seconds=2))
        with pdf_slot() as free:
            assert free is True
    assert slots.SLOT_SECONDS > 60  # longer than gunicorn lets a request run
