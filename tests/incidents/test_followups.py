"""Issue #14 in the scheduler: follow-up clocks when the scope grows, regulator orders and
appeal windows, the entity's own days and the DORA weekend relief. Expected instants by hand."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from incidents import services
from incidents.models import Deadline, DeadlineStatus, DoraEntityType, EventKind
from reminders.models import Reminder
from tests.factories import IncidentFactory, LegalEntityFactory

KST = ZoneInfo("Asia/Seoul")
LA = ZoneInfo("America/Los_Angeles")
BERLIN = ZoneInfo("Europe/Berlin")
pytestmark = pytest.mark.usefixtures("catalogue")
FOLLOW_UPS = {
    "kr-network-act-48-3-supplementary",
    "kr-pipa-34-subject-notice-supplementary",
    "kr-pipa-34-pipc-supplementary",
}


@pytest.fixture
def ict_provider(alice):
    incident = IncidentFactory(owner=alice, external_attack=True)
    LegalEntityFactory(incident=incident, name="KR ICT Co.", ict_service_provider=True)
    services.timeline_event_record(
        incident=incident,
        kind=EventKind.AWARENESS,
        occurred_at=datetime(2026, 3, 2, 10, 0, tzinfo=KST),
        title="aware",
    )
    services.affected_count_revise(
        incident=incident,
        jurisdiction="KR",
        count=4536,
        as_of=datetime(2026, 3, 2, 10, 0, tzinfo=KST),
    )
    return incident


def _follow_ups(incident) -> dict[str, Deadline]:
    rows = Deadline.objects.filter(incident=incident, code__in=FOLLOW_UPS)
    return {d.code: d for d in rows}


@time_machine.travel(datetime(2026, 3, 5, 9, 30, tzinfo=KST), tick=False)
def test_raised_korean_count_starts_the_24h_and_72h_follow_up_clocks(ict_provider):
    assert _follow_ups(ict_provider) == {}  # the first count is covered by the first reports
    revision = services.affected_count_revise(
        incident=ict_provider,
        jurisdiction="KR",
        count=33_700_000,
        as_of=datetime(2026, 3, 5, 9, 0, tzinfo=KST),
    )
    found = _follow_ups(ict_provider)
    assert set(found) == FOLLOW_UPS
    # 03-05 09:00 + 24 h = 03-06 09:00; + 72 h = 03-08 09:00 (a Sunday: hours never skip days).
    assert found["kr-network-act-48-3-supplementary"].due_at == datetime(
        2026, 3, 6, 9, 0, tzinfo=KST
    )
    for code in ("kr-pipa-34-subject-notice-supplementary", "kr-pipa-34-pipc-supplementary"):
        assert found[code].due_at == datetime(2026, 3, 8, 9, 0, tzinfo=KST)
    for deadline in found.values():
        assert deadline.status == DeadlineStatus.OPEN
        assert deadline.trigger_revision == revision
        assert deadline.trigger_key == f"rev{revision.pk}"
        # Reminded like any other open deadline.
        assert Reminder.objects.filter(deadline=deadline).exists()


def test_lowering_a_count_starts_nothing(ict_provider):
    services.affected_count_revise(
        incident=ict_provider,
        jurisdiction="KR",
        count=3000,
        as_of=datetime(2026, 3, 5, 9, 0, tzinfo=KST),
    )
    assert _follow_ups(ict_provider) == {}


def test_each_raise_starts_its_own_clocks(ict_provider):
    for day, count in ((5, 10_000), (9, 33_700_000)):
        services.affected_count_revise(
            incident=ict_provider,
            jurisdiction="KR",
            count=count,
            as_of=datetime(2026, 3, day, 9, 0, tzinfo=KST),
        )
    network = Deadline.objects.filter(
        incident=ict_provider, code="kr-network-act-48-3-supplementary"
    ).order_by("due_at")
    assert [d.due_at for d in network] == [
        datetime(2026, 3, 6, 9, 0, tzinfo=KST),
        datetime(2026, 3, 10, 9, 0, tzinfo=KST),
    ]


def test_a_raise_abroad_does_not_start_korean_follow_ups(ict_provider):
    for count in (10, 500):
        services.affected_count_revise(
            incident=ict_provider,
            jurisdiction="US",
            count=count,
            as_of=datetime(2026, 3, 5, 9, 0, tzinfo=KST),
        )
    assert _follow_ups(ict_provider) == {}


def test_a_new_fact_event_starts_the_same_follow_up_clocks(ict_provider):
    event = services.timeline_event_record(
        incident=ict_provider,
        kind=EventKind.NEW_FACT,
        occurred_at=datetime(2026, 3, 4, 15, 0, tzinfo=KST),
        title="building-entrance codes also exposed",
    )
    found = _follow_ups(ict_provider)
    assert set(found) == FOLLOW_UPS
    assert found["kr-network-act-48-3-supplementary"].due_at == datetime(
        2026, 3, 5, 15, 0, tzinfo=KST
    )
    assert found["kr-pipa-34-pipc-supplementary"].due_at == datetime(2026, 3, 7, 15, 0, tzinfo=KST)
    assert all(d.trigger_event == event for d in found.values())


# -- regulator orders and appeal windows --------------------------------------------------------


def test_order_with_its_answer_by_date_is_owed_to_the_regulator(ict_provider):
    services.timeline_event_record(
        incident=ict_provider,
        kind=EventKind.PIPC_MATERIALS_REQUEST,
        occurred_at=datetime(2026, 3, 6, 14, 0, tzinfo=KST),
        title="PIPC asks for access logs",
        data={"answer_by": "2026-03-13T18:00+09:00"},
    )
    deadline = Deadline.objects.get(incident=ict_provider, code="kr-pipa-63-materials")
    assert deadline.due_at == datetime(2026, 3, 13, 18, 0, tzinfo=KST)
    assert deadline.regulator is not None
    assert deadline.regulator.code == "PIPC"


def test_preservation_order_without_a_date_is_owed_without_delay(ict_provider):
    services.timeline_event_record(
        incident=ict_provider,
        kind=EventKind.PRESERVATION_ORDER,
        occurred_at=datetime(2026, 3, 3, 11, 0, tzinfo=KST),
        title="MSIT orders log preservation",
    )
    deadline = Deadline.objects.get(incident=ict_provider, code="kr-network-act-48-4-preservation")
    assert deadline.due_at is None
    assert deadline.without_delay


def test_penalty_notice_opens_the_appeal_and_litigation_windows(ict_provider):
    # Received Thu 2026-06-11: + 90 days = Wed 2026-09-09 (19 + 31 + 31 + 9).
    services.timeline_event_record(
        incident=ict_provider,
        kind=EventKind.PENALTY_NOTICE,
        occurred_at=datetime(2026, 6, 11, 10, 0, tzinfo=KST),
        title="PIPC penalty surcharge notice received",
    )
    for code in ("kr-admin-appeal-27", "kr-admin-litigation-20"):
        deadline = Deadline.objects.get(incident=ict_provider, code=code)
        assert deadline.due_at == datetime(2026, 9, 9, 23, 59, 59, tzinfo=KST)


def test_unreadable_answer_by_is_refused_and_changes_nothing(ict_provider):
    before = Deadline.objects.filter(incident=ict_provider).count()
    with pytest.raises(ValidationError):
        services.timeline_event_record(
            incident=ict_provider,
            kind=EventKind.MATERIALS_REQUEST,
            occurred_at=datetime(2026, 3, 6, 14, 0, tzinfo=KST),
            title="MSIT asks for materials",
            data={"answer_by": "next friday"},
        )
    assert Deadline.objects.filter(incident=ict_provider).count() == before


# -- the entity's own days and the DORA relief --------------------------------------------------


def test_hipaa_entity_in_los_angeles_gets_its_own_date(alice):
    incident = IncidentFactory(owner=alice)
    LegalEntityFactory(
        incident=incident,
        country="US",
        ict_service_provider=False,
        hipaa_covered_entity=True,
        jurisdictions=["US"],
        reference_tz="America/Los_Angeles",
    )
    incident.data_categories = ["phi"]
    incident.save()
    services.timeline_event_record(
        incident=incident,
        kind=EventKind.AWARENESS,
        occurred_at=datetime(2026, 1, 15, 23, 30, tzinfo=LA),
        title="breach discovered",
    )
    deadline = Deadline.objects.get(incident=incident, code="us-hipaa-individuals")
    # LA day 0 = 01-15; + 60 = 03-16 (New York would say 03-17).
    assert deadline.due_at == datetime(2026, 3, 16, 23, 59, 59, tzinfo=LA)


@pytest.mark.parametrize(
    ("entity_type", "expected"),
    [
        ("", datetime(2026, 6, 13, 2, 0, tzinfo=BERLIN)),
        (DoraEntityType.CREDIT_INSTITUTION, datetime(2026, 6, 13, 2, 0, tzinfo=BERLIN)),
        (DoraEntityType.OTHER, datetime(2026, 6, 15, 12, 0, tzinfo=BERLIN)),
    ],
)
def test_dora_initial_due_on_saturday_gets_relief_only_for_eligible_entities(
    alice, entity_type, expected
):
    incident = IncidentFactory(owner=alice, extra_facts={"major_incident": True})
    LegalEntityFactory(
        incident=incident,
        country="DE",
        ict_service_provider=False,
        eu_financial_entity=True,
        nis2_entity=False,
        jurisdictions=["EU"],
        reference_tz="Europe/Berlin",
        dora_entity_type=entity_type,
    )
    for kind, hour in ((EventKind.AWARENESS, 10), (EventKind.CLASSIFICATION_MAJOR, 22)):
        services.timeline_event_record(
            incident=incident,
            kind=kind,
            occurred_at=datetime(2026, 6, 12, hour, 0, tzinfo=BERLIN),
            title=str(kind),
        )
    deadline = Deadline.objects.get(incident=incident, code="eu-dora-initial")
    # Classified Fri 22:00 + 4 h = Sat 02:00; relief: Mon 06-15 12:00.
    assert deadline.due_at == expected


@time_machine.travel(datetime(2026, 3, 7, 12, 0, tzinfo=KST), tick=False)
def test_dashboard_shows_the_answers_owed_and_to_whom(client, alice, ict_provider):
    services.timeline_event_record(
        incident=ict_provider,
        kind=EventKind.PIPC_MATERIALS_REQUEST,
        occurred_at=datetime(2026, 3, 6, 14, 0, tzinfo=KST),
        title="PIPC asks for access logs",
        data={"answer_by": "2026-03-13"},
    )
    services.timeline_event_record(
        incident=ict_provider,
        kind=EventKind.PRESERVATION_ORDER,
        occurred_at=datetime(2026, 3, 3, 11, 0, tzinfo=KST),
        title="MSIT orders log preservation",
    )
    client.force_login(alice)
    response = client.get("/")
    owed = {d.code for d in response.context["requests"]}
    assert owed == {"kr-pipa-63-materials", "kr-network-act-48-4-preservation"}
    html = response.content.decode()
    assert "Answers owed to regulators" in html
    assert "Personal Information Protection Commission" in html


# -- the web door for orders --------------------------------------------------------------------


def _order_post(**overrides):
    data = {
        "kind": "materials_request",
        "title": "MSIT asks for the access logs",
        "occurred_date": "2026-03-06",
        "occurred_time": "14:00",
        "entered_tz": "Asia/Seoul",
        "precision": "exact",
        "legal_entity": "",
        "basis": "",
        "confidence": "high",
        "source_title": "MSIT letter",
        "source_url": "",
        "description": "",
        "answer_by": "",
        "response_period": "",
    }
    data.update(overrides)
    return data


def test_web_form_records_the_period_the_order_names(client, alice, ict_provider):
    # Fri 2026-03-06 + 5 KR business days: 03-09, 10, 11, 12, 13 -> 2026-03-13 end of day.
    client.force_login(alice)
    response = client.post(
        f"/incidents/{ict_provider.reference}/events/new/", _order_post(response_period="5bd")
    )
    assert response.status_code == 302
    deadline = Deadline.objects.get(incident=ict_provider, code="kr-network-act-64-materials")
    assert deadline.due_at == datetime(2026, 3, 13, 23, 59, 59, tzinfo=KST)


def test_web_form_records_the_answer_by_date_the_order_names(client, alice, ict_provider):
    client.force_login(alice)
    client.post(
        f"/incidents/{ict_provider.reference}/events/new/", _order_post(answer_by="2026-03-20")
    )
    deadline = Deadline.objects.get(incident=ict_provider, code="kr-network-act-64-materials")
    assert deadline.due_at == datetime(2026, 3, 20, 23, 59, 59, tzinfo=KST)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"response_period": "soon"}, "response_period"),
        ({"kind": "note", "answer_by": "2026-03-20"}, "kind"),
    ],
)
def test_web_form_refuses_a_bad_order_period_and_changes_nothing(
    client, alice, ict_provider, overrides, field
):
    client.force_login(alice)
    before = Deadline.objects.filter(incident=ict_provider).count()
    response = client.post(
        f"/incidents/{ict_provider.reference}/events/new/", _order_post(**overrides)
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert Deadline.objects.filter(incident=ict_provider).count() == before


def test_incident_page_says_which_count_started_a_follow_up(client, alice, ict_provider):
    services.affected_count_revise(
        incident=ict_provider,
        jurisdiction="KR",
        count=33_700_000,
        as_of=datetime(2026, 3, 5, 9, 0, tzinfo=KST),
    )
    client.force_login(alice)
    html = client.get(f"/incidents/{ict_provider.reference}/").content.decode()
    assert "count raised: KR 33,700,000" in html
