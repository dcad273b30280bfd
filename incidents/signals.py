"""Signals this app sends so that apps above it can react without being imported here.

The dependency direction is ``incidents <- reminders, exports, audit``: incidents never imports
those apps. Where incidents must let them know something (a deadline changed, a document was
downloaded), it sends one of these signals; the listening app connects its receiver in its
``AppConfig.ready()``. Receivers run synchronously, inside the sender's transaction.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent after the deadlines of an incident (``incident=``) or one deadline (``deadline=``) were
# recomputed, filed, waived or otherwise changed. reminders keeps its schedule in step.
deadlines_changed = Signal()

# Sent when a user downloads a filing document (``document=``, ``user=``, ``request=``).
# audit records it.
document_downloaded = Signal()

# Sent by the status page to ask for reminder figures about ``incident=`` (what closing or
# reopening will touch). reminders answers with a dict, e.g. ``{"pending_reminders": 3,
# "cancelled_reminders": 0}``; the page shows whatever the receivers return.
reminder_figures_requested = Signal()

# Sent by the incident page and the dashboard to collect sections from apps above incidents
# (``page=``, ``request=``, ``user=``, and ``incident=`` on the incident page). Receivers answer
# with incidents.sections.PageSection objects (see incidents/sections.py).
page_sections_requested = Signal()

# Sent by the incident page to collect entries from apps above incidents for its chronology
# (``request=``, ``user=``, ``incident=``). Receivers answer with a list of
# incidents.sections.ChronologyEntry; each is shown among the events at its ``occurred_at``.
chronology_entries_requested = Signal()
# Sent once by the incident page with ``incident=``, ``deadlines=`` (the page's deadline rows),
# ``revisions=`` (its affected-count revisions, or None), ``request=`` and ``user=``, to collect short notes shown beside a deadline (e.g. outreach's
# notification progress under a notice deadline). Receivers answer with a dict mapping deadline
# ids to incidents.sections.DeadlineNote lists, in a fixed number of queries.
deadline_notes_requested = Signal()

# Sent once per process by the incident page (``page="incident"``) to collect annotations for the
# query that reads its incident: figures that tell a section whether it has anything to read
# (e.g. ``{"records_evidence": Exists(...)}``), so that an empty section costs no query.
# Receivers answer with a dict of annotation names (prefixed with their app's name) to query
# expressions over the incident (``OuterRef("pk")``); the section finds them on ``incident``.
# The answer is the same for every viewer and request: the query is compiled once with them
# (incidents/permissions.py), so an annotation cannot depend on who asks.
page_annotations_requested = Signal()
