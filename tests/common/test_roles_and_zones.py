"""Roles come from common/roles.py only; the default zone comes from settings only."""

from __future__ import annotations

from typing import cast

import pytest
from django.contrib.auth.models import Group, User
from django.test import override_settings

from common.roles import Role, roles_of, users_with_roles
from exports.models import ExportJob
from incidents.models import LegalEntity, Profile, TimelineEvent
from incidents.services import timeline_event_record
from tests.factories import IncidentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _user(name: str, *groups: str, superuser: bool = False) -> User:
    user = cast(User, UserFactory(username=name, is_superuser=superuser))
    for group in groups:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


@pytest.mark.parametrize(
    "wanted",
    [[Role.ADMIN], [Role.LEGAL], [Role.COMPLIANCE, Role.VIEWER], ["legal", "not-a-role"], []],
)
def test_users_with_roles_finds_exactly_the_users_roles_of_gives_those_roles(wanted) -> None:
    users = [
        _user("admin-by-group", "admin"),
        _user("root", superuser=True),
        _user("counsel", "legal"),
        _user("officer", "compliance"),
        _user("reader", "viewer"),
        _user("both", "legal", "compliance"),
        _user("stranger", "not-a-role"),
        _user("nobody"),
    ]
    known = {role.value for role in Role}
    wanted_roles = {Role(r) for r in wanted if r in known}
    expected = {u.username for u in users if roles_of(u) & wanted_roles}

    found = set(User.objects.filter(users_with_roles(wanted)).values_list("username", flat=True))

    assert found == expected


@override_settings(TIME_ZONE="Europe/Berlin")
def test_model_default_zones_follow_the_time_zone_setting() -> None:
    user = UserFactory()
    incident = IncidentFactory(owner=user)

    assert Profile(user=user).time_zone == "Europe/Berlin"
    assert LegalEntity(incident=incident, name="X", country="DE").reference_tz == "Europe/Berlin"
    assert ExportJob(incident=incident, requested_by=user).time_zone == "Europe/Berlin"
    assert TimelineEvent().entered_tz == "Europe/Berlin"


@override_settings(TIME_ZONE="America/New_York")
def test_an_event_recorded_without_a_zone_is_entered_in_the_configured_zone() -> None:
    user = UserFactory()
    incident = IncidentFactory(owner=user)

    event = timeline_event_record(
        incident=incident,
        kind="detection",
        occurred_at=incident.created_at,
        title="Alert",
        recorded_by=user,
    )

    assert event.entered_tz == "America/New_York"
