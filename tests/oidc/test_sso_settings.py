"""SSO configuration: off by default, the sign-in page, password sign-in policy, claim rules.

These need no provider: they only read settings (no discovery happens on the sign-in page).
"""

from __future__ import annotations

import importlib

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from accounts import oidc
from audit.models import AuditEntry
from config.settings import oidc as oidc_settings
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"


@pytest.fixture
def sso_settings(settings):
    settings.OIDC_ENABLED = True
    settings.OIDC_ISSUER = "https://login.example.com/tenant/v2.0"
    settings.OIDC_CLIENT_ID = "incident-clock"
    settings.OIDC_PROVIDER_NAME = "Okta"
    settings.OIDC_LOCAL_SIGNIN = "admins"
    yield settings
    from django.utils import translation

    translation.deactivate()


@pytest.mark.django_db
def test_without_oidc_settings_the_sign_in_page_and_routes_are_unchanged(client) -> None:
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert b'id="sso-sign-in"' not in page.content
    assert b'name="password"' in page.content
    assert client.get("/accounts/oidc/start/").status_code == 404
    assert client.get("/accounts/oidc/callback/", {"code": "x", "state": "y"}).status_code == 404


@pytest.mark.django_db
def test_without_oidc_every_user_may_use_a_password(client, settings) -> None:
    settings.OIDC_LOCAL_SIGNIN = "off"  # ignored while no provider is configured
    UserFactory(username="dana", role="viewer")
    response = client.post("/accounts/login/", {"username": "dana", "password": PASSWORD})
    assert response.status_code == 302
    assert AuditEntry.objects.get(action="login").changes == {"method": "password"}


@pytest.mark.django_db
def test_the_sign_in_page_offers_the_provider_in_english_and_korean(client, sso_settings) -> None:
    english = client.get("/accounts/login/?next=/deadlines/", HTTP_ACCEPT_LANGUAGE="en")
    assert b"Sign in with Okta" in english.content
    assert b'href="/accounts/oidc/start/?next=/deadlines/"' in english.content
    assert b"break-glass" in english.content
    korean = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="ko")
    assert "Okta(으)로 로그인" in korean.content.decode()


@pytest.mark.django_db
def test_with_sso_passwords_are_for_break_glass_admins_only(client, sso_settings) -> None:
    UserFactory(username="dana", role="compliance")
    UserFactory(username="root", role="admin", is_staff=True)
    refused = client.post("/accounts/login/", {"username": "dana", "password": PASSWORD})
    assert refused.status_code == 200
    assert b"kept for administrators" in refused.content
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.get(action="login_failed")
    assert entry.changes == {"method": "password", "reason": "local_signin_admins_only"}
    allowed = client.post("/accounts/login/", {"username": "root", "password": PASSWORD})
    assert allowed.status_code == 302


@pytest.mark.django_db
def test_password_sign_in_can_be_switched_off(client, sso_settings) -> None:
    sso_settings.OIDC_LOCAL_SIGNIN = "off"
    UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    page = client.get("/accounts/login/")
    assert b'name="password"' not in page.content
    assert b"Sign in with Okta" in page.content
    refused = client.post("/accounts/login/", {"username": "root", "password": PASSWORD})
    assert refused.status_code == 200
    assert b"switched off" in refused.content
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.get(action="login_failed").changes["reason"] == "local_signin_off"


@pytest.mark.django_db
def test_provider_mfa_marker_verifies_only_the_user_it_was_recorded_for(
    client, sso_settings
) -> None:
    sso_settings.OTP_ENFORCED = True
    admin = UserFactory(username="root", role="admin", is_staff=True)
    client.force_login(admin)
    session = client.session
    session[oidc.MFA_SESSION_KEY] = admin.pk + 1000
    session.save()
    assert client.get("/")["Location"].startswith("/accounts/otp/enrol/")
    session[oidc.MFA_SESSION_KEY] = admin.pk
    session.save()
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"amr": ["pwd", "mfa"]}, True),
        ({"amr": "mfa"}, True),
        ({"amr": ["pwd"]}, False),
        ({"amr": ["pwd"], "acr": "loa-high"}, True),
        ({"acr": "loa-low"}, False),
        ({"acr": ["loa-high"]}, False),
        ({}, False),
    ],
)
def test_provider_mfa_from_amr_or_acr(settings, claims, expected) -> None:
    settings.OIDC_MFA_AMR = ["mfa", "hwk"]
    settings.OIDC_MFA_ACR = ["loa-high"]
    assert oidc.provider_mfa(claims) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("ko-KR", "ko"), ("en_US", "en"), ("EN", "en"), ("fr-FR", None), ("", None), (3, None)],
)
def test_language_claims_map_to_the_site_languages(value, expected) -> None:
    assert oidc.language_from(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Asia/Seoul", "Asia/Seoul"), ("Mars/Base", None), ("../etc/passwd", None), (None, None)],
)
def test_zone_claims_must_be_real_zones(value, expected) -> None:
    assert oidc.zone_from(value) == expected


@given(groups=st.lists(st.sampled_from(["ic-legal", "ic-admin", "staff", "x", ""]), max_size=6))
def test_roles_are_exactly_the_mapped_groups(groups) -> None:
    mapping = {"ic-legal": "legal", "ic-admin": "admin"}
    with override_settings(OIDC_ROLE_MAP=mapping):
        assert oidc.roles_from_groups(groups) == {mapping[g] for g in groups if g in mapping}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"OIDC_ROLE_MAP": "ic-x=superhero"}, "unknown roles: superhero"),
        ({"OIDC_LOCAL_SIGNIN": "sometimes"}, "OIDC_LOCAL_SIGNIN"),
        ({"OIDC_ISSUER": "https://login.example.com"}, "OIDC_CLIENT_ID"),
        ({"OIDC_ISSUER": "http://login.example.com", "OIDC_CLIENT_ID": "x"}, "https://"),
        ({"OIDC_SCOPES": "email profile"}, "must include openid"),
    ],
)
def test_bad_sso_environment_stops_start_up(monkeypatch, variables, message) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        importlib.reload(oidc_settings)
    monkeypatch.undo()
    importlib.reload(oidc_settings)


def test_a_role_map_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("OIDC_ROLE_MAP", "ic-compliance=compliance,IC Legal=legal")
    monkeypatch.setenv("OIDC_MFA_AMR", "mfa,hwk")
    try:
        importlib.reload(oidc_settings)
        assert oidc_settings.OIDC_ROLE_MAP == {"ic-compliance": "compliance", "IC Legal": "legal"}
        assert oidc_settings.OIDC_MFA_AMR == ["mfa", "hwk"]
    finally:
        monkeypatch.undo()
        importlib.reload(oidc_settings)
