"""Single sign-on with OpenID Connect (docs/access.md, "Single sign-on").

Everything comes from the environment. With ``OIDC_ISSUER`` unset (the default) nothing here
changes the application: no backend, no middleware, no button, password sign-in as before.

The relying party is mozilla-django-oidc (docs/decisions.md says why), extended in
``accounts/oidc_backend.py``: endpoints come from the issuer's discovery document, the ID token's
issuer, audience, expiry and nonce are checked, PKCE (S256) is always on.
"""

from __future__ import annotations

import environ as _environ
from django.core.exceptions import ImproperlyConfigured as _ImproperlyConfigured

from common.roles import Role as _Role  # the one list of roles; no models, safe here

_env = _environ.Env()

OIDC_ISSUER = _env.str("OIDC_ISSUER", default="").rstrip("/")
OIDC_ENABLED = bool(OIDC_ISSUER)
OIDC_CLIENT_ID = _env.str("OIDC_CLIENT_ID", default="")
OIDC_CLIENT_SECRET = _env.str("OIDC_CLIENT_SECRET", default="")
# Default: the issuer's own discovery document (OpenID Connect Discovery 1.0, section 4).
OIDC_DISCOVERY_URL = _env.str("OIDC_DISCOVERY_URL", default="")
# Other spellings of the same issuer that ID tokens may carry (Google: "accounts.google.com").
OIDC_EXTRA_ISSUERS = _env.list("OIDC_EXTRA_ISSUERS", default=[])
OIDC_PROVIDER_NAME = _env.str("OIDC_PROVIDER_NAME", default="SSO")
OIDC_SCOPES = _env.str("OIDC_SCOPES", default="openid email profile")
OIDC_SIGN_ALGO = _env.str("OIDC_SIGN_ALGO", default="RS256")
# Claim names: standard OIDC claims by default; Entra ID, Okta, Google and Keycloak differ
# only in the username and groups claims (docs/access.md).
OIDC_USERNAME_CLAIM = _env.str("OIDC_USERNAME_CLAIM", default="preferred_username")
OIDC_EMAIL_CLAIM = _env.str("OIDC_EMAIL_CLAIM", default="email")
OIDC_GIVEN_NAME_CLAIM = _env.str("OIDC_GIVEN_NAME_CLAIM", default="given_name")
OIDC_FAMILY_NAME_CLAIM = _env.str("OIDC_FAMILY_NAME_CLAIM", default="family_name")
OIDC_LANGUAGE_CLAIM = _env.str("OIDC_LANGUAGE_CLAIM", default="locale")
OIDC_ZONE_CLAIM = _env.str("OIDC_ZONE_CLAIM", default="zoneinfo")
OIDC_GROUPS_CLAIM = _env.str("OIDC_GROUPS_CLAIM", default="groups")
# "provider-group=role,other-group=role": roles are those of common/roles.py.
OIDC_ROLE_MAP: dict[str, str] = _env.dict("OIDC_ROLE_MAP", default={})
# The provider's MFA counts as the second factor when the ID token's amr holds one of these
# values (RFC 8176: mfa, otp, hwk, swk, fpt ...) or its acr is one of OIDC_MFA_ACR.
OIDC_MFA_AMR = _env.list("OIDC_MFA_AMR", default=["mfa"])
OIDC_MFA_ACR = _env.list("OIDC_MFA_ACR", default=[])
# Password sign-in beside SSO: "all", "admins" (break-glass: superusers and the admin role only)
# or "off". Ignored (always "all") while OIDC is not configured, so nobody is locked out.
OIDC_LOCAL_SIGNIN = _env.str("OIDC_LOCAL_SIGNIN", default="admins")
OIDC_CREATE_USERS = _env.bool("OIDC_CREATE_USERS", default=True)
# RP-initiated logout at the provider's end_session_endpoint, when it has one.
OIDC_PROVIDER_LOGOUT = _env.bool("OIDC_PROVIDER_LOGOUT", default=True)
OIDC_TIMEOUT = _env.int("OIDC_TIMEOUT", default=10)
OIDC_LEEWAY_SECONDS = _env.int("OIDC_LEEWAY_SECONDS", default=60)
OIDC_DISCOVERY_CACHE_SECONDS = _env.int("OIDC_DISCOVERY_CACHE_SECONDS", default=3600)

if OIDC_LOCAL_SIGNIN not in {"all", "admins", "off"}:
    raise _ImproperlyConfigured("OIDC_LOCAL_SIGNIN must be one of: all, admins, off")
if bad := sorted(set(OIDC_ROLE_MAP.values()) - {role.value for role in _Role}):
    raise _ImproperlyConfigured(f"OIDC_ROLE_MAP names unknown roles: {', '.join(bad)}")
if OIDC_ENABLED and not OIDC_CLIENT_ID:
    raise _ImproperlyConfigured("OIDC_ISSUER is set but OIDC_CLIENT_ID is not")
if OIDC_ENABLED and not OIDC_ISSUER.startswith("https://"):
    # Tokens and the discovery document must come over TLS (tests configure a loopback
    # provider through settings overrides, never through this module).
    raise _ImproperlyConfigured("OIDC_ISSUER must be an https:// URL")
if "openid" not in OIDC_SCOPES.split():
    raise _ImproperlyConfigured("OIDC_SCOPES must include openid (no ID token otherwise)")

# mozilla-django-oidc's own setting names, for the parts of it used as they are (the start view
# and the token/JWKS/userinfo requests); endpoints are never settings, they come from discovery.
OIDC_RP_SCOPES = OIDC_SCOPES
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_callback"
OIDC_VERIFY_SSL = True


def wire(
    middleware: list[str],
    otp_exempt: list[str],
    csp: dict[str, dict[str, list[str]]],
    issuer: str = OIDC_ISSUER,
) -> None:
    """Wire SSO into the shared settings lists."""
    # Inert without SSO (it only reads a session flag that the OIDC callback sets), so it is
    # always there: tests can switch OIDC on with settings overrides alone.
    middleware.insert(
        middleware.index("django_otp.middleware.OTPMiddleware") + 1,
        "accounts.oidc.ProviderMFAMiddleware",
    )
    otp_exempt.append("/accounts/oidc/")
    if issuer:
        # Sign-out is a POST that ends in a redirect to the provider's end_session_endpoint,
        # and browsers apply form-action to the redirect targets of a form submission too.
        origin = "/".join(issuer.split("/")[:3])
        csp["DIRECTIVES"]["form-action"] = [*csp["DIRECTIVES"]["form-action"], origin]
