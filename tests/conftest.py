"""Shared fixtures: Healthchecks-style personas and the loaded rule catalogue.

- alice: compliance officer and owner of `incident`.
- bob: legal, a member of `incident`.
- carol: viewer, a member of `incident`.
- charlie: compliance officer with no access to `incident` (the outsider).
- admin: in the admin group; sees every incident.
"""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command
from hypothesis import settings as hypothesis_settings

from tests.factories import IncidentFactory, UserFactory

hypothesis_settings.register_profile("ci", max_examples=40, deadline=None)
hypothesis_settings.register_profile("dev", max_examples=300, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture
def catalogue(db: None) -> None:
    call_command("load_catalogue", verbosity=0)


@pytest.fixture
def alice(db: None):
    return UserFactory(username="alice", role="compliance")


@pytest.fixture
def bob(db: None):
    return UserFactory(username="bob", role="legal")


@pytest.fixture
def carol(db: None):
    return UserFactory(username="carol", role="viewer")


@pytest.fixture
def charlie(db: None):
    return UserFactory(username="charlie", role="compliance")


@pytest.fixture
def admin_user(db: None):
    return UserFactory(username="root-admin", role="admin", is_staff=True)


@pytest.fixture
def incident(alice, bob, carol):
    incident = IncidentFactory(owner=alice)
    incident.memberships.create(user=bob)
    incident.memberships.create(user=carol)
    return incident
