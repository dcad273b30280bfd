"""The incident page's rows cached one by one (incidents/views/cached_rows.py): a deadline row, a
filing row or a chronology event shows a change of anything it shows on the very next request,
in the viewer's language, zone and rights; an open deadline's colour and countdown are those of
now; and rights are never shared through the cache."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from incidents import services
from incidents.deadlines import deadline_mark_not_applicable
from incidents.filings import filing_acknowledge, filing_withdraw
from incidents.models import Deadline, LegalEntity, Profile, TimelineEvent
from incidents.sections import DeadlineNote
from incidents.signals import deadline_notes_requested
from incidents.views import cached_rows, incident_page

KST = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=KST)
pytestmark = pytest.mark.django_db

ACTION_LINKS = (
    "Record filing",
    "Not applicable…",
    "Correct this event",
    "Withdraw (recorded in error)",
    "Attach a document",
    "Record acknowledgement",
)


def _page(client, incident, query: str = "") -> str:
    response = client.get(f"/incidents/{incident.reference}/{query}")
    assert response.status_code == 200
    return response.content.decode()


def _row(html: str, kind: str, pk: int) -> str:
    """One row of the deadlines' or filings' table (a deadline row holds a table of its own)."""
    start = html.index(f'<tr id="{kind}-{pk}"')
    ends = [html.find(f'\n      <tr id="{kind}-', start + 1), html.find("\n    </tbody>", start)]
    return html[start : min(end for end in ends if end != -1)]


def _event(html: str, pk: int) -> str:
    found = re.search(rf'<li id="event-{pk}".*?</li>', html, re.S)
    assert found is not None
    return found.group(0)


def _network_act(incident) -> Deadline:
    return Deadline.objects.get(incident=incident, code="kr-network-act-48-3-initial")


@time_machine.travel(NOW, tick=False)
def test_a_deadline_row_shows_a_new_due_time_at_once(client, alice, aware_incident):
    client.force_login(alice)
    deadline = _network_act(aware_incident)
    assert "2026-03-03 (Tue) 10:00 KST" in _row(
        _page(client, aware_incident), "deadline", deadline.pk
    )
    # Changed without its updated_at: the row is keyed by every column it shows, not a version.
    Deadline.objects.filter(pk=deadline.pk).update(due_at=datetime(2026, 3, 3, 9, 0, tzinfo=KST))
    row = _row(_page(client, aware_incident), "deadline", deadline.pk)
    assert "2026-03-03 (Tue) 09:00 KST" in row
    assert "2026-03-03 (Tue) 10:00 KST" not in row


@time_machine.travel(NOW, tick=False)
def test_a_deadline_marked_not_applicable_shows_at_once(client, alice, bob, aware_incident):
    client.force_login(alice)
    deadline = _network_act(aware_incident)
    assert "countdown" in _row(_page(client, aware_incident), "deadline", deadline.pk)
    deadline_mark_not_applicable(deadline=deadline, justification="not a provider", marked_by=bob)
    row = _row(_page(client, aware_incident), "deadline", deadline.pk)
    assert "not a provider — bob" in row
    assert "countdown" not in row
    assert "state-muted" in row


@time_machine.travel(NOW, tick=False)
def test_an_open_rows_colour_and_countdown_are_those_of_now(client, alice, aware_incident):
    client.force_login(alice)
    deadline = _network_act(aware_incident)
    row = _row(_page(client, aware_incident), "deadline", deadline.pk)
    assert "state-soon" in row
    assert "in 22 h 0 min" in row
    with time_machine.travel(NOW + timedelta(hours=23), tick=False):
        row = _row(_page(client, aware_incident), "deadline", deadline.pk)
    assert "state-overdue" in row
    assert "late by 1 h 0 min" in row


@time_machine.travel(NOW, tick=False)
def test_a_deadline_row_follows_the_viewers_language_and_zone(client, alice, aware_incident):
    client.force_login(alice)
    deadline = _network_act(aware_incident)
    seoul = _row(_page(client, aware_incident), "deadline", deadline.pk)
    Profile.objects.filter(user=alice).update(time_zone="America/New_York")
    new_york = _row(_page(client, aware_incident), "deadline", deadline.pk)
    assert "2026-03-02 (Mon) 20:00 EST -05:00" in new_york
    assert "2026-03-02 (Mon) 20:00 EST -05:00" not in seoul
    with translation.override("ko"):
        Profile.objects.filter(user=alice).update(language="ko")
        client.cookies["django_language"] = "ko"
        korean = _row(_page(client, aware_incident), "deadline", deadline.pk)
    assert "Why this due time" in new_york
    assert "Why this due time" not in korean


@time_machine.travel(NOW, tick=False)
def test_a_deadline_rows_note_shows_its_change_at_once(client, alice, aware_incident):
    client.force_login(alice)
    deadline = _network_act(aware_incident)
    progress = {"text": "3 of 10 notified"}

    def notes(**kwargs):
        return {deadline.pk: [DeadlineNote(text=progress["text"], percent=30, label="progress")]}

    deadline_notes_requested.connect(notes, dispatch_uid="test-rows-notes")
    try:
        assert "3 of 10 notified" in _row(_page(client, aware_incident), "deadline", deadline.pk)
        progress["text"] = "7 of 10 notified"
        row = _row(_page(client, aware_incident), "deadline", deadline.pk)
    finally:
        deadline_notes_requested.disconnect(dispatch_uid="test-rows-notes")
    assert "7 of 10 notified" in row
    assert "3 of 10 notified" not in row


@time_machine.travel(NOW, tick=False)
def test_a_renamed_entity_shows_in_the_cached_deadline_and_event_rows_at_once(
    client, alice, aware_incident
):
    client.force_login(alice)
    entity = LegalEntity.objects.get(incident=aware_incident)
    event = services.timeline_event_record(
        incident=aware_incident,
        kind="note",
        occurred_at=NOW - timedelta(hours=1),
        title="entity note",
        legal_entity=entity,
    )
    deadline = _network_act(aware_incident)
    html = _page(client, aware_incident)
    assert "Example Korea Co." in _row(html, "deadline", deadline.pk)
    assert "Example Korea Co." in _event(html, event.pk)
    services.legal_entity_update(entity=entity, name="Renamed Korea Ltd.")
    html = _page(client, aware_incident)
    for shown in (_row(html, "deadline", deadline.pk), _event(html, event.pk)):
        assert "Renamed Korea Ltd." in shown
        assert "Example Korea Co." not in shown


@time_machine.travel(NOW, tick=False)
def test_a_filing_row_shows_an_acknowledgement_and_a_withdrawal_at_once(
    client, alice, aware_incident
):
    client.force_login(alice)
    filing = services.filing_submit(
        incident=aware_incident,
        deadline=_network_act(aware_incident),
        recipient="KISA",
        submitted_at=NOW - timedelta(hours=1),
    )
    assert "Record acknowledgement" in _row(_page(client, aware_incident), "filing", filing.pk)
    filing_acknowledge(filing=filing, reference_number="KISA-123", changed_by=alice)
    row = _row(_page(client, aware_incident), "filing", filing.pk)
    assert "KISA-123" in row
    assert "Edit acknowledgement" in row
    filing_withdraw(filing=filing, reason="wrong regulator", withdrawn_by=alice)
    row = _row(_page(client, aware_incident), "filing", filing.pk)
    assert "wrong regulator" in row
    assert 'class="withdrawn"' in row


@time_machine.travel(NOW, tick=False)
def test_a_correction_shows_on_the_cached_event_rows_in_another_language(
    client, alice, aware_incident
):
    """The summary cached, the chronology not (another language): the event rows come in a
    round trip of their own, and the corrected event's row is not the cached one."""
    client.force_login(alice)
    original = services.timeline_event_record(
        incident=aware_incident, kind="note", occurred_at=NOW - timedelta(hours=2), title="first"
    )
    _page(client, aware_incident)
    services.timeline_event_record(
        incident=aware_incident,
        kind="note",
        occurred_at=NOW - timedelta(hours=1),
        title="second",
        supersedes=original,
        correction_reason="typo",
    )
    english = _page(client, aware_incident)
    assert "is-superseded" in _event(english, original.pk)
    with translation.override("ko"):
        Profile.objects.filter(user=alice).update(language="ko")
        client.cookies["django_language"] = "ko"
        korean = _page(client, aware_incident)
    assert "is-superseded" in _event(korean, original.pk)
    assert _event(korean, original.pk) != _event(english, original.pk)


@time_machine.travel(NOW, tick=False)
def test_right_after_an_event_only_its_own_row_is_drawn(client, alice, aware_incident, monkeypatch):
    client.force_login(alice)
    for k in range(3):
        services.timeline_event_record(
            incident=aware_incident,
            kind="note",
            occurred_at=NOW - timedelta(hours=k + 1),
            title=f"note {k}",
        )
    _page(client, aware_incident)
    event = services.timeline_event_record(
        incident=aware_incident, kind="note", occurred_at=NOW, title="the newest"
    )
    drawn: list[str] = []
    for module in (incident_page, cached_rows):
        real = module.render_to_string

        def counting(template, *args, _real=real, **kwargs):
            drawn.append(template)
            return _real(template, *args, **kwargs)

        monkeypatch.setattr(module, "render_to_string", counting)
    html = _page(client, aware_incident)
    assert "the newest" in _event(html, event.pk)
    # The chronology and the SVG drawn again around the cached rows of the other events.
    assert sorted(drawn) == [
        "incidents/_incident_chronology.html",
        "incidents/_incident_event.html",
        "incidents/_incident_timeline.html",
    ]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("first", ["admin", "viewer"])
def test_a_member_without_rights_never_sees_action_links(
    client, alice, carol, admin_user, aware_incident, first
):
    """Whoever draws the cached rows first: rights are part of every row's key."""
    filing = services.filing_submit(
        incident=aware_incident,
        deadline=_network_act(aware_incident),
        recipient="KISA",
        submitted_at=NOW - timedelta(hours=1),
    )
    services.timeline_event_record(
        incident=aware_incident, kind="note", occurred_at=NOW - timedelta(hours=1), title="n"
    )
    order = [admin_user, carol] if first == "admin" else [carol, admin_user]
    pages = {}
    for user in order:
        client.force_login(user)
        pages[user.username] = _page(client, aware_incident)
    admin_page, viewer_page = pages[admin_user.username], pages[carol.username]
    for link in ACTION_LINKS:
        assert link in admin_page
        assert link not in viewer_page
    assert "Record acknowledgement" in _row(admin_page, "filing", filing.pk)


@time_machine.travel(NOW, tick=False)
def test_a_legal_member_may_mark_not_applicable_but_not_record(client, bob, aware_incident):
    client.force_login(bob)
    row = _row(_page(client, aware_incident), "deadline", _network_act(aware_incident).pk)
    assert "Not applicable…" in row
    assert "Record filing" not in row
    awareness = TimelineEvent.objects.get(incident=aware_incident, kind="awareness")
    assert "Correct this event" not in _event(_page(client, aware_incident), awareness.pk)
