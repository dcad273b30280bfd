"""``{% link %}`` answers what ``{% url %}`` (``reverse``) answers, for every kind of argument,
and refuses what ``reverse`` refuses."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse, set_script_prefix

from incidents.templatetags.links import link


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("dashboard", ()),
        ("incident_detail", ("INC-2026-001",)),
        ("event_new", ("LOAD-16291-009999",)),
        ("filing_withdraw", ("INC-2026-001", 42)),
        ("document_upload", ("INC-2026-001", "7")),
        ("exports:draft", ("INC-2026-001", "sec-8k")),
        # Not plain: reversed in full, quoted as reverse quotes them.
        ("incident_detail", ("사고 1",)),
        ("incident_detail", ("a%b?c",)),
    ],
)
def test_a_link_is_the_reversed_url(name, args):
    assert link(name, *args) == reverse(name, args=args)


def test_a_link_follows_the_script_prefix():
    try:
        set_script_prefix("/clock/")
        assert link("event_new", "INC-1") == "/clock/incidents/INC-1/events/new/"
    finally:
        set_script_prefix("/")
    assert link("event_new", "INC-1") == "/incidents/INC-1/events/new/"


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("filing_withdraw", ("INC-2026-001", "abc")),  # an id must be digits
        ("incident_detail", ("a/b",)),
        ("event_new", ()),
        ("no_such_view", ("INC-1",)),
    ],
)
def test_a_link_refuses_what_reverse_refuses(name, args):
    with pytest.raises(NoReverseMatch):
        reverse(name, args=args)
    with pytest.raises(NoReverseMatch):
        link(name, *args)


def test_the_tag_escapes_and_stores_as_url_does():
    rendered = Template(
        "{% load links %}{% link 'event_new' ref as u %}[{{ u }}] {% link 'event_new' ref %}"
    ).render(Context({"ref": "INC-1"}))
    assert rendered == "[/incidents/INC-1/events/new/] /incidents/INC-1/events/new/"
