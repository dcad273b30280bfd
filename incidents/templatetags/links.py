"""``{% link %}``: what ``{% url %}`` gives, for pages with many links to the same few views.

The incident page has about 60 links, nearly all a URL name with the incident's reference and
perhaps a row's id; ``{% url %}`` reverses each in full (resolver lookup, converters, regular
expression check, quoting), about 3 ms of the page. ``link`` reverses each name once per process
with placeholder arguments and fills the real ones in. It falls back to a full ``reverse`` (the
same answer, or the same NoReverseMatch) for an argument that is not plain (characters other than
unreserved URL characters, which quoting would change or a converter might refuse), for text
where the URL takes digits only, and for a URL that does not keep its placeholders verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django import template
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

register = template.Library()

# Unreserved URL characters: quoting leaves them as they are, and the str converter takes them.
_PLAIN = re.compile(r"[A-Za-z0-9._~-]+\Z")
# Digits, which both the str and the int converters take; no URL of ours has them literally.
_MARK = "7309418265"


@dataclass(frozen=True)
class _Pattern:
    # The URL's text around its arguments (one more than the arguments).
    parts: tuple[str, ...]
    # Per argument: whether its converter takes letters (else digits only).
    takes_text: tuple[bool, ...]


@lru_cache(maxsize=1024)
def _pattern(urlconf: Any, prefix: str, name: str, arity: int) -> _Pattern | None:
    """The URL of ``name`` split around ``arity`` arguments, or None when it cannot be."""
    marks = [f"{_MARK}{i}" for i in range(arity)]
    rest = reverse(name, args=marks, urlconf=urlconf)
    parts = []
    for mark in marks:
        if rest.count(mark) != 1:
            return None
        before, rest = rest.split(mark)
        parts.append(before)
    parts.append(rest)
    takes_text = []
    for i in range(arity):
        try:
            reverse(name, args=[*marks[:i], "x", *marks[i + 1 :]], urlconf=urlconf)
        except NoReverseMatch:
            takes_text.append(False)
        else:
            takes_text.append(True)
    return _Pattern(tuple(parts), tuple(takes_text))


@register.simple_tag
def link(name: str, *args: Any) -> str:
    """``{% link 'event_new' incident.reference %}``, as ``{% url %}`` (``as var`` too)."""
    urlconf = get_urlconf()
    values = [str(arg) for arg in args]
    if all(_PLAIN.match(value) for value in values):
        pattern = _pattern(urlconf, get_script_prefix(), name, len(values))
        if pattern is not None and all(
            takes_text or value.isdigit()
            for value, takes_text in zip(values, pattern.takes_text, strict=True)
        ):
            out = [pattern.parts[0]]
            for value, part in zip(values, pattern.parts[1:], strict=True):
                out += [value, part]
            return "".join(out)
    return reverse(name, args=args, urlconf=urlconf)
