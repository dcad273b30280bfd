"""Sign-in: password, then a second factor for admins and legal; lockout after 5 failures."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _sign_in(client, username: str, password: str = PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


@pytest.mark.django_db
def test_a_viewer_signs_in_with_a_password_only(client, carol) -> None:
    response = _sign_in(client, "carol")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(action="login", actor_repr="carol").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["root-admin", "bob"])
def test_admin_and_legal_must_enrol_before_reaching_any_page(client, admin_user, bob, username):
    response = _sign_in(client, username)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/otp/enrol/")
    for path in ("/", "/admin/"):
        blocked = client.get(path)
        assert blocked.status_code == 302
        assert blocked["Location"].startswith("/accounts/otp/enrol/")


@pytest.mark.django_db
def test_enrolment_shows_a_qr_code_and_the_otpauth_url_then_issues_ten_backup_codes(
    client, admin_user
) -> None:
    _sign_in(client, "root-admin")
    page = client.get("/accounts/otp/enrol/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html
    assert "otpauth://totp/Incident%20Clock%3Aroot-admin?secret=" in html
    device = TOTPDevice.objects.get(user=admin_user, confirmed=False)

    wrong = client.post(
        "/accounts/otp/enrol/", {"token": "000000" if _code(device) != "000000" else "111111"}
    )
    assert wrong.status_code == 200
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed

    # django-otp throttles after a wrong code (1 s, then 2 s, 4 s...): wait it out.
    with time_machine.travel(timezone.now() + timedelta(seconds=3), tick=False):
        device.refresh_from_db()
        done = client.post("/accounts/otp/enrol/", {"token": _code(device), "next": "/"})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == 10
    assert set(codes) == set(
        StaticToken.objects.filter(device__user=admin_user).values_list("token", flat=True)
    )
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get("/").status_code == 200  # verified now
    assert client.get("/admin/").status_code == 200
    assert AuditEntry.objects.filter(action="otp_enrolled", actor_repr="root-admin").exists()


@pytest.mark.django_db
def test_an_enrolled_admin_signs_in_with_a_totp_code(client, admin_user) -> None:
    device = TOTPDevice.objects.create(user=admin_user, name="phone", confirmed=True)
    response = _sign_in(client, "root-admin")
    assert response["Location"].startswith("/accounts/otp/?next=")
    assert client.get("/admin/")["Location"].startswith("/accounts/otp/")
    verified = client.post("/accounts/otp/", {"token": _code(device), "next": "/admin/"})
    assert verified.status_code == 302
    assert verified["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_a_password_alone_cannot_replace_an_enrolled_device(client, admin_user) -> None:
    TOTPDevice.objects.create(user=admin_user, name="phone", confirmed=True)
    _sign_in(client, "root-admin")
    response = client.get("/accounts/otp/enrol/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/otp/?")
    assert TOTPDevice.objects.filter(user=admin_user).count() == 1


@pytest.mark.django_db
def test_a_backup_code_works_once(client, bob) -> None:
    TOTPDevice.objects.create(user=bob, name="phone", confirmed=True)
    backup = StaticDevice.objects.create(user=bob, name="backup", confirmed=True)
    backup.token_set.create(token="abcdefgh")
    _sign_in(client, "bob")
    assert client.post("/accounts/otp/", {"token": "abcd-efgh"}).status_code == 302
    assert not StaticToken.objects.filter(token="abcdefgh").exists()

    client.logout()
    _sign_in(client, "bob")
    again = client.post("/accounts/otp/", {"token": "abcdefgh"})
    assert again.status_code == 200
    assert "not valid" in again.content.decode()
    assert client.get("/")["Location"].startswith("/accounts/otp/")
    assert AuditEntry.objects.filter(action="otp_failed", actor_repr="bob").exists()


@pytest.mark.django_db
def test_backup_codes_can_be_renewed_only_after_verification(client, bob) -> None:
    device = TOTPDevice.objects.create(user=bob, name="phone", confirmed=True)
    _sign_in(client, "bob")
    assert client.post("/accounts/otp/backup-codes/")["Location"].startswith("/accounts/otp/")
    client.post("/accounts/otp/", {"token": _code(device)})
    page = client.post("/accounts/otp/backup-codes/")
    assert page.status_code == 200
    assert len(re.findall(r"<li><code>", page.content.decode())) == 10


@pytest.mark.django_db
def test_an_unverified_session_cannot_use_the_api_with_its_cookie(client, admin_user) -> None:
    _sign_in(client, "root-admin")
    response = client.get("/api/anything/")
    assert response.status_code == 403
    assert "Two-factor" in response.json()["detail"]


@pytest.mark.django_db
def test_others_may_enrol_voluntarily_and_are_then_asked_for_the_code(client, carol) -> None:
    device = TOTPDevice.objects.create(user=carol, name="phone", confirmed=True)
    response = _sign_in(client, "carol")
    assert response["Location"].startswith("/accounts/otp/")
    assert client.get("/")["Location"].startswith("/accounts/otp/")
    client.post("/accounts/otp/", {"token": _code(device)})
    assert client.get("/").status_code == 200


@pytest.mark.django_db
@override_settings(OTP_REQUIRED_FOR_ALL=True)
def test_the_setting_can_require_two_factor_for_everyone(client, carol) -> None:
    response = _sign_in(client, "carol")
    assert response["Location"].startswith("/accounts/otp/enrol/")


@pytest.mark.django_db
def test_force_login_still_works_for_tests_of_other_pages(client, carol) -> None:
    client.force_login(carol)
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_enrolment_and_recovery_pages_speak_korean(client, admin_user) -> None:
    _sign_in(client, "root-admin")
    enrol = client.get("/accounts/otp/enrol/", HTTP_ACCEPT_LANGUAGE="ko")
    assert "2단계 인증" in enrol.content.decode()
    recovery = client.get("/accounts/otp/recovery/", HTTP_ACCEPT_LANGUAGE="ko")
    assert "백업 코드" in recovery.content.decode()
    english = client.get("/accounts/otp/recovery/", HTTP_ACCEPT_LANGUAGE="en")
    assert "backup code" in english.content.decode()


# --- Lockout (django-axes) --------------------------------------------------------------------


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_with_a_clear_message(client, carol) -> None:
    for _ in range(4):
        assert _sign_in(client, "carol", "wrong password!").status_code == 200
    locked = _sign_in(client, "carol", "wrong password!")
    assert locked.status_code == 429
    assert "locked" in locked.content.decode()
    # Even the right password is refused now.
    assert _sign_in(client, "carol").status_code == 429
    assert AuditEntry.objects.filter(action="lockout").exists()
    assert AuditEntry.objects.filter(action="login_failed", actor_repr="carol").count() >= 5


@pytest.mark.django_db
def test_a_locked_account_stays_locked_from_another_address(client, carol) -> None:
    for _ in range(5):
        _sign_in(client, "carol", "wrong password!", REMOTE_ADDR="10.0.0.1")
    assert _sign_in(client, "carol", REMOTE_ADDR="10.0.0.2").status_code == 429


@pytest.mark.django_db
def test_an_address_that_guesses_many_accounts_is_locked(client) -> None:
    for n in range(5):
        UserFactory(username=f"target{n}", role="viewer")
        _sign_in(client, f"target{n}", "wrong password!", REMOTE_ADDR="10.9.9.9")
    UserFactory(username="innocent", role="viewer")
    assert _sign_in(client, "innocent", REMOTE_ADDR="10.9.9.9").status_code == 429
    assert _sign_in(client, "innocent", REMOTE_ADDR="10.9.9.10").status_code == 302


@pytest.mark.django_db
def test_an_admin_unlocks_an_account(client, carol) -> None:
    from axes.models import AccessAttempt
    from axes.utils import reset

    for _ in range(5):
        _sign_in(client, "carol", "wrong password!")
    assert AccessAttempt.objects.filter(username="carol").exists()
    reset(username="carol")
    reset(ip="127.0.0.1")
    assert _sign_in(client, "carol").status_code == 302


@pytest.mark.django_db
def test_lockout_page_speaks_korean(client, carol) -> None:
    for _ in range(5):
        _sign_in(client, "carol", "wrong password!")
    locked = _sign_in(client, "carol", HTTP_ACCEPT_LANGUAGE="ko")
    assert locked.status_code == 429
    assert "잠" in locked.content.decode()


@pytest.mark.django_db
def test_axes_admin_is_available_for_unlocking(client, admin_user) -> None:
    from axes.models import AccessAttempt
    from django.contrib.admin.sites import site

    assert AccessAttempt in site._registry
