"""The security findings of issue 13 (item 4 and 5), each with its test: parser limits, upload
size, webhook SSRF, the admin's sign-in, document download rights and superuser tokens."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from datetime import datetime
from types import SimpleNamespace
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django_otp.plugins.otp_static.models import StaticDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from incidents.documents import filing_document_attach
from incidents.models import FilingDocument
from incidents.services import filing_submit
from reminders import channels
from reminders.models import WebhookEndpoint
from reminders.webhook_guard import validate_webhook_url
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
KST = ZoneInfo("Asia/Seoul")


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


# --- bad input at the parser -------------------------------------------------------------------


def test_fifty_thousand_nested_brackets_are_a_400_with_the_usual_body(alice) -> None:
    response = _api(alice).post(
        "/api/v1/incidents/", data="[" * 50_000, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert set(response.json()) == {"detail", "code", "errors"}


def test_nesting_just_past_the_limit_is_refused_and_ordinary_nesting_is_fine(alice) -> None:
    client = _api(alice)
    deep = '{"title": "x", "extra_facts": ' + '{"a": ' * 32 + "1" + "}" * 32 + "}"
    assert (
        client.post("/api/v1/incidents/", data=deep, content_type="application/json").status_code
        == 400
    )
    fine = {"title": "x", "extra_facts": {"a": {"b": [1, {"c": "[[[[[[ in a string ]"}]}}}
    assert client.post("/api/v1/incidents/", fine, format="json").status_code == 201


def test_an_oversized_json_body_is_a_400(alice, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"title": "' + "x" * 2000 + '"}'
    response = _api(alice).post("/api/v1/incidents/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "larger than 1000 bytes" in response.json()["detail"]


def test_the_field_count_limit_is_kept(settings) -> None:
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 1000


# --- uploads refused by size before they are written ------------------------------------------


@pytest.fixture
def filing(incident):
    return filing_submit(
        incident=incident, recipient="KISA", submitted_at=datetime(2025, 11, 19, tzinfo=KST)
    )


@pytest.fixture
def written_to_temp_files() -> Iterator[list[int]]:
    """Bytes that reached the temporary-file (disk) upload handler."""
    written: list[int] = []
    original = TemporaryFileUploadHandler.receive_data_chunk

    def spy(self: Any, raw_data: bytes, start: int) -> Any:
        written.append(len(raw_data))
        return original(self, raw_data, start)

    with mock.patch.object(TemporaryFileUploadHandler, "receive_data_chunk", spy):
        yield written


def _upload(client: Any, filing: Any, size: int) -> Any:
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"0" * size, "application/pdf")
    url = f"/incidents/{filing.incident.reference}/filings/{filing.pk}/documents/new/"
    return client.post(url, {"file": big})


def test_an_upload_whose_request_is_too_large_never_reaches_the_disk(
    client, alice, filing, settings, written_to_temp_files
) -> None:
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 1000
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # anything that got through would go to disk
    client.force_login(alice)
    response = _upload(client, filing, 200_000)
    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert written_to_temp_files == []
    assert not FilingDocument.objects.exists()


def test_an_upload_is_cut_off_at_the_limit_while_it_streams(
    client, alice, filing, settings, written_to_temp_files
) -> None:
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 100_000
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    client.force_login(alice)
    response = _upload(client, filing, 150_000)  # within the multipart allowance: streamed
    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert sum(written_to_temp_files) <= 100_000
    assert not FilingDocument.objects.exists()


# --- webhook URLs --------------------------------------------------------------------------------

REFUSED = [
    "http://127.0.0.1/hook",
    "http://[::1]/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.1/hook",
    "http://192.168.1.10/hook",
    "http://[fd00::1]/hook",
    "http://224.0.0.251/hook",
    "http://[ff02::1]/hook",
    "http://0.0.0.0/hook",
    "http://[::]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://localhost/hook",
]


@pytest.mark.parametrize("url", REFUSED)
def test_webhook_urls_to_non_public_addresses_are_refused_at_save(url) -> None:
    with pytest.raises(ValidationError):
        validate_webhook_url(url)
    endpoint = WebhookEndpoint(name="x", url=url, secret="s")
    with pytest.raises(ValidationError) as info:
        endpoint.full_clean()
    assert "url" in info.value.message_dict


def test_a_public_webhook_address_is_accepted_at_save() -> None:
    endpoint = WebhookEndpoint(name="x", url="https://93.184.216.34/hook", secret="s")
    errors: dict[str, Any] = {}
    try:
        endpoint.full_clean()
    except ValidationError as exc:
        errors = exc.message_dict
    assert errors == {}


def _endpoint(url: str) -> Any:
    return SimpleNamespace(url=url, status_url="", secret="s")


DELIVERY = SimpleNamespace(pk="00000000-0000-0000-0000-000000000001")


def test_a_name_that_resolves_to_a_private_address_is_refused_at_send_time() -> None:
    resolved = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", 80))]
    with (
        mock.patch("socket.getaddrinfo", return_value=resolved),
        mock.patch("socket.create_connection") as connect,
        pytest.raises(channels.PermanentError, match="non-public"),
    ):
        channels.webhook_send(_endpoint("http://hooks.example.com/x"), DELIVERY, {"t": 1})
    connect.assert_not_called()


def test_the_request_goes_to_the_address_that_was_checked() -> None:
    # No second lookup that a DNS rebinding could answer differently.
    resolved = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 80))]
    with (
        mock.patch("socket.getaddrinfo", return_value=resolved) as lookup,
        mock.patch("socket.create_connection", side_effect=OSError("test stop")) as connect,
        pytest.raises(channels.TransientError),
    ):
        channels.webhook_send(_endpoint("http://hooks.example.com/x"), DELIVERY, {"t": 1})
    assert lookup.call_count == 1
    assert connect.call_args.args[0] == ("93.184.216.34", 80)


class _Redirector(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_POST(self) -> None:
        type(self).hits.append(self.path)
        self.send_response(302)
        self.send_header("Location", "/elsewhere")
        self.end_headers()

    do_GET = do_POST

    def log_message(self, *args: Any) -> None:
        return None


def test_redirects_are_not_followed(settings) -> None:
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]  # a local test receiver
    server = http.server.HTTPServer(("127.0.0.1", 0), _Redirector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Redirector.hits = []
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        with pytest.raises(channels.PermanentError, match="redirects are not followed"):
            channels.webhook_send(_endpoint(url), DELIVERY, {"t": 1})
    finally:
        server.shutdown()
    assert _Redirector.hits == ["/hook"]


# --- sign-in through the admin -------------------------------------------------------------------


def test_admin_login_goes_through_the_sign_in_with_its_second_factor(client) -> None:
    response = client.get("/admin/login/?next=/admin/incidents/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fincidents%2F"
    posted = client.post("/admin/login/", {"username": "x", "password": "y"})
    assert posted.status_code == 302
    assert posted["Location"].startswith("/accounts/login/")


def test_any_user_with_a_device_passes_it_whatever_page_they_signed_in_through(
    client, alice
) -> None:
    # alice's role does not require two-factor, but she enrolled a device.
    StaticDevice.objects.create(user=alice, name="mine", confirmed=True)
    client.force_login(alice)  # a sign-in that skipped the OTP hand-over
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/otp/")
    assert client.get("/").status_code == 302


def test_a_user_without_a_device_or_role_requirement_is_not_sent_to_otp(client, alice) -> None:
    client.force_login(alice)
    assert client.get("/").status_code == 200


# --- document download rights --------------------------------------------------------------------


def test_a_member_without_a_role_gets_403_not_the_file(client, incident, alice, filing) -> None:
    document = filing_document_attach(
        filing=filing, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.7\nx\n"), uploaded_by=alice
    )
    roleless = UserFactory(username="roleless")
    incident.memberships.create(user=roleless)
    client.force_login(roleless)
    response = client.get(f"/documents/{document.pk}/download/")
    assert response.status_code == 403


# --- superuser tokens ----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_superuser_token_without_second_factor_gets_401_not_405(method) -> None:
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client = _api(root)
    # /api/v1/incidents/ has no PUT, PATCH or DELETE: the token is refused before a 405 could
    # show that it was accepted.
    assert getattr(client, method)("/api/v1/incidents/", {}, format="json").status_code == 401
    StaticDevice.objects.create(user=root, name="d", confirmed=True)
    assert getattr(client, method)("/api/v1/incidents/", {}, format="json").status_code == 405
