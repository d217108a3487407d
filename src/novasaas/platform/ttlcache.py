"""A tiny per-process cache with expiry, for hot authentication look-ups.

Entries live ``ttl`` seconds; the process that changes the underlying data (revoking a key, changing
roles) clears them at once, other processes within ``ttl``. Keep ``ttl`` short (seconds).
"""

from __future__ import annotations

import threading
import time
from typing import Any, Generic, TypeVar

V = TypeVar("V")


class TTLCache(Generic[V]):
    def __init__(self, ttl: float, maxsize: int = 10_000) -> None:
        self.ttl = ttl
        self.maxsize = maxsize
        self._data: dict[Any, tuple[float, V]] = {}
        self._lock = threading.Lock()

    def get(self, key: Any) -> V | None:
        item = self._data.get(key)
        if item is None:
            return None
        expires, value = item
        if expires < time.monotonic():
            self._data.pop(key, None)
            return None
        return value

    def set(self, key: Any, value: V) -> None:
        with self._lock:
            if len(self._data) >= self.maxsize:
                self._data.clear()
            self._data[key] = (time.monotonic() + self.ttl, value)

    def delete(self, key: Any) -> None:
        self._data.pop(key, None)

    def clear(self) -> None:
        self._data.clear()
