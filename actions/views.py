"""Pages for action items. Each view checks need-to-know and the role right through
``incident_for`` (404 for an incident the user may not see, 403 for a role without the right),
validates the form's shape, writes through one service, and redirects back to the incident page's
"Action items" section. A form with errors is shown again with everything typed kept."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from actions import services
from actions.forms import ActionItemForm, CancelForm, StatusForm, SuggestForm
from actions.models import ActionItem
from common.concurrency import StaleWrite, version_of
from common.roles import Action
from incidents.forms import StyledForm
from incidents.models import Incident
from incidents.permissions import incident_for

ANCHOR = "action-items"


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _back(incident: Incident, item: ActionItem | None = None) -> HttpResponseRedirect:
    url = reverse("incident_detail", kwargs={"reference": incident.reference})
    return HttpResponseRedirect(f"{url}#{f'action-{item.pk}' if item else ANCHOR}")


def _page(
    request: HttpRequest, incident: Incident, form: StyledForm, title: str, **extra: Any
) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    if extra.pop("stale", False):
        status = 409
    return render(
        request,
        "incidents/forms/form_page.html",
        {"incident": incident, "form": form, "title": title, **extra},
        status=status,
    )


def _item(incident: Incident, pk: int) -> ActionItem:
    return get_object_or_404(
        ActionItem.objects.select_related("owner", "deadline", "event"), pk=pk, incident=incident
    )


def _fields(form: ActionItemForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        name: data[name]
        for name in ("title", "owner", "due_at", "deadline", "event", "description")
    }


@login_required
def action_new(request: HttpRequest, reference: str) -> HttpResponse:
    incident = incident_for(request.user, reference=reference, action=Action.RECORD)
    form = ActionItemForm(
        request.POST or None, incident=incident, initial={"owner": request.user.pk}
    )
    if request.method == "POST" and form.is_valid():
        try:
            item = services.action_item_create(
                incident=incident, created_by=_user(request), **_fields(form)
            )
        except ValidationError as exc:
            form.apply_service_error(exc)
        else:
            messages.success(request, _("Task added."))
            return _back(incident, item)
    return _page(request, incident, form, _("Add a task"))


@login_required
def action_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    incident = incident_for(request.user, reference=reference, action=Action.RECORD)
    item = _item(incident, pk)
    initial = {
        "version": version_of(item),
        "title": item.title,
        "owner": item.owner,
        "due_at": item.due_at,
        "deadline": item.deadline_id,
        "event": item.event_id,
        "description": item.description,
    }
    form = ActionItemForm(request.POST or None, incident=incident, initial=initial)
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            services.action_item_update(
                item=item,
                changed_by=_user(request),
                expected_version=form.cleaned_data["version"] or None,
                **_fields(form),
            )
        except StaleWrite as exc:
            form.add_error(None, exc.message)
            stale = True
        except ValidationError as exc:
            form.apply_service_error(exc)
        else:
            messages.success(request, _("Task saved."))
            return _back(incident, item)
    return _page(request, incident, form, _("Edit the task"), stale=stale)


@login_required
def action_cancel(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    incident = incident_for(request.user, reference=reference, action=Action.RECORD)
    item = _item(incident, pk)
    form = CancelForm(request.POST or None, initial={"version": version_of(item)})
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            services.action_item_cancel(
                item=item,
                by=_user(request),
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"] or None,
            )
        except StaleWrite as exc:
            form.add_error(None, exc.message)
            stale = True
        except ValidationError as exc:
            form.apply_service_error(exc)
        else:
            messages.success(request, _("Task cancelled."))
            return _back(incident, item)
    title = _("Cancel the task “%(title)s”") % {"title": item.title}
    return _page(request, incident, form, title, stale=stale)


def _status_change(request: HttpRequest, reference: str, pk: int, *, reopen: bool) -> HttpResponse:
    incident = incident_for(request.user, reference=reference, action=Action.RECORD)
    item = _item(incident, pk)
    form = StatusForm(request.POST)
    form.is_valid()  # a hidden optional field: always valid
    try:
        change = services.action_item_reopen if reopen else services.action_item_complete
        change(
            item=item,
            by=_user(request),
            expected_version=form.cleaned_data.get("version") or None,
        )
    except StaleWrite as exc:
        messages.error(request, str(exc.message))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Task reopened.") if reopen else _("Task done."))
    return _back(incident, item)


@login_required
@require_POST
def action_complete(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    return _status_change(request, reference, pk, reopen=False)


@login_required
@require_POST
def action_reopen(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    return _status_change(request, reference, pk, reopen=True)


@login_required
def action_suggest(request: HttpRequest, reference: str) -> HttpResponse:
    incident = incident_for(request.user, reference=reference, action=Action.RECORD)
    suggestions = services.action_suggestions_for(incident=incident)
    data = request.POST if request.method == "POST" else None
    form = SuggestForm(data, choices=[(s.key, s.title) for s in suggestions])
    if request.method == "POST" and form.is_valid():
        if not form.cleaned_data["keys"]:
            form.add_error("keys", _("Choose at least one suggested task."))
        else:
            created = services.action_items_create_suggested(
                incident=incident, by=_user(request), keys=form.cleaned_data["keys"]
            )
            messages.success(request, _("%(n)s suggested tasks added.") % {"n": len(created)})
            return _back(incident)
    chosen = set(request.POST.getlist("keys")) if form.is_bound else set()
    return render(
        request,
        "actions/suggest.html",
        {"incident": incident, "form": form, "suggestions": suggestions, "chosen": chosen},
        status=400 if form.is_bound and form.errors else 200,
    )
