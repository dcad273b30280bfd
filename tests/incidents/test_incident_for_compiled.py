"""``incident_for`` reads the incident through a query compiled once per process
(common/compiled.py ``CompiledModels``): whoever asked first, each user gets exactly the
incidents the need-to-know rule gives them, by reference or by id, with the owner joined and the
page's annotations, in one query; input that can name no incident is a 404, never an error."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Exists, OuterRef
from django.http import Http404

from common.compiled import CompiledModels
from common.roles import Action, roles_of
from incidents.models import Incident, TimelineEvent
from incidents.permissions import incident_for
from tests.conftest import needs_postgresql
from tests.factories import IncidentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_each_user_in_turn_gets_exactly_the_incidents_they_may_see(alice, bob, charlie, admin_user):
    mine = IncidentFactory(owner=alice)
    mine.memberships.create(user=bob)
    theirs = IncidentFactory(owner=charlie)
    can_see = {
        alice: {mine},
        bob: {mine},
        charlie: {theirs},
        admin_user: {mine, theirs},
    }
    # Several rounds, by reference and by id, so that every plan is reused for other users and
    # other incidents after it was compiled for the first.
    for _round in range(2):
        for user, visible in can_see.items():
            for incident in (mine, theirs):
                for lookup in ({"reference": incident.reference}, {"pk": incident.pk}):
                    if incident in visible:
                        found = incident_for(user, **lookup)
                        assert found.pk == incident.pk
                        assert found.reference == incident.reference
                    else:
                        with pytest.raises(Http404):
                            incident_for(user, **lookup)


def test_a_visible_incident_without_the_right_is_403_and_anonymous_is_404(carol, alice):
    incident = IncidentFactory(owner=alice)
    incident.memberships.create(user=carol)  # a viewer: may see, may not record
    assert incident_for(carol, pk=incident.pk).pk == incident.pk
    with pytest.raises(PermissionDenied):
        incident_for(carol, pk=incident.pk, action=Action.RECORD)
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(Http404):
        incident_for(AnonymousUser(), pk=incident.pk)


def test_one_query_with_the_owner_joined_and_the_annotations_set(alice, django_assert_num_queries):
    incident = IncidentFactory(owner=alice)
    TimelineEvent.objects.create(
        incident=incident,
        kind="investigation_milestone",
        title="x",
        occurred_at=incident.created_at,
    )
    annotations = {
        "events_n": Count("events"),
        "has_members": Exists(incident.memberships.model.objects.filter(incident=OuterRef("pk"))),
    }
    roles_of(alice)  # read once per request by the sign-in backend; not this read's query
    for _round in range(2):
        with django_assert_num_queries(1):
            found = incident_for(alice, reference=incident.reference, annotations=annotations)
            assert found.owner.username == "alice"  # joined: no second query
        assert found.events_n == 1
        assert found.has_members is False


@pytest.mark.parametrize("pk", ["12abc", "", "1e3", [1], float("inf"), 2**63, -5, 0])
def test_an_id_that_is_no_number_is_404(alice, pk):
    IncidentFactory(owner=alice)
    with pytest.raises(Http404):
        incident_for(alice, pk=pk)


def test_a_user_without_an_id_sees_no_incident_rather_than_every_one(alice):
    # A member's id stands in the query; without one the read must not become the admin's.
    incident = IncidentFactory(owner=alice)
    ghost = UserFactory(role="compliance")
    roles_of(ghost)  # remembered on the object, as the sign-in backend does per request
    ghost.pk = None
    with pytest.raises(Http404):
        incident_for(ghost, pk=incident.pk)


def test_an_id_given_as_text_finds_the_incident(alice):
    incident = IncidentFactory(owner=alice)
    assert incident_for(alice, pk=str(incident.pk)).pk == incident.pk


def test_a_reference_holding_a_nul_is_404_not_a_database_error(alice, client):
    IncidentFactory(owner=alice, reference="INC-NUL")
    with pytest.raises(Http404):
        incident_for(alice, reference="INC-\x00NUL")
    client.force_login(alice)
    assert client.get("/incidents/INC-%00NUL/").status_code == 404


def test_compiled_models_are_the_orms_instances_for_each_value(alice, charlie):
    first = IncidentFactory(owner=alice)
    second = IncidentFactory(owner=charlie)
    read = CompiledModels(
        lambda reference: (
            Incident.objects.filter(reference=reference)
            .select_related("owner")
            .annotate(member_count=Count("memberships"))
        )
    )
    for incident in (first, second, first):
        (found,) = read.rows(reference=incident.reference)
        assert found == incident
        assert found.owner == incident.owner
        assert found.member_count == 0
        assert found._state.db == "default"
        assert not found._state.adding
    assert read.rows(reference="no such reference") == []


@needs_postgresql("only PostgreSQL runs compiled SQL")
def test_a_text_value_that_never_reaches_the_sql_is_refused(db):
    read = CompiledModels(
        lambda reference: Incident.objects.filter(pk__gt=0 if reference.startswith("A") else -1)
    )
    with pytest.raises(ValueError, match="every marker"):
        read.rows(reference="A-1")


def test_compiled_models_refuse_values_rows(db):
    UserFactory()
    # A values() build, which the types refuse too: this checks the run-time refusal.
    read = CompiledModels(
        lambda member: Incident.objects.filter(owner_id=member).values("pk")  # type: ignore[type-var]
    )
    if connection.vendor == "postgresql":
        with pytest.raises(ValueError, match="model rows"):
            read.rows(member=1)
