"""SSO refuses what it must: tampered, misaddressed, expired, replayed (issue 17).

The provider is the real one on loopback. A refused sign-in leaves nobody signed in, creates no
user, writes a ``login_failed`` audit entry with the reason and shows the person a message.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model

from accounts.oidc_backend import OIDCBackend
from audit.models import AuditEntry
from tests.oidc import provider
from tests.oidc.conftest import CLIENT_ID
from tests.oidc.test_sso_flow import authorize, session_user, sign_in, start

pytestmark = pytest.mark.usefixtures("sso")


def assert_refused(
    client: Any, response: Any, reason: str, *, signed_in_before: bool = False
) -> None:
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert session_user(client) is None
    if not signed_in_before:
        assert not get_user_model().objects.filter(username="victim").exists()
    failure = AuditEntry.objects.filter(action="login_failed").latest("seq")
    assert failure.changes["method"] == "oidc"
    assert failure.changes["reason"] == reason
    page = client.get("/accounts/login/")
    assert b"flash-error" in page.content  # the person is told, on the sign-in page


@pytest.fixture
def victim(idp_person: Any) -> Any:
    return idp_person("idp-victim", preferred_username="victim", groups=["ic-compliance"])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_a_tampered_id_token_is_refused(client, idp_browser, victim, issuer, monkeypatch) -> None:
    real_get_token = OIDCBackend.get_token

    def tamper_in_transit(self: OIDCBackend, payload: dict[str, Any]) -> dict[str, Any]:
        answer = real_get_token(self, payload)
        header, body, signature = answer["id_token"].split(".")
        claims = json.loads(_unb64(body))
        claims["groups"] = ["ic-admin"]
        claims["amr"] = ["mfa"]
        answer["id_token"] = ".".join([header, _b64(json.dumps(claims).encode()), signature])
        return answer

    monkeypatch.setattr(OIDCBackend, "get_token", tamper_in_transit)
    assert_refused(client, sign_in(client, idp_browser, issuer), "id_token_invalid")


def test_an_id_token_for_another_client_is_refused(client, idp_browser, victim, issuer) -> None:
    provider.ID_TOKEN_CHANGES["aud"] = "some-other-application"
    assert_refused(client, sign_in(client, idp_browser, issuer), "id_token_audience")


def test_several_audiences_need_azp_naming_this_client(client, idp_browser, victim, issuer) -> None:
    provider.ID_TOKEN_CHANGES.update({"aud": [CLIENT_ID, "other"], "azp": "other"})
    assert_refused(client, sign_in(client, idp_browser, issuer), "id_token_audience")


def test_an_expired_id_token_is_refused(client, idp_browser, victim, issuer) -> None:
    # Past the 60-second clock-skew allowance.
    provider.ID_TOKEN_CHANGES["exp"] = int(time.time()) - 120
    assert_refused(client, sign_in(client, idp_browser, issuer), "id_token_expired")


def test_an_id_token_from_another_issuer_is_refused(client, idp_browser, victim, issuer) -> None:
    provider.ID_TOKEN_CHANGES["iss"] = "http://127.0.0.1:9/o"
    assert_refused(client, sign_in(client, idp_browser, issuer), "id_token_issuer")


def test_a_configured_alternative_issuer_spelling_is_accepted(
    client, idp_browser, victim, issuer, settings
) -> None:
    provider.ID_TOKEN_CHANGES["iss"] = "loopback.example"
    settings.OIDC_EXTRA_ISSUERS = ["loopback.example"]
    assert sign_in(client, idp_browser, issuer)["Location"] == "/"
    assert session_user(client).username == "victim"


def test_a_replayed_callback_is_refused(client, idp_browser, victim, issuer) -> None:
    callback = authorize(idp_browser, start(client, issuer))
    assert client.get(callback)["Location"] == "/"
    client.post("/accounts/logout/")
    assert_refused(client, client.get(callback), "state", signed_in_before=True)


def test_an_id_token_carrying_an_already_used_nonce_is_refused(
    client, idp_browser, victim, issuer
) -> None:
    first = start(client, issuer)
    client.get(authorize(idp_browser, first))
    assert session_user(client) is not None
    client.post("/accounts/logout/")

    # A new sign-in attempt, but the provider is made to issue a token for the old nonce
    # (e.g. an attacker replaying the first authorization request with a fresh state).
    second = start(client, issuer)
    replay = authorize(idp_browser, {**second, "nonce": first["nonce"]})
    assert_refused(client, client.get(replay), "nonce", signed_in_before=True)


def test_a_provider_error_is_refused(client, victim, issuer) -> None:
    state = start(client, issuer)["state"]
    response = client.get("/accounts/oidc/callback/", {"state": state, "error": "access_denied"})
    assert_refused(client, response, "provider_error")


def test_a_code_without_the_pkce_verifier_is_refused_by_the_provider(
    client, idp_browser, victim, issuer
) -> None:
    query = start(client, issuer)
    callback = authorize(idp_browser, query)
    state = parse_qs(urlsplit(callback).query)["state"][0]
    session = client.session
    session["oidc_states"][state]["code_verifier"] = "x" * 64  # not the one challenged
    session.save()
    assert_refused(client, client.get(callback), "token_exchange")


def test_a_discovery_document_for_another_issuer_is_refused(
    client, victim, issuer, settings
) -> None:
    settings.OIDC_DISCOVERY_URL = f"{issuer}/.well-known/openid-configuration"
    settings.OIDC_ISSUER = "https://login.example.com/tenant"
    assert_refused(client, client.get("/accounts/oidc/start/"), "discovery")
