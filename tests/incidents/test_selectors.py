"""Need-to-know: one selector decides which incidents a user may see."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from common.roles import Action, has_right
from incidents.selectors import incidents_visible_to
from tests.factories import IncidentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_owner_and_members_see_the_incident(incident, alice, bob, carol) -> None:
    for user in (alice, bob, carol):
        assert list(incidents_visible_to(user)) == [incident]


def test_outsider_sees_nothing_of_another_incident(incident, charlie) -> None:
    own = IncidentFactory(owner=charlie)
    assert list(incidents_visible_to(charlie)) == [own]


def test_admin_group_and_superuser_see_every_incident(incident, admin_user) -> None:
    other = IncidentFactory()
    superuser = UserFactory(username="su", is_superuser=True, is_staff=True)
    assert set(incidents_visible_to(admin_user)) == {incident, other}
    assert set(incidents_visible_to(superuser)) == {incident, other}


def test_anonymous_sees_nothing(incident) -> None:
    assert not incidents_visible_to(AnonymousUser()).exists()


@pytest.mark.parametrize(
    ("role", "action", "allowed"),
    [
        ("viewer", Action.VIEW, True),
        ("viewer", Action.RECORD, False),
        ("viewer", Action.EXPORT, False),
        ("compliance", Action.RECORD, True),
        ("compliance", Action.EXPORT, False),
        ("compliance", Action.MARK_NOT_APPLICABLE, False),
        ("legal", Action.EXPORT, True),
        ("legal", Action.MARK_NOT_APPLICABLE, True),
        ("legal", Action.RECORD, False),
        ("legal", Action.MANAGE, False),
        ("admin", Action.MANAGE, True),
        ("admin", Action.RECORD, True),
    ],
)
def test_role_matrix(role: str, action: Action, allowed: bool) -> None:
    user = UserFactory(role=role)
    assert has_right(user, action) is allowed


def test_user_without_a_role_has_no_rights() -> None:
    user = UserFactory()
    assert not any(has_right(user, action) for action in Action)
