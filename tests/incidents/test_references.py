"""Incident references (#13 item 1): a per-year counter, hand-given references that cannot
poison it, numbers past 9,999, and a unique violation that is a 400 naming the field."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from unittest import mock

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError

from incidents import services
from incidents.models import Incident, ReferenceCounter
from incidents.references import save_with_reference
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db

IN_2026 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def in_2026():
    with time_machine.travel(IN_2026, tick=False):
        yield


def _open(owner, reference=None):
    return services.incident_open(title="Breach", owner=owner, reference=reference)


def test_automatic_references_count_up_per_year(alice, in_2026) -> None:
    assert [_open(alice).reference for _ in range(3)] == [
        "INC-2026-0001",
        "INC-2026-0002",
        "INC-2026-0003",
    ]
    assert ReferenceCounter.objects.get(year=2026).last == 3


def test_a_hand_given_reference_does_not_move_or_break_the_counter(alice, in_2026) -> None:
    _open(alice, reference="PIPC-CASE-7")
    assert _open(alice).reference == "INC-2026-0001"


def test_a_reference_in_the_automatic_prefix_but_not_its_shape_is_refused(alice, in_2026) -> None:
    for poison in ("INC-2026-Z", "INC-2026-02", "inc-2026-0005"):
        with pytest.raises(ValidationError) as info:
            _open(alice, reference=poison)
        assert "reference" in info.value.message_dict
    assert _open(alice).reference == "INC-2026-0001"


def test_a_free_automatic_shaped_number_may_be_given_and_is_then_skipped(alice, in_2026) -> None:
    _open(alice, reference="INC-2026-0002")
    assert [_open(alice).reference for _ in range(2)] == ["INC-2026-0001", "INC-2026-0003"]


def test_a_taken_reference_is_refused_naming_the_field(alice, in_2026) -> None:
    _open(alice, reference="CASE-1")
    with pytest.raises(ValidationError) as info:
        _open(alice, reference="CASE-1")
    assert info.value.message_dict["reference"] == ["That reference is taken."]


def test_a_hand_given_9999_leaves_automatic_numbering_alone(alice, in_2026) -> None:
    _open(alice, reference="INC-2026-9999")
    assert _open(alice).reference == "INC-2026-0001"


def test_numbering_keeps_working_past_9999(alice, in_2026) -> None:
    ReferenceCounter.objects.create(year=2026, last=9998)
    assert [_open(alice).reference for _ in range(3)] == [
        "INC-2026-9999",
        "INC-2026-10000",
        "INC-2026-10001",
    ]


def test_a_unique_violation_on_an_automatic_number_is_retried(alice, in_2026) -> None:
    taken = IncidentFactory(reference="INC-2026-0001", owner=alice)
    incident = Incident(title="Race", owner=alice)
    with mock.patch(
        "incidents.references.next_automatic_reference",
        side_effect=[taken.reference, "INC-2026-0002"],
    ):
        saved = save_with_reference(incident, year=2026, automatic=True)
    assert saved.reference == "INC-2026-0002"


def test_a_unique_violation_on_a_hand_given_reference_is_a_validation_error(alice) -> None:
    IncidentFactory(reference="CASE-9", owner=alice)
    with pytest.raises(ValidationError) as info:
        save_with_reference(
            Incident(title="Race", owner=alice, reference="CASE-9"), year=2026, automatic=False
        )
    assert "reference" in info.value.message_dict


def test_the_migration_seeds_each_year_after_its_highest_automatic_number(alice) -> None:
    for reference in ("INC-2025-0007", "INC-2025-0042", "INC-2024-0003", "INC-2025-X1", "OTHER"):
        IncidentFactory(reference=reference, owner=alice)
    ReferenceCounter.objects.all().delete()
    migration = importlib.import_module(
        "incidents.migrations.0008_filing_precision_withdrawal_reference_counter"
    )
    migration.seed_counters(apps, None)
    assert dict(ReferenceCounter.objects.values_list("year", "last")) == {2025: 42, 2024: 3}


def test_api_refuses_a_poisoning_reference_with_400_naming_the_field(alice, in_2026) -> None:
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice).key}")
    response = client.post(
        "/api/v1/incidents/", {"title": "x", "reference": "INC-2026-Z"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["reference"]
    created = client.post("/api/v1/incidents/", {"title": "y"}, format="json")
    assert created.status_code == 201
    assert created.json()["reference"] == "INC-2026-0001"


def test_the_admin_refuses_a_reference_that_would_poison_numbering(client, alice) -> None:
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    response = client.post(
        "/admin/incidents/incident/add/",
        {
            "reference": "INC-2026-Z",
            "title": "x",
            "severity": "high",
            "status": "open",
            "owner": alice.pk,
            "data_categories": "[]",
            "extra_facts": "{}",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert "References starting with INC- are automatic" in response.content.decode()
    assert not Incident.objects.filter(reference="INC-2026-Z").exists()
