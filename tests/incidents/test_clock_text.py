"""Instants as text (incidents/templatetags/clock.py) are Django's own date format, spelled out
for speed: compared here with ``django.utils.dateformat`` for any instant, zone and language."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.utils import translation
from django.utils.dateformat import format as django_format
from hypothesis import given, settings
from hypothesis import strategies as st

from incidents.templatetags.clock import _offset, instant_text, when_date

ZONES = [
    "Asia/Seoul",
    "UTC",
    "America/New_York",
    "Europe/Dublin",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
]
# hypothesis takes naive bounds and puts the zone on each example itself.
instants = st.datetimes(
    min_value=datetime(1990, 1, 1),  # noqa: DTZ001
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@settings(max_examples=300, deadline=None)
@given(
    instants,
    st.sampled_from(ZONES),
    st.sampled_from(["ko", "en"]),
    st.booleans(),
)
def test_instant_text_is_djangos_date_format_with_zone_and_offset(
    moment: datetime, zone: str, language: str, seconds: bool
) -> None:
    tz = ZoneInfo(zone)
    local = moment.astimezone(tz)
    pattern = "Y-m-d (D) H:i:s" if seconds or local.second else "Y-m-d (D) H:i"
    name = local.tzname() or ""
    abbreviation = f" {name}" if name and name[0] not in "+-" else ""
    with translation.override(language):
        expected = f"{django_format(local, pattern)}{abbreviation} {_offset(local)}"
        assert instant_text(moment, tz, seconds=seconds) == expected
        assert when_date(moment, zone) == django_format(local, "Y-m-d (D)")


def test_instant_text_worked_example_in_both_languages() -> None:
    # 2025-11-18 07:00 UTC is a Tuesday, 16:00 in Seoul.
    moment = datetime(2025, 11, 18, 7, 0, tzinfo=UTC)
    with translation.override("en"):
        assert instant_text(moment, ZoneInfo("Asia/Seoul")) == "2025-11-18 (Tue) 16:00 KST +09:00"
        assert instant_text(moment, ZoneInfo("America/New_York"), seconds=True) == (
            "2025-11-18 (Tue) 02:00:00 EST -05:00"
        )
    with translation.override("ko"):
        text = instant_text(moment, ZoneInfo("Asia/Seoul"))
        assert text.startswith("2025-11-18 (화")
        assert text.endswith(") 16:00 KST +09:00")
