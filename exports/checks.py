"""Start-up checks for the PDF export: WeasyPrint's system libraries and the shipped font.

Registered as Django system checks (run by ``runserver``, ``migrate``, ``check`` and
``check --deploy``) and logged when a Celery worker starts (it builds the large PDFs and runs no
system checks), so a server without Pango says what to install before anyone asks for a PDF.
They are warnings, not errors: every other page and export works without them. The libraries are
probed with ``ctypes`` under the names WeasyPrint itself tries, without importing WeasyPrint (which
would print its own banner and load it into every process).
"""

from __future__ import annotations

import ctypes
import logging
from pathlib import Path
from typing import Any

from celery.signals import worker_ready
from django.conf import settings
from django.core.checks import Tags, Warning, register

logger = logging.getLogger(__name__)

# Pango pulls in GLib, HarfBuzz and fontconfig, so installing it is the whole fix.
INSTALL_PANGO = (
    "`apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0` (Debian/Ubuntu), "
    "`dnf install pango` (Fedora) or `brew install pango` (macOS)"
)

# Library -> file names to try (Linux, macOS, Windows), as in weasyprint/text/ffi.py.
PDF_LIBRARIES: dict[str, tuple[str, ...]] = {
    "gobject-2.0": ("libgobject-2.0.so.0", "libgobject-2.0.0.dylib", "libgobject-2.0-0.dll"),
    "pango-1.0": ("libpango-1.0.so.0", "libpango-1.0.dylib", "libpango-1.0-0.dll"),
    "pangoft2-1.0": ("libpangoft2-1.0.so.0", "libpangoft2-1.0.dylib", "libpangoft2-1.0-0.dll"),
    "harfbuzz": ("libharfbuzz.so.0", "libharfbuzz.0.dylib", "libharfbuzz-0.dll"),
    "fontconfig": ("libfontconfig.so.1", "libfontconfig.1.dylib", "libfontconfig-1.dll"),
}

# The font the PDF export loads through @font-face (exports/pdf.py): its CSS family and
# one file per weight, made by tools/fonts/make_korean_subset.sh.
SHIPPED_FONT_FAMILY = "IncidentClock KR"
SHIPPED_FONT_FILES = {
    "normal": "IncidentClockKR-Regular.woff2",
    "bold": "IncidentClockKR-Bold.woff2",
}


def shipped_font_dir() -> Path:
    return Path(settings.BASE_DIR) / "static" / "fonts"


def _loadable(names: tuple[str, ...]) -> bool:
    for name in names:
        try:
            ctypes.CDLL(name)
        except OSError:
            continue
        return True
    return False


def missing_pdf_libraries(libraries: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    """The WeasyPrint system libraries that cannot be loaded here (empty when all are there)."""
    wanted = PDF_LIBRARIES if libraries is None else libraries
    return [library for library, names in wanted.items() if not _loadable(names)]


def missing_shipped_fonts() -> list[Path]:
    paths = [shipped_font_dir() / name for name in SHIPPED_FONT_FILES.values()]
    return [path for path in paths if not path.is_file()]


@register(Tags.compatibility)
def pdf_export_check(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    problems = []
    missing = missing_pdf_libraries()
    if missing:
        problems.append(
            Warning(
                f"PDF export is unavailable: WeasyPrint's system libraries are missing "
                f"({', '.join(missing)}).",
                hint=f"Install Pango: {INSTALL_PANGO}.",
                id="exports.W001",
            )
        )
    fonts = missing_shipped_fonts()
    if fonts:
        problems.append(
            Warning(
                "PDF export is unavailable: the shipped Korean font is missing "
                f"({', '.join(str(path) for path in fonts)}).",
                hint="Restore static/fonts/ from the source release, or rebuild it with "
                "tools/fonts/make_korean_subset.sh.",
                id="exports.W002",
            )
        )
    return problems


@worker_ready.connect
def log_pdf_export_problems(**kwargs: Any) -> None:
    for problem in pdf_export_check():
        logger.warning("%s %s (%s)", problem.msg, problem.hint, problem.id)
