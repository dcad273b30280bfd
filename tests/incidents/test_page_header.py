"""The top bar of every page (``{% page_header %}``, incidents/templatetags/chrome.py): drawn
from pieces rendered once per shape, it must be exactly what the template gives for the same
request, escape what the user typed, and carry a CSRF token the forms accept."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.cache import SessionStore
from django.test import Client, RequestFactory
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidents.models import Notification
from incidents.templatetags import chrome
from tests.factories import UserFactory

PATHS = [
    "/",
    "/deadlines/",
    "/incidents/",
    "/incidents/INC-1/",
    "/what-if/",
    "/search/",
    "/notifications/",
    "/accounts/login/",
]


def _request(path: str, query: dict[str, str] | None = None):
    request = RequestFactory().get(path, query or {})
    request.session = SessionStore()
    try:
        request.resolver_match = resolve(path)
    except Resolver404:  # a path with no view keeps no match, as on a 404
        request.resolver_match = None
    return request


def _both(request, user) -> tuple[str, str]:
    # The same request for both: the token is read once per request and masked the same way.
    fast = str(chrome.render_header(request, user))
    slow = str(chrome.render_header(request, user, compiled=False))
    # Each call masks the token anew (as every {% csrf_token %} does): compare the rest.
    mask = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    return mask.sub("TOKEN", fast), mask.sub("TOKEN", slow)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize("unread", [0, 3, 1234])
def test_the_header_from_its_pieces_is_the_templates_own_for_every_shape(
    db, path, language, unread
) -> None:
    user = UserFactory(username="dana", role="compliance")
    user.unread_notifications = unread
    request = _request(path, {"q": "abc"})
    with translation.override(language), timezone.override("Asia/Seoul"):
        for who in (user, AnonymousUser()):
            fast, slow = _both(request, who)
            assert fast == slow


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    username=st.text(min_size=1, max_size=20).filter(lambda s: "\x00" not in s),
    words=st.text(max_size=30).filter(lambda s: "\x00" not in s),
    tail=st.text(alphabet="abc/?=&%<>\"'é", max_size=12),
)
def test_typed_values_are_escaped_exactly_as_the_template_escapes_them(
    db, username, words, tail
) -> None:
    user = UserFactory.build(username=username)
    user.unread_notifications = 2
    request = _request("/search/", {"q": words, "x": tail})
    fast, slow = _both(request, user)
    assert fast == slow
    assert "<script" not in fast.replace("&lt;script", "")


def test_the_current_page_is_marked_in_the_menu(client, alice) -> None:
    client.force_login(alice)
    html = client.get("/deadlines/").content.decode()
    assert re.search(r'href="/deadlines/" aria-current="page"', html)
    assert 'href="/" aria-current' not in html
    html = client.get("/incidents/").content.decode()
    assert re.search(r'href="/incidents/" aria-current="page"', html)


def test_search_words_come_back_escaped_in_the_search_box(client, alice) -> None:
    client.force_login(alice)
    html = client.get("/search/", {"q": '"><script>x</script>'}).content.decode()
    assert 'value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"' in html
    assert "<script>x</script>" not in html


def test_the_unread_badge_and_who_is_signed_in_follow_the_user(client, alice) -> None:
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert 'data-testid="unread-count"' not in html
    Notification.objects.create(user=alice, title="digest")
    html = client.get("/").content.decode()
    assert '<span class="badge" data-testid="unread-count">1</span>' in html
    assert "alice · " in html


def test_the_language_form_carries_a_token_the_site_accepts(alice) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    html = client.get("/deadlines/").content.decode()
    form = re.search(r'<form class="langswitch".*?</form>', html, re.S)
    assert form is not None
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(0))
    assert token is not None
    refused = client.post("/i18n/setlang/", {"language": "en", "next": "/deadlines/"})
    assert refused.status_code == 403
    answer = client.post(
        "/i18n/setlang/",
        {"language": "en", "next": "/deadlines/", "csrfmiddlewaretoken": token.group(1)},
    )
    assert answer.status_code == 302
    assert answer["Location"] == "/deadlines/"


def test_the_sign_out_form_carries_a_token_the_site_accepts(alice) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    html = client.get("/").content.decode()
    form = re.search(r'<form method="post" action="/accounts/logout/">.*?</form>', html, re.S)
    assert form is not None
    token = re.search(r'value="([^"]+)"', form.group(0))
    assert token is not None
    answer = client.post("/accounts/logout/", {"csrfmiddlewaretoken": token.group(1)})
    assert answer.status_code == 302
    assert client.get("/").status_code == 302  # signed out: the dashboard sends to sign-in


def test_a_change_of_urls_in_settings_forgets_the_pieces(settings, alice) -> None:
    request = _request("/")
    chrome.render_header(request, alice)
    assert chrome._pieces.cache_info().currsize >= 1
    settings.LANGUAGE_CODE = settings.LANGUAGE_CODE  # any change of settings
    assert chrome._pieces.cache_info().currsize == 0
