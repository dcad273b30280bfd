"""The signed-in user is read once per request with their profile, roles and unread
notifications (accounts.backends.UserBackend), and each reads as it would on its own."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from accounts.backends import UserBackend, _users_with_roles_and_counts
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


def test_the_user_query_is_built_once_and_every_request_reads_its_own_user():
    _users_with_roles_and_counts.cache_clear()
    legal = UserFactory(username="gina", role="legal")
    viewer = UserFactory(username="hugo", role="viewer")
    Notification.objects.create(user=viewer, title="digest")
    backend = UserBackend()
    for _ in range(2):
        first, second = backend.get_user(legal.pk), backend.get_user(viewer.pk)
        assert (first.username, roles_of(first), first.unread_notifications) == (
            "gina",
            {Role.LEGAL},
            0,
        )
        assert (second.username, roles_of(second), second.unread_notifications) == (
            "hugo",
            {Role.VIEWER},
            1,
        )
    assert _users_with_roles_and_counts.cache_info().misses == 1
