"""The pre-commit hooks run exactly the lint, format and type checks of `make test`."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _make_test_checks() -> list[str]:
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    commands = [line.strip() for line in recipe.splitlines()[1:]]
    tools = [c for c in commands if re.match(r"\$\(VENV\)/bin/(ruff|mypy) ", c)]
    return [c.replace("$(VENV)", ".venv") for c in tools]


def test_pre_commit_runs_the_same_ruff_format_and_mypy_commands_as_make_test():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    expected = _make_test_checks()
    assert expected == [
        ".venv/bin/ruff check .",
        ".venv/bin/ruff format --check .",
        ".venv/bin/mypy .",
    ]
    assert [hook["entry"] for hook in hooks] == expected
    # Whole-tree runs, like make test: never only the staged files.
    assert all(hook["pass_filenames"] is False for hook in hooks)
