"""Apps above incidents add sections to the incident page and the dashboard through a signal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.template import engines
from django.template.loaders.locmem import Loader as LocmemLoader

from incidents.sections import PageSection
from incidents.signals import page_sections_requested

pytestmark = pytest.mark.django_db


@pytest.fixture
def contributed(settings: Any) -> Iterator[list[dict[str, Any]]]:
    seen: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> list[PageSection]:
        seen.append(kwargs)
        incident = kwargs.get("incident")
        label = f"extra for {incident.reference}" if incident else "extra on the dashboard"
        return [
            PageSection(template="incidents/_test_section.html", context={"label": label}),
            PageSection(
                template="incidents/_test_section.html", context={"label": "first"}, order=1
            ),
        ]

    page_sections_requested.connect(receiver, dispatch_uid="test-sections")
    engine = engines["django"].engine
    # A template for this test only, found before the file-system templates.
    test_loader = LocmemLoader(
        engine,
        {"incidents/_test_section.html": '<p class="contributed">{{ section.context.label }}</p>'},
    )
    engine.template_loaders.insert(0, test_loader)
    yield seen
    engine.template_loaders.remove(test_loader)
    page_sections_requested.disconnect(dispatch_uid="test-sections")


def test_the_incident_page_shows_contributed_sections_in_order(
    client, alice, incident, contributed
):
    client.force_login(alice)
    html = client.get(f"/incidents/{incident.reference}/").content.decode()
    assert html.index('<p class="contributed">first</p>') < html.index(
        f'<p class="contributed">extra for {incident.reference}</p>'
    )
    assert contributed[0]["page"] == "incident"
    assert contributed[0]["user"] == alice


def test_the_dashboard_shows_contributed_sections(client, alice, contributed):
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert '<p class="contributed">extra on the dashboard</p>' in html
    assert contributed[0]["page"] == "dashboard"
    assert "incident" not in contributed[0]
