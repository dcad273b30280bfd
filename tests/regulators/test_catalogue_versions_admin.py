"""The catalogue's admin pages carry the version of the row they showed (a calendar's with its
closures): saving over someone else's change is refused with a message, the input kept, and the
other change survives, instead of the last write winning (``regulators.admin``)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from common.concurrency import StaleWrite
from regulators.admin import VersionedAdminForm
from regulators.models import Calendar, CalendarClosure, Regulator
from regulators.services import catalogue_row_save, catalogue_version
from tests.factories import UserFactory

STALE = "This was changed by someone else since you opened it."
pytestmark = pytest.mark.django_db


@pytest.fixture
def root_client(client):
    client.force_login(UserFactory(username="cat-root", is_superuser=True, is_staff=True))
    return client


def _row_version(page: str) -> str:
    found = re.search(r'name="row_version" value="([^"]+)"', page)
    assert found, "the change page carries no version"
    return found.group(1)


@pytest.fixture
def regulator():
    return Regulator.objects.create(code="kisa-test", name_en="KISA", name_ko="KISA", country="KR")


def _regulator_form(**overrides):
    return {
        "code": "kisa-test",
        "name_en": "KISA",
        "name_ko": "한국인터넷진흥원",
        "country": "KR",
        "website": "",
        "filing_channel": "",
        **overrides,
    }


def test_a_stale_regulator_save_is_refused_with_the_input_kept(root_client, regulator):
    url = reverse("admin:regulators_regulator_change", args=[regulator.pk])
    version = _row_version(root_client.get(url).content.decode())
    Regulator.objects.filter(pk=regulator.pk).update(filing_channel="KISA portal")  # a colleague
    response = root_client.post(
        url, _regulator_form(website="https://kisa.example", row_version=version)
    )
    assert response.status_code == 200  # the form again, not a redirect
    page = response.content.decode()
    assert STALE in page
    assert 'value="https://kisa.example"' in page
    fresh = Regulator.objects.get(pk=regulator.pk)
    assert (fresh.filing_channel, fresh.website) == ("KISA portal", "")

    current = _row_version(root_client.get(url).content.decode())
    response = root_client.post(
        url,
        _regulator_form(
            website="https://kisa.example", filing_channel="KISA portal", row_version=current
        ),
    )
    assert response.status_code == 302
    assert Regulator.objects.get(pk=regulator.pk).website == "https://kisa.example"


def test_a_calendar_page_is_stale_once_a_closure_is_added(root_client):
    calendar = Calendar.objects.create(code="KR-TEST", name="Korea test")
    url = reverse("admin:regulators_calendar_change", args=[calendar.pk])
    version = _row_version(root_client.get(url).content.decode())
    CalendarClosure.objects.create(calendar=calendar, day=date(2031, 3, 5), label="Storm")
    response = root_client.post(
        url,
        {
            "code": "KR-TEST",
            "name": "Korea (renamed)",
            "holiday_source": calendar.holiday_source,
            "description": "",
            "row_version": version,
            "closures-TOTAL_FORMS": "0",
            "closures-INITIAL_FORMS": "0",
            "closures-MIN_NUM_FORMS": "0",
            "closures-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200
    assert STALE in response.content.decode()
    assert Calendar.objects.get(pk=calendar.pk).name == "Korea test"


def test_a_closure_changed_meanwhile_is_not_overwritten(root_client):
    calendar = Calendar.objects.create(code="KR-TEST", name="Korea test")
    closure = CalendarClosure.objects.create(calendar=calendar, day=date(2031, 3, 5), label="Storm")
    url = reverse("admin:regulators_calendarclosure_change", args=[closure.pk])
    version = _row_version(root_client.get(url).content.decode())
    CalendarClosure.objects.filter(pk=closure.pk).update(confirmed=False)
    response = root_client.post(
        url,
        {
            "calendar": calendar.pk,
            "day": "2031-03-05",
            "kind": "closed",
            "confirmed": "on",
            "label": "Typhoon",
            "source": "",
            "row_version": version,
        },
    )
    assert response.status_code == 200
    assert STALE in response.content.decode()
    fresh = CalendarClosure.objects.get(pk=closure.pk)
    assert (fresh.label, fresh.confirmed) == ("Storm", False)


def test_the_service_compares_under_the_lock(regulator):
    version = catalogue_version(regulator)
    catalogue_row_save(model=Regulator, pk=regulator.pk, values={"website": "https://a.example"})
    with pytest.raises(StaleWrite):
        catalogue_row_save(
            model=Regulator,
            pk=regulator.pk,
            values={"filing_channel": "mail"},
            expected_version=version,
        )
    assert Regulator.objects.get(pk=regulator.pk).filing_channel == ""


def test_a_change_between_the_form_check_and_the_lock_is_refused_too(
    root_client, regulator, monkeypatch
):
    # Someone saves after this form was validated but before its row is locked: the check made
    # again under the lock refuses the save (a message, nothing written), never a 500.
    url = reverse("admin:regulators_regulator_change", args=[regulator.pk])
    version = _row_version(root_client.get(url).content.decode())
    original_clean = VersionedAdminForm.clean

    def clean_then_someone_saves(form):
        data = original_clean(form)
        Regulator.objects.filter(pk=regulator.pk).update(filing_channel="KISA portal")
        return data

    monkeypatch.setattr(VersionedAdminForm, "clean", clean_then_someone_saves)
    response = root_client.post(
        url, _regulator_form(website="https://x.example", row_version=version), follow=True
    )
    assert response.status_code == 200
    assert STALE in response.content.decode()
    # Nothing of the stale save was written (the simulated colleague's update ran inside the
    # admin's transaction here, so it was rolled back with it).
    assert Regulator.objects.get(pk=regulator.pk).website == ""
