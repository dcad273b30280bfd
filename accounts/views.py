"""Sign-in with a second factor: password, then a TOTP code or a single-use backup code.

Flow: ``SignInView`` checks the password (django-axes counts failures and locks out). If the
user's role requires two-factor, or the user has enrolled a device anyway, the session is marked
"OTP pending" and the browser goes to ``otp_verify`` (or, with no device yet, to ``otp_enrol``).
``accounts.middleware.OTPRequiredMiddleware`` keeps every other page, the admin included, closed
until the code is accepted. Wrong codes are throttled by django-otp (exponential back-off).
"""

from __future__ import annotations

import re
from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device
from django_otp import login as otp_login
from django_otp import verify_token as otp_verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.forms import TokenForm
from accounts.middleware import otp_required_for, otp_verified
from audit.models import AuditAction
from audit.services import audit_record

OTP_PENDING_SESSION_KEY = "otp_pending"
_TOTP_RE = re.compile(r"^\d{6}$")


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


class SignInView(auth_views.LoginView):
    """Django's LoginView plus the hand-over to the OTP step."""

    template_name = "registration/login.html"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)  # logs in: session cycled, axes reset, audited
        user = form.get_user()
        # OTP_ENFORCED is off only in test settings (the whole second-factor gate with it).
        enforced = getattr(settings, "OTP_ENFORCED", True)
        if enforced and (otp_required_for(user) or user_has_device(user)):
            self.request.session[OTP_PENDING_SESSION_KEY] = True
            target = "otp_verify" if user_has_device(user) else "otp_enrol"
            return HttpResponseRedirect(_with_next(target, self.get_success_url()))
        return response


def _finish_verification(request: HttpRequest, device: Any) -> None:
    otp_login(request, device)
    request.session.pop(OTP_PENDING_SESSION_KEY, None)
    # A new session key once the second factor is proven (no fixation across the step).
    device_id = request.session.get(DEVICE_ID_SESSION_KEY)
    request.session.cycle_key()
    if device_id:
        request.session[DEVICE_ID_SESSION_KEY] = device_id


def _device_for(user: Any, token: str) -> Any:
    # Verify against one device kind so that a wrong code only throttles that device.
    model: type[Any] = TOTPDevice if _TOTP_RE.match(token) else StaticDevice
    for device in model.objects.devices_for_user(user, confirmed=True):
        verified = otp_verify_token(user, device.persistent_id, token)
        if verified is not None:
            return verified
    return None


@never_cache
@sensitive_post_parameters("token")
@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    if otp_verified(request.user):
        return redirect(next_url)
    if not user_has_device(request.user):
        return redirect(_with_next("otp_enrol", next_url))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = _device_for(request.user, form.cleaned_data["token"])
        if device is not None:
            _finish_verification(request, device)
            audit_record(
                action=AuditAction.OTP_VERIFIED,
                actor=request.user,
                obj=request.user,
                changes={"device": type(device).__name__},
                request=request,
            )
            return redirect(next_url)
        audit_record(
            action=AuditAction.OTP_FAILED, actor=request.user, obj=request.user, request=request
        )
        form.add_error(
            "token",
            _(
                "That code is not valid. Codes change every 30 seconds; after several wrong "
                "codes you must wait a little longer before each new try."
            ),
        )
    return render(request, "otp/verify.html", {"form": form, "next": next_url})


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    svg = image.to_string(encoding="unicode")
    # Our own server-side rendering of a fixed-alphabet URL: no user markup can get in.
    return mark_safe(svg[svg.index("<svg") :])  # noqa: S308  # nosec B308, B703


def _issue_backup_codes(user: Any) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="backup", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.OTP_BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


@never_cache
@sensitive_post_parameters("token")
@login_required
@require_http_methods(["GET", "POST"])
def otp_enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app. Only possible while the user has no confirmed device."""
    next_url = _next_url(request)
    if user_has_device(request.user):
        # With a device already, a password alone must never allow replacing it.
        if otp_verified(request.user):
            return redirect("otp_backup_codes")
        return redirect(_with_next("otp_verify", next_url))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by(
        "-id"
    ).first() or TOTPDevice.objects.create(user=request.user, name="authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = _issue_backup_codes(request.user)
                audit_record(
                    action=AuditAction.OTP_ENROLLED,
                    actor=request.user,
                    obj=request.user,
                    request=request,
                )
            _finish_verification(request, device)
            return render(
                request,
                "otp/backup_codes.html",
                {"codes": codes, "next": next_url, "just_enrolled": True},
            )
        form.add_error("token", _("That code is not valid. Check the time on your phone."))
    return render(
        request,
        "otp/enrol.html",
        {
            "form": form,
            "next": next_url,
            "qr_svg": _qr_svg(device.config_url),
            "otpauth_url": device.config_url,
            "secret": b32encode(device.bin_key).decode("ascii"),
            "required": otp_required_for(request.user),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_backup_codes(request: HttpRequest) -> HttpResponse:
    """See how many backup codes remain; issue a fresh set (shown once, old ones void)."""
    if not user_has_device(request.user):
        return redirect("otp_enrol")
    if not otp_verified(request.user):
        return redirect(_with_next("otp_verify", request.get_full_path()))
    if request.method == "POST":
        codes = _issue_backup_codes(request.user)
        audit_record(
            action=AuditAction.BACKUP_CODES, actor=request.user, obj=request.user, request=request
        )
        return render(
            request, "otp/backup_codes.html", {"codes": codes, "next": reverse("dashboard")}
        )
    remaining = StaticToken.objects.filter(
        device__user=request.user, device__confirmed=True
    ).count()
    return render(request, "otp/backup_codes.html", {"codes": None, "remaining": remaining})


@never_cache
@require_http_methods(["GET"])
def otp_recovery(request: HttpRequest) -> HttpResponse:
    """What to do without the phone: a backup code, or an administrator's reset."""
    return render(request, "otp/recovery.html", {})
