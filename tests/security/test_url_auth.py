"""Every URL needs a signed-in user, except an explicit allow-list (sign-in, health, ...).

The resolver is walked, every pattern is requested anonymously with dummy arguments, and the
answer must be a redirect to sign-in, 401, 403, 404 or 405: never a page. New public URLs must
be added to ALLOWED with a reason. Secret-URL ICS feeds answer 404 to a dummy secret, so they
pass without being listed.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from django.urls import URLResolver, get_resolver

# Paths that may answer an anonymous visitor, and why.
ALLOWED = {
    "/accounts/login/": "the sign-in page",
    "/admin/login/": "Django admin's sign-in page (axes-protected; OTP gate follows)",
    "/accounts/otp/recovery/": "explains recovery without a phone; shows no data",
    "/healthz": "load balancer health check; shows only ok/unavailable",
    "/i18n/setlang/": "language switch (POST; redirects back)",
    "/admin/logout/": "signs out; an anonymous visitor is sent on to /admin/, then to sign-in",
}
LOGIN_PATHS = ("/accounts/login/", "/admin/login/")
DUMMIES = ["1", "x", str(uuid.uuid4()), "INC-2026-0001", "auth", "json", "a1b2c3d4"]


def _candidates(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(path, pattern) pairs: every reversible pattern filled with dummy arguments."""
    for _key, possibilities in resolver.reverse_dict.lists():
        for bits, pattern, _defaults, _converters in possibilities:
            for template, params in bits:
                path = _fill(prefix, template, params, prefix + pattern)
                if path is not None:
                    yield "/" + path, prefix + pattern
    for _ns, (ns_prefix, sub) in resolver.namespace_dict.items():
        yield from _candidates(sub, prefix + ns_prefix)


def _fill(prefix: str, template: str, params: list[str], pattern: str) -> str | None:
    regex = re.compile(pattern)
    for values in itertools.product(DUMMIES, repeat=len(params)):
        path = prefix + template % dict(zip(params, values, strict=True))
        if regex.match(path):
            return path
    return None


def _all_paths() -> list[str]:
    # Pattern strings can contain converters' regexes; the root resolver is authoritative.
    paths = {path for path, _pattern in _candidates(get_resolver())}
    return sorted(paths)


def test_the_walk_finds_the_apps_and_the_admin() -> None:
    paths = _all_paths()
    assert "/" in paths
    assert "/admin/" in paths
    assert any(p.startswith("/documents/") for p in paths)
    assert any(p.startswith("/admin/audit/auditentry/") for p in paths)
    assert len(paths) > 40


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_no_url_shows_anything_to_an_anonymous_visitor(client, method) -> None:
    offenders = []
    for path in _all_paths():
        if path in ALLOWED:
            continue
        response = getattr(client, method)(path)
        status = response.status_code
        if status in (401, 403, 404, 405):
            continue
        if status == 302 and urlparse(response["Location"]).path in LOGIN_PATHS:
            continue
        offenders.append(f"{method.upper()} {path} -> {status} {response.get('Location', '')}")
    assert not offenders, "\n".join(offenders)


@pytest.mark.django_db
def test_the_allow_list_is_not_stale(client) -> None:
    paths = set(_all_paths())
    assert set(ALLOWED) <= paths
