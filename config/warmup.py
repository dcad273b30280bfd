"""Work every web process would otherwise do on its first requests, done once before it starts.

gunicorn loads the application in its master process (``preload_app``, config/gunicorn.conf.py)
and forks the workers from it; ``warm_up`` then runs in the master, so each worker (and each
replacement after ``max_requests``) starts with the URLconf and every view module imported, the
translation catalogues loaded and the site's templates compiled. Measured on the load data: a
fresh process spent ~0.8 s of CPU in ``django.setup`` (which preloading alone moves to the
master), ~0.45 s importing the views through the URLconf, and ~0.1-0.3 s more on its first
pages, mostly building the reverse URL table (docs/performance.md, "HTTP load test"). WeasyPrint
is imported too, when it is installed, and the shipped Korean font unpacked: each process paid
~1.5 s and ~0.6 s of CPU for them on its first PDF.

Nothing here opens a connection that a worker could inherit: no query is run, and every database
connection is closed at the end in case an import opened one.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.template import TemplateSyntaxError
from django.template.loader import get_template
from django.urls import get_resolver
from django.utils import translation

from exports.pdf import prepare_pdf

log = logging.getLogger(__name__)


def site_templates() -> list[str]:
    """The names of the project's own HTML templates (templates/), the pages' and e-mails'."""
    root = Path(settings.BASE_DIR) / "templates"
    return sorted(str(path.relative_to(root)) for path in root.rglob("*.html"))


def warm_up() -> int:
    """Import, load and compile what the pages need; returns the number of templates compiled."""
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports every view module
    for code, _name in settings.LANGUAGES:
        # Activating a language loads its catalogues; the resolver builds its reverse table
        # ({% url %}, ~0.3 s) per language.
        with translation.override(code):
            resolver.reverse_dict  # noqa: B018
    compiled = 0
    for name in site_templates():
        try:
            get_template(name)  # compiled once, kept by the cached loader
        except TemplateSyntaxError:
            # Left for the request that uses it to report, as it would without a warm-up.
            log.warning("warm-up: template %s does not compile", name)
            continue
        compiled += 1
    _import_pdf_library()
    connections.close_all()
    return compiled


def _import_pdf_library() -> None:
    """WeasyPrint with its Pango and HarfBuzz bindings and the unpacked font, as the first PDF
    would prepare them; a site without them runs on (the PDF export says what is missing when it
    is asked for)."""
    try:
        prepare_pdf()
    except Exception:  # an optimisation: nothing here may stop the site from starting
        log.info(
            "warm-up: WeasyPrint is not available; PDF exports will say what is missing",
            exc_info=True,
        )
