"""The chronology as CSV: UTF-8 with a byte-order mark (so Excel reads Korean), formula-safe.

``csv_chunks`` yields encoded chunks built from ``values()`` rows in batches: the web streams them
through a ``StreamingHttpResponse`` and the command writes them to a file, in constant memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from incidents.exports.data import chronology_cells, chronology_headers, event_values, neutralise
from incidents.models import Incident

BOM = "\ufeff"
ROWS_PER_CHUNK = 2000


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def csv_chunks(incident: Incident, *, tz: ZoneInfo) -> Iterator[bytes]:
    """The CSV file as a sequence of byte chunks, starting with the BOM and the header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([neutralise(h) for h in chronology_headers(tz)])
    pending = 0
    for row in event_values(incident, chunk_size=ROWS_PER_CHUNK):
        writer.writerow([_cell(v) for v in chronology_cells(row, tz)])
        pending += 1
        if pending >= ROWS_PER_CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate(0)
            pending = 0
    yield buffer.getvalue().encode("utf-8")
