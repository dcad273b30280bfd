"""Security headers: CSP without inline script, frame denial, nosniff, referrer policy."""

from __future__ import annotations

import pytest


def _policy(response) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.strip().split()
        directives[name] = values
    return directives


@pytest.mark.django_db
def test_every_page_has_a_csp_without_inline_script(client, carol) -> None:
    client.force_login(carol)
    for path in ("/", "/accounts/login/", "/admin/login/"):
        response = client.get(path)
        policy = _policy(response)
        assert policy["script-src"] == ["'self'"], path
        assert policy["style-src"] == ["'self'"], path
        assert "'unsafe-inline'" not in policy.get("default-src", [])
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"]


@pytest.mark.django_db
def test_frame_denial_nosniff_and_referrer_policy(client) -> None:
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
@pytest.mark.urls("tests.security.api_urls")
def test_api_docs_get_only_their_narrow_additions(client, admin_user, verified_login) -> None:
    verified_login(admin_user)
    redoc = client.get("/api/redoc/")
    assert redoc.status_code == 200
    assert _policy(redoc)["worker-src"] == ["'self'", "blob:"]
    assert _policy(redoc)["script-src"] == ["'self'"]
    swagger = client.get("/api/docs/")
    assert swagger.status_code == 200
    assert "<script>" not in swagger.content.decode()  # the split view has no inline script
    assert _policy(swagger)["script-src"] == ["'self'"]
    assert _policy(swagger)["style-src"] == ["'self'", "'unsafe-inline'"]
    assert "worker-src" not in _policy(swagger)
    assert _policy(redoc)["style-src"] == ["'self'", "'unsafe-inline'"]
