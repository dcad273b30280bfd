"""Outbound webhook URLs may not reach the server's own network (SSRF).

Refused: loopback, link-local (169.254.0.0/16, fe80::/10, which hold cloud metadata services),
private (10/8, 172.16/12, 192.168/16, fc00::/7), multicast, unspecified (0.0.0.0, ::) and other
reserved addresses, also when written as IPv4-mapped IPv6. Checked when an endpoint is saved
(literal addresses and whatever the name resolves to then) and again at send time, after DNS
resolution: the request then goes to the very address that was checked (no second lookup a DNS
rebinding could change), and redirects are never followed.

``settings.WEBHOOK_ALLOWED_NETWORKS`` (CIDRs, default none) lets an operator allow a known
internal receiver explicitly; tests use it for their loopback receivers.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class RefusedDestination(Exception):
    """The webhook URL points at an address this server must not call."""


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [
        ipaddress.ip_network(cidr, strict=False)
        for cidr in getattr(settings, "WEBHOOK_ALLOWED_NETWORKS", [])
    ]


def address_refused(address: IPAddress) -> bool:
    """Whether an outbound webhook may not go to ``address``."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in network for network in _allowed_networks()):
        return False
    return (
        address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
        or not address.is_global
    )


def _split(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise RefusedDestination(_("Only http and https webhook URLs are allowed."))
    if not parts.hostname:
        raise RefusedDestination(_("The webhook URL has no host."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise RefusedDestination(_("The webhook URL has an invalid port.")) from exc
    return parts.scheme, parts.hostname, port


def resolve_checked(url: str) -> tuple[str, str, int, list[str]]:
    """(scheme, host, port, addresses) for ``url``; RefusedDestination if the host is, or
    resolves to, a refused address."""
    scheme, host, port = _split(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise RefusedDestination(
            _("The webhook host %(host)s cannot be resolved.") % {"host": host}
        ) from exc
    addresses = sorted({str(info[4][0]) for info in infos})
    for text in addresses:
        if address_refused(ipaddress.ip_address(text.split("%", 1)[0])):
            raise RefusedDestination(
                _("The webhook host %(host)s resolves to %(address)s, a non-public address.")
                % {"host": host, "address": text}
            )
    return scheme, host, port, addresses


def validate_webhook_url(url: str) -> None:
    """Model-field validator: refuse a URL that points at a non-public address at save time.
    A name that does not resolve now is accepted here and checked again before each send."""
    if not url:
        return
    try:
        _scheme, host, _port = _split(url)
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None:
            if address_refused(literal):
                raise RefusedDestination(
                    _("%(address)s is not a public address.") % {"address": host}
                )
            return
        try:
            resolve_checked(url)
        except RefusedDestination as exc:
            if "cannot be resolved" not in str(exc):
                raise
    except RefusedDestination as exc:
        raise ValidationError(str(exc), code="refused_destination") from exc


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to an address resolved and checked beforehand, not to a fresh lookup."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def guarded_request(
    method: str, url: str, *, body: bytes | None, headers: dict[str, str], timeout: float
) -> tuple[int, bytes]:
    """Send one request to a checked address; (status, first 1 KiB of the body). A 3xx is
    returned as is: redirects are not followed."""
    scheme, host, port, addresses = resolve_checked(url)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, addresses[0], timeout)
    try:
        connection.request(method, target, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(1024)
    finally:
        connection.close()
