"""The new pages (opening form, entity, team, status, acknowledgement) stay within the query
bound, and their count does not grow with the data (two data sizes, as for the other pages)."""

from __future__ import annotations

import pytest

from incidents import services
from incidents.models import Deadline, Filing, LegalEntity, TimelineEvent
from tests.factories import UserFactory
from tests.incidents.test_views_queries import MAX_QUERIES, count_queries, populate

pytestmark = pytest.mark.django_db


def _pages(incident) -> list[str]:
    entity = LegalEntity.objects.filter(incident=incident).first()
    filing = Filing.objects.filter(incident=incident).first()
    ref = incident.reference
    return [
        "/incidents/new/",
        f"/incidents/{ref}/",
        f"/incidents/{ref}/entities/new/",
        f"/incidents/{ref}/entities/{entity.pk}/edit/",
        f"/incidents/{ref}/team/",
        f"/incidents/{ref}/status/",
        f"/incidents/{ref}/filings/{filing.pk}/acknowledgement/",
    ]


def _add_members(incident, n: int) -> None:
    for k in range(n):
        user = UserFactory(username=f"m{incident.pk}-{k}", role="viewer")
        services.membership_add(incident=incident, user=user)


@pytest.mark.parametrize("who", ["admin", "member"])
def test_new_pages_use_a_bounded_number_of_queries_at_two_data_sizes(
    client, catalogue, alice, admin_user, who, django_assert_max_num_queries
):
    client.force_login(admin_user if who == "admin" else alice)
    small = populate(alice, incidents=1, events_per_incident=2)
    _add_members(small[0], 1)
    small_counts = [count_queries(client, url) for url in _pages(small[0])]
    small_rows = Deadline.objects.count() + TimelineEvent.objects.count()

    large = populate(alice, incidents=4, events_per_incident=9)
    _add_members(large[-1], 8)
    pages = _pages(large[-1])
    for url in pages:
        with django_assert_max_num_queries(MAX_QUERIES):
            client.get(url)
    large_counts = [count_queries(client, url) for url in pages]

    print(who, small_counts, large_counts)  # noqa: T201 - shown with -s
    assert small_counts == large_counts
    assert Deadline.objects.count() + TimelineEvent.objects.count() > 5 * small_rows
