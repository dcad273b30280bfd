"""Incident references: automatic ``INC-<year>-<n>`` numbers that cannot collide or be poisoned.

The automatic number comes from a per-year counter row (``ReferenceCounter``) taken with
``SELECT ... FOR UPDATE``: two simultaneous creates wait for each other instead of both reading
the same maximum. Hand-given references never move the counter; one that takes the automatic
shape is accepted only for a number still free, and the counter skips numbers already taken.
``n`` is zero-padded to four digits and simply grows past 9,999 (``INC-2026-10000``).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from incidents.models import REFERENCE_PATTERN, Incident, ReferenceCounter

AUTOMATIC_PREFIX = "INC-"
AUTOMATIC_RE = re.compile(r"^INC-(\d{4})-(\d+)$")
# A reference longer than the column cannot be stored: 20 characters = "INC-2026-" + 11 digits.
MAX_AUTOMATIC_ATTEMPTS = 50


def automatic_reference(year: int, number: int) -> str:
    return f"{AUTOMATIC_PREFIX}{year}-{number:04d}"


def validate_hand_given_reference(reference: str) -> str:
    """Refuse a reference outside the documented pattern, or one in the automatic shape whose
    number is not free (taken, or not in its canonical zero-padded spelling)."""
    if not re.match(REFERENCE_PATTERN, reference):
        raise ValidationError(
            {
                "reference": _(
                    "Use 1 to 20 letters, digits and hyphens, starting with a letter or a digit."
                )
            },
            code="invalid_reference",
        )
    if reference.upper().startswith(AUTOMATIC_PREFIX):
        match = AUTOMATIC_RE.match(reference)
        if match is None or reference != automatic_reference(
            int(match.group(1)), int(match.group(2))
        ):
            raise ValidationError(
                {
                    "reference": _(
                        "References starting with INC- are automatic: use exactly "
                        "INC-<year>-NNNN with a free number, or leave the reference empty."
                    )
                },
                code="automatic_shape",
            )
    if Incident.objects.filter(reference__iexact=reference).exists():
        raise ValidationError({"reference": _("That reference is taken.")}, code="taken")
    return reference


def next_automatic_reference(*, year: int) -> str:
    """Take the next free automatic number of ``year`` (call inside a transaction: the counter
    row stays locked until it commits, so no one else gets the same number)."""
    counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(year=year)
    number = counter.last
    for _attempt in range(MAX_AUTOMATIC_ATTEMPTS):
        number += 1
        candidate = automatic_reference(year, number)
        # A hand-given reference may already hold this number: skip it.
        if not Incident.objects.filter(reference__iexact=candidate).exists():
            ReferenceCounter.objects.filter(year=year).update(last=number)
            return candidate
    raise ValidationError(
        {"reference": _("Could not find a free automatic reference; give one by hand.")}
    )


def save_with_reference(incident: Incident, *, year: int, automatic: bool) -> Incident:
    """Save a new incident; a unique violation on the reference (a hand-given one racing an
    automatic one) is retried with the next number, or is a ValidationError naming the field."""
    for _attempt in range(3):
        if automatic:
            incident.reference = next_automatic_reference(year=year)
        try:
            with transaction.atomic():  # savepoint: the outer transaction survives a collision
                incident.save()
        except IntegrityError as exc:
            if automatic and Incident.objects.filter(reference=incident.reference).exists():
                continue
            raise ValidationError(
                {"reference": _("That reference is taken.")}, code="taken"
            ) from exc
        return incident
    raise ValidationError({"reference": _("That reference is taken.")}, code="taken")
