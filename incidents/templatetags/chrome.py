"""``{% page_header %}``: the top bar of every page (templates/_page_header.html), cheaply.

The bar is the same on every page but for a few values: the CSRF token of its two forms, the
path to come back to after a change of language, the search words on the search page, the
user's name, zone and unread count. Rendered by Django's engine it cost about half a
millisecond of every page (some 40 nodes: nine links, fourteen translations, two CSRF fields;
docs/performance.md, session 10). So the template is rendered once per process and per *shape* (the
language, whether someone is signed in, whether there is anything unread, which menu entry is
the current page, the URL configuration) with a marker in place of each value, split at the
markers, and each request joins the pieces with its own values, escaped as the template
would escape them. ``header_context`` is the one place the values are read; rendering the
template with it directly (``render_header(..., compiled=False)``) gives the same text, which
the tests check for every shape.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.base import render_value_in_context
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils import timezone
from django.utils.autoreload import file_changed
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from incidents.templatetags.clock import unread_notifications
from incidents.templatetags.links import link

register = template.Library()

TEMPLATE = "_page_header.html"
# The values that differ between requests of one shape, in the template's ``h``.
VALUES = ("csrf", "next", "q", "username", "zone", "unread")
# The menu entries: URL name, and the ``current`` value when the page is that entry's.
_MENU = (("dashboard", "dashboard"), ("deadline_list", "deadlines"), ("what_if", "what_if"))
# Letters and digits only: escaping leaves a marker as it is. Random per process, so that no
# translation or URL can contain one by chance.
_SALT = secrets.token_hex(6)


def _marker(name: str) -> str:
    return f"ichdr{_SALT}{name}x"


# What a template's {{ value }} reads of its context: auto-escaping on, the settings' localization.
_ESCAPING = template.Context(autoescape=True)
_MARKERS = {_marker(name): name for name in VALUES}
_SPLIT = re.compile("(" + "|".join(_MARKERS) + ")")


@dataclass(frozen=True)
class _Shape:
    language: str
    authenticated: bool
    has_unread: bool
    current: str
    urlconf: Any
    script_prefix: str


def _current(request: HttpRequest) -> str:
    """Which menu entry the page is (as the menu marks it with ``aria-current``), or ""."""
    path = request.path
    for name, current in _MENU:
        if path == link(name):
            return current
    # Every page under /incidents/ (the list, an incident and its sub-pages) is "Incidents".
    if path[:11] == "/incidents/":
        return "incidents"
    return ""


def header_context(request: HttpRequest | None, user: Any) -> tuple[_Shape, dict[str, Any]]:
    """The header's shape and its per-request values (unescaped). Without a request (a
    template rendered outside one) there is no token, path or search to show."""
    authenticated = bool(getattr(user, "is_authenticated", False))
    unread = unread_notifications(user) if authenticated else 0
    match = getattr(request, "resolver_match", None)
    on_search = match is not None and match.url_name == "search"
    shape = _Shape(
        language=get_language() or "",
        authenticated=authenticated,
        has_unread=bool(unread),
        current=_current(request) if request is not None else "",
        urlconf=get_urlconf(),
        script_prefix=get_script_prefix(),
    )
    values = {
        # As {% csrf_token %} does: the token (masked anew) and the cookie set on the answer.
        "csrf": get_token(request) if request is not None else "",
        "next": request.get_full_path() if request is not None else "",
        "q": (request.GET.get("q") or "") if request is not None and on_search else "",
        "username": user.get_username() if authenticated else "",
        "zone": timezone.get_current_timezone_name(),
        "unread": unread,
    }
    return shape, values


def _context(shape: _Shape, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "h": {
            "language": shape.language,
            "authenticated": shape.authenticated,
            "has_unread": shape.has_unread,
            "current": shape.current,
            **values,
        }
    }


@lru_cache(maxsize=128)
def _pieces(shape: _Shape) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The template rendered for ``shape`` with markers for the values, as the text between
    the markers and the names of the values in order; None if a marker did not come through
    whole (the header is then rendered in full on every request)."""
    text = render_to_string(TEMPLATE, _context(shape, {name: _marker(name) for name in VALUES}))
    parts = _SPLIT.split(text)
    texts = tuple(parts[0::2])
    names = tuple(_MARKERS[marker] for marker in parts[1::2])
    if any(_SALT in piece for piece in texts):
        return None
    return texts, names


@receiver(setting_changed)
@receiver(file_changed)
def _forget(**_kwargs: Any) -> None:
    # The URLs, languages or templates of the pieces may have changed: settings overridden by
    # tests, or a template or catalogue edited under the development server (which resets its
    # template loaders on such a change rather than restarting).
    _pieces.cache_clear()


def render_header(request: HttpRequest | None, user: Any, *, compiled: bool = True) -> SafeString:
    """The header for this request: from the shape's pieces, or (``compiled=False``, or when
    the shape has none) by rendering the template."""
    shape, values = header_context(request, user)
    # Without a request there is no token: the forms go without the field, as {% csrf_token %}
    # leaves it out; the pieces have it, so such a (rare) render takes the template.
    pieces = _pieces(shape) if compiled and request is not None else None
    if pieces is None:
        return mark_safe(render_to_string(TEMPLATE, _context(shape, values)))  # noqa: S308  # nosec B308 B703 - our auto-escaping template's output
    texts, names = pieces
    out = [texts[0]]
    for name, text in zip(names, texts[1:], strict=True):
        # What the template's {{ h.name }} writes: localized, escaped.
        out += [render_value_in_context(values[name], _ESCAPING), text]
    # The pieces are the template's own output, the values escaped as it escapes them.
    return mark_safe("".join(out))  # noqa: S308  # nosec B308 B703


@register.simple_tag(takes_context=True)
def page_header(context: template.Context) -> SafeString:
    """``{% page_header %}`` in base.html: the top bar for ``request`` and ``user``."""
    return render_header(context.get("request"), context.get("user"))
