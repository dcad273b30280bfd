"""Single sign-on with OpenID Connect: configuration, discovery, claim rules, the MFA marker.

Settings are in ``config/settings/oidc.py`` (from the environment); docs/access.md explains them.

- ``discovery()`` reads the issuer's ``/.well-known/openid-configuration`` (cached) and refuses a
  document whose ``issuer`` differs from ``OIDC_ISSUER`` (OpenID Connect Discovery 1.0, 4.3).
- ``roles_from_groups`` and ``provider_mfa`` turn claims into roles and into "the provider did
  MFA" (ID token ``amr`` or ``acr`` against configured values).
- ``ProviderMFAMiddleware`` marks a session whose sign-in carried provider MFA as verified, so the
  two-factor gate (``OTPRequiredMiddleware``) and the OTP views treat it like a passed TOTP step.
- ``local_signin_mode`` / ``local_signin_allowed_for``: password sign-in beside SSO.
"""

from __future__ import annotations

import threading
import time
import zoneinfo
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from common.roles import Role, roles_of

MFA_SESSION_KEY = "oidc_mfa"  # the user's pk when the ID token proved MFA at the provider
SIGNIN_SESSION_KEY = "oidc_signin"  # the session came from SSO
# The raw ID token, kept for the id_token_hint of RP-initiated logout (a key name, no secret).
ID_TOKEN_SESSION_KEY = "oidc_id_token"  # noqa: S105

_REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri")
_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_cache_lock = threading.Lock()


class OIDCSignInError(Exception):
    """A refused SSO sign-in. ``reason`` goes to the audit log, ``message`` to the person."""

    MESSAGES = {
        "provider_error": _("The identity provider did not sign you in."),
        "provider_unreachable": _("The identity provider could not be reached. Try again later."),
        "state": _("This sign-in link has expired or was already used. Start again."),
        "disabled": _("This account is disabled. Ask an administrator."),
        "no_account": _("There is no account for you here. Ask an administrator."),
        "superuser": _("This administrator account signs in with its password, not by SSO."),
    }
    DEFAULT = _("Single sign-on failed. Start again, or ask an administrator.")

    def __init__(self, reason: str, detail: str = "", username: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail[:200]
        self.username = username[:150]

    @property
    def message(self) -> str:
        return str(self.MESSAGES.get(self.reason, self.DEFAULT))


def enabled() -> bool:
    return bool(getattr(settings, "OIDC_ENABLED", False) and settings.OIDC_ISSUER)


def discovery_url() -> str:
    return settings.OIDC_DISCOVERY_URL or f"{settings.OIDC_ISSUER}/.well-known/openid-configuration"


def discovery() -> dict[str, Any]:
    """The provider's discovery document, checked, cached for OIDC_DISCOVERY_CACHE_SECONDS."""
    url = discovery_url()
    now = time.monotonic()
    with _cache_lock:
        cached = _cache.get(url)
        if cached and cached[0] > now:
            return cached[1]
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise OIDCSignInError("provider_unreachable", f"discovery: {exc}") from exc
    if not isinstance(document, dict) or document.get("issuer") != settings.OIDC_ISSUER:
        # A document for another issuer would make every later issuer check meaningless.
        raise OIDCSignInError("discovery", "issuer in the discovery document does not match")
    missing = [key for key in _REQUIRED_ENDPOINTS if not document.get(key)]
    if missing:
        raise OIDCSignInError("discovery", f"missing {', '.join(missing)}")
    with _cache_lock:
        _cache[url] = (now + settings.OIDC_DISCOVERY_CACHE_SECONDS, document)
    return document


def clear_discovery_cache() -> None:
    with _cache_lock:
        _cache.clear()


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return [str(item) for item in value]
    return [str(value)]


def groups_of(claims: dict[str, Any]) -> list[str]:
    return _as_list(claims.get(settings.OIDC_GROUPS_CLAIM))


def roles_from_groups(groups: Iterable[str]) -> set[str]:
    mapping: dict[str, str] = settings.OIDC_ROLE_MAP
    return {mapping[group] for group in groups if group in mapping}


def provider_mfa(id_claims: dict[str, Any]) -> bool:
    """Whether the *ID token* (never userinfo) says the provider used a second factor."""
    amr = set(_as_list(id_claims.get("amr")))
    if amr & set(settings.OIDC_MFA_AMR):
        return True
    acr = id_claims.get("acr")
    return isinstance(acr, str) and acr in set(settings.OIDC_MFA_ACR)


def language_from(value: Any) -> str | None:
    """``ko-KR``, ``ko_KR``, ``en`` ... -> a language this site offers, else None."""
    if not isinstance(value, str) or not value:
        return None
    primary = value.replace("_", "-").split("-")[0].lower()
    return primary if primary in {code for code, _name in settings.LANGUAGES} else None


def zone_from(value: Any) -> str | None:
    if not isinstance(value, str) or not value or len(value) > 64:
        return None
    return value if value in zoneinfo.available_timezones() else None


def local_signin_mode() -> str:
    """ "all", "admins" or "off"; always "all" without SSO so nobody is locked out."""
    return settings.OIDC_LOCAL_SIGNIN if enabled() else "all"


def local_signin_allowed_for(user: Any) -> bool:
    mode = local_signin_mode()
    if mode == "all":
        return True
    if mode == "admins":
        return bool(user.is_superuser) or Role.ADMIN in roles_of(user)
    return False


def login_page_context() -> dict[str, Any]:
    return {
        "oidc_enabled": enabled(),
        "oidc_provider_name": settings.OIDC_PROVIDER_NAME,
        "local_signin_mode": local_signin_mode(),
    }


def provider_logout_url(request: HttpRequest, id_token: str) -> str | None:
    """The provider's end_session_endpoint with id_token_hint, or None if it has none."""
    if not (enabled() and settings.OIDC_PROVIDER_LOGOUT and id_token):
        return None
    try:
        endpoint = discovery().get("end_session_endpoint")
    except OIDCSignInError:
        return None  # the local session is over either way
    if not endpoint:
        return None
    params = {
        "id_token_hint": id_token,
        "client_id": settings.OIDC_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
    }
    separator = "&" if "?" in endpoint else "?"
    return f"{endpoint}{separator}{urlencode(params)}"


def _with_provider_mfa(user: Any, user_pk: Any) -> Any:
    if user.is_authenticated and user.pk == user_pk:
        # Same contract as django-otp's is_verified(); the gate and OTP views only ask this.
        user.is_verified = lambda: True
    return user


class ProviderMFAMiddleware:
    """After django-otp's OTPMiddleware: provider MFA (recorded at SSO sign-in) counts."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        user_pk = session.get(MFA_SESSION_KEY) if session is not None else None
        if user_pk is not None and enabled():
            request.user = SimpleLazyObject(  # type: ignore[assignment]  # as django-otp does
                partial(_with_provider_mfa, request.user, user_pk)
            )
        return self.get_response(request)
