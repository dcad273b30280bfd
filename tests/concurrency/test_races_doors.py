"""More doors of issue 13's "concurrent users lose nothing and never see a 500", rerun against a
live server with real concurrent HTTP requests (same harness and PostgreSQL rule as
``test_races.py``): two acknowledgements of one filing at once, two PATCHes of one legal entity,
two changes of one team, two edits of one catalogue row. Without If-Match both writes are kept
(each saves only what it sent, on the row re-read under lock); with the same If-Match one wins
and the other gets 412. Never a 5xx."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from incidents import services
from incidents.models import Deadline, Filing, LegalEntity, Membership
from regulators.models import Regulator
from tests.concurrency.test_races import (  # the fixtures apply to this module once imported
    NETWORK_ACT,
    _aware_incident,
    _close_connections_after_each_request,  # noqa: F401
    _postgres_only,  # noqa: F401
    _session,
    together,
)
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
]

KST = ZoneInfo("Asia/Seoul")


@pytest.fixture
def officer(db: None) -> Any:
    return UserFactory(username="race-officer", role="compliance")


def _codes(responses: list[requests.Response]) -> list[int]:
    return sorted(r.status_code for r in responses)


def _acknowledge_race(session: requests.Session, url: str, round_: int) -> None:
    plain = together(
        [
            lambda: session.post(url, json={"reference_number": f"KISA-{round_}"}, timeout=120),
            lambda: session.post(url, json={"channel": "KISA portal"}, timeout=120),
        ]
    )
    assert _codes(plain) == [200, 200]
    etag = session.get(url.removesuffix("acknowledge/"), timeout=120).headers["ETag"]
    conditional = together(
        [
            lambda text=text: session.post(
                url,
                json={"acknowledged_at": "2026-03-02T13:00:00+09:00", "acknowledgement": text},
                headers={"If-Match": etag},
                timeout=120,
            )
            for text in ("A", "B")
        ]
    )
    assert _codes(conditional) == [200, 412]
    loser = next(r for r in conditional if r.status_code == 412).json()
    assert loser["code"] == "precondition_failed"


def test_two_acknowledgements_at_once_lose_nothing(live_server, officer) -> None:
    incident = _aware_incident(officer, entities=1)
    deadline = Deadline.objects.get(incident=incident, code=NETWORK_ACT)
    session = _session(officer)
    for round_ in range(3):
        filing = services.filing_submit(
            incident=incident,
            deadline=deadline,
            recipient=f"KISA {round_}",
            submitted_at=datetime(2026, 3, 2, 12, round_, tzinfo=KST),
            submitted_by=officer,
        )
        base = f"{live_server.url}/api/v1/incidents/{incident.pk}/filings/{filing.pk}/"
        _acknowledge_race(session, f"{base}acknowledge/", round_)
        fresh = Filing.objects.get(pk=filing.pk)
        assert (fresh.reference_number, fresh.channel) == (f"KISA-{round_}", "KISA portal")
        assert fresh.acknowledgement in ("A", "B")


def test_two_entity_patches_at_once_lose_nothing(live_server, officer) -> None:
    incident = _aware_incident(officer, entities=1)
    entity = LegalEntity.objects.get(incident=incident)
    session = _session(officer)
    url = f"{live_server.url}/api/v1/incidents/{incident.pk}/entities/{entity.pk}/"
    plain = together(
        [
            lambda: session.patch(url, json={"role": "operator"}, timeout=120),
            lambda: session.patch(url, json={"sec_registrant": True}, timeout=120),
        ]
    )
    assert _codes(plain) == [200, 200]
    fresh = LegalEntity.objects.get(pk=entity.pk)
    assert (fresh.role, fresh.sec_registrant) == ("operator", True)

    etag = session.get(url, timeout=120).headers["ETag"]
    conditional = together(
        [
            lambda: session.patch(
                url, json={"name_local": "가"}, headers={"If-Match": etag}, timeout=120
            ),
            lambda: session.patch(
                url, json={"role": "parent"}, headers={"If-Match": etag}, timeout=120
            ),
        ]
    )
    assert _codes(conditional) == [200, 412]
    winner = next(r for r in conditional if r.status_code == 200).json()
    fresh = LegalEntity.objects.get(pk=entity.pk)
    assert (fresh.name_local, fresh.role) == (winner["name_local"], winner["role"])


def test_two_team_changes_at_once_lose_nothing(live_server, officer) -> None:
    incident = _aware_incident(officer, entities=0)
    names = ["race-a", "race-b", "race-c", "race-d"]
    for name in names:
        UserFactory(username=name, role="compliance")
    session = _session(officer)
    url = f"{live_server.url}/api/v1/incidents/{incident.pk}/members/"
    plain = together(
        [lambda n=name: session.post(url, json={"username": n}, timeout=120) for name in names[:2]]
    )
    assert _codes(plain) == [201, 201]
    etag = session.get(url, timeout=120).headers["ETag"]
    conditional = together(
        [
            lambda n=name: session.post(
                url, json={"username": n}, headers={"If-Match": etag}, timeout=120
            )
            for name in names[2:]
        ]
    )
    assert _codes(conditional) == [201, 412]
    members = set(
        Membership.objects.filter(incident=incident).values_list("user__username", flat=True)
    )
    assert set(names[:2]) <= members
    assert len(members & set(names[2:])) == 1


def test_two_catalogue_edits_at_once_lose_nothing(live_server) -> None:
    admin = UserFactory(username="race-admin", role="admin", is_staff=True)
    regulator = Regulator.objects.create(code="race-reg", name_en="R", name_ko="R", country="KR")
    session = _session(admin)
    url = f"{live_server.url}/api/v1/regulators/{regulator.pk}/"
    etag = session.get(url, timeout=120).headers["ETag"]
    conditional = together(
        [
            lambda: session.patch(
                url, json={"filing_channel": "portal"}, headers={"If-Match": etag}, timeout=120
            ),
            lambda: session.patch(
                url, json={"website": "https://r.example"}, headers={"If-Match": etag}, timeout=120
            ),
        ]
    )
    assert _codes(conditional) == [200, 412]
