"""Why an export could not be made, in words a user can act on (shown on the page / CLI)."""

from __future__ import annotations


class ExportUnavailable(Exception):
    """The export cannot be produced on this server (a library or a font is missing)."""


class ImportRejected(Exception):
    """A JSON file cannot be imported; nothing was written."""
