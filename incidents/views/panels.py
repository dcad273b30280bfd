"""The dashboard's panels as fragments cached by what they show, read in one cache round trip.

Rendering the panels' rows through the template engine was about half of the dashboard's time
(a ``{% url %}``, a few filters and a dozen variable lookups per row, ~100 rows). Each panel (the
"without delay" list, the answers owed, the recent activity) and each row's cells in the most
urgent table are cached under a hash of every value they show (incidents/views/fragments.py) plus
the viewer's language and zone; the values that depend on now (each countdown's text and colour,
"recorded 3 minutes ago") are computed per request and are part of the key, so a fragment is
never older than what it says. ``FragmentBatch`` (incidents/views/rows.py) fetches every key of
the page at once (and the page's other cached values, such as the dashboard figures), renders the
misses and stores them in one more round trip.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.humanize.templatetags.humanize import naturaltime

from incidents.templatetags.clock import countdown, urgency
from incidents.views.fragments import fragment_key
from incidents.views.rows import DeadlineRow, FragmentBatch


def want_panels(
    batch: FragmentBatch,
    *,
    without_delay: list[DeadlineRow],
    requests: list[DeadlineRow],
    activity: list[Any],
    now: datetime,
) -> dict[str, str]:
    """The keys of the three list panels (rendered on a miss from their own templates).
    ``activity``: the latest events, as the dashboard reads them (kind, title, times, pk and
    ``incident.reference``)."""
    for row in requests:
        row.urgency_css = urgency(row, now)  # type: ignore[arg-type]
        row.countdown_html = countdown(row, now)  # type: ignore[arg-type]
    for event in activity:
        event.recorded_ago = naturaltime(event.recorded_at)  # type: ignore[attr-defined]
    return {
        "nodelay": batch.want(
            fragment_key("panel-nodelay", [row._shown for row in without_delay]),
            "incidents/_dashboard_nodelay.html",
            {"without_delay": without_delay},
        ),
        "requests": batch.want(
            fragment_key(
                "panel-requests",
                [(row._shown, row.urgency_css, row.countdown_html) for row in requests],
            ),
            "incidents/_dashboard_requests.html",
            {"requests": requests},
        ),
        "activity": batch.want(
            fragment_key(
                "panel-activity",
                [
                    (
                        e.pk,
                        e.kind,
                        e.title,
                        e.occurred_at,
                        e.incident.reference,
                        e.recorded_ago,  # type: ignore[attr-defined]
                    )
                    for e in activity
                ],
            ),
            "incidents/_dashboard_activity.html",
            {"activity": activity},
        ),
    }
