"""A real OpenID provider on loopback for the SSO tests, and the relying party pointed at it.

pytest-django's ``live_server`` serves this process's Django on 127.0.0.1 with the test URLconf
(tests/oidc/urls.py), which mounts django-oauth-toolkit at /o/. The relying party (the product)
reaches discovery, JWKS, token and userinfo over HTTP, as it would reach Entra ID or Okta. The
browser is two Django test clients: ``client`` for the product, ``idp_browser`` for the provider
(separate cookie jars, like two sites).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from oauth2_provider.models import get_application_model

from accounts.oidc import clear_discovery_cache
from tests.factories import UserFactory
from tests.oidc import provider

CLIENT_ID = "incident-clock"
CLIENT_SECRET = "s3cret-for-the-loopback-provider-only"
CALLBACK = "http://testserver/accounts/oidc/callback/"
POST_LOGOUT = "http://testserver/accounts/login/"
ROLE_MAP = {
    "ic-viewer": "viewer",
    "ic-compliance": "compliance",
    "ic-legal": "legal",
    "ic-admin": "admin",
}


@pytest.fixture(scope="session")
def rsa_private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture
def issuer(live_server: Any) -> str:
    return f"{live_server.url}/o"


@pytest.fixture
def oidc_provider(
    settings: Any, transactional_db: None, issuer: str, rsa_private_key_pem: str
) -> Iterator[Any]:
    """DOT with OIDC on, RS256 key from this run, one registered client: the product."""
    settings.ROOT_URLCONF = "tests.oidc.urls"
    settings.OAUTH2_PROVIDER = {
        "OIDC_ENABLED": True,
        "OIDC_RSA_PRIVATE_KEY": rsa_private_key_pem,
        "OIDC_ISS_ENDPOINT": issuer,
        "OAUTH2_VALIDATOR_CLASS": "tests.oidc.provider.DirectoryClaimsValidator",
        "SCOPES": {"openid": "OpenID Connect", "profile": "Profile", "email": "E-mail"},
        "PKCE_REQUIRED": True,
        "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
        "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    }
    application = get_application_model().objects.create(
        name="Incident Clock",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        client_type="confidential",
        authorization_grant_type="authorization-code",
        redirect_uris=CALLBACK,
        post_logout_redirect_uris=POST_LOGOUT,
        algorithm="RS256",
        skip_authorization=True,
    )
    provider.CLAIMS.clear()
    provider.ID_TOKEN_CHANGES.clear()
    yield application
    provider.CLAIMS.clear()
    provider.ID_TOKEN_CHANGES.clear()


@pytest.fixture
def sso(settings: Any, oidc_provider: Any, issuer: str) -> Iterator[None]:
    """The product configured as a relying party of that provider, two-factor gate on."""
    settings.OIDC_ENABLED = True
    settings.OIDC_ISSUER = issuer
    settings.OIDC_DISCOVERY_URL = ""
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = "Loopback IdP"
    settings.OIDC_ROLE_MAP = ROLE_MAP
    settings.OIDC_MFA_AMR = ["mfa", "hwk"]
    settings.OIDC_LOCAL_SIGNIN = "admins"
    settings.OTP_ENFORCED = True
    clear_discovery_cache()
    yield
    clear_discovery_cache()
    # Pages answered in Korean leave it active in this thread; don't leak it.
    from django.utils import translation

    translation.deactivate()


@pytest.fixture
def idp_browser() -> Client:
    return Client()


@pytest.fixture
def idp_person(idp_browser: Client, transactional_db: None) -> Any:
    """Signs ``idp_browser`` in at the provider as a directory account with the given claims."""

    def person(idp_username: str, **claims: Any) -> Any:
        account = UserFactory(username=idp_username)
        provider.CLAIMS[idp_username] = claims
        idp_browser.force_login(account)
        return account

    return person
