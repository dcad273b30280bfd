"""The web processes' warm-up (config/warmup.py): what gunicorn's master does once before it
forks the workers, so that none of them pays for it on its first requests."""

from __future__ import annotations

from django.template import engines
from django.urls import clear_url_caches, get_resolver
from django.utils import translation

from config import warmup
from config.warmup import site_templates, warm_up


def _cached_templates() -> set[str]:
    loader = engines["django"].engine.template_loaders[0]  # type: ignore[attr-defined]
    return {key.split("-")[0] for key in loader.get_template_cache}


def test_site_templates_are_the_projects_own_pages() -> None:
    names = site_templates()
    assert "base.html" in names
    assert "incidents/what_if.html" in names
    assert all(name.endswith(".html") and not name.startswith("/") for name in names)


def test_warm_up_compiles_the_templates_and_builds_the_url_tables_in_every_language(
    settings, monkeypatch
) -> None:
    closed: list[bool] = []
    monkeypatch.setattr(warmup.connections, "close_all", lambda: closed.append(True))
    engines["django"].engine.template_loaders[0].reset()  # type: ignore[attr-defined]
    clear_url_caches()
    assert warm_up() == len(site_templates())
    assert set(site_templates()) <= _cached_templates()
    resolver = get_resolver()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            assert code in resolver._reverse_dict
    assert closed == [True]  # no database connection for the forked workers to share
