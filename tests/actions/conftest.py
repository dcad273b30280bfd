"""Fixtures for action-item tests: the shared ``incident`` (alice owns it, compliance; bob legal
and carol viewer are members) and a few ready-made items."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from actions import services
from tests.factories import UserFactory


@pytest.fixture
def outsider(db: None):
    """A compliance officer who is not on the incident."""
    return UserFactory(username="olga", role="compliance")


@pytest.fixture
def make_item(incident, alice):
    def make(title: str = "Collect the firewall logs", **extra):
        fields = {
            "incident": incident,
            "title": title,
            "owner": alice,
            "created_by": alice,
            "due_at": datetime.now(tz=UTC) + timedelta(days=2),
        }
        fields.update(extra)
        return services.action_item_create(**fields)

    return make
