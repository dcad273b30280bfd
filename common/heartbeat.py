"""Beat's heartbeat store: beat records each tick (config.beat.HeartbeatScheduler), /healthz
reads its age (incidents.health).

Kept in the cache when the cache is shared between processes and hosts (Redis, in production),
otherwise in a small file under var/ (``make run`` on SQLite and the filesystem broker, where
every process is on this machine).
"""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

CACHE_KEY = "incident-clock:beat:last-tick"
_PROCESS_LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


def _cache_is_shared() -> bool:
    return settings.CACHES["default"]["BACKEND"] not in _PROCESS_LOCAL_CACHES


def beat_heartbeat_record(now: float | None = None) -> None:
    """Record that beat ticked at ``now`` (a Unix time; default: the current time)."""
    stamp = time.time() if now is None else now
    if _cache_is_shared():
        # No expiry: an old value must read as "stale", not vanish into "never ticked".
        cache.set(CACHE_KEY, stamp, timeout=None)
    else:
        path = Path(settings.BEAT_HEARTBEAT_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(repr(stamp))
        tmp.replace(path)  # atomic: a reader never sees half a number


def beat_heartbeat_last() -> float | None:
    """The Unix time of beat's last tick, or None if no beat has ticked (or it cannot be read)."""
    if _cache_is_shared():
        value = cache.get(CACHE_KEY)
        return float(value) if value is not None else None
    try:
        return float(Path(settings.BEAT_HEARTBEAT_FILE).read_text())
    except (OSError, ValueError):
        return None
