"""The shipped WOFF2 font, unpacked once per process for WeasyPrint.

WeasyPrint unpacks a WOFF2 ``@font-face`` source on every document: for the two 2.4 MB Korean
files that is about 0.6 s of a 2.6 s report (measured; docs/exports.md). The repository keeps the
small WOFF2 files; they are unpacked to OpenType once, into a private temporary directory (``mkdtemp``: no shared, guessable path), and the PDFs load those. A file removed from
under a long-running worker (a temp cleaner) is simply unpacked again.

gunicorn's master and the exports worker's main process unpack them before they fork
(``exports.pdf.prepare_pdf``), so their children inherit the files instead of each spending
~0.6 s of CPU on them; the directory is removed when the process that made it exits, never when
one of its forked children does (a gunicorn worker runs the handlers of ``atexit`` too).
"""

from __future__ import annotations

import atexit
import os
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
        atexit.register(_remove, _directory, os.getpid())
    return _directory


def _remove(directory: Path, maker: int) -> None:
    """At exit: the directory, if this process made it (its forked children share it)."""
    if os.getpid() == maker:
        shutil.rmtree(directory, ignore_errors=True)


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
            # Written under a name of this process's own, then renamed: forked workers share the
            # directory, and one may be reading the file while another writes it again.
            partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
            font.save(str(partial))
            partial.replace(target)
            _unpacked[key] = target
        return target
