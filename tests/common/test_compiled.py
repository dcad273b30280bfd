"""Querysets compiled once per process (common/compiled.py): the rows are the ORM's for every
request's values, a plan compiled for one viewer never answers with another's rows, and a build
that would bake a value into the plan is refused."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from actions import services as action_services
from common.compiled import CompiledValues
from incidents import services
from incidents.models import Deadline, TimelineEvent
from incidents.selectors import deadlines_of_incidents, visible_incident_ids
from tests.conftest import add_korean_entity, needs_postgresql
from tests.factories import IncidentFactory

KST = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=KST)
pytestmark = pytest.mark.django_db


def aware(incident, title: str):
    add_korean_entity(incident, name=f"{title} Co.")
    services.affected_count_revise(
        incident=incident, jurisdiction="KR", count=100, as_of=NOW - timedelta(hours=3)
    )
    services.timeline_event_record(
        incident=incident, kind="awareness", occurred_at=NOW - timedelta(hours=2), title=title
    )
    return incident


def deadline_ids() -> CompiledValues:
    return CompiledValues(
        lambda ids: deadlines_of_incidents(ids).values("id", "incident_id", "due_at").order_by("id")
    )


@time_machine.travel(NOW, tick=False)
def test_compiled_rows_are_the_orms_and_follow_each_requests_ids(catalogue, alice, charlie):
    mine = aware(IncidentFactory(owner=alice), "Alice's leak")
    theirs = aware(IncidentFactory(owner=charlie), "Charlie's leak")
    compiled = deadline_ids()
    for incident in (mine, theirs, mine):
        # The same shape (one id) each time: one plan, the request's own id in it.
        rows = compiled.rows(ids=[incident.pk])
        expected = list(
            Deadline.objects.filter(incident=incident).values("id", "incident_id", "due_at")
        )
        assert rows == sorted(expected, key=lambda row: row["id"])
        assert rows
        assert {row["incident_id"] for row in rows} == {incident.pk}
    both = compiled.rows(ids=[mine.pk, theirs.pk])
    assert {row["incident_id"] for row in both} == {mine.pk, theirs.pk}
    # None (an admin): every incident's.
    assert len(compiled.rows(ids=None)) == Deadline.objects.count()
    # An empty list: no rows, and no SQL with an empty IN ().
    assert compiled.rows(ids=[]) == []


@needs_postgresql("only PostgreSQL runs compiled SQL")
def test_a_build_that_keeps_a_value_out_of_the_sql_is_refused(db):
    # The value decides the query's structure instead of reaching it as a parameter: a plan
    # compiled from the marker would answer every later request the same way.
    compiled = CompiledValues(
        lambda owner_id: TimelineEvent.objects.filter(pk__gt=0 if owner_id > 0 else -1).values("id")
    )
    with pytest.raises(ValueError, match="every marker"):
        compiled.rows(owner_id=7)


@time_machine.travel(NOW, tick=False)
def test_each_member_sees_only_their_incidents_on_the_dashboard_in_turn(
    client, catalogue, alice, charlie
):
    """Two members with the same number of incidents share one compiled plan per panel: each
    still sees only their own deadlines, events and tasks, whoever asked first."""
    mine = aware(IncidentFactory(owner=alice), "Alice's leak")
    theirs = aware(IncidentFactory(owner=charlie), "Charlie's leak")
    for owner, incident in ((alice, mine), (charlie, theirs)):
        action_services.action_item_create(
            incident=incident,
            title=f"Task of {owner.username}",
            owner=owner,
            due_at=NOW + timedelta(hours=5),
            created_by=owner,
        )
    assert len(visible_incident_ids(alice)) == len(visible_incident_ids(charlie)) == 1
    titles = {alice: "Alice's leak", charlie: "Charlie's leak"}
    for _round in range(2):
        for user, own, other in ((alice, mine, theirs), (charlie, theirs, mine)):
            other_user = charlie if user == alice else alice
            client.force_login(user)
            html = client.get("/").content.decode().replace("&#x27;", "'")
            # Deadlines (most urgent panel), events (activity) and tasks (My tasks).
            assert own.reference in html
            assert other.reference not in html
            assert titles[user] in html
            assert titles[other_user] not in html
            assert f"Task of {user.username}" in html
            assert f"Task of {other_user.username}" not in html
