"""Records fixtures: the PIPC regulator, a request event, small valid files."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from incidents import services as incident_services
from regulators.models import Regulator

KST = ZoneInfo("Asia/Seoul")
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "letter.pdf", body: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/octet-stream")


@pytest.fixture
def pipc(db: None) -> Regulator:
    regulator, _created = Regulator.objects.get_or_create(
        code="PIPC",
        defaults={
            "name_en": "Personal Information Protection Commission (PIPC)",
            "name_ko": "개인정보보호위원회",
            "country": "KR",
        },
    )
    return regulator


@pytest.fixture
def note_event(incident: Any, alice: Any) -> Any:
    return incident_services.timeline_event_record(
        incident=incident,
        kind="note",
        occurred_at=datetime(2025, 11, 20, 10, 0, tzinfo=KST),
        title="Forensic image taken",
        recorded_by=alice,
    )


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
