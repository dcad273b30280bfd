"""``filing_acknowledge`` works on the filing row re-read under lock: a caller holding an old copy
never overwrites what another acknowledgement wrote, and with the version it edited
(``expected_version``) a write over a newer version is refused with ``StaleWrite``."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from common.concurrency import StaleWrite, version_of
from incidents import services
from incidents.models import Filing

KST = ZoneInfo("Asia/Seoul")
pytestmark = pytest.mark.django_db


@pytest.fixture
def filing(aware_incident, alice):
    return services.filing_submit(
        incident=aware_incident,
        deadline=aware_incident.deadlines.get(code="kr-network-act-48-3-initial"),
        recipient="KISA",
        submitted_at=datetime(2026, 3, 3, 9, 30, tzinfo=KST),
        submitted_by=alice,
    )


def test_an_old_copy_never_overwrites_another_acknowledgement(filing):
    old_copy = Filing.objects.get(pk=filing.pk)
    services.filing_acknowledge(
        filing=filing,
        acknowledged_at=datetime(2026, 3, 3, 9, 45, tzinfo=KST),
        acknowledgement="received",
    )
    written = services.filing_acknowledge(filing=old_copy, reference_number="KISA-1")
    assert (written.acknowledgement, written.reference_number) == ("received", "KISA-1")
    fresh = Filing.objects.get(pk=filing.pk)
    assert (fresh.acknowledgement, fresh.reference_number) == ("received", "KISA-1")


def test_a_stale_version_is_refused_and_writes_nothing(filing):
    seen = version_of(filing)
    services.filing_acknowledge(filing=filing, channel="KISA portal")
    with pytest.raises(StaleWrite):
        services.filing_acknowledge(filing=filing, reference_number="KISA-2", expected_version=seen)
    fresh = Filing.objects.get(pk=filing.pk)
    assert (fresh.channel, fresh.reference_number) == ("KISA portal", "")
    services.filing_acknowledge(
        filing=filing, reference_number="KISA-2", expected_version=version_of(fresh)
    )
    assert Filing.objects.get(pk=filing.pk).reference_number == "KISA-2"


def test_the_filing_version_changes_with_every_acknowledgement_change(filing):
    first = version_of(filing)
    services.filing_acknowledge(filing=filing, channel="e-mail")
    second = version_of(Filing.objects.get(pk=filing.pk))
    services.filing_acknowledge(filing=filing, channel="e-mail")  # no change: same version
    assert first != second
    assert version_of(Filing.objects.get(pk=filing.pk)) == second
