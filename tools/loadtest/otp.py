"""Time-based one-time codes (RFC 6238, SHA-1, 30 s, 6 digits) as django-otp's TOTPDevice checks
them: the legal accounts of the load test pass the second sign-in step like a phone app would.
Kept apart from the locustfile because importing Locust patches the standard library (gevent)."""

from __future__ import annotations

import hashlib
import hmac
import struct
import time


def totp(key_hex: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return str(code).zfill(digits)
