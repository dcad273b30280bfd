"""The web processes' warm-up (config/warmup.py): what gunicorn's master does once before it
forks the workers, so that none of them pays for it on its first requests."""

from __future__ import annotations

import builtins
import sys

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


def test_warm_up_imports_the_pdf_library_for_the_workers_to_share(monkeypatch) -> None:
    real_import = builtins.__import__
    imported: list[str] = []

    def recording(name: str, *args: object, **kwargs: object) -> object:
        imported.append(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", recording)
    warm_up()
    assert "weasyprint" in imported


def test_warm_up_goes_on_without_the_pdf_library(monkeypatch, caplog) -> None:
    real_import = builtins.__import__

    def no_weasyprint(name: str, *args: object, **kwargs: object) -> object:
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.delitem(sys.modules, "weasyprint", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    with caplog.at_level("INFO", logger="config.warmup"):
        warmup._import_pdf_library()
    assert "WeasyPrint is not available" in caplog.text


def test_warm_up_unpacks_the_shipped_font_for_the_workers_to_share(monkeypatch) -> None:
    from exports import fonts  # why here: the module's cache is emptied for this test only

    monkeypatch.setattr(fonts, "_unpacked", {})
    warmup._import_pdf_library()
    unpacked = list(fonts._unpacked.values())
    assert len(unpacked) == 2  # regular and bold
    assert all(path.is_file() and path.suffix == ".otf" for path in unpacked)
