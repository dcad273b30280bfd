"""The incident page: a long chronology shows its latest events with a plain link to all of them,
a deadline's explanation is a link loaded on demand (need-to-know kept), and what the page serves from its cached fragments (chronology, SVG timeline, the events'
summary, "which laws apply") changes on the very next request after what it shows changed."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from incidents import services
from incidents.models import Deadline, LegalEntity, TimelineEvent
from incidents.services_team import incident_status_change
from incidents.views.incident_page import _event_summary
from regulators.models import Obligation
from regulators.services import catalogue_generation, catalogue_row_save
from tests.factories import IncidentFactory

KST = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=KST)
pytestmark = pytest.mark.django_db


def _notes(incident, n: int) -> list[TimelineEvent]:
    start = datetime(2026, 3, 2, 11, 0, tzinfo=KST)
    return [
        services.timeline_event_record(
            incident=incident,
            kind="note",
            occurred_at=start + timedelta(hours=k),
            title=f"note number {k}",
        )
        for k in range(n)
    ]


def _chronology(html: str) -> str:
    found = re.search(r'<ol class="chronology">(.*?)</ol>', html, re.S)
    assert found is not None
    return found.group(1)


@time_machine.travel(NOW, tick=False)
def test_a_long_chronology_shows_its_latest_events_and_links_to_all(
    client, alice, aware_incident, monkeypatch
):
    monkeypatch.setattr("incidents.views.incident_page.CHRONOLOGY_LIMIT", 4)
    notes = _notes(aware_incident, 5)  # with the awareness: 6 events
    client.force_login(alice)
    url = f"/incidents/{aware_incident.reference}/"
    html = client.get(url).content.decode()
    chronology = _chronology(html)
    assert chronology.count('class="event-item') == 4
    assert f'id="event-{notes[-1].pk}"' in chronology
    assert f'id="event-{notes[0].pk}"' not in chronology
    assert "The 2 earlier events are not shown." in html
    assert 'href="?chronology=all#chronology-h"' in html
    assert "Show all 6 events" in html
    # The SVG still marks every event; a hidden one links to the whole chronology.
    assert f'href="?chronology=all#event-{notes[0].pk}"' in html
    assert f'href="#event-{notes[-1].pk}"' in html

    everything = client.get(url, {"chronology": "all"}).content.decode()
    assert _chronology(everything).count('class="event-item') == 6
    assert "earlier event" not in everything
    assert f'href="#event-{notes[0].pk}"' in everything


@time_machine.travel(NOW, tick=False)
def test_a_correction_of_a_hidden_event_links_to_the_whole_chronology(
    client, alice, aware_incident, monkeypatch
):
    monkeypatch.setattr("incidents.views.incident_page.CHRONOLOGY_LIMIT", 2)
    notes = _notes(aware_incident, 3)
    services.timeline_event_record(
        incident=aware_incident,
        kind="note",
        occurred_at=NOW - timedelta(minutes=5),
        title="note number 0, corrected",
        supersedes=notes[0],
        correction_reason="wrong host",
    )
    client.force_login(alice)
    html = client.get(f"/incidents/{aware_incident.reference}/").content.decode()
    assert f'href="?chronology=all#event-{notes[0].pk}">see the original' in html


@time_machine.travel(NOW, tick=False)
def test_the_show_all_link_reads_in_korean(client, alice, aware_incident, monkeypatch):
    monkeypatch.setattr("incidents.views.incident_page.CHRONOLOGY_LIMIT", 1)
    _notes(aware_incident, 2)
    alice.profile.language = "ko"
    alice.profile.save()
    client.force_login(alice)
    client.cookies["django_language"] = "ko"
    html = client.get(
        f"/incidents/{aware_incident.reference}/", headers={"accept-language": "ko"}
    ).content.decode()
    assert "이전 사건 2건은 표시되지 않았습니다." in html
    assert "사건 3건 모두 보기" in html


@time_machine.travel(NOW, tick=False)
def test_a_renamed_entity_shows_in_the_cached_chronology_at_once(client, alice, aware_incident):
    entity = LegalEntity.objects.get(incident=aware_incident)
    services.timeline_event_record(
        incident=aware_incident,
        kind="containment",
        occurred_at=NOW - timedelta(hours=2),
        title="Firewall rule tightened",
        legal_entity=entity,
    )
    client.force_login(alice)
    url = f"/incidents/{aware_incident.reference}/"
    assert "Example Korea Co." in _chronology(client.get(url).content.decode())
    services.legal_entity_update(entity=entity, name="Renamed Korea Ltd.")
    chronology = _chronology(client.get(url).content.decode())
    assert "Renamed Korea Ltd." in chronology
    assert "Example Korea Co." not in chronology


@time_machine.travel(NOW, tick=False)
def test_a_status_change_shows_at_once(client, alice, aware_incident):
    client.force_login(alice)
    url = f"/incidents/{aware_incident.reference}/"
    assert "Regulator asked us to hold" not in client.get(url).content.decode()
    incident_status_change(
        incident=aware_incident,
        status="contained",
        reason="Regulator asked us to hold",
        changed_by=alice,
    )
    html = client.get(url).content.decode()
    status = re.search(r'<p class="small" id="status">(.*?)</p>', html, re.S)
    assert status is not None
    assert "Regulator asked us to hold" in status.group(1)
    assert "alice" in status.group(1)


@time_machine.travel(NOW, tick=False)
def test_a_catalogue_edit_shows_in_the_cached_applicability_overview_at_once(
    client, alice, aware_incident
):
    client.force_login(alice)
    url = f"/incidents/{aware_incident.reference}/"
    obligation = Obligation.objects.filter(code="kr-pipa-34-subject-notice").latest("version")
    assert obligation.title_en in client.get(url).content.decode()
    before = catalogue_generation()
    catalogue_row_save(
        model=Obligation, pk=obligation.pk, values={"title_en": "Tell the people affected"}
    )
    assert catalogue_generation() != before
    applies = re.search(
        r'id="applicability-h".*?</section>', client.get(url).content.decode(), re.S
    )
    assert applies is not None
    assert "Tell the people affected" in applies.group(0)


@time_machine.travel(NOW, tick=False)
def test_a_changed_fact_shows_in_the_cached_applicability_overview_at_once(
    client, alice, aware_incident
):
    client.force_login(alice)
    url = f"/incidents/{aware_incident.reference}/"

    def overview() -> str:
        found = re.search(
            r'id="applicability-h".*?</section>', client.get(url).content.decode(), re.S
        )
        assert found is not None
        return found.group(0)

    before = overview()
    entity = LegalEntity.objects.get(incident=aware_incident)
    services.legal_entity_update(entity=entity, sec_registrant=True)
    assert overview() != before


@time_machine.travel(NOW, tick=False)
def test_a_deadlines_explanation_is_a_link_loaded_on_demand(client, alice, aware_incident):
    deadline = Deadline.objects.get(incident=aware_incident, code="kr-network-act-48-3-initial")
    steps = [step["en"] for step in deadline.explanation]
    assert steps
    client.force_login(alice)
    page = client.get(f"/incidents/{aware_incident.reference}/").content.decode()
    url = f"/incidents/{aware_incident.reference}/deadlines/{deadline.pk}/explanation/"
    assert f'data-explain="{url}?fragment=1"' in page
    assert f'<a href="{url}">Show the explanation' in page
    assert steps[0] not in page
    full = client.get(url).content.decode()
    assert "<html" in full
    assert all(step in full for step in steps)
    fragment = client.get(url, {"fragment": "1"}).content.decode()
    assert "<html" not in fragment
    assert fragment.lstrip().startswith('<div class="explain-body">')
    assert all(step in fragment for step in steps)


@time_machine.travel(NOW, tick=False)
def test_an_explanation_keeps_need_to_know(client, charlie, aware_incident):
    deadline = Deadline.objects.filter(incident=aware_incident).first()
    other = IncidentFactory(owner=charlie)
    client.force_login(charlie)
    for reference in (aware_incident.reference, other.reference):
        url = f"/incidents/{reference}/deadlines/{deadline.pk}/explanation/"
        assert client.get(url).status_code == 404
        assert client.get(url, {"fragment": "1"}).status_code == 404


def test_an_events_summary_of_another_shape_in_the_cache_is_computed_again(aware_incident):
    events = list(TimelineEvent.objects.filter(incident=aware_incident))
    to_cache: dict[str, object] = {}
    # What the cache gave for the summary's key: something of another shape.
    summary = _event_summary(object(), lambda: events, to_cache, "summary-key")
    assert summary.first_awareness == datetime(2026, 3, 2, 10, 0, tzinfo=KST)
    assert to_cache == {"summary-key": summary.values()}
