"""Fixtures for reminder tests: a deadline of the shared `incident` (alice owns it and is in
compliance; bob (legal) and carol (viewer) are members), frozen clocks, a second compliance member."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from incidents.models import Deadline, Profile
from reminders.models import ReminderPolicy
from tests.factories import LegalEntityFactory, UserFactory

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # 09:00 in Seoul, 19:00 the day before in New York


@pytest.fixture
def frozen():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def dave(db: None):
    """A second compliance member, reading English in New York."""
    user = UserFactory(username="dave", role="compliance")
    Profile.objects.filter(user=user).update(language="en", time_zone="America/New_York")
    return user


@pytest.fixture
def entity(incident):
    return LegalEntityFactory(incident=incident)


@pytest.fixture
def make_deadline(incident, entity, dave):
    incident.memberships.create(user=dave)
    ReminderPolicy.objects.get_or_create(obligation_code="")

    def make(due_in: timedelta | None = timedelta(hours=72), *, key: str = "", **extra) -> Deadline:
        now = datetime.now(tz=UTC)
        return Deadline.objects.create(
            incident=incident,
            legal_entity=entity,
            code=extra.pop("code", "kr-network-act-infringement"),
            trigger_key=key,
            title="Infringement report / 침해사고 신고",
            trigger_at=now,
            due_at=(now + due_in) if due_in is not None else None,
            without_delay=due_in is None,
            **extra,
        )

    return make
