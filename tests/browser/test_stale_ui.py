"""Lost updates in the browser, as two compliance officers in two browsers, in English and in
Korean: both open the incident's edit page; the first saves; the second's save is refused with
"changed by someone else since you opened it" (in their language), what they typed is still on
the page, and the first one's change is kept. axe-core on the edit page, also with the error."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from incidents.models import Incident, Profile
from tests.browser.conftest import sign_in
from tests.browser.test_manage_ui import SUBMIT, Axe, _switch_language
from tests.conftest import add_korean_entity
from tests.factories import IncidentFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

STALE = {
    "en": "changed by someone else since you opened it",
    "ko": "연 뒤에 다른 사람이 변경했습니다",
}


@pytest.fixture
def two_officers(transactional_db):
    call_command("load_catalogue", verbosity=0)
    first = UserFactory(username="officer", role="compliance")
    second = UserFactory(username="colleague", role="compliance")
    for user in (first, second):
        Profile.objects.filter(user=user).update(time_zone="Asia/Seoul")
    incident = IncidentFactory(owner=first, title="Token abuse", severity="high")
    incident.memberships.create(user=second)
    add_korean_entity(incident)
    return incident


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_second_save_is_refused_and_keeps_what_was_typed(
    browser, live_server, two_officers, axe_source, language
):
    incident, base = two_officers, live_server.url
    url = f"{base}/incidents/{incident.reference}/edit/"
    tabs = []
    for username in ("officer", "colleague"):
        context = browser.new_context(locale="en-GB", bypass_csp=True)
        context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
        tab = context.new_page()
        sign_in(tab, base, username)
        _switch_language(tab, language)
        tabs.append(tab)
    first, second = tabs
    axe = Axe(second, axe_source)
    first.goto(f"{base}/incidents/{incident.reference}/")
    first.click(f"a[href='/incidents/{incident.reference}/edit/']")
    second.goto(url)
    axe.check("incident edit form")

    first.fill("#id_title", "Token abuse (confirmed)")
    first.click(SUBMIT)
    first.wait_for_url(f"{base}/incidents/{incident.reference}/#status")

    second.select_option("#id_severity", "critical")
    second.fill("#id_summary", "Escalated by the CISO.")
    second.click(SUBMIT)
    second.wait_for_load_state()
    assert STALE[language] in second.inner_text(".error-summary")
    assert second.input_value("#id_summary") == "Escalated by the CISO."
    assert second.input_value("#id_severity") == "critical"
    axe.check("incident edit form, stale")
    fresh = Incident.objects.get(pk=incident.pk)
    assert (fresh.title, fresh.severity, fresh.summary) == ("Token abuse (confirmed)", "high", "")

    # Reloaded, the colleague sees the first change and can make theirs.
    second.goto(url)
    assert second.input_value("#id_title") == "Token abuse (confirmed)"
    second.select_option("#id_severity", "critical")
    second.click(SUBMIT)
    second.wait_for_url(f"{base}/incidents/{incident.reference}/#status")
    fresh.refresh_from_db()
    assert (fresh.title, fresh.severity) == ("Token abuse (confirmed)", "critical")
    for tab in tabs:
        tab.context.close()
    assert axe.problems == {}
