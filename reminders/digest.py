"""The daily digest: at 09:00 in each user's zone, what is due in the next 72 hours and what is
overdue, among the incidents that user may see. One ``DigestRun`` per (user, local date) makes it
once a day however often the digest sweep runs; a sweep missed at 09:00 catches up later that day.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from incidents.models import Applicability, Deadline, Profile
from incidents.selectors import deadlines_visible_to
from reminders import channels
from reminders.models import Channel, Delivery, DigestRun

logger = logging.getLogger(__name__)

WINDOW = timedelta(hours=72)


def digest_items(user: object, now: datetime) -> tuple[list[dict[str, object]], int, int]:
    deadlines = (
        deadlines_visible_to(user)  # type: ignore[arg-type]
        .open()
        .exclude(applicability=Applicability.DOES_NOT_APPLY)
        .filter(due_at__isnull=False, due_at__lte=now + WINDOW)
        .select_related("incident", "obligation")
        .order_by("due_at", "id")
    )
    items: list[dict[str, object]] = []
    due = overdue = 0
    for deadline in deadlines:
        due_at = deadline.due_at
        if due_at is None:  # excluded by the query; keeps the type checker honest
            continue
        is_overdue = due_at < now
        title_en, title_ko = channels.deadline_titles(deadline)
        items.append(
            {
                "deadline": deadline.pk,
                "incident": deadline.incident.reference,
                "incident_title": deadline.incident.title,
                "title_en": title_en,
                "title_ko": title_ko,
                "due_at": due_at.isoformat(),
                "overdue": is_overdue,
                "url": channels.incident_url(deadline.incident),
            }
        )
        if is_overdue:
            overdue += 1
        else:
            due += 1
    return items, due, overdue


def digests_create(*, now: datetime | None = None) -> list[DigestRun]:
    """Create today's digest for every user whose local time is 09:00 or later and who has none.

    Returns the runs created now (with their deliveries recorded). Safe to run concurrently:
    the (user, local date) constraint lets one of two racing sweeps create a run.
    """
    now = now or timezone.now()
    hour = int(getattr(settings, "REMINDER_DIGEST_HOUR", 9))
    # A digest missed at 09:00 (beat down) still goes out later that morning, not in the evening.
    catch_up = int(getattr(settings, "REMINDER_DIGEST_CATCH_UP_HOURS", 6))
    created: list[DigestRun] = []
    users = get_user_model().objects.filter(is_active=True).select_related("profile")
    recent = set(
        DigestRun.objects.filter(local_date__gte=(now - timedelta(days=1)).date()).values_list(
            "user_id", "local_date"
        )
    )
    for user in users:
        try:
            zone = user.profile.time_zone
        except Profile.DoesNotExist:
            zone = settings.TIME_ZONE
        local = now.astimezone(ZoneInfo(zone))
        if not hour <= local.hour < hour + catch_up or (user.pk, local.date()) in recent:
            continue
        items, due, overdue = digest_items(user, now)
        try:
            with transaction.atomic():
                run = DigestRun.objects.create(
                    user=user,
                    local_date=local.date(),
                    time_zone=zone,
                    due_count=due,
                    overdue_count=overdue,
                    payload={"generated_at": now.isoformat(), "items": items},
                )
                if items:
                    rows = [
                        Delivery(
                            digest=run,
                            channel=Channel.IN_APP,
                            recipient_key=f"u:{user.pk}",
                            user=user,
                        )
                    ]
                    if user.email:
                        rows.append(
                            Delivery(
                                digest=run,
                                channel=Channel.EMAIL,
                                recipient_key=f"u:{user.pk}",
                                user=user,
                            )
                        )
                    Delivery.objects.bulk_create(rows)
        except IntegrityError:
            continue  # another sweep made it first
        created.append(run)
    return created


def digest_content(run: DigestRun, *, language: str, zone: str) -> channels.Content:
    items = list(run.payload.get("items", []))
    rows = []
    for item in items:
        due_at = datetime.fromisoformat(str(item["due_at"]))
        rows.append(
            {
                **item,
                "title": item["title_ko"] if language == "ko" else item["title_en"],
                "due_local": channels.format_local(due_at, zone),
            }
        )
    overdue = [r for r in rows if r["overdue"]]
    upcoming = [r for r in rows if not r["overdue"]]
    context = {
        "lang": language,
        "overdue": overdue,
        "upcoming": upcoming,
        "date": run.local_date,
        "zone": zone,
        "url": settings.SITE_URL.rstrip("/") + "/",
    }
    if language == "ko":
        subject = f"[인시던트 클락] {run.local_date} 요약: 기한 경과 {len(overdue)}건, 72시간 내 마감 {len(upcoming)}건"
        title = f"오늘의 요약: 기한 경과 {len(overdue)}건, 72시간 내 마감 {len(upcoming)}건"
    else:
        subject = (
            f"[Incident Clock] Digest {run.local_date}: {len(overdue)} overdue, "
            f"{len(upcoming)} due within 72 h"
        )
        title = f"Daily digest: {len(overdue)} overdue, {len(upcoming)} due within 72 h"
    return channels.Content(
        subject=subject,
        text=render_to_string("emails/digest.txt", context),
        html=render_to_string("emails/digest.html", context),
        title=title,
        url=context["url"],
    )


__all__ = ["Deadline", "digest_content", "digests_create"]
