"""What a delivery says and how it leaves: e-mail, in-app notification, outbound webhook.

Every message names its delivery id (e-mail: Message-ID and X-Incident-Clock-Delivery; webhook:
X-Incident-Clock-Delivery and Idempotency-Key), so a receiver can always tell a retransmission
from a new message. ``confirm_*`` answer "did this delivery already leave?" where the sink can
tell (True/False) and return None where it cannot.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import time
import urllib.parse
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from incidents.models import Deadline, Incident, Profile
from regulators.engine.rules import format_duration_en, format_duration_ko
from reminders.models import Delivery, Reminder, WebhookEndpoint
from reminders.webhook_guard import RefusedDestination, guarded_request

logger = logging.getLogger(__name__)


class TransientError(Exception):
    """Worth retrying later (connection refused, timeout, 5xx, 429)."""


class PermanentError(Exception):
    """Retrying will not help (4xx other than 408/429, no address)."""


# -- formatting ----------------------------------------------------------------------------------


def recipient_prefs(user: Any) -> tuple[str, str]:
    """(language, time zone) of a user, falling back to the site's defaults."""
    try:
        profile: Profile | None = user.profile
    except Profile.DoesNotExist:
        profile = None
    language = profile.language if profile else settings.LANGUAGE_CODE
    zone = profile.time_zone if profile else settings.TIME_ZONE
    return (language if language in {"ko", "en"} else "en"), zone


def format_local(moment: datetime, zone: str) -> str:
    """``2025-11-18 16:00 KST (UTC+09:00)``: the recipient's wall clock with the offset shown."""
    local = moment.astimezone(ZoneInfo(zone))
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} (UTC{offset[:3]}:{offset[3:]})"


def format_span(span: timedelta, language: str) -> str:
    return format_duration_ko(span) if language == "ko" else format_duration_en(span)


def incident_url(incident: Incident) -> str:
    try:
        path = reverse("incident_detail", args=[incident.reference])
    except NoReverseMatch:
        path = f"/incidents/{incident.reference}/"
    return settings.SITE_URL.rstrip("/") + path


def deadline_titles(deadline: Deadline) -> tuple[str, str]:
    obligation = deadline.obligation
    if obligation is not None:
        return obligation.title_en, obligation.title_ko
    if " / " in deadline.title:
        en, ko = deadline.title.split(" / ", 1)
        return en, ko
    return deadline.title, deadline.title


def message_id_for(delivery_id: object) -> str:
    domain = getattr(settings, "REMINDER_MESSAGE_ID_DOMAIN", "") or (
        urlsplit(settings.SITE_URL).hostname or "incident-clock.invalid"
    )
    return f"<delivery-{delivery_id}@{domain}>"


# -- content -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Content:
    subject: str
    text: str
    html: str
    title: str  # short line for in-app and webhook
    url: str


def _headline(reminder: Reminder, deadline: Deadline, now: datetime, language: str) -> str:
    ko = language == "ko"
    due = deadline.due_at
    if reminder.kind == "created":
        prefix = "새 기한" if ko else "New deadline"
        if due is None:
            return f"{prefix} — 지체 없이 제출" if ko else f"{prefix} — due without delay"
        return f"{prefix} — {relative_due(due - now, language)}"
    if due is None:
        return "지체 없이 제출해야 합니다" if ko else "Due without delay"
    return relative_due(due - now, language)


def relative_due(left: timedelta, language: str) -> str:
    ko = language == "ko"
    if left > timedelta(minutes=1):
        span = format_span(left, language)
        return f"{span} 후 마감" if ko else f"Due in {span}"
    if left >= -timedelta(minutes=1):
        return "지금 마감입니다" if ko else "Due now"
    span = format_span(-left, language)
    return f"{span} 지남 (기한 경과)" if ko else f"Overdue by {span}"


def reminder_content(
    reminder: Reminder, *, language: str, zone: str, escalation: bool, now: datetime
) -> Content:
    deadline = reminder.of_deadline
    incident = deadline.incident
    title_en, title_ko = deadline_titles(deadline)
    title = title_ko if language == "ko" else title_en
    headline = _headline(reminder, deadline, now, language)
    url = incident_url(incident)
    context = {
        "lang": language,
        "headline": headline,
        "title": title,
        "incident": incident,
        "deadline": deadline,
        "due_local": format_local(deadline.due_at, zone) if deadline.due_at else "",
        "without_delay": deadline.due_at is None,
        "internal_target_local": (
            format_local(deadline.internal_target_at, zone) if deadline.internal_target_at else ""
        ),
        "sent_local": format_local(now, zone),
        "escalation": escalation,
        "url": url,
        "zone": zone,
    }
    prefix = "[인시던트 클락]" if language == "ko" else "[Incident Clock]"
    escalated = (" — 에스컬레이션" if language == "ko" else " — escalation") if escalation else ""
    subject = f"{prefix} {headline}: {title} ({incident.reference}){escalated}"
    return Content(
        subject=subject[:250],
        text=render_to_string("emails/reminder.txt", context),
        html=render_to_string("emails/reminder.html", context),
        title=f"{headline}: {title}"[:300],
        url=url,
    )


# -- e-mail --------------------------------------------------------------------------------------


def email_message(
    delivery: Delivery | _Placeholder, content: Content, address: str, reference: str
) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=content.subject,
        body=content.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={
            "Message-ID": message_id_for(delivery.pk),
            "X-Incident-Clock-Delivery": str(delivery.pk),
            "X-Incident-Clock-Reference": reference,
        },
    )
    message.attach_alternative(content.html, "text/html")
    return message


_TO = "recipient@placeholder.invalid"
_ID = "00000000-0000-4000-8000-000000000000"


class _Encoded:
    """Stands in for the MIME object of a prepared message: backends only ask for its bytes."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        return self.data if linesep == "\n" else self.data.replace(b"\n", linesep.encode())

    def as_string(self, unixfrom: bool = False, linesep: str = "\n") -> str:
        return self.as_bytes(unixfrom, linesep).decode()

    def get_charset(self) -> None:
        return None


class PreparedEmail(EmailMultiAlternatives):
    """An e-mail whose MIME encoding was done once for everyone receiving the same content.

    Encoding a bilingual message (folded, encoded headers, two alternatives) costs milliseconds;
    100,000 reminders would spend minutes on it. The per-recipient headers (To, Message-ID,
    X-Incident-Clock-Delivery) are plain ASCII and are substituted into the encoded bytes.
    """

    prepared: bytes = b""

    def message(self) -> Any:  # type: ignore[override]
        return _Encoded(self.prepared)


class EmailTemplates:
    """Per batch: the encoded bytes of each content, with placeholders for the recipient."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, str], bytes | None] = {}

    def build(
        self, delivery: Delivery, content: Content, address: str, reference: str
    ) -> EmailMultiAlternatives:
        message = email_message(delivery, content, address, reference)
        key = (id(content), reference)
        if key not in self._cache:
            sample = email_message(_Placeholder(), content, _TO, reference)
            data = sample.message().as_bytes()
            ok = all(data.count(p.encode()) == n for p, n in ((_TO, 1), (_ID, 2)))
            self._cache[key] = data if ok else None
        template = self._cache[key]
        if template is None or not address.isascii():
            return message
        prepared = PreparedEmail(
            subject=message.subject,
            body=message.body,
            from_email=message.from_email,
            to=message.to,
            headers=message.extra_headers,
        )
        prepared.alternatives = message.alternatives
        prepared.prepared = template.replace(_TO.encode(), address.encode()).replace(
            _ID.encode(), str(delivery.pk).encode()
        )
        return prepared


class _Placeholder:
    pk = _ID


def email_send(connection: BaseEmailBackend, message: EmailMultiAlternatives) -> None:
    try:
        sent = connection.send_messages([message])
    except OSError as exc:  # smtplib.SMTPException is an OSError
        raise TransientError(str(exc)) from exc
    if not sent:
        raise TransientError("the e-mail backend did not accept the message")


def email_confirm(connection: BaseEmailBackend, delivery: Delivery) -> bool | None:
    has_message = getattr(connection, "has_message", None)
    if has_message is None:
        return None
    return bool(has_message(message_id_for(delivery.pk)))


def email_connection() -> BaseEmailBackend:
    return get_connection(fail_silently=False)


# -- webhook -------------------------------------------------------------------------------------


def webhook_payload(delivery: Delivery, reminder: Reminder, content: Content) -> dict[str, Any]:
    """Slack-compatible: ``text`` and ``blocks`` render in Slack; the rest is for other receivers."""
    deadline = reminder.of_deadline
    return {
        "text": f"{content.title} — {deadline.incident.reference} <{content.url}|open>",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{content.title}*"}},
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": f"{deadline.incident.reference} · <{content.url}|open incident>",
                    }
                ],
            },
        ],
        "delivery_id": str(delivery.pk),
        "reminder": {"id": reminder.pk, "kind": reminder.kind, "key": reminder.key},
        "deadline": {
            "id": deadline.pk,
            "code": deadline.code,
            "due_at": deadline.due_at.isoformat() if deadline.due_at else None,
        },
        "incident": deadline.incident.reference,
        "escalation": delivery.escalation,
    }


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256(secret, "<timestamp>." + body)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def _headers(endpoint: WebhookEndpoint, delivery_id: str, body: bytes) -> dict[str, str]:
    timestamp = str(int(time.time()))
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "IncidentClock-Webhook/1",
        "X-Incident-Clock-Delivery": delivery_id,
        "Idempotency-Key": delivery_id,
        "X-Incident-Clock-Timestamp": timestamp,
        "X-Incident-Clock-Signature": sign(endpoint.secret, timestamp, body),
    }


def _require_http(url: str) -> None:
    # urllib would also open file:// or ftp:// URLs; a webhook is only ever http(s).
    if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
        raise PermanentError(f"refusing a non-HTTP webhook URL: {url[:80]}")


def webhook_send(endpoint: WebhookEndpoint, delivery: Delivery, payload: dict[str, Any]) -> None:
    """POST to the endpoint at an address checked after DNS resolution (incidents/
    webhook_guard.py); a non-public address or a redirect is a permanent failure."""
    _require_http(endpoint.url)
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    timeout = float(getattr(settings, "REMINDER_WEBHOOK_TIMEOUT", 10))
    try:
        status, _body = guarded_request(
            "POST",
            endpoint.url,
            body=body,
            headers=_headers(endpoint, str(delivery.pk), body),
            timeout=timeout,
        )
    except RefusedDestination as exc:
        raise PermanentError(str(exc)) from exc
    except (OSError, TimeoutError, http.client.HTTPException) as exc:
        raise TransientError(str(exc)) from exc
    if 300 <= status < 400:
        raise PermanentError(f"HTTP {status}: redirects are not followed")
    if status in (408, 425, 429) or status >= 500:
        raise TransientError(f"HTTP {status}")
    if status >= 400:
        raise PermanentError(f"HTTP {status}")


def webhook_confirm(endpoint: WebhookEndpoint, delivery: Delivery) -> bool | None:
    """Ask the receiver's optional status URL whether it has this delivery."""
    if not endpoint.status_url:
        return None
    query = urllib.parse.urlencode({"delivery": str(delivery.pk)})
    separator = "&" if "?" in endpoint.status_url else "?"
    url = f"{endpoint.status_url}{separator}{query}"
    try:
        _require_http(url)
        status, _body = guarded_request(
            "GET", url, body=None, headers=_headers(endpoint, str(delivery.pk), b""), timeout=10
        )
    except (PermanentError, RefusedDestination, OSError, http.client.HTTPException):
        return None  # cannot ask: treat as unknown, like a receiver without a status URL
    if status == 200:
        return True
    return False if status == 404 else None
