"""Staff status follows the admin role (docs/access.md), through one service
(``common.services``) at every door that gives or takes a role: the admin site's users page, the
``user_roles`` command, ``ensure_admin``, and the SSO role mapping. A superuser stays staff."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.oidc_users import sync_user
from common.services import user_roles_set, user_staff_sync
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _roles(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def test_giving_the_admin_role_gives_staff_and_taking_it_takes_staff():
    dave = UserFactory(username="dave", role="compliance")
    assert not dave.is_staff
    user_roles_set(user=dave, roles=["compliance", "admin"])
    assert _fresh(dave).is_staff
    assert _roles(dave) == {"compliance", "admin"}
    user_roles_set(user=dave, roles=["compliance"])
    assert not _fresh(dave).is_staff
    assert _roles(dave) == {"compliance"}


def test_other_groups_stay_and_unknown_roles_are_refused():
    dave = UserFactory(username="dave", role="newsletter")
    with pytest.raises(ValidationError):
        user_roles_set(user=dave, roles=["root"])
    user_roles_set(user=dave, roles=["viewer"])
    assert _roles(dave) == {"newsletter", "viewer"}


def test_a_superuser_keeps_staff_without_the_admin_role():
    root = UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    user_roles_set(user=root, roles=[])
    assert _fresh(root).is_staff


def test_staff_given_by_hand_without_the_role_is_taken_at_the_next_sync():
    dave = UserFactory(username="dave", role="viewer", is_staff=True)
    assert user_staff_sync(dave) is True
    assert not _fresh(dave).is_staff


def test_the_users_admin_page_gives_and_takes_staff_with_the_admin_role(client):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    dave = UserFactory(username="dave", role="compliance")
    client.force_login(root)
    url = reverse("admin:auth_user_change", args=[dave.pk])
    form = {
        "username": "dave",
        "first_name": "",
        "last_name": "",
        "email": "dave@example.com",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "last_login_0": "",
        "last_login_1": "",
    }
    groups = {name: Group.objects.get_or_create(name=name)[0].pk for name in ("admin", "viewer")}
    response = client.post(url, {**form, "groups": [groups["admin"]]})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _fresh(dave).is_staff
    # The new admin can now reach the admin site.
    client.force_login(_fresh(dave))
    assert client.get("/admin/").status_code == 200

    client.force_login(root)
    response = client.post(url, {**form, "is_staff": "on", "groups": [groups["viewer"]]})
    assert response.status_code == 302
    assert not _fresh(dave).is_staff  # the role went, and staff with it
    client.force_login(_fresh(dave))
    assert client.get("/admin/").status_code == 302  # to the admin login


def test_the_user_roles_command_sets_roles_and_staff():
    dave = UserFactory(username="dave", role="compliance")
    out = StringIO()
    call_command("user_roles", "dave", "--set", "admin", "legal", stdout=out)
    assert "roles admin, legal; staff yes" in out.getvalue()
    assert _fresh(dave).is_staff
    out = StringIO()
    call_command("user_roles", "dave", "--set", stdout=out)
    assert "roles (none); staff no" in out.getvalue()
    assert not _fresh(dave).is_staff
    with pytest.raises(CommandError):
        call_command("user_roles", "dave", "--set", "root", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("user_roles", "nobody", stdout=StringIO())


def test_ensure_admin_makes_a_staff_admin():
    call_command("ensure_admin", "--username", "boss", stdout=StringIO())
    boss = User.objects.get(username="boss")
    assert boss.is_staff
    assert "admin" in _roles(boss)


def test_sso_role_mapping_gives_and_takes_staff(settings):
    settings.OIDC_ROLE_MAP = {"ic-admin": "admin", "ic-viewer": "viewer"}
    settings.OIDC_CREATE_USERS = True
    claims = {"preferred_username": "han", "groups": ["ic-admin"]}
    han = sync_user(claims)
    assert _fresh(han).is_staff
    han = sync_user({**claims, "groups": ["ic-viewer"]})
    assert not _fresh(han).is_staff
    assert _roles(han) == {"viewer"}
