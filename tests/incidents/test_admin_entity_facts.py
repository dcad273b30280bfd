"""The DORA entity type the engine reads (``incidents.followups``) is editable in the admin as on
the web form, and every entity fact carries the same one-line explanation there."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from incidents import services
from incidents.models import Incident, LegalEntity
from tests.conftest import add_korean_entity
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
STALE = "This was changed by someone else since you opened it."


def test_the_admin_entity_page_explains_each_fact_and_edits_the_dora_type(client, incident):
    entity = add_korean_entity(incident)
    client.force_login(UserFactory(username="ops-admin", role="admin", is_staff=True))
    url = reverse("admin:incidents_legalentity_change", args=[entity.pk])
    page = client.get(url).content.decode()
    assert 'name="dora_entity_type"' in page
    assert '<option value="central_counterparty">' in page
    assert "no weekend relief" in page
    assert "ICT service provider under the Korean Network Act" in page
    assert "EU financial entity under DORA" in page

    form = {
        "name": entity.name,
        "name_local": "",
        "country": "KR",
        "role": "",
        "ict_service_provider": "true",
        "sec_registrant": "false",
        "hipaa_covered_entity": "false",
        "eu_financial_entity": "true",
        "nis2_entity": "false",
        "kr_financial_company": "false",
        "credit_information_company": "false",
        "app_entity_au": "false",
        "dora_entity_type": "central_counterparty",
        "jurisdictions": '["KR"]',
        "reference_tz": "Asia/Seoul",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    fresh = LegalEntity.objects.get(pk=entity.pk)
    assert (fresh.dora_entity_type, fresh.eu_financial_entity) == ("central_counterparty", True)


def test_a_stale_admin_save_of_an_entity_or_an_incident_is_refused(client, incident):
    entity = add_korean_entity(incident)
    client.force_login(UserFactory(username="ops-admin", role="admin", is_staff=True))
    url = reverse("admin:incidents_legalentity_change", args=[entity.pk])
    version = re.search(r'name="row_version" value="([^"]+)"', client.get(url).content.decode())
    assert version
    services.legal_entity_update(entity=entity, role="operator")  # a colleague, meanwhile
    form = {
        "name": entity.name,
        "country": "KR",
        "ict_service_provider": "false",
        "jurisdictions": '["KR"]',
        "reference_tz": "Asia/Seoul",
        "row_version": version.group(1),
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert STALE in response.content.decode()
    fresh = LegalEntity.objects.get(pk=entity.pk)
    assert (fresh.role, fresh.ict_service_provider) == ("operator", True)

    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    version = re.search(r'name="row_version" value="([^"]+)"', client.get(url).content.decode())
    assert version
    services.incident_update_facts(incident=incident, summary="Colleague's summary")
    response = client.post(url, {"title": "Mine", "row_version": version.group(1)})
    assert response.status_code == 200
    assert STALE in response.content.decode()
    assert Incident.objects.get(pk=incident.pk).summary == "Colleague's summary"
