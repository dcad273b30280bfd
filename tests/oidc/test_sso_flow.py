"""SSO against a real OpenID provider on loopback: sign-in, roles, MFA, sign-out (issue 17).

Every test goes through discovery, the authorization redirect (state, nonce, PKCE S256), the
provider's authorization endpoint, the code exchange at its token endpoint, ID token checks
against its JWKS, and userinfo.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from audit.models import AuditEntry
from audit.services import verify_chain
from incidents.models import Profile
from tests.factories import IncidentFactory, UserFactory
from tests.oidc.conftest import CLIENT_ID

pytestmark = pytest.mark.usefixtures("sso")


def start(client: Client, issuer: str, next_url: str = "") -> dict[str, str]:
    """Press "Sign in with ...": the product redirects to the provider; return the query."""
    response = client.get("/accounts/oidc/start/" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{issuer}/authorize/"
    return {key: values[0] for key, values in parse_qs(location.query).items()}


def authorize(idp_browser: Client, query: dict[str, str]) -> str:
    """The provider signs the person in and sends the browser back with a code."""
    response = idp_browser.get("/o/authorize/", query)
    assert response.status_code == 302, response.content[:500]
    back = urlsplit(response["Location"])
    assert back.path == "/accounts/oidc/callback/"
    return f"{back.path}?{back.query}"


def sign_in(client: Client, idp_browser: Client, issuer: str, next_url: str = "") -> Any:
    return client.get(authorize(idp_browser, start(client, issuer, next_url)))


def session_user(client: Client) -> Any:
    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.filter(pk=user_id).first() if user_id else None


def roles(user: Any) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_the_redirect_uses_pkce_s256_state_and_nonce(client, issuer) -> None:
    query = start(client, issuer)
    assert query["client_id"] == CLIENT_ID
    assert query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43  # base64url SHA-256
    assert query["state"]
    assert query["nonce"]
    assert set(query["scope"].split()) == {"openid", "email", "profile"}


def test_a_first_sign_in_creates_the_user_with_name_email_language_zone_and_mapped_role(
    client, idp_browser, idp_person, issuer
) -> None:
    idp_person(
        "idp-kim",
        preferred_username="kim.jisoo",
        email="jisoo.kim@example.kr",
        given_name="Jisoo",
        family_name="Kim",
        locale="en-GB",
        zoneinfo="Europe/Berlin",
        groups=["ic-compliance", "all-staff"],
        amr=["pwd"],
    )
    response = sign_in(client, idp_browser, issuer, next_url="/incidents/")
    assert response.status_code == 302
    assert response["Location"] == "/incidents/"
    user = session_user(client)
    assert user.username == "kim.jisoo"
    assert (user.email, user.first_name, user.last_name) == ("jisoo.kim@example.kr", "Jisoo", "Kim")
    assert not user.has_usable_password()
    profile = Profile.objects.get(user=user)
    assert (profile.language, profile.time_zone) == ("en", "Europe/Berlin")
    assert roles(user) == {"compliance"}  # "all-staff" maps to nothing
    assert client.get("/incidents/").status_code == 200  # compliance needs no second factor
    login = AuditEntry.objects.get(action="login", actor_id=user.pk)
    assert login.changes == {"method": "oidc"}
    role_change = AuditEntry.objects.get(action="update", actor_id=user.pk, changes__source="oidc")
    assert role_change.changes["roles"] == {"old": [], "new": ["compliance"]}
    assert verify_chain().ok  # the SSO entries are links of the hash chain like any other


def test_a_group_that_no_longer_maps_loses_its_role_at_the_next_sign_in(
    client, idp_browser, idp_person, issuer
) -> None:
    idp_person("idp-lee", preferred_username="lee", groups=["ic-compliance", "ic-viewer"])
    sign_in(client, idp_browser, issuer)
    user = session_user(client)
    assert roles(user) == {"compliance", "viewer"}
    client.post("/accounts/logout/")

    idp_person("idp-lee", preferred_username="lee", groups=["ic-viewer", "marketing"])
    sign_in(client, idp_browser, issuer)
    user.refresh_from_db()
    assert session_user(client) == user
    assert roles(user) == {"viewer"}
    changes = AuditEntry.objects.filter(changes__source="oidc").order_by("seq")
    assert [entry.changes["roles"] for entry in changes] == [
        {"old": [], "new": ["compliance", "viewer"]},
        {"old": ["compliance", "viewer"], "new": ["viewer"]},
    ]


def test_groups_outside_the_roles_and_memberships_are_left_alone(
    client, idp_browser, idp_person, issuer
) -> None:
    existing = UserFactory(username="park", role="legal")
    existing.groups.add(Group.objects.create(name="newsletter"))
    incident = IncidentFactory(owner=UserFactory(username="owner"))
    incident.memberships.create(user=existing)
    idp_person("idp-park", preferred_username="park", groups=["ic-viewer"], amr=["mfa"])
    sign_in(client, idp_browser, issuer)
    existing.refresh_from_db()
    assert session_user(client) == existing
    assert roles(existing) == {"viewer", "newsletter"}
    assert incident.memberships.filter(user=existing).exists()  # need-to-know stays ours


def test_provider_mfa_counts_as_the_second_factor_for_an_admin(
    client, idp_browser, idp_person, issuer
) -> None:
    idp_person("idp-han", preferred_username="han", groups=["ic-admin"], amr=["pwd", "mfa"])
    response = sign_in(client, idp_browser, issuer)
    assert response["Location"] == "/"
    user = session_user(client)
    assert roles(user) == {"admin"}
    assert user.is_staff
    assert client.get("/").status_code == 200
    assert client.get("/admin/").status_code == 200  # the gate counts provider MFA


def test_without_provider_mfa_an_admin_is_sent_to_the_local_totp_step(
    client, idp_browser, idp_person, issuer
) -> None:
    idp_person("idp-oh", preferred_username="oh", groups=["ic-admin"], amr=["pwd"])
    response = sign_in(client, idp_browser, issuer, next_url="/deadlines/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/otp/enrol/?next=%2Fdeadlines%2F")
    for path in ("/", "/admin/", "/deadlines/"):
        blocked = client.get(path)
        assert blocked.status_code == 302
        assert blocked["Location"].startswith("/accounts/otp/enrol/")


def test_amr_is_read_from_the_id_token_only_and_acr_can_count(
    client, idp_browser, idp_person, issuer, settings
) -> None:
    settings.OIDC_MFA_AMR = []
    settings.OIDC_MFA_ACR = ["urn:example:loa:high"]
    idp_person("idp-yu", preferred_username="yu", groups=["ic-legal"], acr="urn:example:loa:high")
    assert sign_in(client, idp_browser, issuer)["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    idp_person("idp-yu", preferred_username="yu", groups=["ic-legal"], acr="urn:example:loa:low")
    assert sign_in(client, idp_browser, issuer)["Location"].startswith("/accounts/otp/enrol/")


def test_a_disabled_user_cannot_sign_in_through_the_provider(
    client, idp_browser, idp_person, issuer
) -> None:
    UserFactory(username="gone", role="compliance", is_active=False)
    idp_person("idp-gone", preferred_username="gone", groups=["ic-compliance"])
    response = sign_in(client, idp_browser, issuer)
    assert response["Location"] == "/accounts/login/"
    assert session_user(client) is None
    failure = AuditEntry.objects.get(action="login_failed")
    assert failure.changes["reason"] == "disabled"
    assert failure.actor_repr == "gone"


def test_sign_out_ends_the_local_and_the_provider_session(
    client, idp_browser, idp_person, issuer
) -> None:
    idp_person("idp-cho", preferred_username="cho", groups=["ic-viewer"])
    sign_in(client, idp_browser, issuer)
    assert session_user(client) is not None
    response = client.post("/accounts/logout/")
    assert session_user(client) is None
    end_session = urlsplit(response["Location"])
    assert f"{end_session.scheme}://{end_session.netloc}{end_session.path}" == f"{issuer}/logout/"
    query = parse_qs(end_session.query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/accounts/login/"]
    assert query["client_id"] == [CLIENT_ID]
    assert "_auth_user_id" in idp_browser.session
    back = idp_browser.get("/o/logout/", {k: v[0] for k, v in query.items()})
    assert back.status_code == 302
    assert back["Location"] == "http://testserver/accounts/login/"
    assert "_auth_user_id" not in idp_browser.session  # the provider accepted the id_token_hint
    assert AuditEntry.objects.filter(action="logout", actor_repr="cho").exists()


def test_a_password_sign_in_has_no_provider_logout(client, issuer) -> None:
    UserFactory(username="break-glass", role="admin", is_staff=True, is_superuser=True)
    client.post(
        "/accounts/login/", {"username": "break-glass", "password": "correct horse battery staple"}
    )
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"


def test_sso_cannot_take_over_a_superuser_account(client, idp_browser, idp_person, issuer) -> None:
    UserFactory(username="root", is_superuser=True, is_staff=True)
    idp_person("idp-root", preferred_username="root", groups=["ic-admin"], amr=["mfa"])
    response = sign_in(client, idp_browser, issuer)
    assert response["Location"] == "/accounts/login/"
    assert session_user(client) is None
    assert AuditEntry.objects.get(action="login_failed").changes["reason"] == "superuser"


def test_without_user_creation_only_existing_users_get_in(
    client, idp_browser, idp_person, issuer, settings
) -> None:
    settings.OIDC_CREATE_USERS = False
    idp_person("idp-new", preferred_username="newcomer", groups=["ic-viewer"])
    assert sign_in(client, idp_browser, issuer)["Location"] == "/accounts/login/"
    assert not get_user_model().objects.filter(username="newcomer").exists()
    assert AuditEntry.objects.get(action="login_failed").changes["reason"] == "no_account"


def test_without_a_role_map_roles_stay_managed_in_the_admin_site(
    client, idp_browser, idp_person, issuer, settings
) -> None:
    settings.OIDC_ROLE_MAP = {}
    existing = UserFactory(username="seo", role="compliance")
    idp_person("idp-seo", preferred_username="seo", groups=["ic-admin"])
    sign_in(client, idp_browser, issuer)
    assert session_user(client) == existing
    assert roles(existing) == {"compliance"}


def test_a_provider_without_end_session_endpoint_gets_a_local_sign_out(
    client, idp_browser, idp_person, issuer, settings
) -> None:
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "OIDC_RP_INITIATED_LOGOUT_ENABLED": False,  # like Google: no end_session_endpoint
    }
    idp_person("idp-ko", preferred_username="ko", groups=["ic-viewer"])
    sign_in(client, idp_browser, issuer)
    assert session_user(client) is not None
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"
    assert session_user(client) is None
    assert "_auth_user_id" in idp_browser.session  # the provider's own session is untouched
