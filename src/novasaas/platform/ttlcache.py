"""Per-process caches with a bound: every cache in a worker process is one of these two.

- ``TTLCache`` — hot authentication look-ups (principals, API keys): entries live ``ttl`` seconds; the
  process that changes the underlying data (revoking a key, changing roles) clears them at once, other
  processes within ``ttl``. Keep ``ttl`` short (seconds).
- ``BoundedCache`` — per-tenant data that changes rarely (the chart of accounts, settings): no expiry,
  invalidated explicitly by the code that changes the data.

Both evict the least recently used entry when ``maxsize`` is reached (cachetools), so memory per worker
stays bounded whatever the number of tenants, and expired entries go without waiting for their own
key's look-up. Thread-safe.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import cachetools

V = TypeVar("V")


class BoundedCache(Generic[V]):
    """A least-recently-used cache of at most ``maxsize`` entries."""

    def __init__(self, maxsize: int = 10_000) -> None:
        self.maxsize = maxsize
        self._data: cachetools.Cache[Any, V] = self._make()
        self._lock = threading.Lock()

    def _make(self) -> cachetools.Cache[Any, V]:
        return cachetools.LRUCache(maxsize=self.maxsize)

    def get(self, key: Any) -> V | None:
        with self._lock:
            return self._data.get(key)

    def set(self, key: Any, value: V) -> None:
        with self._lock:
            self._data[key] = value

    def delete(self, key: Any) -> None:
        with self._lock:
            self._data.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        with self._lock:
            if isinstance(self._data, cachetools.TTLCache):
                self._data.expire()
            return len(self._data)


class TTLCache(BoundedCache[V]):
    """A least-recently-used cache whose entries also expire ``ttl`` seconds after they were set."""

    def __init__(self, ttl: float, maxsize: int = 10_000, timer: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.timer = timer
        super().__init__(maxsize)

    def _make(self) -> cachetools.Cache[Any, V]:
        return cachetools.TTLCache(maxsize=self.maxsize, ttl=self.ttl, timer=self.timer)
