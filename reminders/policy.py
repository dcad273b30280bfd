"""Pure planning: a deadline's facts and a policy in, the reminders it should have out.

No ORM here, so the rules ("offsets already past are skipped, except the creation notice";
"without delay: creation notice, then a daily nudge") are testable with plain values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

_DURATION = re.compile(r"^([+-]?)(\d+)\s*([smhdw])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class PolicyError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def parse_duration(text: str, *, field: str = "offsets") -> int:
    """``"24h"`` -> 86400, ``"-90m"`` -> -5400, ``"0"`` -> 0 (seconds)."""
    value = str(text).strip().lower()
    if value in {"0", "+0", "-0"}:
        return 0
    match = _DURATION.match(value)
    if not match:
        raise PolicyError(field, f"Not a duration: {text!r} (use e.g. 24h, -4h, 90m, 2d).")
    sign, amount, unit = match.groups()
    seconds = int(amount) * _UNITS[unit]
    return -seconds if sign == "-" else seconds


@dataclass(frozen=True)
class ParsedPolicy:
    on_create: bool = True
    half: bool = True
    # Seconds relative to due: negative before, 0 at due, positive after (once each).
    relative: tuple[int, ...] = (-86400, -14400, -3600, 0)
    overdue_every: int | None = 12 * 3600
    without_delay_every: int | None = 24 * 3600
    # (seconds after due, role) in ladder order.
    escalation: tuple[tuple[int, str], ...] = ((0, "legal"), (86400, "admin"))
    recipient_roles: tuple[str, ...] = ("compliance",)
    channels: frozenset[str] = field(
        default_factory=lambda: frozenset({"email", "inapp", "webhook"})
    )


class _PolicyRow(Protocol):
    offsets: Any
    without_delay_every: str
    escalation: Any
    recipient_roles: Any
    email: bool
    in_app: bool
    webhook: bool


ROLE_NAMES = {"viewer", "compliance", "legal", "admin"}


def parse_policy(row: _PolicyRow | None) -> ParsedPolicy:
    """Validate and normalise a ReminderPolicy row (None: the built-in default)."""
    if row is None:
        return ParsedPolicy()
    if not isinstance(row.offsets, list):
        raise PolicyError("offsets", 'Offsets must be a list, e.g. ["created", "-24h", "0"].')
    on_create = half = False
    relative: set[int] = set()
    overdue_every: int | None = None
    for item in row.offsets:
        text = str(item).strip().lower()
        if text == "created":
            on_create = True
        elif text == "half":
            half = True
        elif text.startswith("every "):
            overdue_every = parse_duration(text[6:])
            if overdue_every <= 0:
                raise PolicyError("offsets", "A repeat interval must be positive.")
        else:
            relative.add(parse_duration(text))
    nudge = (
        parse_duration(row.without_delay_every, field="without_delay_every")
        if str(row.without_delay_every or "").strip()
        else None
    )
    if nudge is not None and nudge <= 0:
        raise PolicyError("without_delay_every", "The nudge interval must be positive.")
    ladder: list[tuple[int, str]] = []
    if not isinstance(row.escalation or [], list):
        raise PolicyError("escalation", "The escalation ladder must be a list.")
    for step in row.escalation or []:
        if not isinstance(step, dict) or "role" not in step:
            raise PolicyError("escalation", 'Each step is {"after": "24h", "role": "admin"}.')
        role = str(step["role"])
        if role not in ROLE_NAMES:
            raise PolicyError("escalation", f"Unknown role {role!r}.")
        after = parse_duration(str(step.get("after", "0")), field="escalation")
        if after < 0:
            raise PolicyError("escalation", "Escalation starts at or after the due time.")
        ladder.append((after, role))
    roles = tuple(str(r) for r in (row.recipient_roles or ["compliance"]))
    for role in roles:
        if role not in ROLE_NAMES:
            raise PolicyError("recipient_roles", f"Unknown role {role!r}.")
    channels = {
        name
        for name, on in (("email", row.email), ("inapp", row.in_app), ("webhook", row.webhook))
        if on
    }
    return ParsedPolicy(
        on_create=on_create,
        half=half,
        relative=tuple(sorted(relative)),
        overdue_every=overdue_every,
        without_delay_every=nudge,
        escalation=tuple(sorted(ladder)),
        recipient_roles=roles,
        channels=frozenset(channels),
    )


@dataclass(frozen=True)
class PlannedReminder:
    key: str
    kind: str
    fire_at: datetime
    due_at: datetime | None
    offset_seconds: int | None = None
    seq: int = 0

    @property
    def repeating(self) -> bool:
        return self.kind in {"overdue", "nudge"}


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def repeat_key(kind: str, seq: int, anchor: datetime) -> str:
    return f"{kind}-{seq}@{_stamp(anchor)}"


def next_repeat(
    kind: str, anchor: datetime, every: int, after: datetime, min_seq: int = 1
) -> PlannedReminder:
    """The first repetition ``anchor + k*every`` (k >= min_seq) strictly later than ``after``."""
    elapsed = (after - anchor).total_seconds()
    seq = max(min_seq, int(elapsed // every) + 1)
    fire_at = anchor + timedelta(seconds=seq * every)
    due = anchor if kind == "overdue" else None
    offset = seq * every if kind == "overdue" else None
    return PlannedReminder(repeat_key(kind, seq, anchor), kind, fire_at, due, offset, seq)


def plan(
    *,
    policy: ParsedPolicy,
    now: datetime,
    due_at: datetime | None,
    trigger_at: datetime | None,
    created_at: datetime,
) -> list[PlannedReminder]:
    """Reminders a deadline should have from ``now`` on (plus the creation notice).

    Offsets at or before ``now`` are skipped: they were either sent already (their row exists) or
    were past when the deadline was created or moved. Repetitions are planned one at a time: the
    next one after ``now``; each sent repetition plans the one after it.
    """
    planned: list[PlannedReminder] = []
    if policy.on_create:
        planned.append(PlannedReminder("created", "created", now, due_at))
    if due_at is None:
        if policy.without_delay_every:
            planned.append(next_repeat("nudge", created_at, policy.without_delay_every, now))
        return planned
    stamp = _stamp(due_at)
    if policy.half:
        start = trigger_at or created_at
        if start < due_at:
            half_at = start + (due_at - start) / 2
            if half_at > now:
                planned.append(
                    PlannedReminder(
                        f"half@{stamp}",
                        "half",
                        half_at,
                        due_at,
                        int((half_at - due_at).total_seconds()),
                    )
                )
    for offset in policy.relative:
        fire_at = due_at + timedelta(seconds=offset)
        if fire_at <= now:
            continue
        if offset < 0:
            planned.append(
                PlannedReminder(f"before{offset}@{stamp}", "before", fire_at, due_at, offset)
            )
        elif offset == 0:
            planned.append(PlannedReminder(f"due@{stamp}", "due", fire_at, due_at, 0))
        else:
            planned.append(
                PlannedReminder(f"after+{offset}@{stamp}", "after", fire_at, due_at, offset)
            )
    if policy.overdue_every:
        planned.append(next_repeat("overdue", due_at, policy.overdue_every, now))
    return planned


def escalated_roles(policy: ParsedPolicy, *, overdue_by_seconds: float) -> list[str]:
    """Roles of the ladder reached ``overdue_by_seconds`` after the due time.

    Only a notice sent after the due time escalates; the at-due notice goes to the usual people.
    """
    if overdue_by_seconds <= 0:
        return []
    roles: list[str] = []
    for after, role in policy.escalation:
        if overdue_by_seconds >= after and role not in roles:
            roles.append(role)
    return roles
