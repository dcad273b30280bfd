"""Browser pages: set up a campaign, record a batch, record later failures. Each re-shows the
form with what was typed and the error beside its field when the service refuses (status 400)."""

from __future__ import annotations

from typing import Any, cast
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.concurrency import StaleWrite, version_of
from common.roles import Action, has_right
from incidents.choices import DeadlineStatus
from incidents.forms import StyledForm
from incidents.models import Deadline, Incident
from incidents.permissions import incident_for
from outreach import drafts, services
from outreach.forms import BatchForm, CampaignForm, FailuresForm
from outreach.law import NOTICE_KINDS, substitute_rule_for
from outreach.models import NoticeBatch, NoticeCampaign
from outreach.selectors import population_for
from outreach.signals import notice_draft_downloaded


def _user(request: HttpRequest) -> User:
    # @login_required ran first, so this is a real user.
    return cast(User, request.user)


def _back(incident: Incident, anchor: str) -> HttpResponseRedirect:
    url = reverse("incident_detail", kwargs={"reference": incident.reference})
    return HttpResponseRedirect(f"{url}#{anchor}")


def _page(
    request: HttpRequest, incident: Incident, form: StyledForm, title: str, **extra: Any
) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "incidents/forms/form_page.html",
        {"incident": incident, "form": form, "title": title, **extra},
        status=status,
    )


def _notice_deadline(incident: Incident, deadline_id: int) -> Deadline:
    deadline = get_object_or_404(
        Deadline.objects.select_related("legal_entity", "regulator", "obligation"),
        pk=deadline_id,
        incident=incident,
        code__in=list(NOTICE_KINDS),
    )
    if deadline.status == DeadlineStatus.SUPERSEDED:
        raise Http404(_("This deadline is superseded."))
    return deadline


@login_required
def campaign_edit(request: HttpRequest, reference: str, deadline_id: int) -> HttpResponse:
    incident = incident_for(request.user, reference=reference, action=Action.RECORD)
    deadline = _notice_deadline(incident, deadline_id)
    campaign = NoticeCampaign.objects.filter(deadline=deadline).first()
    rule = substitute_rule_for(deadline.code)
    version = version_of(campaign) if campaign else ""
    form = CampaignForm(
        request.POST or None, rule=rule, initial=CampaignForm.initial_from(campaign, version)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {k: data[k] for k in ("method", "substitute_notice", "substitute_reason", "notes")}
        try:
            if campaign is None:
                campaign = services.campaign_create(
                    incident=incident, deadline=deadline, created_by=_user(request), **fields
                )
            else:
                services.campaign_update(
                    campaign=campaign,
                    changed_by=_user(request),
                    expected_version=data["version"] or None,
                    **fields,
                )
        except StaleWrite as exc:
            form.add_error(None, str(exc.message))
        except ValidationError as exc:
            form.apply_service_error(exc)
        else:
            messages.success(request, _("Campaign saved."))
            return _back(incident, f"notice-{deadline.pk}")
    title = _("Set up the notification campaign") if campaign is None else _("Edit the campaign")
    return _page(request, incident, form, title, deadline=deadline)


@login_required
def batch_new(request: HttpRequest, reference: str, campaign_id: int) -> HttpResponse:
    incident = incident_for(request.user, reference=reference, action=Action.RECORD)
    campaign = get_object_or_404(
        NoticeCampaign.objects.select_related("deadline__legal_entity", "deadline__regulator"),
        pk=campaign_id,
        incident=incident,
    )
    population = population_for(campaign)
    form = BatchForm(
        request.POST or None,
        jurisdictions=sorted(population),
        zone=timezone.get_current_timezone_name(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.batch_record(
                campaign=campaign,
                jurisdiction=data["jurisdiction"],
                method=data["method"],
                sent_at=data["sent_at"],
                count=data["count"],
                failures=data["failures"],
                failure_note=data["failure_note"],
                over_population_note=data["over_population_note"],
                recorded_by=_user(request),
            )
        except ValidationError as exc:
            form.apply_service_error(exc, {"sent_at": "sent_time"})
        else:
            messages.success(request, _("Batch recorded."))
            return _back(incident, f"notice-{campaign.deadline_id}")
    return _page(
        request, incident, form, _("Record a batch of notices"), deadline=campaign.deadline
    )


@login_required
def batch_failures(request: HttpRequest, reference: str, batch_id: int) -> HttpResponse:
    incident = incident_for(request.user, reference=reference, action=Action.RECORD)
    batch = get_object_or_404(
        NoticeBatch.objects.select_related(
            "campaign__deadline__legal_entity", "campaign__deadline__regulator"
        ),
        pk=batch_id,
        incident=incident,
    )
    form = FailuresForm(
        request.POST or None, initial=FailuresForm.initial_from(batch, version_of(batch))
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.batch_failures_record(
                batch=batch,
                failures=data["failures"],
                failure_note=data["failure_note"],
                changed_by=_user(request),
                expected_version=data["version"] or None,
            )
        except StaleWrite as exc:
            form.add_error(None, str(exc.message))
        except ValidationError as exc:
            form.apply_service_error(exc)
        else:
            messages.success(request, _("Failures recorded."))
            return _back(incident, f"notice-{batch.campaign.deadline_id}")
    title = _("Failures and bounces of the batch of %(day)s (%(j)s, %(n)s sent)") % {
        "day": timezone.localtime(batch.sent_at).strftime("%Y-%m-%d %H:%M"),
        "j": batch.jurisdiction,
        "n": f"{batch.count:,}",
    }
    return _page(request, incident, form, title, deadline=batch.campaign.deadline)


@login_required
def notice_draft(
    request: HttpRequest, reference: str, deadline_id: int, language: str, fmt: str
) -> HttpResponse:
    """Download the notice draft. Whoever records the notices (RECORD) or exports (EXPORT) may;
    every download is in the audit chain (outreach.signals.notice_draft_downloaded)."""
    incident = incident_for(request.user, reference=reference)
    if not (has_right(request.user, Action.RECORD) or has_right(request.user, Action.EXPORT)):
        raise PermissionDenied(_("Your role does not allow this."))
    if language not in drafts.LANGUAGES or fmt not in drafts.FORMATS:
        raise Http404(_("No such draft."))
    deadline = _notice_deadline(incident, deadline_id)
    zone = ZoneInfo(timezone.get_current_timezone_name())
    data, filename, content_type = drafts.render(
        incident, deadline, language=language, fmt=fmt, tz=zone
    )
    notice_draft_downloaded.send(
        sender=NoticeCampaign,
        deadline=deadline,
        user=request.user,
        request=request,
        language=language,
        fmt=fmt,
        size=len(data),
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
