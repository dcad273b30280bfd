"""The what-if calculator and the notifications inbox."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.forms import WhatIfForm
from incidents.models import Notification
from regulators.engine.calendars import BusinessCalendar, builtin_calendar
from regulators.engine.rules import (
    DeadlineResult,
    RuleSpec,
    Trigger,
    adhoc_rule,
    compute_for_versions,
    parse_offset,
)
from regulators.models import Calendar, Obligation


def _calendar(code: str | None) -> BusinessCalendar | None:
    """The database calendar (with admin closures) if there is one, else the built-in one."""
    if not code:
        return None
    row = Calendar.objects.filter(code=code).prefetch_related("closures").first()
    return row.to_engine() if row is not None else builtin_calendar(code)


def _compute(data: dict[str, Any]) -> tuple[DeadlineResult, RuleSpec, Obligation | None]:
    trigger = Trigger(at=data["trigger_at"], precision=data["precision"])
    if data.get("obligation"):
        rows = list(
            Obligation.objects.filter(code=data["obligation"])
            .select_related("calendar", "regulator")
            .order_by("version")
        )
        specs = [row.to_spec() for row in rows]
        result = compute_for_versions(specs, trigger, calendar=_calendar(specs[0].calendar_code))
        chosen = next((s for s in specs if s.version == result.version), specs[-1])
        row = next((r for r in rows if r.version == chosen.version), rows[-1])
        return result, chosen, row
    amount, unit = parse_offset(data["offset"])
    spec = adhoc_rule(
        amount,
        unit,
        calendar_code=data.get("calendar") or None,
        reference_tz=data["rule_tz"],
        roll_forward=bool(data.get("roll_forward")),
    )
    return compute_for_versions([spec], trigger, calendar=_calendar(spec.calendar_code)), spec, None


@login_required
def what_if(request: HttpRequest) -> HttpResponse:
    bound = "trigger_date" in request.GET
    form = WhatIfForm(request.GET if bound else None, zone=timezone.get_current_timezone_name())
    context: dict[str, Any] = {"form": form}
    if bound and form.is_valid():
        try:
            result, spec, obligation = _compute(form.cleaned_data)
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            context.update(
                {"result": result, "spec": spec, "obligation": obligation, "now": timezone.now()}
            )
    status = 400 if bound and form.errors else 200
    return render(request, "incidents/what_if.html", context, status=status)


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    mine = Notification.objects.filter(user=request.user)  # type: ignore[misc]
    if request.method == "POST":
        now = timezone.now()
        if request.POST.get("all"):
            count = mine.filter(read_at__isnull=True).update(read_at=now)
            messages.success(request, _("%(count)d marked as read.") % {"count": count})
        elif request.POST.get("read", "").isdigit():
            mine.filter(pk=int(request.POST["read"]), read_at__isnull=True).update(read_at=now)
        return HttpResponseRedirect(reverse("notifications"))
    page = Paginator(mine.select_related("incident").order_by("-created_at", "-id"), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request, "incidents/notifications.html", {"page": page, "items": page.object_list}
    )
