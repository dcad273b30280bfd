"""Shared fixtures: Healthchecks-style personas and the loaded rule catalogue.

- alice: compliance officer and owner of `incident`.
- bob: legal, a member of `incident`.
- carol: viewer, a member of `incident`.
- charlie: compliance officer with no access to `incident` (the outsider).
- admin: in the admin group; sees every incident.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import connection
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.factories import IncidentFactory, UserFactory


def needs_postgresql(reason: str) -> pytest.MarkDecorator:
    """Skip on the SQLite default, never under CI (``CI=true``): CI runs on PostgreSQL, where a
    skip would hide a missing service, so there the test runs (and fails on another database)."""
    return pytest.mark.skipif(
        connection.vendor != "postgresql" and os.environ.get("CI") != "true", reason=reason
    )


# Hypothesis profiles live here and only here (tests/test_honest_tests.py refuses profile calls
# anywhere else): "ci" is what .ci/run uses, "dev" the default. Engine properties are slow-ish.
HYPOTHESIS_PROFILES = {
    "ci": {"max_examples": 50},
    "dev": {"max_examples": 300},
}


def pytest_configure(config: pytest.Config) -> None:
    """Register the profiles and load the one HYPOTHESIS_PROFILE names (default "dev").

    ``--hypothesis-profile`` on the command line wins: hypothesis' plugin loads it itself.
    """
    for name, options in HYPOTHESIS_PROFILES.items():
        hypothesis_settings.register_profile(
            name, deadline=None, suppress_health_check=[HealthCheck.too_slow], **options
        )
    if config.getoption("hypothesis_profile", default=None) is None:
        hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Cached per-user figures must not leak from one test into the next.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # A test that activates a language (a page in Korean, a command) must not leave it active for
    # the next: texts built with gettext outside a request would come out in it.
    from django.utils import translation

    yield
    translation.deactivate()


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


# --- Web UI (tests/incidents/test_views*.py, test_forms*.py, tests/browser) -----------------------


def add_korean_entity(incident, **overrides):
    """A Korean ICT service provider: the Network Act and PIPA clocks apply to it."""
    from incidents import services

    fields = {
        "name": "Example Korea Co.",
        "country": "KR",
        "ict_service_provider": True,
        "sec_registrant": False,
        "hipaa_covered_entity": False,
        "eu_financial_entity": False,
        "nis2_entity": False,
        "kr_financial_company": False,
        "credit_information_company": False,
        "app_entity_au": False,
        "jurisdictions": ["KR"],
        "reference_tz": "Asia/Seoul",
    }
    fields.update(overrides)
    return services.legal_entity_add(incident=incident, **fields)


@pytest.fixture
def aware_incident(incident, catalogue, alice):
    """`incident` with a Korean entity, 1,000 affected in KR, and awareness on 2026-03-02 10:00 KST
    (Network Act report due 2026-03-03 10:00 KST, PIPA report due 2026-03-05 10:00 KST)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from incidents import services

    kst = ZoneInfo("Asia/Seoul")
    add_korean_entity(incident)
    services.affected_count_revise(
        incident=incident,
        jurisdiction="KR",
        count=1000,
        as_of=datetime(2026, 3, 2, 9, 0, tzinfo=kst),
        source="triage",
    )
    services.timeline_event_record(
        incident=incident,
        kind="awareness",
        occurred_at=datetime(2026, 3, 2, 10, 0, tzinfo=kst),
        title="CISO confirms the leak",
        basis="company",
        recorded_by=alice,
    )
    return incident
