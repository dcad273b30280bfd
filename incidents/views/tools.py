"""The what-if calculator and the notifications inbox."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.forms import WhatIfForm
from incidents.selectors import notifications_for
from regulators.computation import Computation, deadline_compute


def _compute(data: dict[str, Any]) -> Computation:
    common: dict[str, Any] = {
        "trigger_at": data["trigger_at"],
        "precision": data["precision"],
        "awareness_at": data.get("awareness_at"),
    }
    if data.get("obligation"):
        return deadline_compute(code=data["obligation"], **common)
    return deadline_compute(
        offset=data["offset"],
        calendar=data.get("calendar") or "",
        tz=data["rule_tz"],
        roll_forward=bool(data.get("roll_forward")),
        **common,
    )


@login_required
def what_if(request: HttpRequest) -> HttpResponse:
    bound = "trigger_date" in request.GET
    form = WhatIfForm(request.GET if bound else None, zone=timezone.get_current_timezone_name())
    context: dict[str, Any] = {"form": form}
    if bound and form.is_valid():
        try:
            computed = _compute(form.cleaned_data)
        except ValidationError as exc:
            form.apply_service_error(exc, {"code": "obligation", "tz": "rule_tz"})
        else:
            context.update(
                {
                    "result": computed.result,
                    "spec": computed.spec,
                    "obligation": computed.obligation,
                    "now": timezone.now(),
                }
            )
    status = 400 if bound and form.errors else 200
    return render(request, "incidents/what_if.html", context, status=status)


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    mine = notifications_for(request.user)  # type: ignore[arg-type]
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
