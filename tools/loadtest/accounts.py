"""Load-test accounts: compliance officers, legal (with a TOTP device), API clients (tokens).

Accounts are named ``load-officer-NN``, ``load-legal-NN``, ``load-api-NN``; running again reuses
them, gives them all one new random password (hashed once: hashing is deliberately slow) and new
TOTP keys, and keeps their tokens. Each is a member of the ``incidents_each`` most recent
incidents, so the pages show what a real officer sees (need-to-know applies). The JSON file the
locustfile reads holds the password, TOTP keys, tokens and the incident references: it is written
with mode 600 under var/, and the accounts can be removed with ``loadtest_accounts_remove``.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Count, Q
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from common.roles import Role
from incidents.models import Incident, Membership, Profile
from regulators.models import Obligation

PREFIX = "load-"
KINDS = {
    "officers": ("officer", Role.COMPLIANCE),
    "legal": ("legal", Role.LEGAL),
    "api": ("api", Role.COMPLIANCE),
}


def _users(kind: str, count: int, password_hash: str) -> list[Any]:
    User = get_user_model()
    stem, role = KINDS[kind]
    names = [f"{PREFIX}{stem}-{n:02d}" for n in range(1, count + 1)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    User.objects.bulk_create(
        [User(username=name, password=password_hash) for name in names if name not in existing]
    )
    User.objects.filter(username__in=names).update(password=password_hash, is_active=True)
    users = list(User.objects.filter(username__in=names).order_by("username"))
    Group.objects.get(name=str(role)).user_set.add(*users)
    Profile.objects.bulk_create([Profile(user=u) for u in users], ignore_conflicts=True)
    return users


@transaction.atomic
def loadtest_accounts_prepare(
    *, officers: int, legal: int, api: int, incidents_each: int, output: Path
) -> dict[str, Any]:
    """Create or refresh the accounts and write what the locustfile needs to ``output``."""
    password = secrets.token_urlsafe(24)
    password_hash = make_password(password)
    recent = list(Incident.objects.order_by("-id").values_list("id", "reference")[:incidents_each])
    if not recent:
        raise ValueError("no incidents: load data first (generate_load_data or load_demo)")
    # PDFs of incidents above the threshold are built by a background job (the exports queue);
    # the legal accounts ask for those when there are any (generate_export_load makes them).
    threshold = getattr(settings, "EXPORT_PDF_ASYNC_THRESHOLD", 2000)
    large = list(
        Incident.objects.annotate(event_count=Count("events"))
        .filter(event_count__gt=threshold)
        .order_by("event_count")
        .values_list("id", "reference")[:3]
    )
    groups = {
        kind: _users(kind, count, password_hash)
        for kind, count in (("officers", officers), ("legal", legal), ("api", api))
    }
    everyone = [user for users in groups.values() for user in users]
    Membership.objects.bulk_create(
        [Membership(incident_id=pk, user=user) for user in everyone for pk, _ref in recent]
        + [Membership(incident_id=pk, user=user) for user in groups["legal"] for pk, _ref in large],
        ignore_conflicts=True,
    )
    keys: dict[int, str] = {}
    for user in groups["legal"]:
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name="load test", confirmed=True)
        keys[user.pk] = device.key
    references = [ref for _pk, ref in recent]
    data: dict[str, Any] = {
        "password": password,
        "officers": [{"username": u.username, "incidents": references} for u in groups["officers"]],
        "legal": [
            {
                "username": u.username,
                "totp_key": keys[u.pk],
                "incidents": references,
                "pdf_job_incidents": [ref for _pk, ref in large],
            }
            for u in groups["legal"]
        ],
        "api": [
            {
                "username": u.username,
                "token": Token.objects.get_or_create(user=u)[0].key,
                "incident_ids": [pk for pk, _ref in recent],
            }
            for u in groups["api"]
        ],
        "obligations": sorted(set(Obligation.objects.values_list("code", flat=True)))[:20],
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.touch(mode=0o600, exist_ok=True)
    output.chmod(0o600)
    output.write_text(json.dumps(data, indent=1))
    return data


def loadtest_accounts_remove() -> int:
    """Delete every ``load-officer/legal/api-NN`` account (and so its memberships and tokens)."""
    User = get_user_model()
    matches = Q()
    for stem, _role in KINDS.values():
        matches |= Q(username__startswith=f"{PREFIX}{stem}-")
    deleted, _ = User.objects.filter(matches).delete()
    return deleted
