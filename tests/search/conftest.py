"""A small searchable world: `incident` (alice owner; bob legal, carol viewer members) holds one
record of each kind with Latin and Hangul text; `secret` (owned by dave) holds the same words,
so any hit from it for alice, bob, carol or charlie is a need-to-know leak."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from incidents import services
from regulators.models import Regulator
from tests.api.conftest import client_for  # noqa: F401  (token clients per persona)
from tests.conftest import add_korean_entity
from tests.factories import IncidentFactory, UserFactory

KST = ZoneInfo("Asia/Seoul")
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def fill(incident: Any, label: str) -> dict[str, Any]:
    entity = add_korean_entity(incident)
    event = services.timeline_event_record(
        incident=incident,
        kind="note",
        occurred_at=datetime(2026, 3, 2, 10, 0, tzinfo=KST),
        title=f"Credential stuffing wave {label}",
        description=f"개인정보유출 의심 정황 {XSS} {label}",
        source_title="Firewall ledger",
    )
    request = services.timeline_event_record(
        incident=incident,
        kind="regulator_request",
        occurred_at=datetime(2026, 3, 10, 9, 0, tzinfo=KST),
        title=f"자료 제출 요구: access logs {label}",
        legal_entity=entity,
        data={"offset": "5bd", "calendar": "KR", "tz": "Asia/Seoul", "regulator": "PIPC"},
    )
    filing = services.filing_submit(
        incident=incident,
        recipient="KISA",
        regulator=Regulator.objects.get(code="KISA-MSIT"),
        legal_entity=entity,
        submitted_at=datetime(2026, 3, 3, 9, 0, tzinfo=KST),
        channel="KISA portal",
        reference_number=f"KISA-2026-{label}",
        notes="Credential stuffing reported; 유출이 확인됨",
    )
    return {"event": event, "request": request, "filing": filing, "entity": entity}


@pytest.fixture
def corpus(catalogue, incident, charlie) -> dict[str, Any]:
    incident.title = "Credential stuffing at 한빛페이"
    incident.summary = "침해사고 신고 대상"
    incident.save()
    records = fill(incident, "7001")
    dave = UserFactory(username="dave", role="compliance")
    secret = IncidentFactory(owner=dave, title="Credential stuffing at 비밀은행")
    fill(secret, "9001")
    own = IncidentFactory(owner=charlie, title="Charlie's own credential stuffing")
    return {"incident": incident, "secret": secret, "charlie_own": own, **records}
