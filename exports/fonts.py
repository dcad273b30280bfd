"""The shipped WOFF2 font, unpacked once per process for WeasyPrint.

WeasyPrint unpacks a WOFF2 ``@font-face`` source on every document: for the two 2.4 MB Korean
files that is about 0.6 s of a 2.6 s report (measured; docs/exports.md). The repository keeps the
small WOFF2 files; each process unpacks them to OpenType once, into its own private temporary
directory (``mkdtemp``: no shared, guessable path), and the PDFs load those. A file removed from
under a long-running worker (a temp cleaner) is simply unpacked again.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from pathlib import Path

from fontTools.ttLib import TTFont

_lock = threading.Lock()
_directory: Path | None = None
_unpacked: dict[tuple[Path, int, int], Path] = {}


def _private_directory() -> Path:
    global _directory
    if _directory is None or not _directory.is_dir():
        _directory = Path(tempfile.mkdtemp(prefix="incident-clock-fonts-"))
        atexit.register(shutil.rmtree, _directory, ignore_errors=True)
    return _directory


def unpacked_font(path: Path) -> Path:
    """An OpenType copy of the WOFF2 file ``path`` (made on first use; remade if it changed)."""
    stat = path.stat()
    key = (path, stat.st_size, stat.st_mtime_ns)
    with _lock:
        target = _unpacked.get(key)
        if target is None or not target.is_file():
            font = TTFont(str(path))
            font.flavor = None  # plain OpenType (CFF outlines)
            target = _private_directory() / f"{path.stem}-{stat.st_mtime_ns}.otf"
            font.save(str(target))
            _unpacked[key] = target
        return target
