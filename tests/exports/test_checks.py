"""Start-up checks of the PDF export: Pango missing or the shipped font missing is said at start."""

from __future__ import annotations

import logging
import sys

from django.core.checks import run_checks
from django.test import Client
from django.urls import reverse

from exports import checks


def _export_messages():
    return [message for message in run_checks() if message.id.startswith("exports.")]


def test_this_machine_has_everything_the_pdf_export_needs():
    assert checks.missing_pdf_libraries() == []
    assert checks.missing_shipped_fonts() == []
    assert _export_messages() == []


def test_missing_libraries_are_named_and_present_ones_are_not():
    wanted = {
        "pango-1.0": checks.PDF_LIBRARIES["pango-1.0"],
        "no-such-lib": ("libno-such-lib-for-incident-clock.so.0",),
    }
    assert checks.missing_pdf_libraries(wanted) == ["no-such-lib"]


def test_without_pango_the_start_up_check_names_the_package_to_install(monkeypatch):
    real = checks._loadable
    monkeypatch.setattr(
        checks, "_loadable", lambda names: False if "pango" in names[0] else real(names)
    )
    (message,) = _export_messages()
    assert message.id == "exports.W001"
    assert "pango-1.0, pangoft2-1.0" in message.msg
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in message.hint
    assert "brew install pango" in message.hint


def test_without_pango_the_pdf_page_names_the_missing_library(rich_incident, bob, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # the import fails as without Pango
    monkeypatch.setattr(checks, "_loadable", lambda names: "pango" not in names[0])
    client = Client()
    client.force_login(bob)
    response = client.get(reverse("exports:pdf", kwargs={"reference": rich_incident.reference}))
    assert response.status_code == 503
    body = response.content.decode()
    assert "pango-1.0, pangoft2-1.0" in body
    assert "libpango-1.0-0" in body


def test_without_the_shipped_font_the_start_up_check_says_how_to_restore_it(monkeypatch, tmp_path):
    monkeypatch.setattr(checks, "shipped_font_dir", lambda: tmp_path)
    (message,) = _export_messages()
    assert message.id == "exports.W002"
    assert str(tmp_path / "IncidentClockKR-Regular.woff2") in message.msg
    assert "tools/fonts/make_korean_subset.sh" in message.hint


def test_a_starting_worker_logs_the_same_warning(monkeypatch, caplog):
    monkeypatch.setattr(checks, "_loadable", lambda names: "pango" not in names[0])
    with caplog.at_level(logging.WARNING, logger="exports.checks"):
        checks.worker_ready.send(sender=None)
    (line,) = caplog.messages
    assert line.startswith("PDF export is unavailable: WeasyPrint's system libraries are missing")
    assert "apt-get install libpango-1.0-0" in line
    assert line.endswith("(exports.W001)")
