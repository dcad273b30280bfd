"""The 09:00 digest, in each user's zone, once a day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from reminders.digest import digests_create
from reminders.models import DigestRun
from reminders.sending import send_deliveries
from reminders.sweep import dispatch

pytestmark = pytest.mark.django_db


def send_digests():
    from django.utils import timezone

    runs = digests_create()
    dispatch(now=timezone.now(), enqueue=send_deliveries)
    return runs


def test_digest_goes_out_at_nine_in_each_users_zone_once(
    frozen, make_deadline, alice, dave, charlie
):
    make_deadline(timedelta(hours=30))
    make_deadline(-timedelta(hours=2), key="late")
    make_deadline(timedelta(days=10), key="far")
    # 09:00 in Seoul, 19:00 the evening before in New York.
    send_digests()
    assert {r.user.username for r in DigestRun.objects.filter(due_count__gt=0)} == {
        "alice",
        "bob",
        "carol",
    }
    alice_mail = next(m for m in mail.outbox if m.to == ["alice@example.com"])
    assert "기한 경과 1건" in alice_mail.subject
    assert "72시간 내 마감 1건" in alice_mail.subject
    # charlie cannot see the incident: his digest run is empty and sends nothing.
    assert not [m for m in mail.outbox if m.to == ["charlie@example.com"]]
    assert not DigestRun.objects.filter(user=dave).exists()
    sent = len(mail.outbox)
    send_digests()  # the digest sweep runs again at 09:05
    assert len(mail.outbox) == sent
    frozen.shift(timedelta(hours=14))  # 09:00 in New York
    send_digests()
    dave_mail = next(m for m in mail.outbox if m.to == ["dave@example.com"])
    assert "Digest 2026-03-02: 1 overdue, 1 due within 72 h" in dave_mail.subject
    assert "(UTC-05:00)" in dave_mail.body
    assert DigestRun.objects.filter(user=alice).count() == 1
