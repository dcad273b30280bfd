"""Issue #14: the DORA entity type (weekend relief fact) through the API door."""

from __future__ import annotations

import pytest

from incidents.models import LegalEntity

pytestmark = pytest.mark.django_db


def test_api_records_the_dora_entity_type(client_for, alice, incident, catalogue):
    response = client_for(alice).post(
        f"/api/v1/incidents/{incident.pk}/entities/",
        {"name": "EU Bank AG", "country": "DE", "dora_entity_type": "credit_institution"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["dora_entity_type"] == "credit_institution"
    assert LegalEntity.objects.get(name="EU Bank AG").dora_entity_type == "credit_institution"


def test_api_refuses_an_unknown_dora_entity_type_and_changes_nothing(
    client_for, alice, incident, catalogue
):
    response = client_for(alice).post(
        f"/api/v1/incidents/{incident.pk}/entities/",
        {"name": "EU Bank AG", "country": "DE", "dora_entity_type": "hedge_fund"},
        format="json",
    )
    assert response.status_code == 400
    assert "dora_entity_type" in response.content.decode()
    assert not LegalEntity.objects.filter(name="EU Bank AG").exists()
