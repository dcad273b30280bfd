"""List pages built from values() rows (common.api.rows) answer the serializer's JSON exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework import mixins, serializers

from common.api.rows import Computed, RowPlan
from common.api.serializers import OutputSerializer
from incidents.api.serializers import DEADLINE_ROWS, EVENT_ROWS, INCIDENT_ROWS
from incidents.api.views import DeadlineViewSet, IncidentViewSet, TimelineEventViewSet
from incidents.deadlines import deadline_mark_not_applicable
from incidents.models import Deadline, Incident, Profile, TimelineEvent
from tests.factories import IncidentFactory, LegalEntityFactory, TimelineEventFactory, UserFactory

pytestmark = pytest.mark.django_db
KST = ZoneInfo("Asia/Seoul")
T0 = datetime(2025, 11, 17, 16, 0, tzinfo=KST)


def _populate(owner: Any) -> Any:
    """Incidents and events with every kind of value: nulls, JSON, corrections, other zones."""
    incident = IncidentFactory(
        owner=owner,
        summary="Long summary\nwith 한국어",
        data_categories=["name", "email"],
        extra_facts={"high_risk": True, "nested": {"n": [1, 2]}},
        external_attack=None,
        team="Blue",
    )
    LegalEntityFactory(incident=incident, name="Zeta Co.", role="parent", nis2_entity=None)
    LegalEntityFactory(incident=incident, name="Alpha Co.", dora_entity_type="trading_venue")
    entity = LegalEntityFactory(incident=incident, name="Mid Co.", jurisdictions=[])
    IncidentFactory(owner=owner, is_reconstruction=True)  # no entities at all
    for n in range(4):
        other = IncidentFactory(owner=owner, severity=["low", "medium", "critical", "high"][n])
        LegalEntityFactory(incident=other, name=f"Other {n}", reference_tz="Europe/Berlin")
    first = TimelineEventFactory(
        incident=incident,
        kind="awareness",
        occurred_at=T0,
        basis="company",
        data={"k": "v"},
        recorded_by=owner,
        legal_entity=entity,
        source_url="https://example.com/a",
    )
    TimelineEventFactory(
        incident=incident,
        occurred_at=T0 - timedelta(hours=3),
        supersedes=first,
        correction_reason="earlier",
        recorded_by=None,
        precision="day",
    )
    TimelineEventFactory(
        incident=incident,
        occurred_at=datetime(2025, 3, 30, 0, 30, tzinfo=UTC),  # a UTC time: "Z" for UTC viewers
        description="d",
        confidence="low",
    )
    return incident


def _both(client: Any, url: str, view: type, monkeypatch: Any) -> tuple[bytes, bytes]:
    rows = client.get(url)
    with monkeypatch.context() as patch:
        patch.setattr(view, "list", mixins.ListModelMixin.list)
        serialized = client.get(url)
    assert rows.status_code == serialized.status_code == 200
    return rows.content, serialized.content


@pytest.mark.parametrize("zone", ["Asia/Seoul", "UTC", "America/New_York"])
@pytest.mark.parametrize(
    "query",
    ["", "?page_size=3", "?page_size=3&page=2", "?ordering=-title", "?severity=high&ordering=id"],
)
def test_incident_list_answers_the_serializers_json_byte_for_byte(
    admin_user, client_for, monkeypatch, zone, query
) -> None:
    Profile.objects.filter(user=admin_user).update(time_zone=zone)
    _populate(admin_user)
    fast, slow = _both(
        client_for(admin_user), f"/api/v1/incidents/{query}", IncidentViewSet, monkeypatch
    )
    assert fast == slow


@pytest.mark.parametrize("zone", ["Asia/Seoul", "UTC"])
@pytest.mark.parametrize("query", ["", "?page_size=2&page=2", "?current=true", "?ordering=-id"])
def test_event_list_answers_the_serializers_json_byte_for_byte(
    alice, client_for, monkeypatch, zone, query
) -> None:
    Profile.objects.filter(user=alice).update(time_zone=zone)
    incident = _populate(alice)
    fast, slow = _both(
        client_for(alice),
        f"/api/v1/incidents/{incident.pk}/events/{query}",
        TimelineEventViewSet,
        monkeypatch,
    )
    assert fast == slow


@pytest.mark.parametrize("zone", ["Asia/Seoul", "UTC", "America/New_York"])
@pytest.mark.parametrize(
    "query", ["", "?page_size=2&page=2", "?status=filed", "?ordering=-due_at", "?status=open"]
)
def test_deadline_list_answers_the_serializers_json_byte_for_byte(
    world, bob, client_for, monkeypatch, zone, query
) -> None:
    Profile.objects.filter(user=bob).update(time_zone=zone)
    deadline_mark_not_applicable(
        deadline=world["deadline"], justification="Not a provider 아님", marked_by=bob
    )
    fast, slow = _both(
        client_for(bob),
        f"/api/v1/incidents/{world['incident'].pk}/deadlines/{query}",
        DeadlineViewSet,
        monkeypatch,
    )
    assert fast == slow
    if not query:  # the page holds every kind of value the plan reads
        text = fast.decode()
        assert '"alternatives":[{' in text  # a filed deadline's later trigger
        assert '"not_applicable_by":"bob"' in text
        assert '"explanation":[{"en":' in text


def test_a_deadline_plan_reads_explanations_of_any_shape_as_the_serializer(world) -> None:
    deadline = world["filed_deadline"]
    queryset = Deadline.objects.filter(pk=deadline.pk)
    # Nulls, other types and keys the serializer does not show: the same JSON.
    queryset.update(explanation=[{"en": None, "ko": "한국어", "extra": 1}, {"en": 5, "ko": ""}])
    expected = DEADLINE_ROWS.serializer_class(queryset, many=True).data
    assert DEADLINE_ROWS.rows(DEADLINE_ROWS.values(queryset)) == expected
    assert expected[0]["explanation"] == [{"en": None, "ko": "한국어"}, {"en": "5", "ko": ""}]
    # An object without one of its keys: the serializer's own error, not a made-up value.
    queryset.update(explanation=[{"en": "only"}])
    with pytest.raises(KeyError):
        _ = DEADLINE_ROWS.serializer_class(queryset, many=True).data
    with pytest.raises(KeyError):
        DEADLINE_ROWS.rows(DEADLINE_ROWS.values(queryset))


def test_member_list_shows_only_their_incidents_with_their_entities(
    alice, charlie, client_for
) -> None:
    mine = _populate(alice)
    theirs = IncidentFactory(owner=charlie)
    LegalEntityFactory(incident=theirs, name="Secret Co.")
    body = client_for(charlie).get("/api/v1/incidents/").json()
    assert [row["reference"] for row in body["results"]] == [theirs.reference]
    assert [e["name"] for e in body["results"][0]["entities"]] == ["Secret Co."]
    assert mine.reference not in {row["reference"] for row in body["results"]}


@pytest.mark.parametrize("plan", [INCIDENT_ROWS, EVENT_ROWS], ids=repr)
def test_each_plan_gives_what_its_serializer_gives(alice, plan) -> None:
    _populate(alice)
    model = plan.serializer_class.Meta.model  # type: ignore[attr-defined]
    queryset = model.objects.order_by("pk")
    assert plan.rows(plan.values(queryset)) == plan.serializer_class(queryset, many=True).data


# --- what a plan refuses to guess ----------------------------------------------------------------


class _WithMethod(OutputSerializer):
    shout = serializers.SerializerMethodField()

    class Meta:
        model = TimelineEvent
        fields = ["id", "shout"]

    def get_shout(self, obj: TimelineEvent) -> str:
        return obj.title.upper()


class _ThroughNullable(OutputSerializer):
    recorder = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = TimelineEvent
        fields = ["id", "recorder"]


class _Hyperlinked(OutputSerializer):
    incident = serializers.HyperlinkedRelatedField[Incident](view_name="x", read_only=True)

    class Meta:
        model = TimelineEvent
        fields = ["id", "incident"]


@pytest.mark.parametrize("serializer_class", [_WithMethod, _ThroughNullable, _Hyperlinked])
def test_a_field_no_column_gives_is_refused_when_the_plan_compiles(serializer_class) -> None:
    with pytest.raises(ImproperlyConfigured):
        _ = RowPlan(serializer_class).lookups


def test_a_computed_field_takes_its_columns_from_the_row(alice) -> None:
    event = TimelineEventFactory(title="quiet", recorded_by=alice)
    plan = RowPlan(
        _WithMethod, computed={"shout": Computed(("title",), lambda r: r["title"].upper())}
    )
    assert plan.rows(plan.values(TimelineEvent.objects.filter(pk=event.pk))) == [
        {"id": event.pk, "shout": "QUIET"}
    ]


def test_a_user_with_no_zone_of_their_own_reads_times_in_the_default_zone(
    client_for, monkeypatch
) -> None:
    owner = UserFactory(username="nozone", role="admin")
    Profile.objects.filter(user=owner).delete()
    _populate(owner)
    fast, slow = _both(client_for(owner), "/api/v1/incidents/", IncidentViewSet, monkeypatch)
    assert fast == slow
