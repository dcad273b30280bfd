"""Correspondence and evidence pages: role matrix, forms that keep input, downloads with custody,
and a flat query count on the incident page."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents import services as incident_services
from incidents.models import Deadline
from records import services
from records.models import Correspondence, CustodyEntry, Evidence
from tests.factories import IncidentFactory, TimelineEventFactory
from tests.records.conftest import KST, PDF_BYTES, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def personas(alice, bob, carol, charlie, admin_user):
    return {
        "viewer": carol,
        "compliance": alice,
        "legal": bob,
        "admin": admin_user,
        "outsider": charlie,
    }


@pytest.fixture
def letter(incident, alice, pipc):
    return services.correspondence_record(
        incident=incident,
        direction="in",
        occurred_at=datetime(2025, 11, 21, 9, 30, tzinfo=KST),
        channel="letter",
        subject="PIPC asks for the access logs",
        regulator=pipc,
        recorded_by=alice,
        attachments=[pdf()],
    )


def _form(pipc, **overrides):
    data = {
        "direction": "in",
        "channel": "letter",
        "occurred_date": "2025-11-21",
        "occurred_time": "09:30",
        "entered_tz": "Asia/Seoul",
        "regulator": pipc.pk,
        "subject": "Request for materials",
        "summary": "Logs for 2025-06 to 2025-11",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("viewer", 403), ("compliance", 200), ("legal", 403), ("admin", 200), ("outsider", 404)],
)
def test_forms_follow_the_role_matrix(client, personas, incident, persona, expected):
    client.force_login(personas[persona])
    for name in ("correspondence_new", "evidence_new"):
        response = client.get(f"/incidents/{incident.reference}/{name.split('_')[0]}/new/")
        assert response.status_code == expected, name


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("viewer", 200), ("compliance", 200), ("legal", 200), ("admin", 200), ("outsider", 404)],
)
def test_custody_page_and_download_follow_need_to_know(client, personas, letter, persona, expected):
    evidence = Evidence.objects.get()
    client.force_login(personas[persona])
    assert client.get(f"/evidence/{evidence.pk}/").status_code == expected
    assert client.get(f"/evidence/{evidence.pk}/download/").status_code == expected
    actions = list(CustodyEntry.objects.values_list("action", flat=True))
    if expected == 200:
        assert actions == ["uploaded", "viewed", "downloaded"]
    else:
        assert actions == ["uploaded"]


def test_logging_a_letter_with_attachment_shows_it_in_thread_and_chronology(
    client, alice, incident, pipc
):
    client.force_login(alice)
    data = _form(pipc, attachments=[pdf("pipc-letter.pdf")])
    response = client.post(f"/incidents/{incident.reference}/correspondence/new/", data)
    assert response.status_code == 302, response.content[:2000]
    corr = Correspondence.objects.get()
    assert corr.occurred_at == datetime(2025, 11, 21, 9, 30, tzinfo=KST)
    assert corr.attachments.get().original_name == "pipc-letter.pdf"
    page = client.get(f"/incidents/{incident.reference}/").content.decode()
    assert f'id="correspondence-{corr.pk}"' in page
    assert f'id="chronology-correspondence-{corr.pk}"' in page
    assert "direction-in" in page
    assert "pipc-letter.pdf" in page


def test_a_refused_form_keeps_what_was_typed(client, alice, incident, pipc):
    client.force_login(alice)
    data = _form(pipc, regulator="", subject="Keep me", attachments=[pdf()])
    response = client.post(f"/incidents/{incident.reference}/correspondence/new/", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Name the counterpart" in body
    assert 'value="Keep me"' in body
    assert "choose the files again" in body
    assert not Correspondence.objects.exists()
    assert not Evidence.objects.exists()


def test_a_refused_file_says_why(client, alice, incident, pipc, note_event):
    client.force_login(alice)
    response = client.post(
        f"/incidents/{incident.reference}/evidence/new/",
        {
            "target": f"event:{note_event.pk}",
            "file": pdf("x.html", b"<html><script>"),
            "description": "kept",
        },
    )
    assert response.status_code == 400
    assert "not accepted" in response.content.decode()
    assert 'value="kept"' in response.content.decode()


def test_uploading_evidence_to_an_event_opens_its_custody_log(client, alice, incident, note_event):
    client.force_login(alice)
    response = client.post(
        f"/incidents/{incident.reference}/evidence/new/",
        {"target": f"event:{note_event.pk}", "file": pdf("image.pdf"), "description": "disk"},
    )
    evidence = Evidence.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/evidence/{evidence.pk}/"
    assert evidence.event == note_event
    page = client.get(response["Location"]).content.decode()
    assert evidence.sha256 in page
    assert "Chain of custody" in page


def test_evidence_cannot_be_attached_to_another_incidents_event(client, alice, incident):
    foreign = TimelineEventFactory(incident=IncidentFactory())
    client.force_login(alice)
    response = client.post(
        f"/incidents/{incident.reference}/evidence/new/",
        {"target": f"event:{foreign.pk}", "file": pdf()},
    )
    assert response.status_code == 400
    assert not Evidence.objects.exists()


def test_download_is_an_attachment_with_safe_headers(client, alice, letter):
    evidence = Evidence.objects.get()
    client.force_login(alice)
    response = client.get(f"/evidence/{evidence.pk}/download/")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_stale_edit_is_refused_and_keeps_the_input(client, alice, incident, pipc, letter):
    client.force_login(alice)
    url = f"/incidents/{incident.reference}/correspondence/{letter.pk}/edit/"
    assert client.get(url).status_code == 200
    services.correspondence_update(correspondence=letter, changed_by=alice, summary="Other")
    response = client.post(url, _form(pipc, subject="Mine", version="1-1"))
    assert response.status_code == 400
    assert "changed by someone else" in response.content.decode()
    letter.refresh_from_db()
    assert letter.subject == "PIPC asks for the access logs"


def _page_queries(client, incident) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/incidents/{incident.reference}/")
    assert response.status_code == 200
    return len(captured)


def test_incident_page_query_count_does_not_grow_with_records(
    client, alice, incident, pipc, note_event
):
    client.force_login(alice)
    services.correspondence_record(
        incident=incident,
        direction="out",
        occurred_at=datetime(2025, 11, 22, 9, 0, tzinfo=KST),
        channel="email",
        subject="Answer",
        regulator=pipc,
        recorded_by=alice,
        events=[note_event],
        attachments=[pdf()],
    )
    small = _page_queries(client, incident)
    for n in range(6):
        services.correspondence_record(
            incident=incident,
            direction="in",
            occurred_at=datetime(2025, 11, 23, 9, n, tzinfo=KST),
            channel="call",
            subject=f"Call {n}",
            authority=f"Authority {n % 3}",
            recorded_by=alice,
            events=[note_event],
            attachments=[pdf(f"{n}.pdf")],
        )
        services.evidence_attach(
            incident=incident, upload=pdf(), uploaded_by=alice, event=note_event
        )
    assert _page_queries(client, incident) == small


def test_editing_a_letter_through_another_incidents_url_is_404(client, alice, letter):
    other = IncidentFactory(owner=alice)
    client.force_login(alice)
    response = client.get(f"/incidents/{other.reference}/correspondence/{letter.pk}/edit/")
    assert response.status_code == 404


def test_an_edited_letter_shows_at_once_in_the_cached_chronology(client, alice, incident, pipc):
    # The chronology is a cached fragment keyed by what it shows; a contributed entry's change
    # must reach the page on the next request.
    from records import services

    client.force_login(alice)
    client.post(f"/incidents/{incident.reference}/correspondence/new/", _form(pipc))
    corr = Correspondence.objects.get()
    first = client.get(f"/incidents/{incident.reference}/").content.decode()
    assert f'id="chronology-correspondence-{corr.pk}"' in first
    services.correspondence_update(
        correspondence=corr, changed_by=alice, subject="Second request for the access logs"
    )
    page = client.get(f"/incidents/{incident.reference}/").content.decode()
    chronology = page[page.index('class="chronology"') :]
    assert "Second request for the access logs" in chronology[: chronology.index("</ol>")]


def test_a_letter_names_the_events_filings_and_deadlines_it_concerns(
    client, alice, aware_incident, pipc
):
    request = incident_services.timeline_event_record(
        incident=aware_incident,
        kind="regulator_request",
        occurred_at=datetime(2026, 3, 3, 9, 0, tzinfo=KST),
        title="PIPC asks for the access logs",
        data={"offset": "5bd", "calendar": "KR", "tz": "Asia/Seoul", "regulator": "PIPC"},
    )
    deadline = Deadline.objects.get(incident=aware_incident, code="kr-pipa-34-subject-notice")
    filing = incident_services.filing_submit(
        incident=aware_incident,
        deadline=deadline,
        recipient="KISA portal",
        submitted_at=datetime(2026, 3, 3, 10, 0, tzinfo=KST),
    )
    services.correspondence_record(
        incident=aware_incident,
        direction="out",
        occurred_at=datetime(2026, 3, 3, 11, 0, tzinfo=KST),
        channel="email",
        subject="Our answer",
        regulator=pipc,
        recorded_by=alice,
        events=[request],
        filings=[filing],
        deadlines=[deadline],
    )
    client.force_login(alice)
    url = f"/incidents/{aware_incident.reference}/"
    thread = client.get(url).content.decode().split('id="correspondence-h"')[1]
    assert f'<a href="#event-{request.pk}">PIPC asks for the access logs</a>' in thread
    assert f'<a href="#filing-{filing.pk}">filing to KISA portal</a>' in thread
    assert f'<a href="#deadline-{deadline.pk}">{deadline.obligation.title_en}</a>' in thread
    client.cookies["django_language"] = "ko"
    korean = client.get(url, headers={"accept-language": "ko"}).content.decode()
    assert f'<a href="#deadline-{deadline.pk}">{deadline.obligation.title_ko}</a>' in korean
