"""API tokens are unaffected by two-factor; a read-only token gets 403 on unsafe methods."""

from __future__ import annotations

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audit.models import TokenScope

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.security.api_urls")]


def _client(user, *, read_only: bool | None) -> APIClient:
    token = Token.objects.create(user=user)
    if read_only is not None:
        TokenScope.objects.create(token=token, read_only=read_only)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_the_scope_check_is_in_the_default_permission_classes() -> None:
    assert settings.REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] == [
        "rest_framework.permissions.IsAuthenticated",
        "audit.api_scopes.TokenScopePermission",
    ]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_read_only_token_reads_but_cannot_write(admin_user, method) -> None:
    client = _client(admin_user, read_only=True)
    assert client.get("/api/echo/").status_code == 200
    response = getattr(client, method)("/api/echo/", {}, format="json")
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]


def test_a_read_write_or_unscoped_token_can_write(admin_user, alice) -> None:
    assert _client(admin_user, read_only=False).post("/api/echo/").status_code == 201
    assert _client(alice, read_only=None).post("/api/echo/").status_code == 201


def test_an_admin_token_needs_no_second_factor(admin_user) -> None:
    # Tokens are a separate credential: the OTP gate never applies to them.
    assert _client(admin_user, read_only=None).get("/api/echo/").status_code == 200


def test_anonymous_api_requests_get_401() -> None:
    assert APIClient().get("/api/echo/").status_code == 401
    assert APIClient().get("/api/schema/").status_code == 401
    assert APIClient().get("/api/docs/").status_code == 401
