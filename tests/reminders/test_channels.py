"""What leaves: e-mail in the recipient's language and zone, webhook signature, outbox files."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from incidents.models import Notification
from reminders import channels
from reminders.models import Channel, Delivery, DeliveryState, WebhookEndpoint
from reminders.sending import send_deliveries
from reminders.services import reminders_sync_for
from reminders.sweep import sweep
from tools.faults import Receiver
from tools.mail import OutboxFileBackend

pytestmark = pytest.mark.django_db


def test_email_is_in_the_recipients_language_and_zone_with_offset_link_and_message_id(
    frozen, make_deadline
):
    deadline = make_deadline()
    reminders_sync_for(deadline=deadline)
    sweep(enqueue=send_deliveries)
    by_to = {m.to[0]: m for m in mail.outbox}
    korean = by_to["alice@example.com"]  # profile default: ko, Asia/Seoul
    english = by_to["dave@example.com"]  # en, America/New_York
    # Due 72 h after 2026-03-02 00:00 UTC.
    assert "2026-03-05 09:00 KST (UTC+09:00)" in korean.body
    assert "사건 열기" in korean.body
    assert "[인시던트 클락]" in korean.subject
    assert "2026-03-04 19:00 EST (UTC-05:00)" in english.body
    assert "Open the incident" in english.body
    assert f"/incidents/{deadline.incident.reference}/" in english.body
    delivery = Delivery.objects.get(user__username="dave", channel=Channel.EMAIL)
    assert english.extra_headers["Message-ID"] == f"<delivery-{delivery.pk}@127.0.0.1>"
    assert english.extra_headers["X-Incident-Clock-Delivery"] == str(delivery.pk)
    html, mimetype = english.alternatives[0]
    assert mimetype == "text/html"
    assert "UTC-05:00" in html
    assert 'lang="en"' in html


def test_in_app_notification_is_created_unread_and_linked_to_its_delivery(
    frozen, make_deadline, alice
):
    deadline = make_deadline()
    reminders_sync_for(deadline=deadline)
    sweep(enqueue=send_deliveries)
    note = Notification.objects.get(user=alice)
    assert note.read_at is None
    assert note.deadline == deadline
    assert note.kind == "reminder"
    assert note.delivery.state == DeliveryState.SENT


def test_webhook_is_slack_json_signed_with_hmac_and_carries_the_delivery_id(frozen, make_deadline):
    with Receiver("s3cret") as receiver:
        WebhookEndpoint.objects.create(
            name="slack", url=f"http://127.0.0.1:{receiver.port}/hook", secret="s3cret"
        )
        deadline = make_deadline()
        reminders_sync_for(deadline=deadline)
        sweep(enqueue=send_deliveries)
    delivery = Delivery.objects.get(channel=Channel.WEBHOOK)
    assert delivery.state == DeliveryState.SENT
    assert receiver.bad_signatures == 0
    assert [hit["delivery"] for hit in receiver.hits] == [str(delivery.pk)]
    assert "New deadline" in receiver.hits[0]["text"]


def test_a_wrong_secret_fails_signature_verification():
    body = json.dumps({"text": "x"}).encode()
    signature = channels.sign("right", "1700000000", body)
    assert channels.verify_signature("right", "1700000000", body, signature)
    assert not channels.verify_signature("wrong", "1700000000", body, signature)
    assert not channels.verify_signature("right", "1700000001", body, signature)


def test_outbox_backend_writes_every_message_and_knows_what_it_wrote(tmp_path: Path):
    backend = OutboxFileBackend(file_path=str(tmp_path))
    message = mail.EmailMessage(
        "s", "b", "from@example.com", ["to@example.com"], headers={"Message-ID": "<delivery-1@x>"}
    )
    assert not backend.has_message("<delivery-1@x>")
    backend.send_messages([message])
    assert backend.has_message("<delivery-1@x>")
    # A duplicate is written too, so that counting the files would show it.
    backend.send_messages([message])
    assert len(list(tmp_path.glob("*.eml"))) == 2


def test_an_interrupted_email_that_already_left_is_confirmed_not_sent_again(
    frozen, make_deadline, tmp_path, settings
):
    settings.EMAIL_BACKEND = "tools.mail.OutboxFileBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    deadline = make_deadline()
    reminders_sync_for(deadline=deadline)
    batches: list[list[str]] = []
    sweep(enqueue=batches.append)
    send_deliveries(batches[0])
    # The worker died after writing but before recording: the row is still "sending".
    Delivery.objects.filter(channel=Channel.EMAIL).update(
        state=DeliveryState.SENDING, lease_until=timezone.now() + timedelta(seconds=60)
    )
    frozen.shift(120)
    sweep(enqueue=send_deliveries)
    assert len(list(tmp_path.glob("*.eml"))) == 2
    emails = Delivery.objects.filter(channel=Channel.EMAIL)
    assert all(d.state == DeliveryState.SENT and d.confirmed_after_interruption for d in emails)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/hook", "gopher://x"])
def test_webhook_refuses_non_http_urls_without_opening_them(url):
    from types import SimpleNamespace
    from unittest import mock

    endpoint = SimpleNamespace(url=url, status_url=url, secret="s")
    delivery = SimpleNamespace(pk="00000000-0000-0000-0000-000000000001")
    with mock.patch("urllib.request.urlopen") as urlopen:
        with pytest.raises(channels.PermanentError):
            channels.webhook_send(endpoint, delivery, {"text": "x"})
        assert channels.webhook_confirm(endpoint, delivery) is None
    urlopen.assert_not_called()
