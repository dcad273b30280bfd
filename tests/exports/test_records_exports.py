"""Correspondence and evidence in the exports: PDF sections, XLSX sheets, JSON with hashes and
bytes (round trip identical), and an "exported" custody entry per listed item."""

from __future__ import annotations

import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from exports.errors import ImportRejected
from exports.jsonio import export_json_bytes, import_json_bytes
from exports.pdf import report_html
from exports.services import export_render
from incidents.models import Filing, TimelineEvent
from records import services
from records.models import Correspondence, CustodyEntry, Evidence
from regulators.models import Regulator
from tests.exports.test_json import _purge, _strip
from tests.records.conftest import PDF_BYTES, pdf

KST = ZoneInfo("Asia/Seoul")
pytestmark = pytest.mark.django_db


@pytest.fixture
def with_records(rich_incident, alice, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    event = TimelineEvent.objects.filter(incident=rich_incident).order_by("pk").last()
    filing = Filing.objects.get(incident=rich_incident)
    letter = services.correspondence_record(
        incident=rich_incident,
        direction="in",
        occurred_at=datetime(2025, 11, 21, 9, 30, tzinfo=KST),
        channel="letter",
        subject="개인정보위 자료 제출 요구",
        regulator=Regulator.objects.get(code="PIPC"),
        recorded_by=alice,
        events=[event],
        filings=[filing],
        attachments=[pdf("pipc.pdf")],
    )
    services.correspondence_record(
        incident=rich_incident,
        direction="out",
        occurred_at=datetime(2025, 11, 22, 14, 0, tzinfo=KST),
        channel="call",
        subject="Call with the police",
        authority="Seoul Metropolitan Police",
        recorded_by=alice,
    )
    services.evidence_attach(
        incident=rich_incident,
        upload=pdf("image.pdf", PDF_BYTES + b"% disk\n"),
        uploaded_by=alice,
        event=event,
        description="disk image hash list",
    )
    services.evidence_attach(
        incident=rich_incident, upload=pdf("receipt.pdf"), uploaded_by=alice, filing=filing
    )
    services.custody_record(evidence=letter.attachments.get(), action="viewed", actor=alice)
    return rich_incident


def _purge_all(incident) -> None:
    CustodyEntry.objects.filter(evidence__incident=incident).delete()
    Evidence.objects.filter(incident=incident).delete()
    Correspondence.objects.filter(incident=incident).delete()
    _purge(incident)


def test_json_lists_correspondence_and_evidence_with_hashes_and_custody(with_records):
    document = json.loads(export_json_bytes(with_records, exported_by="alice"))
    letters = document["correspondence"]
    assert [c["key"] for c in letters] == ["C1", "C2"]
    assert letters[0]["regulator"] == "PIPC"
    assert letters[0]["filings"] == ["F1"]
    assert letters[1]["authority"] == "Seoul Metropolitan Police"
    evidence = document["evidence"]
    assert [e["attached_to"]["kind"] for e in evidence] == ["correspondence", "event", "filing"]
    assert evidence[0]["attached_to"]["key"] == "C1"
    first = Evidence.objects.order_by("pk").first()
    assert evidence[0]["sha256"] == first.sha256
    assert evidence[0]["size"] == len(PDF_BYTES)
    assert [c["action"] for c in evidence[0]["custody"]] == ["uploaded", "viewed"]
    assert "content_base64" in evidence[0]


def test_export_import_export_with_records_is_identical(with_records):
    first = export_json_bytes(with_records, exported_by="alice")
    _purge_all(with_records)
    imported, _created = import_json_bytes(first)
    second = export_json_bytes(imported, exported_by="someone else")
    assert _strip(json.loads(first)) == _strip(json.loads(second))
    restored = Evidence.objects.get(incident=imported, original_name="image.pdf")
    with restored.file.open("rb") as handle:
        assert handle.read() == PDF_BYTES + b"% disk\n"


def test_import_refuses_evidence_whose_bytes_do_not_match_the_hash(with_records):
    document = json.loads(export_json_bytes(with_records, exported_by="alice"))
    document["evidence"][1]["sha256"] = "0" * 64
    _purge_all(with_records)
    with pytest.raises(ImportRejected, match="SHA-256"):
        import_json_bytes(json.dumps(document).encode())
    assert not Correspondence.objects.exists()


def test_files_made_before_records_still_import(with_records):
    document = json.loads(export_json_bytes(with_records, exported_by="alice"))
    del document["correspondence"]
    del document["evidence"]
    _purge_all(with_records)
    imported, _created = import_json_bytes(json.dumps(document).encode())
    assert not Evidence.objects.filter(incident=imported).exists()


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_each_export_records_an_exported_custody_entry_per_item(with_records, alice, fmt):
    rendered = export_render(incident=with_records, fmt=fmt, user=alice, tz=KST, language="en")
    exported = CustodyEntry.objects.filter(action="exported")
    assert exported.count() == Evidence.objects.filter(incident=with_records).count() == 3
    assert {e.detail["format"] for e in exported} == {fmt}
    assert all(e.actor == alice for e in exported)
    assert rendered.filename in {e.detail["file"] for e in exported}


def test_csv_lists_no_evidence_and_records_no_custody(with_records, alice):
    export_render(incident=with_records, fmt="csv", user=alice, tz=KST, language="en")
    assert not CustodyEntry.objects.filter(action="exported").exists()


def test_xlsx_has_correspondence_and_evidence_sheets(with_records, alice):
    data = export_render(incident=with_records, fmt="xlsx", user=alice, tz=KST, language="en").data
    book = load_workbook(io.BytesIO(data))
    letters = list(book["Correspondence"].values)
    assert letters[0][0] == "Date and time (Asia/Seoul)"
    assert letters[1][1] == "incoming"
    assert letters[1][0] == datetime(2025, 11, 21, 9, 30)  # noqa: DTZ001  (Excel has no zones)
    evidence = list(book["Evidence"].values)
    assert evidence[0][4] == "SHA-256"
    assert {row[4] for row in evidence[1:]} == set(
        Evidence.objects.values_list("sha256", flat=True)
    )


@pytest.mark.parametrize(("language", "heading"), [("ko", "증거 자료"), ("en", "Evidence")])
def test_pdf_report_has_correspondence_and_evidence_sections(with_records, language, heading):
    html = report_html(with_records, tz=KST, language=language, exported_by="alice")
    assert heading in html
    assert "Seoul Metropolitan Police" in html
    for sha in Evidence.objects.values_list("sha256", flat=True):
        assert sha in html
