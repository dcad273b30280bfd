"""Account middleware: each user's time zone, the two-factor gate and per-path CSP additions.

``OTPRequiredMiddleware`` sits after django-otp's ``OTPMiddleware``. A signed-in user whose role
requires two-factor (admin, superuser, legal; or everyone with OTP_REQUIRED_FOR_ALL) and who has
not passed the OTP step is sent to it from every page, the Django admin included. Exempt paths
(settings.OTP_EXEMPT_PATH_PREFIXES) are the sign-in and OTP pages themselves, health, static
files, language switching and the secret-URL ICS feeds. The API is token-authenticated and not
gated, but a *session* (cookie) API request from an unverified user is refused with 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.backends import has_otp_device
from common.roles import roles_of


def otp_required_for(user: Any) -> bool:
    """Whether ``user`` must pass a second factor after the password."""
    if user is None or not user.is_authenticated:
        return False
    if getattr(settings, "OTP_REQUIRED_FOR_ALL", False) or user.is_superuser:
        return True
    required = set(getattr(settings, "OTP_REQUIRED_ROLES", ["admin", "legal"]))
    return any(role.value in required for role in roles_of(user))


def otp_verified(user: Any) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified()) if callable(is_verified) else False


def admin_login(request: HttpRequest) -> HttpResponse:
    """/admin/login/ goes through the one sign-in page, with its second-factor step."""
    next_url = request.GET.get("next") or reverse("admin:index")
    return HttpResponseRedirect(f"{reverse('login')}?{urlencode({'next': next_url})}")


def _exempt(path: str) -> bool:
    prefixes = getattr(settings, "OTP_EXEMPT_PATH_PREFIXES", [])
    return path.endswith(".ics") or any(path.startswith(prefix) for prefix in prefixes)


class OTPRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        path = request.path_info
        if (
            getattr(settings, "OTP_ENFORCED", True)
            and user is not None
            and user.is_authenticated
            and not _exempt(path)
            and not otp_verified(user)
            and (
                otp_required_for(user)
                or request.session.get("otp_pending")
                # Whoever enrolled a device passes it, whatever page they signed in through
                # (the admin's own login included).
                or has_otp_device(user)
            )
        ):
            if path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Two-factor verification is required for this session.")},
                    status=403,
                )
            target = "otp_verify" if has_otp_device(user) else "otp_enrol"
            return HttpResponseRedirect(
                f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}"
            )
        return self.get_response(request)


class CSPPathOverrideMiddleware:
    """Merge settings.CSP_PATH_UPDATES[prefix] into the policy of responses under ``prefix``.

    Same effect as django-csp's ``@csp_update`` decorator, but for views this app does not own
    (e.g. drf-spectacular's Redoc view), so the global policy stays strict everywhere else.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        updates: dict[str, dict[str, list[str]]] = getattr(settings, "CSP_PATH_UPDATES", {})
        for prefix, update in updates.items():
            if request.path_info.startswith(prefix) and not hasattr(response, "_csp_update"):
                response._csp_update = update  # type: ignore[attr-defined]
        return response


class UserTimezoneMiddleware:
    """Activate each signed-in user's own time zone so pages show times in it, with the offset."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            profile = getattr(user, "profile", None)
            zone = getattr(profile, "time_zone", None)
        if zone:
            timezone.activate(ZoneInfo(zone))
        else:
            timezone.deactivate()
        return self.get_response(request)
