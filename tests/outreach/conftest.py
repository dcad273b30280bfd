"""Fixtures for the notification campaigns: ``aware_incident`` (tests/conftest.py) has 1,000
affected in KR, so its PIPA Art. 34(1) notice deadline exists."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from incidents.models import Deadline
from outreach import services
from outreach.models import NoticeCampaign
from tests.api.conftest import client_for  # noqa: F401 (the API tests' token clients, re-used)

KST = ZoneInfo("Asia/Seoul")
SENT = datetime(2026, 3, 3, 9, 0, tzinfo=KST)
PIPA_NOTICE = "kr-pipa-34-subject-notice"


@pytest.fixture
def notice_deadline(aware_incident) -> Deadline:
    return Deadline.objects.get(incident=aware_incident, code=PIPA_NOTICE)


@pytest.fixture
def campaign(aware_incident, notice_deadline, alice) -> NoticeCampaign:
    return services.campaign_create(
        incident=aware_incident, deadline=notice_deadline, method="email", created_by=alice
    )
