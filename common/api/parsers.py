"""The API's JSON parser: bounded size and nesting, so bad input is a 400, never a 500.

DRF's ``JSONParser`` reads the whole stream (Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` only guards
``request.body``, which DRF does not use) and lets ``json.loads`` recurse: 50,000 ``[`` raise
``RecursionError``. This parser reads at most the limit plus one byte, refuses nesting deeper than
``MAX_JSON_DEPTH`` before parsing (a scan that skips strings), and turns any decoding error into
DRF's ``ParseError``, rendered with the usual error body.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# No request body of this API nests deeper than a few levels; facts and details stay shallow.
MAX_JSON_DEPTH = 32


def json_depth_exceeds(raw: bytes, limit: int) -> bool:
    """Whether ``raw`` opens more than ``limit`` arrays/objects at once (strings skipped)."""
    depth = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # closing quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False


class BoundedJSONParser(JSONParser):
    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        limit = int(getattr(settings, "API_MAX_JSON_BYTES", settings.DATA_UPLOAD_MAX_MEMORY_SIZE))
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise ParseError(
                _("The request body is larger than %(limit)d bytes.") % {"limit": limit}
            )
        if json_depth_exceeds(raw, MAX_JSON_DEPTH):
            raise ParseError(
                _("JSON nested deeper than %(depth)d levels is refused.")
                % {"depth": MAX_JSON_DEPTH}
            )
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
            return json.loads(text, parse_constant=_refuse_constant) if text else {}
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
            raise ParseError(_("JSON parse error: %(error)s") % {"error": exc}) from exc


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")
