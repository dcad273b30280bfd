"""The chronology as CSV: UTF-8 with a byte-order mark (so Excel reads Korean), formula-safe.

``csv_chunks`` yields encoded chunks built from ``values_list()`` rows read with
``iterator(chunk_size=...)``: the web streams them through a ``StreamingHttpResponse`` and the
command writes them to a file, in constant memory. The row builder is written out by hand
(no per-cell dispatch) because at a million rows every call counts; it produces exactly the
columns of ``data.chronology_cells``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC
from zoneinfo import ZoneInfo

from exports.data import (
    CONFIDENCE,
    EVENT_VALUES,
    KIND_EN,
    KIND_KO,
    PRECISION,
    ChronologyMaps,
    chronology_headers,
    neutralise,
)
from incidents.models import Incident, TimelineEvent

BOM = "\ufeff"
ROWS_PER_CHUNK = 5000
_FORMULA = frozenset("=+-@\t\r")


def csv_chunks(incident: Incident, *, tz: ZoneInfo) -> Iterator[bytes]:
    """The CSV file as a sequence of byte chunks, starting with the BOM and the header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([neutralise(h) for h in chronology_headers(tz)])
    maps = ChronologyMaps.for_incident(incident)
    entities = {pk: neutralise(name) for pk, name in maps.entities.items()}
    users = {pk: neutralise(name) for pk, name in maps.users.items()}
    superseded_by = maps.superseded_by
    kinds = {k: f"{KIND_KO[k]} / {KIND_EN[k]}" for k in KIND_KO}
    precisions = {k: v[1] for k, v in PRECISION.items()}
    confidences = {k: v[1] for k, v in CONFIDENCE.items()}

    def safe(value: str) -> str:
        return "'" + value if value and value[0] in _FORMULA else value

    rows = (
        TimelineEvent.objects.filter(incident=incident)
        .order_by("occurred_at", "id")
        .values_list(*EVENT_VALUES)
        .iterator(chunk_size=ROWS_PER_CHUNK)
    )
    pending = 0
    for (
        pk,
        occurred_at,
        precision,
        entered_tz,
        kind,
        title,
        description,
        entity_id,
        source_title,
        source_url,
        confidence,
        basis,
        supersedes_id,
        correction_reason,
        recorded_by_id,
        recorded_at,
    ) in rows:
        newer = superseded_by.get(pk)
        if newer is not None:
            status = f"대체됨 / superseded by No. {newer}"
        elif supersedes_id is not None:
            status = "정정 / correction"
        else:
            status = "유효 / current"
        writer.writerow(
            (
                pk,
                occurred_at.astimezone(tz).isoformat(),
                occurred_at.astimezone(UTC).isoformat(),
                precisions.get(precision, precision),
                safe(entered_tz),
                kinds.get(kind, kind),
                safe(title),
                safe(description),
                entities.get(entity_id, ""),
                safe(source_title),
                safe(source_url),
                confidences.get(confidence, confidence),
                safe(basis),
                status,
                "" if supersedes_id is None else supersedes_id,
                safe(correction_reason),
                users.get(recorded_by_id, ""),
                recorded_at.astimezone(UTC).isoformat(),
            )
        )
        pending += 1
        if pending >= ROWS_PER_CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate(0)
            pending = 0
    yield buffer.getvalue().encode("utf-8")
