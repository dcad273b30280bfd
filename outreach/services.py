"""Writes for notification campaigns. The web forms, the API and the JSON import all call these.

Rules (docs/outreach.md):
- A campaign answers exactly one open or filed deadline that is a notice to the people affected
  (outreach/law.py ``NOTICE_KINDS``), one campaign per deadline.
- Substitute notice (website posting) needs the condition stated: ``substitute_notice`` with a
  ``substitute_reason``; a website batch is refused on a campaign without it.
- A batch is for one jurisdiction of the campaign's population, sent at an aware time not in the
  future, with 1 or more notices and 0 to ``count`` failures.
- A batch that would take the people notified (sent minus failed) above the current population
  of its jurisdiction is refused unless it carries ``over_population_note``: counts lag behind
  the mailing lists, so more can be right, but someone has to say why. The note is kept and
  shown.
- Two people recording batches at once: the campaign row is locked (SELECT ... FOR UPDATE) before
  the totals are read, so the population check sees every committed batch and none is lost.
  Changing a campaign or a batch's failures is compare-and-set on its version (If-Match).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from common.concurrency import check_version, lock
from incidents.choices import DeadlineStatus
from incidents.models import Deadline, Incident
from outreach.law import is_notice_code
from outreach.models import SUBSTITUTE_METHODS, NoticeBatch, NoticeCampaign, NoticeMethod
from outreach.selectors import population_for

MAX_COUNT = 2**63 - 1
# A batch "sent" a little ahead of the server clock is a clock skew, not a prediction.
FUTURE_SKEW = timedelta(minutes=5)
CAMPAIGN_FIELDS = ("method", "substitute_notice", "substitute_reason", "notes")


def _clean_text(value: Any, field: str, limit: int | None = None) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({field: _("Write text here.")})
    text = value.strip()
    if limit is not None and len(text) > limit:
        raise ValidationError({field: _("At most %(n)d characters.") % {"n": limit}})
    return text


def _check_method(method: Any) -> str:
    if method not in NoticeMethod.values:
        raise ValidationError({"method": _("Choose e-mail, SMS, letter or website posting.")})
    return str(method)


def _check_substitute(method: str, substitute: bool, reason: str) -> None:
    if substitute and not reason:
        raise ValidationError(
            {
                "substitute_reason": _(
                    "Say why the legal condition for substitute notice holds (for example: no "
                    "contact details for these people)."
                )
            }
        )
    if method in SUBSTITUTE_METHODS and not substitute:
        raise ValidationError(
            {
                "substitute_notice": _(
                    "A website posting replaces the notice only as a substitute notice: tick "
                    "substitute notice and say why its condition holds."
                )
            }
        )


@transaction.atomic
def campaign_create(
    *,
    incident: Incident,
    deadline: Deadline,
    method: str,
    created_by: User,
    substitute_notice: bool = False,
    substitute_reason: str = "",
    notes: str = "",
) -> NoticeCampaign:
    if deadline.incident_id != incident.pk:
        raise ValidationError({"deadline": _("This deadline belongs to another incident.")})
    if not is_notice_code(deadline.code):
        raise ValidationError(
            {"deadline": _("This deadline is not a notice to the people affected.")}
        )
    if deadline.status in (DeadlineStatus.SUPERSEDED, DeadlineStatus.NOT_APPLICABLE):
        raise ValidationError(
            {"deadline": _("This deadline is superseded or marked not applicable.")}
        )
    method = _check_method(method)
    reason = _clean_text(substitute_reason, "substitute_reason")
    _check_substitute(method, bool(substitute_notice), reason)
    # The deadline row is the thing two people could both open a campaign for: lock it, then
    # look. (The one-to-one constraint would refuse the second anyway, but with a 500.)
    lock(Deadline, deadline.pk)
    if NoticeCampaign.objects.filter(deadline=deadline).exists():
        raise ValidationError({"deadline": _("This deadline already has a campaign.")})
    return NoticeCampaign.objects.create(
        incident=incident,
        deadline=deadline,
        method=method,
        substitute_notice=bool(substitute_notice),
        substitute_reason=reason,
        notes=_clean_text(notes, "notes"),
        created_by=created_by,
    )


@transaction.atomic
def campaign_update(
    *,
    campaign: NoticeCampaign,
    changed_by: User,
    expected_version: str | None = None,
    **changes: Any,
) -> NoticeCampaign:
    unknown = set(changes) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    current = lock(NoticeCampaign, campaign.pk)
    check_version(current, expected_version)
    method = _check_method(changes.get("method", current.method))
    substitute = bool(changes.get("substitute_notice", current.substitute_notice))
    reason = _clean_text(
        changes.get("substitute_reason", current.substitute_reason), "substitute_reason"
    )
    _check_substitute(method, substitute, reason)
    if not substitute and current.batches.filter(method__in=SUBSTITUTE_METHODS).exists():
        raise ValidationError(
            {
                "substitute_notice": _(
                    "Website postings are already recorded as substitute notice: the condition "
                    "must stay stated."
                )
            }
        )
    current.method = method
    current.substitute_notice = substitute
    current.substitute_reason = reason
    current.notes = _clean_text(changes.get("notes", current.notes), "notes")
    current._change_reason = f"changed by {changed_by.get_username()}"  # type: ignore[attr-defined]
    current.save()
    return current


def _check_count(value: Any, field: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_COUNT:
        if minimum:
            message = _("A number of notices, 1 or more.")
        else:
            message = _("A number of notices, 0 or more.")
        raise ValidationError({field: message})
    return value


def notified_in(campaign: NoticeCampaign, jurisdiction: str, *, exclude: int | None = None) -> int:
    batches = NoticeBatch.objects.filter(campaign=campaign, jurisdiction=jurisdiction)
    if exclude is not None:
        batches = batches.exclude(pk=exclude)
    totals = batches.aggregate(sent=Sum("count"), failed=Sum("failures"))
    return int(totals["sent"] or 0) - int(totals["failed"] or 0)


@transaction.atomic
def batch_record(
    *,
    campaign: NoticeCampaign,
    jurisdiction: str,
    method: str,
    sent_at: datetime,
    count: int,
    recorded_by: User,
    failures: int = 0,
    failure_note: str = "",
    over_population_note: str = "",
) -> NoticeBatch:
    # Lock first, read after: every batch of this campaign committed before us is counted, and
    # a batch recorded at the same moment waits here until we commit.
    current = lock(NoticeCampaign, campaign.pk)
    code = jurisdiction.strip().upper() if isinstance(jurisdiction, str) else ""
    population = population_for(current)
    if code not in population:
        raise ValidationError(
            {
                "jurisdiction": _(
                    "Not a jurisdiction of this notice's population. Record the affected count "
                    "for it first."
                )
            }
        )
    method = _check_method(method)
    if method in SUBSTITUTE_METHODS and not current.substitute_notice:
        raise ValidationError(
            {
                "method": _(
                    "A website posting counts only as substitute notice: state the condition on "
                    "the campaign first."
                )
            }
        )
    if not isinstance(sent_at, datetime) or timezone.is_naive(sent_at):
        raise ValidationError({"sent_at": _("Give a time zone or a UTC offset with the time.")})
    if sent_at > timezone.now() + FUTURE_SKEW:
        raise ValidationError({"sent_at": _("A batch is recorded once it is sent, not before.")})
    count = _check_count(count, "count", 1)
    failures = _check_count(failures, "failures", 0)
    if failures > count:
        raise ValidationError({"failures": _("More failures than notices sent.")})
    note = _clean_text(over_population_note, "over_population_note", 500)
    already = notified_in(current, code)
    if already + count - failures > population[code] and not note:
        raise ValidationError(
            {
                "over_population_note": _(
                    "This would make %(total)s notified in %(j)s, more than the %(population)s "
                    "affected there. Check the batch, or say why (for example: the count is "
                    "being revised)."
                )
                % {
                    "total": f"{already + count - failures:,}",
                    "j": code,
                    "population": f"{population[code]:,}",
                }
            }
        )
    return NoticeBatch.objects.create(
        campaign=current,
        incident_id=current.incident_id,
        jurisdiction=code,
        method=method,
        sent_at=sent_at,
        count=count,
        failures=failures,
        failure_note=_clean_text(failure_note, "failure_note", 500),
        over_population_note=note,
        population_at_record=population[code],
        recorded_by=recorded_by,
    )


@transaction.atomic
def batch_failures_record(
    *,
    batch: NoticeBatch,
    failures: int,
    changed_by: User,
    failure_note: str | None = None,
    expected_version: str | None = None,
) -> NoticeBatch:
    """Bounces arrive after the batch: set the batch's failures (the total so far)."""
    lock(NoticeCampaign, batch.campaign_id)  # same order as batch_record: campaign, then batch
    current = lock(NoticeBatch, batch.pk)
    check_version(current, expected_version)
    failures = _check_count(failures, "failures", 0)
    if failures > current.count:
        raise ValidationError({"failures": _("More failures than notices sent.")})
    current.failures = failures
    if failure_note is not None:
        current.failure_note = _clean_text(failure_note, "failure_note", 500)
    current._change_reason = f"failures by {changed_by.get_username()}"  # type: ignore[attr-defined]
    current.save()
    return current
