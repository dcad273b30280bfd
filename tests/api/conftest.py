"""API fixtures: token clients per persona and one incident with deadlines, a filing, a count.

Personas (tests/conftest.py): alice compliance owner, bob legal member, carol viewer member,
charlie compliance outsider, admin_user admin.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from incidents import services
from incidents.models import Deadline, Notification

KST = ZoneInfo("Asia/Seoul")


@pytest.fixture
def client_for() -> Callable[[Any], APIClient]:
    def make(user: Any) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _created = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def world(catalogue, incident, alice, bob, carol, charlie, admin_user) -> dict[str, Any]:
    """The shared incident with a Korean entity, awareness (two bases), a filing and a count."""
    entity = services.legal_entity_add(
        incident=incident,
        name="Example Commerce Corp.",
        country="KR",
        ict_service_provider=True,
        jurisdictions=["KR"],
    )
    services.timeline_event_record(
        incident=incident,
        kind="awareness",
        occurred_at=datetime(2025, 11, 18, 22, 0, tzinfo=KST),
        title="Company becomes aware",
        basis="company",
        recorded_by=alice,
    )
    services.timeline_event_record(
        incident=incident,
        kind="awareness",
        occurred_at=datetime(2025, 11, 17, 16, 0, tzinfo=KST),
        title="Investigators: aware earlier",
        basis="investigators",
        recorded_by=alice,
    )
    deadline = Deadline.objects.filter(
        incident=incident, code="kr-network-act-48-3-initial"
    ).first()
    assert deadline is not None
    filing = services.filing_submit(
        incident=incident,
        deadline=deadline,
        recipient="KISA",
        submitted_at=datetime(2025, 11, 19, 21, 35, tzinfo=KST),
        submitted_by=alice,
    )
    revision = services.affected_count_revise(
        incident=incident,
        jurisdiction="KR",
        count=4536,
        as_of=datetime(2025, 11, 20, 9, 0, tzinfo=KST),
        recorded_by=alice,
    )
    note = Notification.objects.create(user=alice, incident=incident, title="Due soon")
    return {
        "incident": incident,
        "entity": entity,
        "deadline": Deadline.objects.exclude(pk=deadline.pk)
        .filter(incident=incident, due_at__isnull=False)
        .order_by("due_at", "id")
        .first(),
        "filed_deadline": deadline,
        "filing": filing,
        "revision": revision,
        "event": incident.events.order_by("id").first(),
        "notification": note,
    }
