"""The search page and API use a bounded number of queries, the same at two data sizes, and the
index migration is a no-op on SQLite."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from tests.factories import IncidentFactory
from tests.search.conftest import fill

MAX_QUERIES = 15
pytestmark = pytest.mark.django_db
URLS = [
    "/search/?q=credential",
    "/search/?q=%EC%9C%A0%EC%B6%9C",  # 유출
    "/search/?q=KISA&regulator=KISA-MSIT&status=open&date_from=2026-01-01",
    "/api/v1/search/?q=credential",
]


def counts(client) -> list[int]:
    result = []
    for url in URLS:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, url
        result.append(len(captured))
    return result


@pytest.mark.parametrize("who", ["admin_user", "alice"])
def test_query_count_is_bounded_and_flat(client, corpus, alice, who, request):
    client.force_login(request.getfixturevalue(who))
    small = counts(client)
    for n in range(6):
        other = IncidentFactory(owner=alice, title=f"Credential stuffing {n}")
        fill(other, f"80{n}")
    large = counts(client)
    assert all(0 < c <= MAX_QUERIES for c in small + large), (small, large)
    assert small == large


def test_index_migration_is_a_no_op_on_sqlite_and_creates_indexes_on_postgresql():
    with connection.cursor() as cursor:
        names = {
            index
            for table in ("incidents_incident", "incidents_timelineevent", "incidents_filing")
            for index in connection.introspection.get_constraints(cursor, table)
        }
    search_indexes = {n for n in names if "_search_" in n}
    if connection.vendor == "postgresql":
        assert "incidents_timelineevent_search_trgm" in search_indexes
        assert "incidents_timelineevent_search_fts" in search_indexes
    else:
        assert search_indexes == set()


def _search_indexes() -> set[str]:
    with connection.cursor() as cursor:
        return {
            name
            for table in ("incidents_incident", "incidents_timelineevent", "incidents_filing")
            for name in connection.introspection.get_constraints(cursor, table)
            if "_search_" in name
        }


@pytest.mark.django_db(transaction=True)
def test_the_search_migration_reverses_and_reapplies_on_either_database():
    executor = MigrationExecutor(connection)
    executor.migrate([("search", None)])
    assert _search_indexes() == set()
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    expected = 9 if connection.vendor == "postgresql" else 0  # 3 tables x (fts, trgm, date)
    assert len(_search_indexes()) == expected
