"""Filings (#13 item 2, #12 item 3, #14 item 4): the earliest filing decides the verdict,
withdrawal instead of deletion, and filings known only by their date.

`aware_incident` (tests/conftest.py): a Korean ICT provider aware on 2026-03-02 10:00 KST, so the
Network Act 24 h report is due 2026-03-03 10:00 KST.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from incidents import services
from incidents.deadlines import verdict_for
from incidents.filings import earliest_window, filing_window
from incidents.models import Deadline, DeadlineRecomputation, Filing, Incident
from incidents.views.figures import on_time_rate

KST = ZoneInfo("Asia/Seoul")
UTC = ZoneInfo("UTC")
DUE = datetime(2026, 3, 3, 10, 0, tzinfo=KST)
CODE = "kr-network-act-48-3-initial"


@pytest.fixture
def deadline(aware_incident) -> Deadline:
    deadline = Deadline.objects.get(incident=aware_incident, code=CODE)
    assert deadline.due_at == DUE  # 24 h after awareness at 2026-03-02 10:00 KST
    return deadline


def _file(deadline: Deadline, when: datetime, user=None, **extra) -> Filing:
    return services.filing_submit(
        incident=deadline.incident,
        deadline=deadline,
        recipient="KISA",
        submitted_at=when,
        submitted_by=user,
        **extra,
    )


def _fresh(deadline: Deadline) -> Deadline:
    return Deadline.objects.get(pk=deadline.pk)


# --- the earliest filing decides -----------------------------------------------------------------


def test_a_later_filing_never_changes_the_verdict(deadline, alice) -> None:
    _file(deadline, DUE - timedelta(hours=1), alice)
    _file(deadline, DUE + timedelta(weeks=4), alice)
    d = _fresh(deadline)
    assert (d.status, d.verdict, d.late_by_seconds) == ("filed", "on_time", -3600)
    assert d.filed_at == DUE - timedelta(hours=1)
    assert not DeadlineRecomputation.objects.filter(deadline=d, old_verdict="on_time").exists()


def test_back_entering_an_earlier_filing_changes_the_verdict_and_says_why(deadline, alice) -> None:
    _file(deadline, DUE + timedelta(weeks=4), alice)
    assert _fresh(deadline).verdict == "late"
    _file(deadline, DUE - timedelta(minutes=30), alice)
    d = _fresh(deadline)
    assert (d.verdict, d.late_by_seconds, d.filed_at) == (
        "on_time",
        -1800,
        DUE - timedelta(minutes=30),
    )
    change = DeadlineRecomputation.objects.get(deadline=d, old_verdict="late")
    assert change.new_verdict == "on_time"
    assert change.reason.startswith("earlier filing recorded")
    assert change.changed_by == alice


def test_withdrawing_the_deciding_filing_recomputes_from_the_rest(deadline, alice) -> None:
    early = _file(deadline, DUE - timedelta(hours=2), alice)
    _file(deadline, DUE + timedelta(hours=5), alice)
    services.filing_withdraw(
        filing=early, reason="entered against the wrong deadline", withdrawn_by=alice
    )
    d = _fresh(deadline)
    assert (d.verdict, d.late_by_seconds) == ("late", 5 * 3600)
    kept = Filing.objects.get(pk=early.pk)
    assert kept.withdrawn_at is not None
    assert kept.withdrawn_by == alice
    assert kept.withdrawal_reason == "entered against the wrong deadline"
    change = DeadlineRecomputation.objects.get(deadline=d, old_verdict="on_time")
    assert change.new_verdict == "late"
    assert change.reason == "filing withdrawn: entered against the wrong deadline"


def test_withdrawing_the_only_filing_reopens_the_deadline(deadline, alice) -> None:
    only = _file(deadline, DUE - timedelta(hours=2), alice)
    services.filing_withdraw(filing=only, reason="duplicate entry", withdrawn_by=alice)
    d = _fresh(deadline)
    assert (d.status, d.verdict, d.filed_at, d.late_by_seconds) == ("open", "", None, None)


def test_a_withdrawal_needs_a_reason_and_happens_once(deadline, alice) -> None:
    filing = _file(deadline, DUE, alice)
    with pytest.raises(ValidationError):
        services.filing_withdraw(filing=filing, reason="  ", withdrawn_by=alice)
    services.filing_withdraw(filing=filing, reason="wrong", withdrawn_by=alice)
    with pytest.raises(ValidationError):
        services.filing_withdraw(filing=filing, reason="again", withdrawn_by=alice)


# --- filings known only by their date ------------------------------------------------------------


def test_a_date_only_filing_on_the_due_date_of_a_24h_clock_is_uncertain_not_on_time(
    deadline, alice
) -> None:
    # Filed "on 3 March" (KST), due 3 March 10:00 KST: between 00:00 (10 h early) and 24:00
    # (14 h late) -- worked by hand.
    _file(deadline, datetime(2026, 3, 3, 0, 0, tzinfo=KST), alice, precision="date")
    d = _fresh(deadline)
    assert d.verdict == "uncertain"
    assert d.verdict != "on_time"
    assert d.late_by_seconds == -10 * 3600
    assert d.filed_latest_at == datetime(2026, 3, 4, 0, 0, tzinfo=KST)
    assert (d.filed_latest_at - DUE).total_seconds() == 14 * 3600


def test_date_only_filings_before_the_due_date_are_on_time_and_after_it_late(
    aware_incident, alice
) -> None:
    pipa = Deadline.objects.get(incident=aware_incident, code="kr-pipa-34-pipc-report")
    network = Deadline.objects.get(incident=aware_incident, code=CODE)
    _file(network, datetime(2026, 3, 2, 0, 0, tzinfo=KST), alice, precision="date")
    _file(pipa, datetime(2026, 3, 6, 0, 0, tzinfo=KST), alice, precision="date")
    assert _fresh(network).verdict == "on_time"  # 2 March, due 3 March 10:00
    late = _fresh(pipa)  # due 5 March 10:00 KST; 6 March starts 14 h after it
    assert (late.verdict, late.late_by_seconds) == ("late", 14 * 3600)


def test_a_date_only_filing_names_a_day_in_the_deadlines_zone_by_default(deadline, alice) -> None:
    # 2026-03-02T16:00Z is 3 March 01:00 in Seoul, the Network Act's zone: the day is 3 March.
    filing = _file(deadline, datetime(2026, 3, 2, 16, 0, tzinfo=UTC), alice, precision="date")
    assert filing.entered_tz == "Asia/Seoul"
    assert filing.submitted_at == datetime(2026, 3, 3, 0, 0, tzinfo=KST)
    assert _fresh(deadline).verdict == "uncertain"


def test_recording_the_time_settles_an_uncertain_verdict(deadline, alice) -> None:
    _file(deadline, datetime(2026, 3, 3, tzinfo=KST), alice, precision="date")
    _file(deadline, datetime(2026, 3, 3, 9, 40, tzinfo=KST), alice)
    d = _fresh(deadline)
    assert (d.verdict, d.filed_latest_at) == ("on_time", datetime(2026, 3, 3, 9, 40, tzinfo=KST))


def test_the_dashboard_counts_uncertain_as_filed_but_not_on_time(aware_incident, alice) -> None:
    network = Deadline.objects.get(incident=aware_incident, code=CODE)
    pipa = Deadline.objects.get(incident=aware_incident, code="kr-pipa-34-pipc-report")
    _file(network, datetime(2026, 3, 3, tzinfo=KST), alice, precision="date")
    _file(pipa, datetime(2026, 3, 4, 9, 0, tzinfo=KST), alice)
    rate = on_time_rate(Incident.objects.filter(pk=aware_incident.pk))
    assert (rate.on_time, rate.uncertain, rate.filed, rate.rate) == (1, 1, 2, 0.5)


# --- the doors: API, web, admin ------------------------------------------------------------------


@pytest.fixture
def api(alice):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice).key}")
    return client


def test_api_records_a_date_only_filing_and_shows_the_uncertain_verdict(api, deadline) -> None:
    base = f"/api/v1/incidents/{deadline.incident_id}"
    response = api.post(
        f"{base}/filings/",
        {
            "deadline": deadline.pk,
            "recipient": "KISA",
            "precision": "date",
            "submitted_on": "2026-03-03",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["precision"], body["submitted_on"], body["entered_tz"]) == (
        "date",
        "2026-03-03",
        "Asia/Seoul",
    )
    shown = api.get(f"{base}/deadlines/{deadline.pk}/").json()
    assert shown["verdict"] == "uncertain"


def test_api_refuses_a_date_only_filing_with_a_time(api, deadline) -> None:
    response = api.post(
        f"/api/v1/incidents/{deadline.incident_id}/filings/",
        {"recipient": "KISA", "precision": "date", "submitted_at": "2026-03-03T09:00:00+09:00"},
        format="json",
    )
    assert response.status_code == 400
    assert "submitted_at" in response.json()["errors"]


def test_api_withdraws_a_filing_with_a_reason(api, deadline, alice, carol) -> None:
    filing = _file(deadline, DUE - timedelta(hours=1), alice)
    url = f"/api/v1/incidents/{deadline.incident_id}/filings/{filing.pk}/withdraw/"
    assert api.post(url, {}, format="json").status_code == 400
    response = api.post(url, {"reason": "recorded twice"}, format="json")
    assert response.status_code == 200
    assert response.json()["withdrawal_reason"] == "recorded twice"
    assert response.json()["withdrawn_by"] == "alice"
    assert _fresh(deadline).status == "open"
    assert api.post(url, {"reason": "again"}, format="json").status_code == 400


def test_a_viewer_cannot_withdraw_a_filing(deadline, alice, carol) -> None:
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    filing = _file(deadline, DUE, alice)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=carol).key}")
    url = f"/api/v1/incidents/{deadline.incident_id}/filings/{filing.pk}/withdraw/"
    assert client.post(url, {"reason": "no"}, format="json").status_code == 403
    assert Filing.objects.get(pk=filing.pk).withdrawn_at is None


def test_web_form_records_a_date_only_filing_without_a_time(client, alice, deadline) -> None:
    client.force_login(alice)
    response = client.post(
        reverse("filing_new", args=[deadline.incident.reference]),
        {
            "deadline": deadline.pk,
            "recipient": "KISA",
            "submitted_date": "2026-03-03",
            "submitted_time": "",
            "submitted_tz": "Asia/Seoul",
            "precision": "date",
        },
    )
    assert response.status_code == 302
    filing = Filing.objects.get(deadline=deadline)
    assert (filing.precision, filing.submitted_at) == ("date", datetime(2026, 3, 3, tzinfo=KST))
    page = client.get(reverse("incident_detail", args=[deadline.incident.reference]))
    assert "uncertain (date only)" in page.content.decode()


def test_web_form_withdraws_a_filing(client, alice, deadline) -> None:
    filing = _file(deadline, DUE, alice)
    client.force_login(alice)
    url = reverse("filing_withdraw", args=[deadline.incident.reference, filing.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "wrong deadline"}).status_code == 302
    assert Filing.objects.get(pk=filing.pk).withdrawal_reason == "wrong deadline"
    assert _fresh(deadline).status == "open"


@pytest.fixture
def root(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


def test_admin_keeps_submission_time_deadline_and_precision_read_only(
    root, deadline, alice
) -> None:
    filing = _file(deadline, DUE - timedelta(hours=1), alice)
    url = reverse("admin:incidents_filing_change", args=[filing.pk])
    page = root.get(url).content.decode()
    assert 'name="submitted_at_0"' not in page
    assert 'name="precision"' not in page
    assert 'name="deadline"' not in page
    response = root.post(
        url,
        {
            "recipient": "KISA (corrected name)",
            "submitted_at_0": "2026-04-01",
            "submitted_at_1": "00:00:00",
            "channel": "",
            "reference_number": "",
            "acknowledgement": "",
            "notes": "",
            "documents-TOTAL_FORMS": "0",
            "documents-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = Filing.objects.get(pk=filing.pk)
    assert stored.recipient == "KISA (corrected name)"
    assert stored.submitted_at == DUE - timedelta(hours=1)


def test_admin_cannot_delete_a_filing_but_can_withdraw_it(root, deadline, alice) -> None:
    filing = _file(deadline, DUE - timedelta(hours=1), alice)
    delete = reverse("admin:incidents_filing_delete", args=[filing.pk])
    assert root.post(delete, {"post": "yes"}).status_code == 403
    withdraw = reverse("admin:incidents_filing_withdraw", args=[filing.pk])
    assert root.get(withdraw).status_code == 200
    assert root.post(withdraw, {"reason": "test entry"}).status_code == 302
    assert Filing.objects.get(pk=filing.pk).withdrawal_reason == "test entry"
    assert _fresh(deadline).status == "open"


def test_admin_adds_a_filing_through_the_service(root, deadline) -> None:
    response = root.post(
        reverse("admin:incidents_filing_add"),
        {
            "incident": deadline.incident_id,
            "deadline": deadline.pk,
            "recipient": "KISA",
            "submitted_at_0": "2026-03-03",
            "submitted_at_1": "09:00:00",
            "precision": "exact",
            "entered_tz": "Asia/Seoul",
            "documents-TOTAL_FORMS": "0",
            "documents-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    # The service judged it (09:00 in the admin's Seoul zone, an hour before the due time).
    d = _fresh(deadline)
    assert (d.status, d.verdict, d.late_by_seconds) == ("filed", "on_time", -3600)


# --- property: order never matters ---------------------------------------------------------------

_offsets = st.lists(
    st.tuples(st.integers(min_value=-72 * 3600, max_value=72 * 3600), st.booleans()),
    min_size=1,
    max_size=6,
)


@given(filings=_offsets, data=st.data())
def test_the_verdict_depends_only_on_the_earliest_filing_not_on_order(filings, data) -> None:
    """Whatever order the filings come in, the window and verdict are those of the earliest
    possible first submission (a date-only filing spans its whole Seoul day)."""

    def make(offset: int, date_only: bool) -> Filing:
        when = DUE + timedelta(seconds=offset)
        if date_only:
            when = datetime.combine(when.astimezone(KST).date(), datetime.min.time(), tzinfo=KST)
        return Filing(
            submitted_at=when,
            precision="date" if date_only else "exact",
            entered_tz="Asia/Seoul",
        )

    rows = [make(offset, date_only) for offset, date_only in filings]
    shuffled = data.draw(st.permutations(rows))
    start, end = earliest_window(shuffled)
    assert (start, end) == earliest_window(rows)
    assert start == min(filing_window(f)[0] for f in rows)
    verdict, late = verdict_for(DUE, start, end)
    if end <= DUE:
        assert verdict == "on_time"
    elif start > DUE:
        assert verdict == "late"
    else:
        assert verdict == "uncertain"
    assert late == int((start - DUE).total_seconds())
