"""Uploaded documents (filing copies, evidence): checked, fingerprinted, served need-to-know.

- Size limit: settings.DOCUMENT_MAX_UPLOAD_BYTES.
- The type comes from the bytes, never from the name or the browser's Content-Type: PDF, PNG,
  JPEG, DOCX/XLSX (a zip with the matching Office parts and no macros), plain UTF-8 text and
  e-mail (.eml). Anything else is refused.
- Stored outside the web root under a random name (``FilingDocument.file`` upload_to) with an
  extension chosen from the detected type.
- SHA-256 is computed while reading and stored; pages and the download's Repr-Digest show it.
- Download only through ``incidents.views.documents.document_download``: incident not
  visible -> 404; always an attachment, never rendered inline.

This module is the service (content checks and ``filing_document_attach``); the form is
``incidents.forms.DocumentForm`` and the pages are in ``incidents/views/documents.py``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import transaction
from django.utils.translation import gettext as _

from incidents.models import Filing, FilingDocument

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import UploadedFile

_CHUNK = 64 * 1024
_EML_HEADER = re.compile(rb"^[A-Za-z][A-Za-z0-9-]{1,60}:[ \t]")
_EML_KEY_HEADERS = {b"from", b"date", b"subject", b"message-id", b"received", b"mime-version"}
_MARKUP_STARTS = (b"<!doctype", b"<html", b"<svg", b"<?xml", b"<script", b"<body", b"<head")


@dataclass(frozen=True)
class DetectedType:
    content_type: str
    extension: str


PDF = DetectedType("application/pdf", ".pdf")
PNG = DetectedType("image/png", ".png")
JPEG = DetectedType("image/jpeg", ".jpg")
DOCX = DetectedType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"
)
XLSX = DetectedType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx")
TEXT = DetectedType("text/plain", ".txt")
EML = DetectedType("message/rfc822", ".eml")


def _office_type(stream: IO[bytes]) -> DetectedType | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return None  # macro-enabled documents are refused
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        # A multi-byte character may be cut at the end of the sample.
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:
            return False
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls <= len(head) // 100


def _looks_like_email(head: bytes) -> bool:
    lines = head.lstrip(b"\r\n").splitlines()
    headers: set[bytes] = set()
    for line in lines[:60]:
        if not line.strip():
            break  # end of the header block
        if line[:1] in (b" ", b"\t"):
            continue  # folded continuation
        if not _EML_HEADER.match(line):
            return False
        headers.add(line.split(b":", 1)[0].lower())
    return b"from" in headers and len(headers & _EML_KEY_HEADERS) >= 2


def detect_type(stream: IO[bytes]) -> DetectedType | None:
    """The document type judged from its bytes (magic numbers), or None if not allowed."""
    stream.seek(0)
    head = stream.read(8192)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        detected = _office_type(stream)
        stream.seek(0)
        return detected
    if not _looks_like_text(head):
        return None
    text_head = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text_head.startswith(_MARKUP_STARTS):
        return None  # HTML/SVG/XML would be active content in some viewers
    return EML if _looks_like_email(head) else TEXT


def _safe_name(name: str) -> str:
    base = PurePath(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip(" .")
    return (cleaned or "document")[:255]


def _sha256_and_check(stream: IO[bytes], *, text: bool) -> str:
    digest = hashlib.sha256()
    stream.seek(0)
    while chunk := stream.read(_CHUNK):
        if text and b"\x00" in chunk:
            raise ValidationError({"file": _("This text file contains binary data.")})
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


@dataclass(frozen=True)
class InspectedUpload:
    """What the checks found out about an accepted upload (the stream is rewound)."""

    stream: IO[bytes]
    detected: DetectedType
    sha256: str
    size: int
    name: str


def inspect_upload(upload: UploadedFile) -> InspectedUpload:
    """Check ``upload`` by size and content and fingerprint it; ValidationError on ``file`` if it
    is refused. Shared by filing documents and evidence (records.services)."""
    limit = settings.DOCUMENT_MAX_UPLOAD_BYTES
    size = upload.size or 0
    if size <= 0:
        raise ValidationError({"file": _("The file is empty.")})
    if size > limit:
        raise ValidationError(
            {
                "file": _("The file is too large (%(size)s MB; the limit is %(limit)s MB).")
                % {"size": f"{size / 1048576:.1f}", "limit": f"{limit / 1048576:.0f}"}
            }
        )
    stream: IO[bytes] = upload.file  # type: ignore[assignment]
    detected = detect_type(stream)
    if detected is None:
        raise ValidationError(
            {
                "file": _(
                    "This kind of file is not accepted. Allowed: PDF, PNG, JPEG, Word (.docx), "
                    "Excel (.xlsx), plain text and e-mail (.eml)."
                )
            }
        )
    sha256 = _sha256_and_check(stream, text=detected in (TEXT, EML))
    return InspectedUpload(
        stream=stream,
        detected=detected,
        sha256=sha256,
        size=size,
        name=_safe_name(upload.name or ""),
    )


@transaction.atomic
def filing_document_attach(
    *, filing: Filing, upload: UploadedFile, uploaded_by: User | None
) -> FilingDocument:
    """Check ``upload`` by size and content, store it under a random name, record its SHA-256."""
    checked = inspect_upload(upload)
    document = FilingDocument(
        filing=filing,
        original_name=checked.name,
        content_type=checked.detected.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=uploaded_by,
    )
    # The name only lends its extension to the random stored name (see _document_path).
    document.file.save(f"document{checked.detected.extension}", File(checked.stream), save=False)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    return document


# Room for the multipart boundaries and the other form fields around one file.
MULTIPART_OVERHEAD = 64 * 1024
UPLOAD_REFUSED_ATTR = "upload_refused_too_large"


class SizeLimitedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: refuses a file larger than DOCUMENT_MAX_UPLOAD_BYTES while
    it streams in. A request whose Content-Length already says it is too large has its file
    skipped before a single byte is buffered; otherwise the file is dropped at the first chunk
    past the limit, before that chunk reaches the memory or temporary-file handler. The form
    fields (CSRF token included) are still parsed, so the page can say why."""

    def handle_raw_input(
        self,
        input_data: Any,
        META: Any,
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> None:
        self.limit = int(settings.DOCUMENT_MAX_UPLOAD_BYTES)
        self.request_too_large = content_length > self.limit + MULTIPART_OVERHEAD
        self.received = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        if getattr(self, "request_too_large", False):
            self._refuse()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > getattr(self, "limit", settings.DOCUMENT_MAX_UPLOAD_BYTES):
            self._refuse()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler builds the file

    def _refuse(self) -> None:
        if self.request is not None:
            setattr(self.request, UPLOAD_REFUSED_ATTR, True)
        raise SkipFile()


def too_large_message() -> str:
    limit = settings.DOCUMENT_MAX_UPLOAD_BYTES
    return _("The file is too large (the limit is %(limit)s MB).") % {
        "limit": f"{limit / 1048576:.0f}"
    }
