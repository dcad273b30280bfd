"""Notification campaigns and their batches in the JSON export, and their import.

Kept out of exports/jsonio.py (which calls these) so the module stays readable; the time and
user helpers are passed in, so this module imports nothing of jsonio (no cycle).

Import writes the rows directly, as the rest of the importer does: it restores what was
recorded (versions, times, notes, a batch recorded above a population since revised), which the
services' rules for *new* writes would refuse. Files exported before campaigns existed have no
``notice_campaigns`` key and import with none.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from exports.errors import ImportRejected
from incidents.models import Deadline, Incident
from outreach.models import NoticeBatch, NoticeCampaign

CAMPAIGN_FIELDS = ("method", "substitute_notice", "substitute_reason", "notes")
BATCH_FIELDS = (
    "jurisdiction",
    "method",
    "count",
    "failures",
    "failure_note",
    "over_population_note",
    "population_at_record",
)


def export_campaigns(
    incident: Incident,
    *,
    deadline_key: dict[int, str],
    who: Callable[[Any], str | None],
    t: Callable[[datetime | None], str | None],
) -> list[dict[str, Any]]:
    campaigns = (
        NoticeCampaign.objects.filter(incident=incident)
        .select_related("created_by")
        .prefetch_related("batches__recorded_by")
        .order_by("pk")
    )
    return [
        {
            "deadline": deadline_key[c.deadline_id],
            **{name: getattr(c, name) for name in CAMPAIGN_FIELDS},
            "created_by": who(c.created_by),
            "created_at": t(c.created_at),
            "updated_at": t(c.updated_at),
            "batches": [
                {
                    **{name: getattr(b, name) for name in BATCH_FIELDS},
                    "sent_at": t(b.sent_at),
                    "recorded_by": who(b.recorded_by),
                    "recorded_at": t(b.recorded_at),
                    "updated_at": t(b.updated_at),
                }
                for b in sorted(c.batches.all(), key=lambda b: b.pk)
            ],
        }
        for c in campaigns
    ]


def import_campaigns(
    rows: list[dict[str, Any]],
    *,
    incident: Incident,
    deadlines: dict[str, Deadline],
    user: Callable[[str | None], Any],
    parse_t: Callable[[Any, str], datetime | None],
    req_t: Callable[[Any, str], datetime],
) -> None:
    for c in rows:
        if c["deadline"] not in deadlines:
            raise ImportRejected(f"Notice campaign: unknown deadline {c['deadline']!r}.")
        campaign = NoticeCampaign.objects.create(
            incident=incident,
            deadline=deadlines[c["deadline"]],
            created_by=user(c["created_by"]),
            **{name: c[name] for name in CAMPAIGN_FIELDS},
        )
        for b in c["batches"]:
            batch = NoticeBatch.objects.create(
                campaign=campaign,
                incident=incident,
                sent_at=req_t(b["sent_at"], "notice batch"),
                recorded_by=user(b["recorded_by"]),
                **{name: b[name] for name in BATCH_FIELDS},
            )
            # Last, so nothing above bumps them (auto_now and auto_now_add).
            NoticeBatch.objects.filter(pk=batch.pk).update(
                recorded_at=parse_t(b["recorded_at"], "notice batch"),
                updated_at=parse_t(b["updated_at"], "notice batch"),
            )
        NoticeCampaign.objects.filter(pk=campaign.pk).update(
            created_at=parse_t(c["created_at"], "notice campaign"),
            updated_at=parse_t(c["updated_at"], "notice campaign"),
        )
