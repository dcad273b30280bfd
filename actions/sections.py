"""The "Action items" section of the incident page and the "My tasks" panel of the dashboard
(``incidents.signals.page_sections_requested``; connected in ``ActionsConfig.ready()``).

Query bound: one query each (the incident's items with owner, deadline, obligation, regulator and
event joined; the user's open items with a visibility subquery); on the incident page none when
the incident has no item (the ``actions_items`` annotation this app adds to its query says so). Suggestions from deadlines are
on their own page, so the incident page does not pay for them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from actions.models import ActionItem, ActionStatus
from actions.selectors import action_items_for, open_action_items_owned
from common.compiled import CompiledValues
from common.concurrency import version_of
from common.roles import Action, has_right
from incidents.models import Deadline, Incident
from incidents.sections import PageSection, section_has
from incidents.selectors import visible_incident_ids
from regulators.models import Obligation

MY_TASKS_LIMIT = 20


def on_page_annotations_requested(sender: Any, *, page: str, **kwargs: Any) -> dict[str, Any]:
    if page != "incident":
        return {}
    return {"actions_items": Exists(ActionItem.objects.filter(incident=OuterRef("pk")))}


def on_page_sections_requested(
    sender: Any,
    *,
    page: str,
    user: Any,
    incident: Any = None,
    visible_ids: Any = ...,
    **kwargs: Any,
) -> PageSection | None:
    if page == "incident" and incident is not None:
        return _incident_section(user, incident)
    if page == "dashboard":
        return _dashboard_panel(user, visible_ids)
    return None


def _incident_section(user: Any, incident: Any) -> PageSection:
    # The page has checked need-to-know; writing needs the record right as well.
    can_write = has_right(user, Action.RECORD)
    items = list(action_items_for(incident)) if section_has(incident, "actions_items") else []
    for item in items:
        item.version = version_of(item)  # type: ignore[attr-defined]
    return PageSection(
        template="actions/_section.html",
        context={
            "items": items,
            "open_count": sum(1 for i in items if i.status == ActionStatus.OPEN),
            "can_write": can_write,
            "now": timezone.now(),
        },
        order=10,
    )


# What "My tasks" shows of an item (actions/_my_tasks.html): reading the other related rows of the
# lists cost more to plan and compile than to run (docs/performance.md, "Dashboard, third pass").
_PANEL_VALUES = (
    "id",
    "title",
    "due_at",
    "status",
    "incident_id",
    "incident__reference",
    "deadline_id",
    "deadline__title",
    "deadline__obligation_id",
    "deadline__obligation__title_en",
    "deadline__obligation__title_ko",
)
# Built and compiled once per process and shape (common/compiled.py).
_MY_TASKS = CompiledValues(
    lambda owner_id, ids: (
        open_action_items_owned(owner_id, ids, related=())
        .values(*_PANEL_VALUES)
        .order_by(F("due_at").asc(nulls_last=True), "id")[: MY_TASKS_LIMIT + 1]
    ),
    prepared=True,
)


def _task(v: dict[str, Any]) -> ActionItem:
    """An item of the panel from its values, with what the template reads of its incident and
    deadline."""
    item = ActionItem(id=v["id"], title=v["title"], due_at=v["due_at"], status=v["status"])
    item.incident = Incident(pk=v["incident_id"], reference=v["incident__reference"])
    if v["deadline_id"] is not None:
        deadline = Deadline(pk=v["deadline_id"], title=v["deadline__title"])
        if v["deadline__obligation_id"] is not None:
            deadline.obligation = Obligation(
                pk=v["deadline__obligation_id"],
                title_en=v["deadline__obligation__title_en"],
                title_ko=v["deadline__obligation__title_ko"],
            )
        item.deadline = deadline
    return item


def _dashboard_panel(user: Any, visible_ids: Any) -> PageSection:
    """``visible_ids``: the dashboard's ``visible_incident_ids(user)``, read once for the page
    (``...`` when a caller has none: they are read here)."""
    if not user.is_authenticated:
        rows: list[ActionItem] = []
    else:
        ids = visible_incident_ids(user) if visible_ids is ... else visible_ids
        rows = [
            _task(v)
            for v in _MY_TASKS.rows(owner_id=user.pk, ids=None if ids is None else sorted(ids))
        ]
    return PageSection(
        template="actions/_my_tasks.html",
        context={
            "items": rows[:MY_TASKS_LIMIT],
            "more": len(rows) > MY_TASKS_LIMIT,
            "now": timezone.now(),
        },
        order=10,
    )
