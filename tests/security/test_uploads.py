"""Uploads: type from the bytes, size limit, random stored name, SHA-256, need-to-know download."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation

from audit.models import AuditEntry
from incidents.documents import filing_document_attach
from incidents.models import FilingDocument
from incidents.services import filing_submit

KST = ZoneInfo("Asia/Seoul")


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX_BYTES = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX_BYTES = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
DOCM_BYTES = _zip(
    {
        "[Content_Types].xml": b"<Types/>",
        "word/document.xml": b"<w:document/>",
        "word/vbaProject.bin": b"macro",
    }
)
EML_BYTES = (
    b"From: kisa@example.kr\r\nTo: dpo@example.com\r\nSubject: Receipt\r\n"
    b"Date: Tue, 18 Nov 2025 10:00:00 +0900\r\nMessage-ID: <1@example.kr>\r\n\r\nReceived.\r\n"
)

ACCEPTED = [
    ("report.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "application/pdf", ".pdf"),
    ("shot.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png", ".png"),
    ("photo.jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 64, "image/jpeg", ".jpg"),
    (
        "notice.docx",
        DOCX_BYTES,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".docx",
    ),
    (
        "counts.xlsx",
        XLSX_BYTES,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".xlsx",
    ),
    ("notes.txt", "접수 번호 2025-11-18\n".encode(), "text/plain", ".txt"),
    ("receipt.eml", EML_BYTES, "message/rfc822", ".eml"),
]

REFUSED = [
    ("tool.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),  # a Windows program named .pdf
    ("page.txt", b"<!DOCTYPE html><script>alert(1)</script>"),
    ("image.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>"),
    ("macro.docx", DOCM_BYTES),
    ("archive.docx", _zip({"a.txt": b"x"})),
    ("blob.txt", b"\x00\x01\x02\x03" * 100),
]


@pytest.fixture
def filing(incident):
    return filing_submit(
        incident=incident, recipient="KISA", submitted_at=datetime(2025, 11, 19, 9, tzinfo=KST)
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "data", "content_type", "extension"), ACCEPTED)
def test_allowed_documents_are_typed_from_their_bytes(
    filing, alice, name, data, content_type, extension
) -> None:
    upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    document = filing_document_attach(filing=filing, upload=upload, uploaded_by=alice)
    assert document.content_type == content_type
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.size == len(data)
    assert document.original_name == name
    stored = Path(document.file.name)
    assert stored.suffix == extension
    assert stored.stem != Path(name).stem
    assert len(stored.stem) == 32  # random hex name
    assert Path(document.file.path).read_bytes() == data
    # Outside the web root: the private storage is not under STATIC_ROOT and has no URL route.
    assert not Path(document.file.path).is_relative_to(Path(settings.STATIC_ROOT))


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "data"), REFUSED)
def test_disguised_or_active_files_are_refused_and_nothing_is_kept(
    filing, alice, name, data
) -> None:
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    with pytest.raises(ValidationError):
        filing_document_attach(filing=filing, upload=upload, uploaded_by=alice)
    assert not FilingDocument.objects.exists()


@pytest.mark.django_db
@override_settings(DOCUMENT_MAX_UPLOAD_BYTES=1024)
def test_files_over_the_size_limit_are_refused(filing, alice) -> None:
    upload = SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"0" * 2000)
    with translation.override("en"), pytest.raises(ValidationError, match="too large"):
        filing_document_attach(filing=filing, upload=upload, uploaded_by=alice)
    assert not FilingDocument.objects.exists()


@pytest.mark.django_db
def test_path_tricks_in_the_name_are_dropped(filing, alice) -> None:
    upload = SimpleUploadedFile("../../etc/passwd\x00.pdf", b"%PDF-1.4\n")
    document = filing_document_attach(filing=filing, upload=upload, uploaded_by=alice)
    assert "/" not in document.original_name
    assert "\x00" not in document.original_name
    assert document.file.name.startswith(f"documents/{filing.incident_id}/")


# --- Views ------------------------------------------------------------------------------------


def _url(filing) -> str:
    return f"/incidents/{filing.incident.reference}/filings/{filing.pk}/documents/new/"


@pytest.mark.django_db
def test_compliance_uploads_through_the_form_and_sees_the_sha256(client, alice, filing) -> None:
    client.force_login(alice)
    data = b"%PDF-1.7\nreceipt\n"
    response = client.post(_url(filing), {"file": SimpleUploadedFile("r.pdf", data)})
    assert response.status_code == 302
    page = client.get(_url(filing))
    assert hashlib.sha256(data).hexdigest() in page.content.decode()
    assert AuditEntry.objects.filter(action="upload", incident_id=filing.incident_id).exists()


@pytest.mark.django_db
def test_a_refused_upload_shows_a_form_error(client, alice, filing) -> None:
    client.force_login(alice)
    response = client.post(_url(filing), {"file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00")})
    assert response.status_code == 400
    assert "not accepted" in response.content.decode()
    assert not FilingDocument.objects.exists()


@pytest.mark.django_db
def test_upload_form_is_403_for_viewers_and_legal_and_404_for_outsiders(
    client, verified_login, carol, bob, charlie, filing
) -> None:
    for user, status in ((carol, 403), (bob, 403), (charlie, 404)):
        verified_login(user)
        assert client.get(_url(filing)).status_code == status


@pytest.mark.django_db
def test_a_filing_of_another_incident_is_404(client, alice, filing) -> None:
    from tests.factories import IncidentFactory

    other = IncidentFactory(owner=alice)
    client.force_login(alice)
    assert (
        client.get(f"/incidents/{other.reference}/filings/{filing.pk}/documents/new/").status_code
        == 404
    )


@pytest.mark.django_db
def test_download_is_an_attachment_for_members_and_404_for_everyone_else(
    client, alice, carol, charlie, filing
) -> None:
    data = b"%PDF-1.7\nsecret\n"
    document = filing_document_attach(
        filing=filing, upload=SimpleUploadedFile("정보.pdf", data), uploaded_by=alice
    )
    url = f"/documents/{document.pk}/download/"
    assert client.get(url).status_code == 302  # anonymous: to sign-in

    client.force_login(charlie)
    assert client.get(url).status_code == 404
    assert client.get("/documents/999999/download/").status_code == 404

    client.force_login(carol)  # a viewer who is a member may read
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == data
    assert AuditEntry.objects.filter(action="download", actor_repr="carol").exists()
