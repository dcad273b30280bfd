#!/usr/bin/env bash
# Rebuild the Korean font shipped for the PDF export (static/fonts/IncidentClockKR-*.woff2).
#
# Source: Noto Sans CJK KR (Regular and Bold, faces 1 of NotoSansCJK-{Regular,Bold}.ttc) from
# Debian's fonts-noto-cjk package, fetched with `apt-get download` and unpacked with `dpkg-deb -x`
# into a temporary directory: nothing is installed system-wide, so this machine stays without a
# CJK system font. Subset with fontTools' pyftsubset (fonttools, pinned in requirements.txt) to:
#   - every Hangul syllable (U+AC00-D7A3) and all Hangul jamo (conjoining, compatibility,
#     extended-A/B, half-width),
#   - the KS X 1001 repertoire (EUC-KR): its 4,888 Hanja, 2,350 syllables and symbols (34 of
#     them, e.g. Ħ, Ł, ⅓, ◈, are not in Noto Sans CJK KR and so not in the subset either),
#   - Latin (Basic, Latin-1, Extended-A), general punctuation, CJK symbols and punctuation,
#     full-width forms, arrows, number forms and enclosed alphanumerics.
# The family is renamed "IncidentClock KR" (PostScript IncidentClockKR-Regular/-Bold), as the
# OFL asks of a modified version, so the PDF shows which font it embedded.
#
# Usage: tools/fonts/make_korean_subset.sh [OUTPUT_DIR]   (default: static/fonts)
# Needs: Debian/Ubuntu apt, .venv with requirements-dev.txt installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT="${1:-static/fonts}"
PY="${PY:-.venv/bin/python}"
PYFTSUBSET="${PYFTSUBSET:-.venv/bin/pyftsubset}"
# The fonts-noto-cjk the shipped files were made from; NOTO_CJK_VERSION= (empty) takes the
# candidate version of the local apt sources instead.
VERSION="${NOTO_CJK_VERSION-1:20220127+repack1-1}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download "fonts-noto-cjk${VERSION:+=$VERSION}" >/dev/null)
dpkg-deb -x "$work"/fonts-noto-cjk_*.deb "$work/root"
fonts="$work/root/usr/share/fonts/opentype/noto"

"$PY" - "$work/unicodes.txt" <<'PYCODE'
"""Write the code points to keep, one U+XXXX per line."""
import sys

points = set()
ranges = [
    (0x0020, 0x007E), (0x00A0, 0x017F),  # Basic Latin, Latin-1, Latin Extended-A
    (0x2000, 0x206F), (0x20A0, 0x20CF),  # general punctuation, currency (incl. the won sign)
    (0x2100, 0x21FF), (0x2460, 0x24FF),  # letterlike, number forms, arrows; enclosed alnum
    (0x25A0, 0x25FF),                    # geometric shapes (check boxes, bullets)
    (0x1100, 0x11FF), (0x3130, 0x318F),  # Hangul jamo, compatibility jamo
    (0xA960, 0xA97F), (0xD7B0, 0xD7FF),  # Hangul jamo extended-A and -B
    (0xAC00, 0xD7A3),                    # every Hangul syllable (11,172)
    (0x3000, 0x303F), (0x3200, 0x32FF),  # CJK symbols and punctuation, enclosed CJK
    (0xFF00, 0xFFEF),                    # half-width and full-width forms
]
for first, last in ranges:
    points.update(range(first, last + 1))
# KS X 1001 as encoded by EUC-KR: rows 0xA1-0xFE, cells 0xA1-0xFE (Hanja are rows 0xCA-0xFD).
for lead in range(0xA1, 0xFF):
    for trail in range(0xA1, 0xFF):
        try:
            text = bytes([lead, trail]).decode("euc_kr")
        except UnicodeDecodeError:
            continue
        points.update(ord(ch) for ch in text)
with open(sys.argv[1], "w", encoding="ascii") as out:
    out.writelines(f"U+{p:04X}\n" for p in sorted(points))
PYCODE

mkdir -p "$OUT"
for weight in Regular Bold; do
  "$PYFTSUBSET" "$fonts/NotoSansCJK-${weight}.ttc" --font-number=1 \
    --unicodes-file="$work/unicodes.txt" \
    --layout-features='*' --name-IDs='*' --name-languages='*' --notdef-outline \
    --no-hinting --desubroutinize --flavor=woff2 \
    --output-file="$work/subset-${weight}.woff2"
  "$PY" - "$work/subset-${weight}.woff2" "$OUT/IncidentClockKR-${weight}.woff2" "$weight" <<'PYCODE'
"""Rename the subset (OFL: a modified version gets its own name) and keep the licence records."""
import sys

from fontTools.ttLib import TTFont

source, target, weight = sys.argv[1:]
font = TTFont(source, recalcTimestamp=False)  # keep the source date: same input, same bytes
names = font["name"]
family = "IncidentClock KR"
postscript = f"IncidentClockKR-{weight}"
for record in list(names.names):
    if record.nameID in (16, 17, 21, 22):  # typographic family/subfamily: use the basic ones
        names.removeNames(nameID=record.nameID)
for name_id, value in (
    (1, family),
    (2, weight),
    (3, f"{postscript};subset of Noto Sans CJK KR 2.004"),
    (4, f"{family} {weight}" if weight != "Regular" else family),
    (6, postscript),
):
    names.removeNames(nameID=name_id)
    names.setName(value, name_id, 3, 1, 0x409)
    names.setName(value, name_id, 1, 0, 0)
if "CFF " in font:
    cff = font["CFF "].cff
    cff.fontNames = [postscript]
    top = cff.topDictIndex[0]
    top.FullName = f"{family} {weight}"
    top.FamilyName = family
font.flavor = "woff2"
font.save(target)
PYCODE
done
# The licence travels with the font (OFL condition 2): the upstream copyright line and the OFL
# text from the package's copyright file.
{
  echo "Copyright 2014-2021 Adobe (http://www.adobe.com/), with Reserved Font Name 'Source'."
  echo "IncidentClock KR is a subset of Noto Sans CJK KR 2.004 (modified version: subset, renamed)."
  echo
  # The stand-alone "License: SIL-1.1" paragraph (after a blank line), up to the next paragraph.
  awk 'prev == "" && $0 == "License: SIL-1.1" {on = 1; prev = $0; next}
       on && /^[^ ]/ {exit}
       on {sub(/^ /, ""); if ($0 == ".") $0 = ""; print}
       {prev = $0}' "$work/root/usr/share/doc/fonts-noto-cjk/copyright" | sed -e '${/^$/d}'
} >"$OUT/OFL.txt"
ls -l "$OUT"
