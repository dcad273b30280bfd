"""The Redis cache backend keeps one redis-py client per pool and behaves as Django's.

Against a real Redis: REDIS_URL when set (CI sets it), else the local default; CI fails rather
than skips when Redis is not there.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator

import pytest
import redis

from common.redis_cache import RedisCache

URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"


@pytest.fixture
def cache() -> Iterator[RedisCache]:
    try:
        redis.Redis.from_url(URL).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must reach Redis at {URL}")
        pytest.skip(f"no Redis at {URL}")
    backend = RedisCache(URL, {"KEY_PREFIX": f"test-redis-cache-{uuid.uuid4().hex}"})
    yield backend
    # Not clear(): that would empty the whole Redis database, not only this test's keys.
    for key in ("a", "b", "n", "gone"):
        backend.delete(key)


def test_every_cache_call_reuses_one_client_per_pool(cache: RedisCache) -> None:
    seen: list[object] = []

    def remember() -> None:
        seen.append(cache._cache.get_client())
        seen.append(cache._cache.get_client(write=True))

    threads = [threading.Thread(target=remember) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cache.set("a", 1)
    cache.get("a")
    seen.append(cache._cache.get_client("a"))

    assert len({id(client) for client in seen}) == 1
    assert isinstance(seen[0], redis.Redis)


def test_values_round_trip_as_with_djangos_backend(cache: RedisCache) -> None:
    cache.set("a", {"html": "<tr>", "version": 3}, 30)
    cache.set_many({"b": [1, 2], "n": 5})

    assert cache.get("a") == {"html": "<tr>", "version": 3}
    assert cache.get_many(["a", "b", "gone"]) == {"a": {"html": "<tr>", "version": 3}, "b": [1, 2]}
    assert cache.incr("n") == 6
    assert cache.add("a", "other") is False
    assert cache.delete("a") is True
    assert cache.get("a", "default") == "default"
