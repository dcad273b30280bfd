"""SSO pages: start (redirect to the provider), callback (sign in), and sign-out.

The start view is mozilla-django-oidc's: it makes state, nonce and the PKCE verifier, keeps them
in the session under the state, and redirects to the provider's authorization endpoint (here
taken from discovery). The callback takes that state's entry out of the session (one use only),
lets ``OIDCBackend`` exchange the code and check the ID token, then logs the user in and hands
over to the local TOTP step unless the provider's MFA counts (docs/security.md).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_otp import user_has_device
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from accounts.backends import USER_BACKEND
from accounts.middleware import otp_required_for
from accounts.oidc import (
    ID_TOKEN_SESSION_KEY,
    MFA_SESSION_KEY,
    SIGNIN_SESSION_KEY,
    OIDCSignInError,
    discovery,
    enabled,
    provider_logout_url,
    provider_mfa,
)
from accounts.oidc_backend import OIDCBackend
from accounts.views import OTP_PENDING_SESSION_KEY, _with_next
from audit.models import AuditAction
from audit.services import audit_record

# The session's auth backend: SSO users are then loaded like any other (is_active checked).
_SESSION_BACKEND = USER_BACKEND


def _refuse(request: HttpRequest, error: OIDCSignInError) -> HttpResponse:
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        actor_repr=error.username,
        object_type="auth.user",
        object_repr=error.username,
        changes={"method": "oidc", "reason": error.reason, "detail": error.detail},
        request=request,
    )
    messages.error(request, error.message)
    return redirect("login")


class OIDCStartView(OIDCAuthenticationRequestView):  # type: ignore[misc]
    def __init__(self, **kwargs: Any) -> None:
        # Skip the parent's __init__: it reads a fixed authorization endpoint from settings.
        super(OIDCAuthenticationRequestView, self).__init__(**kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = discovery()["authorization_endpoint"]
        except OIDCSignInError as error:
            return _refuse(request, error)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_CLIENT_ID
        response: HttpResponse = super().get(request)
        return response


def _take_state(request: HttpRequest) -> dict[str, Any] | None:
    """This callback's state entry, removed from the session so it cannot be used twice."""
    states = request.session.get("oidc_states")
    state = request.GET.get("state", "")
    if not isinstance(states, dict) or not state or state not in states:
        return None
    entry = states.pop(state)
    request.session["oidc_states"] = states
    return entry if isinstance(entry, dict) else None


@never_cache
@require_GET
def oidc_callback(request: HttpRequest) -> HttpResponse:
    if not enabled():
        raise Http404
    entry = _take_state(request)
    next_url = request.session.pop("oidc_login_next", None) or reverse(settings.LOGIN_REDIRECT_URL)
    try:
        if request.GET.get("error"):
            raise OIDCSignInError("provider_error", str(request.GET["error"]))
        if entry is None or not entry.get("nonce"):
            raise OIDCSignInError("state", "unknown or already used state")
        if not request.GET.get("code"):
            raise OIDCSignInError("provider_error", "no code")
        user, id_claims, id_token = OIDCBackend().authenticate(
            request, nonce=entry["nonce"], code_verifier=entry.get("code_verifier")
        )
    except OIDCSignInError as error:
        return _refuse(request, error)

    request.auth_method = "oidc"  # type: ignore[attr-defined]  # read by the audit receiver
    auth_login(request, user, backend=_SESSION_BACKEND)
    request.session[SIGNIN_SESSION_KEY] = True
    request.session[ID_TOKEN_SESSION_KEY] = id_token
    if provider_mfa(id_claims):
        request.session[MFA_SESSION_KEY] = user.pk
        return HttpResponseRedirect(next_url)
    # Same hand-over as the password sign-in (accounts.views.SignInView).
    if getattr(settings, "OTP_ENFORCED", True) and (
        otp_required_for(user) or user_has_device(user)
    ):
        request.session[OTP_PENDING_SESSION_KEY] = True
        target = "otp_verify" if user_has_device(user) else "otp_enrol"
        return HttpResponseRedirect(_with_next(target, next_url))
    return HttpResponseRedirect(next_url)


class SignOutView(auth_views.LogoutView):
    """Django's sign-out; after an SSO sign-in also the provider's (RP-initiated logout)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        id_token = ""
        if request.session.get(SIGNIN_SESSION_KEY):
            id_token = request.session.get(ID_TOKEN_SESSION_KEY) or ""
        response = super().post(request, *args, **kwargs)  # ends the local session first
        url = provider_logout_url(request, id_token) if id_token else None
        return HttpResponseRedirect(url) if url else response
