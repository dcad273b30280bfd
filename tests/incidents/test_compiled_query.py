"""A query compiled once (common/compiled.py ``CompiledModels``, as the incident page reads its
rows) gives another incident's rows exactly as its queryset would: the same rows, columns,
converted annotations and deferred fields."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F

from common.compiled import CompiledModels
from incidents.models import Deadline
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def _deadlines(incident_id: int):
    return (
        Deadline.objects.filter(incident_id=incident_id)
        .defer("explanation")
        .annotate(trigger_occurred_at=F("trigger_event__occurred_at"))
        .order_by("id")
    )


def test_compiled_rows_are_the_querysets_rows_for_each_incident(aware_incident, alice):
    compiled = CompiledModels(_deadlines)
    empty = IncidentFactory(owner=alice)
    assert compiled.rows(incident_id=empty.pk) == []
    rows = compiled.rows(incident_id=aware_incident.pk)
    expected = list(_deadlines(aware_incident.pk))
    assert rows
    assert [r.pk for r in rows] == [e.pk for e in expected]
    for row, want in zip(rows, expected, strict=True):
        assert (row.due_at, row.status, row.code) == (want.due_at, want.status, want.code)
        # Converted as the queryset converts it (SQLite answers text).
        assert row.trigger_occurred_at == want.trigger_occurred_at
        assert row.trigger_occurred_at is None or row.trigger_occurred_at.tzinfo is not None
        assert row.get_deferred_fields() == want.get_deferred_fields() == {"explanation"}


def test_a_query_without_the_incident_id_is_refused():
    compiled = CompiledModels(lambda incident_id: Deadline.objects.all())
    if connection.vendor == "postgresql":  # elsewhere the ORM runs the build itself
        with pytest.raises(ValueError, match="every marker"):
            compiled.rows(incident_id=1)
