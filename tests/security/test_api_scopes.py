"""API tokens: a read-only token gets 403 on unsafe methods; an admin or legal user's token works
only once that user has a confirmed second factor; a token can expire (401 after)."""

from __future__ import annotations

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audit.models import TokenScope

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.security.api_urls")]


def _confirmed_device(user) -> None:
    from django_otp.plugins.otp_static.models import StaticDevice

    StaticDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})


def _client(user, *, read_only: bool | None) -> APIClient:
    _confirmed_device(user)  # admins' and legal users' tokens need one (tested below)
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


def _bare_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.mark.parametrize("persona", ["admin_user", "bob"])
def test_an_admin_or_legal_token_needs_a_confirmed_second_factor(request, persona) -> None:
    user = request.getfixturevalue(persona)
    client = _bare_client(user)
    refused = client.get("/api/echo/")
    assert refused.status_code == 401
    assert "second factor" in refused.json()["detail"]
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=user, name="unconfirmed", confirmed=False)
    assert client.get("/api/echo/").status_code == 401
    _confirmed_device(user)
    assert client.get("/api/echo/").status_code == 200


def test_a_compliance_token_needs_no_second_factor(alice) -> None:
    assert _bare_client(alice).get("/api/echo/").status_code == 200


def test_an_expired_token_gets_401_and_an_unexpired_one_works(alice) -> None:
    from datetime import timedelta

    from django.utils import timezone

    token = Token.objects.create(user=alice)
    scope = TokenScope.objects.create(
        token=token, read_only=False, expires_at=timezone.now() + timedelta(hours=1)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/echo/").status_code == 200
    scope.expires_at = timezone.now() - timedelta(seconds=1)
    scope.save()
    response = client.get("/api/echo/")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_anonymous_api_requests_get_401() -> None:
    assert APIClient().get("/api/echo/").status_code == 401
    assert APIClient().get("/api/schema/").status_code == 401
    assert APIClient().get("/api/docs/").status_code == 401
