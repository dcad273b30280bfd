"""Correspondence and evidence over /api/v1/: every operation with the role matrix, If-Match,
multipart upload, download with custody, and bounded list queries."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from records import services
from records.models import Correspondence, CustodyEntry, Evidence
from tests.records.conftest import KST, PDF_BYTES, pdf

pytestmark = pytest.mark.django_db

MATRIX_READ = [
    ("viewer", 200),
    ("compliance", 200),
    ("legal", 200),
    ("admin", 200),
    ("outsider", 404),
]
MATRIX_WRITE = [
    ("viewer", 403),
    ("compliance", 201),
    ("legal", 403),
    ("admin", 201),
    ("outsider", 404),
]


@pytest.fixture
def personas(alice, bob, carol, charlie, admin_user):
    return {
        "viewer": carol,
        "compliance": alice,
        "legal": bob,
        "admin": admin_user,
        "outsider": charlie,
    }


def api(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def letter(incident, alice, pipc):
    return services.correspondence_record(
        incident=incident,
        direction="in",
        occurred_at=datetime(2025, 11, 21, 9, 30, tzinfo=KST),
        channel="letter",
        subject="PIPC asks for logs",
        regulator=pipc,
        recorded_by=alice,
        attachments=[pdf()],
    )


def _base(incident) -> str:
    return f"/api/v1/incidents/{incident.pk}"


BODY = {
    "direction": "out",
    "occurred_at": "2025-11-22T10:00:00+09:00",
    "channel": "email",
    "regulator": "PIPC",
    "subject": "Our answer",
}


@pytest.mark.parametrize(("persona", "expected"), MATRIX_READ)
def test_correspondence_list_and_detail_follow_need_to_know(
    personas, incident, letter, persona, expected
):
    client = api(personas[persona])
    listing = client.get(f"{_base(incident)}/correspondence/")
    assert listing.status_code == expected
    detail = client.get(f"{_base(incident)}/correspondence/{letter.pk}/")
    assert detail.status_code == expected
    if expected == 200:
        assert listing.json()["results"][0]["regulator"] == "PIPC"
        assert detail.json()["attachments"][0]["sha256"] == Evidence.objects.get().sha256
        assert detail["ETag"]


@pytest.mark.parametrize(("persona", "expected"), MATRIX_WRITE)
def test_correspondence_create_follows_the_role_matrix(personas, incident, pipc, persona, expected):
    response = api(personas[persona]).post(
        f"{_base(incident)}/correspondence/", BODY, format="json"
    )
    assert response.status_code == expected, response.content
    assert Correspondence.objects.count() == (1 if expected == 201 else 0)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("viewer", 403), ("compliance", 200), ("legal", 403), ("admin", 200), ("outsider", 404)],
)
def test_correspondence_patch_follows_the_role_matrix(
    personas, incident, letter, persona, expected
):
    response = api(personas[persona]).patch(
        f"{_base(incident)}/correspondence/{letter.pk}/", {"summary": "x"}, format="json"
    )
    assert response.status_code == expected


def test_patch_with_stale_if_match_is_412(alice, incident, letter, note_event):
    client = api(alice)
    url = f"{_base(incident)}/correspondence/{letter.pk}/"
    etag = client.get(url)["ETag"]
    first = client.patch(url, {"events": [note_event.pk]}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    assert first.json()["events"] == [note_event.pk]
    second = client.patch(url, {"subject": "Late"}, format="json", HTTP_IF_MATCH=etag)
    assert second.status_code == 412
    assert second.json()["code"] == "precondition_failed"


def test_bad_correspondence_is_a_400_with_field_errors(alice, incident, pipc):
    client = api(alice)
    naive = client.post(
        f"{_base(incident)}/correspondence/",
        {**BODY, "occurred_at": "2025-11-22T10:00:00"},
        format="json",
    )
    assert naive.status_code == 400
    assert "occurred_at" in naive.json()["errors"]
    nobody = client.post(
        f"{_base(incident)}/correspondence/", {**BODY, "regulator": None}, format="json"
    )
    assert nobody.status_code == 400
    assert "regulator" in nobody.json()["errors"]
    foreign = client.post(
        f"{_base(incident)}/correspondence/", {**BODY, "events": [999999]}, format="json"
    )
    assert foreign.status_code == 400
    assert "events" in foreign.json()["errors"]


@pytest.mark.parametrize(("persona", "expected"), MATRIX_WRITE)
def test_evidence_upload_follows_the_role_matrix(personas, incident, note_event, persona, expected):
    response = api(personas[persona]).post(
        f"{_base(incident)}/evidence/",
        {"file": pdf(), "target_kind": "event", "target_id": note_event.pk},
        format="multipart",
    )
    assert response.status_code == expected, response.content
    if expected == 201:
        body = response.json()
        assert body["attached_to"] == {"kind": "event", "id": note_event.pk}
        assert body["custody_summary"]["uploaded"] == 1
        assert body["content_type"] == "application/pdf"


def test_evidence_upload_refuses_a_disguised_file_and_a_foreign_target(alice, incident):
    client = api(alice)
    bad = client.post(
        f"{_base(incident)}/evidence/",
        {"file": pdf("a.pdf", b"\x00\x01binary"), "target_kind": "event", "target_id": 1},
        format="multipart",
    )
    assert bad.status_code == 400
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(("persona", "expected"), MATRIX_READ)
def test_evidence_read_download_and_custody_follow_need_to_know(
    personas, incident, letter, persona, expected
):
    evidence = Evidence.objects.get()
    client = api(personas[persona])
    base = f"{_base(incident)}/evidence"
    assert client.get(f"{base}/").status_code == expected
    assert client.get(f"{base}/{evidence.pk}/").status_code == expected
    download = client.get(f"{base}/{evidence.pk}/download/")
    assert download.status_code == expected
    custody = client.get(f"{base}/{evidence.pk}/custody/")
    assert custody.status_code == expected
    if expected == 200:
        assert b"".join(download.streaming_content) == PDF_BYTES
        assert download["Content-Disposition"].startswith("attachment;")
        assert [e["action"] for e in custody.json()["results"]] == [
            "uploaded",
            "viewed",
            "downloaded",
        ]
    else:
        assert list(CustodyEntry.objects.values_list("action", flat=True)) == ["uploaded"]


def test_evidence_list_queries_do_not_grow(
    alice, incident, note_event, django_assert_max_num_queries
):
    client = api(alice)
    for _n in range(8):
        services.evidence_attach(
            incident=incident, upload=pdf(), uploaded_by=alice, event=note_event
        )
    with django_assert_max_num_queries(10):
        response = client.get(f"{_base(incident)}/evidence/")
    assert response.json()["count"] == 8


def test_download_honours_an_accept_of_the_files_type(alice, charlie, incident, letter):
    evidence = Evidence.objects.get()
    url = f"{_base(incident)}/evidence/{evidence.pk}/download/"
    ok = api(alice).get(url, HTTP_ACCEPT="application/pdf")
    assert ok.status_code == 200
    assert ok["Content-Type"] == "application/pdf"
    hidden = api(charlie).get(url, HTTP_ACCEPT="application/pdf")
    assert hidden.status_code == 404
    assert hidden["Content-Type"].startswith("application/json")
    assert hidden.json()["code"] == "not_found"


def test_an_id_beyond_64_bits_is_a_400(alice, incident, pipc):
    response = api(alice).post(
        f"{_base(incident)}/correspondence/", {**BODY, "events": [2**70]}, format="json"
    )
    assert response.status_code == 400
    assert "events.0" in response.json()["errors"]


def test_correspondence_list_queries_do_not_grow(alice, incident, pipc, note_event):
    client = api(alice)
    url = f"{_base(incident)}/correspondence/"

    def add(n: int) -> None:
        services.correspondence_record(
            incident=incident,
            direction="in",
            occurred_at=datetime(2025, 11, 21, 9, n, tzinfo=KST),
            channel="email",
            subject=f"Mail {n}",
            regulator=pipc,
            recorded_by=alice,
            events=[note_event],
            attachments=[pdf()],
        )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    add(0)
    client.get(url)  # the token's first use writes its last-used time
    one = queries()
    for n in range(1, 7):
        add(n)
    assert queries() == one
