"""The relying party's token work: code exchange (with PKCE), ID token checks, user and roles.

Built on mozilla-django-oidc's ``OIDCAuthenticationBackend`` for the token request, the JWKS key
lookup and the userinfo call; what it does not do is added here:

- endpoints from the discovery document (``accounts.oidc.discovery``), not from settings;
- the ID token's issuer, audience (and ``azp`` with several audiences), expiry and issue time are
  required and checked (the library checks only signature and nonce); the nonce is compared in
  constant time;
- amr/acr are read from the signed ID token only; userinfo must have the same ``sub``;
- users are matched by the configured username claim, created or updated, and their roles set
  from the groups claim (``accounts.oidc_users``).

This backend is not in AUTHENTICATION_BACKENDS: only the OIDC callback view calls it, with the
nonce and PKCE verifier it took from the session, and then logs the user in.
"""

from __future__ import annotations

import hmac
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts.oidc import OIDCSignInError, discovery
from accounts.oidc_users import sync_user

# Claims that only the signed ID token may assert; a userinfo answer never overrides them.
_ID_TOKEN_ONLY = ("iss", "aud", "exp", "iat", "nonce", "amr", "acr", "azp", "auth_time")


class OIDCBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    def __init__(self) -> None:
        # Not super().__init__(): that reads fixed endpoint settings; ours come from discovery.
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.OIDC_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        config = discovery()
        self.issuer: str = config["issuer"]
        self.OIDC_OP_TOKEN_ENDPOINT = config["token_endpoint"]
        self.OIDC_OP_JWKS_ENDPOINT = config["jwks_uri"]
        self.OIDC_OP_USER_ENDPOINT = config.get("userinfo_endpoint") or ""

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(payload)
        except jwt.PyJWTError as exc:
            raise OIDCSignInError("id_token_invalid", str(exc)) from exc
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise OIDCSignInError("id_token_invalid", f"algorithm {header.get('alg')!r}")
        try:
            claims: dict[str, Any] = jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=[self.issuer, *settings.OIDC_EXTRA_ISSUERS],
                leeway=settings.OIDC_LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise OIDCSignInError("id_token_expired", str(exc)) from exc
        except jwt.InvalidAudienceError as exc:
            raise OIDCSignInError("id_token_audience", str(exc)) from exc
        except jwt.InvalidIssuerError as exc:
            raise OIDCSignInError("id_token_issuer", str(exc)) from exc
        except jwt.PyJWTError as exc:  # bad signature, malformed, missing claims, iat ahead
            raise OIDCSignInError("id_token_invalid", str(exc)) from exc
        audience = claims["aud"]
        # OIDC Core 3.1.3.7: with several audiences, azp must name this client.
        several = isinstance(audience, list) and len(audience) > 1
        if several and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise OIDCSignInError("id_token_audience", "azp is not this client")
        return claims

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """Signature, issuer, audience, expiry, then the nonce of this sign-in attempt."""
        nonce = kwargs.get("nonce")
        try:
            if self.OIDC_RP_SIGN_ALGO.startswith(("RS", "ES", "PS")):
                key = self.retrieve_matching_jwk(token)
            else:
                key = self.OIDC_RP_CLIENT_SECRET
        except requests.RequestException as exc:
            raise OIDCSignInError("provider_unreachable", f"jwks: {exc}") from exc
        except Exception as exc:  # no key for this kid, malformed header or JWKS
            raise OIDCSignInError("id_token_invalid", f"signing key: {exc}") from exc
        claims = self._verify_jws(token, key)
        token_nonce = claims.get("nonce")
        if not (
            isinstance(nonce, str)
            and isinstance(token_nonce, str)
            and hmac.compare_digest(nonce, token_nonce)
        ):
            raise OIDCSignInError("nonce", "nonce does not match this sign-in attempt")
        return claims

    def authenticate(  # type: ignore[override]
        self, request: HttpRequest, *, nonce: str, code_verifier: str | None
    ) -> tuple[Any, dict[str, Any], str]:
        """Exchange the callback's code; return (user, ID token claims, raw ID token)."""
        self.request = request
        token_payload = {
            "client_id": self.OIDC_RP_CLIENT_ID,
            "client_secret": self.OIDC_RP_CLIENT_SECRET,
            "grant_type": "authorization_code",
            "code": request.GET.get("code", ""),
            "redirect_uri": request.build_absolute_uri(reverse("oidc_callback")),
        }
        if code_verifier:
            token_payload["code_verifier"] = code_verifier
        try:
            token_info = self.get_token(token_payload)
        except requests.RequestException as exc:
            raise OIDCSignInError("token_exchange", str(exc)) from exc
        id_token = token_info.get("id_token") if isinstance(token_info, dict) else None
        if not isinstance(id_token, str):
            raise OIDCSignInError("token_exchange", "no id_token in the token response")
        id_claims = self.verify_token(id_token, nonce=nonce)
        claims = dict(id_claims)
        access_token = token_info.get("access_token")
        if self.OIDC_OP_USER_ENDPOINT and access_token:
            try:
                userinfo = self.get_userinfo(access_token, id_token, id_claims)
            except (requests.RequestException, ValueError) as exc:
                raise OIDCSignInError("provider_unreachable", f"userinfo: {exc}") from exc
            if not isinstance(userinfo, dict) or userinfo.get("sub") != id_claims["sub"]:
                raise OIDCSignInError("claims", "userinfo sub differs from the ID token's")
            claims.update({k: v for k, v in userinfo.items() if k not in _ID_TOKEN_ONLY})
        user = sync_user(claims, request=request)
        return user, id_claims, id_token
