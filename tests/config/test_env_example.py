"""`.env.example` lists every variable a newcomer or an operator may set, and changes nothing."""

from __future__ import annotations

import os
import re
from pathlib import Path

import environ

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / ".env.example"
SETTINGS = ["base.py", "dev.py", "production.py", "celery.py"]


def _listed() -> set[str]:
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", EXAMPLE.read_text(), flags=re.MULTILINE))


def test_every_variable_of_the_readme_table_is_in_env_example():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", table, flags=re.MULTILINE))
    assert {"DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL"} <= documented
    assert documented - _listed() == set()


def test_every_variable_the_settings_read_is_in_env_example():
    read = set()
    for name in SETTINGS:
        source = (ROOT / "config" / "settings" / name).read_text()
        read |= set(re.findall(r"(?<![\w.])_?env\.\w+\(\s*\"([A-Z][A-Z0-9_]*)\"", source))
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "REMINDER_BATCH_SIZE"} <= read
    assert read - _listed() == set()


def test_an_unchanged_copy_sets_nothing():
    before = dict(os.environ)
    try:
        environ.Env.read_env(str(EXAMPLE), overwrite=True)
        after = dict(os.environ)
    finally:
        os.environ.clear()
        os.environ.update(before)
    assert after == before
