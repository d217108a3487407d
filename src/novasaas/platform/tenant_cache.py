"""Per-tenant, per-process caches of small, rarely changing rows (settings, virtual locations), so a hot
write path does not read them again for every document.

Rules that keep them correct:

* a value is stored only once the transaction that read (or created) it has committed
  (``transaction.on_commit``), so a row created by a request that is then rolled back is never served;
* the process that changes the underlying rows calls ``forget(tenant_id)`` (or ``clear()``) in the same
  code path; other processes see the change within ``ttl`` seconds (as the authentication caches do);
* each cache is bounded (``maxsize`` entries, least recently used evicted) and every cache is registered, so tests
  start empty (``clear_all``, an autouse fixture).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import transaction

from novasaas.platform.ttlcache import TTLCache

V = TypeVar("V")
_REGISTRY: list[TenantCache[Any]] = []


class TenantCache(Generic[V]):
    def __init__(self, name: str, ttl: float = 10.0, maxsize: int = 10_000) -> None:
        self.name = name
        self._cache: TTLCache[V] = TTLCache(ttl=ttl, maxsize=maxsize)
        _REGISTRY.append(self)

    def get(self, tenant_id: int, key: Any, load: Callable[[], V]) -> V:
        """The cached value of ``key`` for the tenant, else ``load()`` (stored after commit). Callers get
        their own (shallow) copy, so changing it never changes what other requests are served."""
        full = (tenant_id, key)
        value = self._cache.get(full)
        if value is not None:
            return copy.copy(value)
        value = load()
        kept = copy.copy(value)
        transaction.on_commit(lambda: self._cache.set(full, kept))
        return value

    def forget(self, tenant_id: int, key: Any = None) -> None:
        """Drop the tenant's entry ``key`` (every entry of this cache when ``key`` is None)."""
        if key is not None:
            self._cache.delete((tenant_id, key))
        else:
            self._cache.clear()

    def clear(self) -> None:
        self._cache.clear()


def clear_all() -> None:
    for cache in _REGISTRY:
        cache.clear()
