"""The signed-in user is read once per request with their profile, roles, unread notifications
and second-factor device (accounts.backends.UserBackend), an API token with its scope and user
likewise (accounts.backends.user_and_token), and each reads as it would on its own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.backends import UserBackend, has_otp_device, user_and_token
from audit.models import TokenScope
from common.roles import Action, Role, has_right, roles_of
from incidents import services
from incidents.models import Notification, Profile
from incidents.selectors import notifications_for
from tests.factories import IncidentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_user_profile_roles_and_unread_count_are_one_query(django_assert_num_queries):
    user = UserFactory(username="dana", role="legal")
    user.groups.add(Group.objects.get_or_create(name="compliance")[0])
    Profile.objects.filter(user=user).update(time_zone="Europe/Berlin")
    Notification.objects.create(user=user, title="digest")
    with django_assert_num_queries(1):
        loaded = UserBackend().get_user(user.pk)
        assert loaded.profile.time_zone == "Europe/Berlin"
        assert roles_of(loaded) == {Role.LEGAL, Role.COMPLIANCE}
        assert has_right(loaded, Action.RECORD)
        assert loaded.unread_notifications == 1


def test_a_user_without_profile_or_role_still_loads():
    user = UserFactory(username="erin")
    Profile.objects.filter(user=user).delete()
    loaded = UserBackend().get_user(user.pk)
    assert loaded is not None
    assert getattr(loaded, "profile", None) is None
    assert roles_of(loaded) == set()


def test_an_inactive_or_missing_user_is_not_loaded():
    user = UserFactory(username="frank", role="viewer")
    user.is_active = False
    user.save()
    assert UserBackend().get_user(user.pk) is None
    assert UserBackend().get_user(999_999) is None


def test_the_unread_count_leaves_out_incidents_a_member_was_removed_from(alice):
    kept = IncidentFactory()
    gone = IncidentFactory()
    services.membership_add(incident=kept, user=alice)
    services.membership_add(incident=gone, user=alice)
    for incident in (kept, gone, None):
        Notification.objects.create(user=alice, incident=incident, title="reminder")
    Notification.objects.create(user=alice, incident=kept, title="read", read_at=kept.created_at)
    services.membership_remove(incident=gone, user=alice)
    loaded = UserBackend().get_user(alice.pk)
    assert loaded.unread_notifications == 2
    assert loaded.unread_notifications == notifications_for(alice).filter(read_at=None).count()


def test_an_admin_counts_every_unread_notification(admin_user):
    Notification.objects.create(user=admin_user, incident=IncidentFactory(), title="reminder")
    Notification.objects.create(user=admin_user, title="digest")
    assert UserBackend().get_user(admin_user.pk).unread_notifications == 2


def test_pages_show_the_unread_count_read_with_the_user(client, alice):
    Notification.objects.create(user=alice, title="digest")
    client.force_login(alice)
    html = client.get("/notifications/").content.decode()
    assert '<span class="badge" data-testid="unread-count">1</span>' in html


def test_the_cached_profile_is_the_users_own_row_when_the_ids_differ():
    UserFactory(username="padding")  # a profile id that is not its user's id
    Profile.objects.all().delete()
    user = UserFactory(username="gina")
    profile = Profile.objects.get(user=user)
    Profile.objects.filter(pk=profile.pk).update(time_zone="Asia/Seoul")
    loaded = UserBackend().get_user(user.pk)
    assert (loaded.profile.pk, loaded.profile.user_id) == (profile.pk, user.pk)
    loaded.profile.language = "ko"
    loaded.profile.save(update_fields=["language"])
    assert Profile.objects.get(pk=profile.pk).language == "ko"


def test_the_second_factor_device_is_read_with_the_user():
    plain = UserFactory(username="hana", role="compliance")
    enrolled = UserFactory(username="ian", role="compliance")
    StaticDevice.objects.create(user=enrolled, name="backup", confirmed=True)
    unconfirmed = UserFactory(username="jin", role="compliance")
    TOTPDevice.objects.create(user=unconfirmed, name="phone", confirmed=False)
    loaded = {u.username: UserBackend().get_user(u.pk) for u in (plain, enrolled, unconfirmed)}
    assert {name: has_otp_device(user) for name, user in loaded.items()} == {
        "hana": False,
        "ian": True,
        "jin": False,
    }


def test_a_page_asks_no_more_about_second_factor_devices(client, settings):
    settings.OTP_ENFORCED = True
    user = UserFactory(username="kim", role="compliance")
    client.force_login(user)
    client.get("/deadlines/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/deadlines/").status_code == 200
    # django_otp's own question, one query per device model, each starting with its columns.
    assert not [q for q in queries.captured_queries if q["sql"].startswith('SELECT "otp_')]


def test_a_user_who_enrols_a_device_elsewhere_must_verify_on_the_next_page(client, settings):
    settings.OTP_ENFORCED = True
    user = UserFactory(username="lee", role="compliance")
    client.force_login(user)
    assert client.get("/deadlines/").status_code == 200
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    response = client.get("/deadlines/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/otp/")


def test_an_api_token_its_scope_and_its_user_are_one_query(django_assert_num_queries):
    user = UserFactory(username="mina", role="compliance")
    Profile.objects.filter(user=user).update(time_zone="Europe/Berlin")
    token = Token.objects.create(user=user)
    expires = timezone.now() + timedelta(days=3)
    TokenScope.objects.create(token=token, read_only=True, expires_at=expires)
    with django_assert_num_queries(1):
        loaded, read = user_and_token(token.key)
        assert (loaded.pk, read.key, read.user_id, read.user is loaded) == (
            user.pk,
            token.key,
            user.pk,
            True,
        )
        assert (read.scope.pk, read.scope.read_only, read.scope.expires_at) == (
            token.scope.pk,
            True,
            expires,
        )
        assert loaded.profile.time_zone == "Europe/Berlin"
        assert roles_of(loaded) == {Role.COMPLIANCE}
        assert has_otp_device(loaded) is False


def test_a_token_without_scope_reads_as_unscoped_and_an_unknown_key_as_none():
    token = Token.objects.create(user=UserFactory(username="noah", role="viewer"))
    _user, read = user_and_token(token.key)
    with pytest.raises(TokenScope.DoesNotExist):
        read.scope  # noqa: B018 (the access is the test)
    assert user_and_token("0" * 40) is None


def test_api_refuses_an_unknown_key_and_an_inactive_users_token_with_401():
    user = UserFactory(username="olga", role="compliance")
    token = Token.objects.create(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token " + "f" * 40)
    assert api.get("/api/v1/incidents/").status_code == 401
    user.is_active = False
    user.save()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get("/api/v1/incidents/")
    assert response.status_code == 401
    assert "inactive" in response.json()["detail"]
