"""The campaign and batch services: the rules of outreach/services.py, the population kept in
step with the counts, and the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from common.concurrency import StaleWrite, version_of
from incidents import services as incident_services
from outreach import services
from outreach.selectors import notice_progress
from tests.outreach.conftest import KST, PIPA_NOTICE, SENT

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def _progress(incident):
    return next(p for p in notice_progress(incident) if p.deadline.code == PIPA_NOTICE)


def test_the_pipa_notice_deadline_is_listed_without_a_campaign_yet(aware_incident):
    progress = _progress(aware_incident)
    assert progress.campaign is None
    assert [(r.jurisdiction, r.population, r.to_notify) for r in progress.rows] == [
        ("KR", 1000, 1000)
    ]
    assert "34" in progress.rule.citation


def test_a_campaign_refuses_a_deadline_that_is_not_a_notice(aware_incident, alice):
    report = aware_incident.deadlines.exclude(code__contains="subject").first()
    with pytest.raises(ValidationError) as error:
        services.campaign_create(
            incident=aware_incident, deadline=report, method="email", created_by=alice
        )
    assert "deadline" in error.value.message_dict


def test_one_campaign_per_notice_deadline(campaign, aware_incident, notice_deadline, alice):
    with pytest.raises(ValidationError, match="already has a campaign"):
        services.campaign_create(
            incident=aware_incident, deadline=notice_deadline, method="sms", created_by=alice
        )


def test_substitute_notice_needs_the_reason_the_condition_holds(
    aware_incident, notice_deadline, alice
):
    with pytest.raises(ValidationError) as error:
        services.campaign_create(
            incident=aware_incident,
            deadline=notice_deadline,
            method="website",
            substitute_notice=True,
            created_by=alice,
        )
    assert "substitute_reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.campaign_create(
            incident=aware_incident, deadline=notice_deadline, method="website", created_by=alice
        )
    assert "substitute_notice" in error.value.message_dict


@time_machine.travel(NOW, tick=False)
def test_batches_add_up_per_jurisdiction_with_failures(campaign, alice):
    services.batch_record(
        campaign=campaign,
        jurisdiction="KR",
        method="email",
        sent_at=SENT,
        count=600,
        failures=20,
        recorded_by=alice,
    )
    batch = services.batch_record(
        campaign=campaign,
        jurisdiction="kr",
        method="sms",
        sent_at=SENT,
        count=100,
        recorded_by=alice,
    )
    services.batch_failures_record(
        batch=batch, failures=5, changed_by=alice, expected_version=version_of(batch)
    )
    row = _progress(campaign.incident).rows[0]
    assert (row.sent, row.failed, row.notified, row.to_notify, row.percent) == (
        700,
        25,
        675,
        325,
        67,
    )


@time_machine.travel(NOW, tick=False)
def test_a_batch_beyond_the_population_needs_a_note(campaign, alice):
    services.batch_record(
        campaign=campaign,
        jurisdiction="KR",
        method="email",
        sent_at=SENT,
        count=990,
        recorded_by=alice,
    )
    with pytest.raises(ValidationError) as error:
        services.batch_record(
            campaign=campaign,
            jurisdiction="KR",
            method="email",
            sent_at=SENT,
            count=20,
            recorded_by=alice,
        )
    assert "1,010" in error.value.message_dict["over_population_note"][0]
    batch = services.batch_record(
        campaign=campaign,
        jurisdiction="KR",
        method="email",
        sent_at=SENT,
        count=20,
        recorded_by=alice,
        over_population_note="the count is being revised upwards",
    )
    assert batch.over_population_note
    assert _progress(campaign.incident).rows[0].over == 10


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"jurisdiction": "US-CA"}, "jurisdiction"),
        ({"method": "pigeon"}, "method"),
        ({"method": "website"}, "method"),
        ({"count": 0}, "count"),
        ({"count": True}, "count"),
        ({"failures": 11}, "failures"),
        ({"sent_at": datetime(2026, 3, 3, 9, 0)}, "sent_at"),  # noqa: DTZ001 (naive on purpose)
        ({"sent_at": NOW + timedelta(hours=1)}, "sent_at"),
    ],
)
def test_a_bad_batch_is_refused_with_the_field_named(campaign, alice, changes, field):
    values = {"jurisdiction": "KR", "method": "email", "sent_at": SENT, "count": 10}
    values.update(changes)
    with pytest.raises(ValidationError) as error:
        services.batch_record(campaign=campaign, recorded_by=alice, **values)
    assert field in error.value.message_dict
    assert not campaign.batches.exists()


@time_machine.travel(NOW, tick=False)
def test_a_website_posting_counts_as_substitute_notice_once_the_condition_is_stated(
    campaign, alice
):
    campaign = services.campaign_update(
        campaign=campaign,
        changed_by=alice,
        expected_version=version_of(campaign),
        substitute_notice=True,
        substitute_reason="no contact details for 40 former members",
    )
    services.batch_record(
        campaign=campaign,
        jurisdiction="KR",
        method="website",
        sent_at=SENT,
        count=40,
        recorded_by=alice,
    )
    assert _progress(campaign.incident).rows[0].by_substitute == 40
    with pytest.raises(ValidationError) as error:
        services.campaign_update(campaign=campaign, changed_by=alice, substitute_notice=False)
    assert "substitute_notice" in error.value.message_dict


def test_a_stale_campaign_edit_is_refused(campaign, alice):
    old = version_of(campaign)
    services.campaign_update(campaign=campaign, changed_by=alice, expected_version=old, notes="a")
    with pytest.raises(StaleWrite):
        services.campaign_update(
            campaign=campaign, changed_by=alice, expected_version=old, notes="b"
        )


@time_machine.travel(NOW, tick=False)
def test_a_revised_count_moves_the_population_and_the_batch_keeps_what_was_known(campaign, alice):
    services.batch_record(
        campaign=campaign,
        jurisdiction="KR",
        method="email",
        sent_at=SENT,
        count=900,
        recorded_by=alice,
    )
    incident_services.affected_count_revise(
        incident=campaign.incident,
        jurisdiction="KR",
        count=5000,
        as_of=datetime(2026, 3, 4, 9, 0, tzinfo=KST),
        source="forensics",
    )
    row = _progress(campaign.incident).rows[0]
    assert (row.population, row.previous_population, row.to_notify) == (5000, 1000, 4100)
    assert row.count_revised_since_batch
    assert campaign.batches.get().population_at_record == 1000


@time_machine.travel(NOW, tick=False)
def test_campaign_and_batch_writes_are_in_the_audit_chain(campaign, alice):
    batch = services.batch_record(
        campaign=campaign,
        jurisdiction="KR",
        method="email",
        sent_at=SENT,
        count=10,
        recorded_by=alice,
    )
    services.batch_failures_record(batch=batch, failures=2, changed_by=alice)
    entries = AuditEntry.objects.filter(incident_id=campaign.incident_id)
    types = set(entries.values_list("object_type", "action"))
    assert ("outreach.noticecampaign", "create") in types
    assert ("outreach.noticebatch", "create") in types
    assert ("outreach.noticebatch", "update") in types


def test_a_notice_to_newly_identified_people_is_owed_to_the_increase(aware_incident):
    incident_services.affected_count_revise(
        incident=aware_incident,
        jurisdiction="KR",
        count=5000,
        as_of=datetime(2026, 3, 4, 9, 0, tzinfo=KST),
        source="forensics",
    )
    supplementary = [
        p
        for p in notice_progress(aware_incident)
        if p.deadline.code == "kr-pipa-34-subject-notice-supplementary"
    ]
    assert supplementary
    assert [(r.jurisdiction, r.population) for r in supplementary[-1].rows] == [("KR", 4000)]
    assert _progress(aware_incident).rows[0].population == 5000
