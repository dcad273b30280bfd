"""Authentication: token first (401 + WWW-Authenticate: Token), session with CSRF."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_request_without_credentials_gets_401_with_token_challenge() -> None:
    response = APIClient().get("/api/v1/incidents/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"
    assert response.json()["errors"] == {}


def test_token_from_the_management_command_works_and_revoking_it_locks_out(alice, capsys) -> None:
    call_command("drf_create_token", "alice")
    key = Token.objects.get(user=alice).key
    assert key in capsys.readouterr().out
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/incidents/").status_code == 200
    Token.objects.filter(user=alice).delete()  # revoke (admin does the same)
    assert client.get("/api/v1/incidents/").status_code == 401


@pytest.mark.parametrize("key", ["no-such-key", "abc\x00def", "x" * 300])
def test_an_unknown_or_malformed_token_is_401_in_turn_with_a_good_one(alice, key) -> None:
    """The token read is compiled once; a key it cannot hold is refused, never an error, and the
    good key still works after it."""
    good = Token.objects.create(user=alice).key
    for credentials, status in ((key, 401), (good, 200), (key, 401)):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {credentials}")
        response = client.get("/api/v1/incidents/")
        assert response.status_code == status
        if status == 401:
            assert response.json()["code"] in {"authentication_failed", "not_authenticated"}


def test_session_post_without_csrf_token_is_refused(alice) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.get("/api/v1/incidents/").status_code == 200
    response = client.post("/api/v1/incidents/", {"title": "X"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_session_post_with_csrf_token_is_accepted(alice) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    client.get("/accounts/login/")  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/incidents/", {"title": "Via session"}, format="json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 201, response.json()
