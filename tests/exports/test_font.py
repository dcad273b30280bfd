"""The shipped Korean font covers what docs/exports.md promises and carries its licence."""

from __future__ import annotations

import shutil
from functools import cache

import pytest
from fontTools.ttLib import TTFont

from exports.checks import SHIPPED_FONT_FAMILY, SHIPPED_FONT_FILES, shipped_font_dir
from exports.fonts import unpacked_font


@cache
def _font(name: str) -> TTFont:
    return TTFont(str(shipped_font_dir() / name))


def _ks_x_1001() -> set[int]:
    """Every character of KS X 1001, as the EUC-KR codec maps its 94 x 94 table."""
    points: set[int] = set()
    for lead in range(0xA1, 0xFF):
        for trail in range(0xA1, 0xFF):
            try:
                points.update(map(ord, bytes([lead, trail]).decode("euc_kr")))
            except UnicodeDecodeError:
                continue
    return points


@pytest.mark.parametrize("name", SHIPPED_FONT_FILES.values())
def test_shipped_font_covers_hangul_ks_x_1001_hanja_and_latin(name):
    cmap = set(_font(name).getBestCmap())
    hanja = {p for p in _ks_x_1001() if 0x4E00 <= p <= 0x9FFF or 0xF900 <= p <= 0xFAFF}
    assert len(hanja) == 4888  # the KS X 1001 Hanja, duplicates mapped to compatibility forms
    assert set(range(0xAC00, 0xD7A4)) - cmap == set()  # all 11,172 syllables
    assert set(range(0x3131, 0x318F)) - cmap == set()  # compatibility jamo
    assert hanja - cmap == set()
    # The rest of KS X 1001 too, except 34 symbols Noto Sans CJK KR itself does not draw.
    missing = "".join(chr(p) for p in sorted(_ks_x_1001() - cmap))
    assert missing == "ĦħıĲĳĸĿŀŁłŉŊŋŦŧː˘˚˛˝ⁿ₁₂₃₄⅓⅔⅛⅜⅝⅞∼≒◈"
    assert len(missing) == 34
    assert set(range(0x20, 0x7F)) - cmap == set()
    assert {ord(c) for c in "·–—‘’“”…※→₩「」『』"} - cmap == set()


@pytest.mark.parametrize(("weight", "name"), SHIPPED_FONT_FILES.items())
def test_shipped_font_is_renamed_and_states_its_licence(weight, name):
    names = _font(name)["name"]
    assert names.getDebugName(1) == SHIPPED_FONT_FAMILY
    assert names.getDebugName(6) == f"IncidentClockKR-{'Bold' if weight == 'bold' else 'Regular'}"
    assert "SIL Open Font License" in names.getDebugName(13)
    assert _font(name).flavor == "woff2"


def test_the_licence_file_travels_with_the_font():
    text = (shipped_font_dir() / "OFL.txt").read_text()
    assert text.startswith("Copyright 2014-2021 Adobe (http://www.adobe.com/)")
    assert "SIL OPEN FONT LICENSE Version 1.1 - 26 February 2007" in text
    assert "5) The Font Software, modified or unmodified" in text


def test_each_process_unpacks_the_woff2_once_to_an_identical_opentype_font():
    source = shipped_font_dir() / SHIPPED_FONT_FILES["normal"]
    first = unpacked_font(source)
    made = first.stat().st_mtime_ns
    assert unpacked_font(source) == first
    assert first.stat().st_mtime_ns == made  # not written again
    assert first.suffix == ".otf"
    assert first.read_bytes()[:4] == b"OTTO"  # OpenType with CFF outlines
    assert first.parent.stat().st_mode & 0o077 == 0  # private to this user (mkdtemp)
    assert TTFont(str(first)).getBestCmap() == _font(SHIPPED_FONT_FILES["normal"]).getBestCmap()


def test_an_unpacked_font_removed_by_a_temp_cleaner_is_unpacked_again():
    source = shipped_font_dir() / SHIPPED_FONT_FILES["bold"]
    first = unpacked_font(source)
    shutil.rmtree(first.parent)
    again = unpacked_font(source)
    assert again.is_file()
    assert TTFont(str(again))["name"].getDebugName(6) == "IncidentClockKR-Bold"
