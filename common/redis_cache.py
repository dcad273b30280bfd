"""Django's Redis cache backend, with one redis-py client per connection pool instead of one per
call.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` around the (shared)
connection pool for every cache operation. Building one is not free in redis-py 5+: it fills a
case-insensitive table of ~250 response callbacks each time, 60-100 microseconds of CPU, and a
page makes three or four cache calls (the session, the catalogue generation, the fragments).
A ``redis.Redis`` is safe to share between threads (each command borrows a connection from the
pool), so this keeps one per pool. The pool itself already notices a fork and drops the
parent's connections; the client holds no connection of its own.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, servers: list[str], **options: Any) -> None:
        super().__init__(servers, **options)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django's private helpers (server choice, pools), which its type stubs do not declare.
        django: Any = self
        index = django._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in django._pools:
                django._pools[index] = django._pool_class.from_url(
                    django._servers[index], **django._pool_options
                )
            # Two threads may both build one at first use; either is fine, one is kept.
            pool = django._pools[index]
            client = self._clients.setdefault(index, django._client(connection_pool=pool))
        return client


class RedisCache(DjangoRedisCache):
    """``django.core.cache.backends.redis.RedisCache`` with the client above."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
