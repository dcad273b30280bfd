"""Processes that fork the PDF builders prepare WeasyPrint and the font once, before forking:
the exports worker's main process does (and only that worker's), and the unpacked font files
outlive every forked child that exits."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from exports import fonts, tasks
from exports.pdf import ExportUnavailable


@pytest.mark.parametrize(
    ("queues", "prepared"),
    [
        (["exports"], True),
        ("exports", True),
        (["celery", " exports"], True),
        (["reminders", "celery"], False),
        (None, False),
    ],
)
def test_only_the_exports_worker_prepares_the_pdf_library(monkeypatch, queues, prepared) -> None:
    calls: list[bool] = []
    monkeypatch.setattr(tasks, "prepare_pdf", lambda: calls.append(True))
    tasks.prepare_exports_worker(sender="w@host", options={"queues": queues})
    assert calls == ([True] if prepared else [])


def test_the_exports_worker_starts_even_when_the_pdf_library_is_missing(monkeypatch, caplog):
    def unavailable() -> None:
        raise ExportUnavailable("PDF export is not available on this server")

    monkeypatch.setattr(tasks, "prepare_pdf", unavailable)
    with caplog.at_level(logging.INFO, logger="exports.tasks"):
        tasks.prepare_exports_worker(sender="w@host", options={"queues": ["exports"]})
    assert "PDF export not available yet" in caplog.text


def test_the_font_directory_is_removed_only_by_the_process_that_made_it(tmp_path: Path) -> None:
    directory = tmp_path / "fonts"
    directory.mkdir()
    (directory / "a.otf").write_bytes(b"x")
    fonts._remove(directory, os.getpid() + 1)  # a forked child exiting: the parent's pid differs
    assert (directory / "a.otf").is_file()
    fonts._remove(directory, os.getpid())
    assert not directory.exists()


def test_a_forked_child_that_exits_leaves_the_unpacked_font(tmp_path: Path) -> None:
    from exports.checks import SHIPPED_FONT_FILES, shipped_font_dir  # why here: test data only

    path = fonts.unpacked_font(shipped_font_dir() / next(iter(SHIPPED_FONT_FILES.values())))
    child = os.fork()
    if child == 0:  # pragma: no cover - the child: run the exit handlers as a worker would
        import atexit  # why here: only the forked child uses it

        atexit._run_exitfuncs()
        os._exit(0)
    os.waitpid(child, 0)
    assert path.is_file()
