"""What outreach adds to the incident page: the notification section and, beside each notice
deadline, its progress (incidents.signals; connected in OutreachConfig.ready()).

Both read the same progress, computed once per request: on the incident page, which passes its
deadlines and count revisions, two queries (campaigns and batches) however many deadlines,
campaigns and batches there are, and none when the incident has no campaign (the
``outreach_campaigns`` annotation this app adds to the page's incident query says so).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.utils.translation import gettext as _

from common.roles import Action, has_right
from incidents.models import Incident
from incidents.sections import DeadlineNote, PageSection, section_has
from outreach.models import NoticeCampaign
from outreach.selectors import NoticeProgress, notice_progress

_CACHE = "_outreach_progress"


def page_annotations(sender: Any, page: str, **kwargs: Any) -> dict[str, Any]:
    if page != "incident":
        return {}
    return {"outreach_campaigns": Exists(NoticeCampaign.objects.filter(incident=OuterRef("pk")))}


def _progress(
    request: HttpRequest,
    incident: Incident,
    deadlines: list[Any] | None = None,
    revisions: list[Any] | None = None,
) -> list[NoticeProgress]:
    cached: dict[int, list[NoticeProgress]] = getattr(request, _CACHE, {})
    if incident.pk not in cached:
        cached[incident.pk] = notice_progress(
            incident,
            deadlines,
            revisions,
            has_campaigns=section_has(incident, "outreach_campaigns"),
        )
        setattr(request, _CACHE, cached)
    return cached[incident.pk]


def incident_section(
    sender: Any, page: str, request: HttpRequest, incident: Incident | None = None, **kwargs: Any
) -> PageSection | None:
    if page != "incident" or incident is None:
        return None
    progress = _progress(request, incident)
    if not progress:
        return None
    return PageSection(
        template="outreach/_section.html",
        context={
            "progress": progress,
            "can_record": has_right(request.user, Action.RECORD),
            "can_draft": has_right(request.user, Action.RECORD)
            or has_right(request.user, Action.EXPORT),
        },
        order=20,
    )


def deadline_notes(
    sender: Any,
    request: HttpRequest,
    incident: Incident,
    deadlines: list[Any],
    revisions: list[Any] | None = None,
    **kwargs: Any,
) -> dict[int, list[DeadlineNote]]:
    notes: dict[int, list[DeadlineNote]] = {}
    # The page's own deadline and count rows (already read): no query of our own for them.
    for item in _progress(request, incident, deadlines, revisions):
        anchor = f"#notice-{item.deadline.pk}"
        if item.campaign is None:
            notes[item.deadline.pk] = [
                DeadlineNote(text=_("Notification campaign not set up yet"), href=anchor)
            ]
            continue
        text = _("%(notified)s of %(population)s notified · %(left)s to notify") % {
            "notified": f"{item.notified:,}",
            "population": f"{item.population:,}",
            "left": f"{item.to_notify:,}",
        }
        notes[item.deadline.pk] = [
            DeadlineNote(
                text=text,
                percent=item.percent,
                label=_("Notification progress: %(percent)s%%") % {"percent": item.percent},
                href=anchor,
            )
        ]
    return notes
