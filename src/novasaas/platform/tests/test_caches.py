"""Per-process caches stay bounded (issue 20): least recently used out, expired entries gone."""

from __future__ import annotations

from novasaas.platform.ttlcache import BoundedCache, TTLCache


def test_a_bounded_cache_keeps_the_most_recently_used_entries():
    cache: BoundedCache[int] = BoundedCache(maxsize=100)
    for i in range(1_000):
        cache.set(("tenant", i), i)
        if i >= 1:
            assert cache.get(("tenant", 0)) == 0  # used at every turn: never evicted
    assert len(cache) == 100
    assert cache.get(("tenant", 999)) == 999 and cache.get(("tenant", 500)) is None


def test_a_ttl_cache_is_bounded_and_drops_expired_entries_without_their_lookup():
    now = [0.0]
    cache: TTLCache[str] = TTLCache(ttl=10, maxsize=50, timer=lambda: now[0])
    for i in range(500):
        cache.set(i, f"principal {i}")
    assert len(cache) == 50  # filled past its bound: the oldest went, not everything at once
    assert cache.get(499) == "principal 499"
    now[0] = 11
    assert len(cache) == 0  # expired entries are gone, whichever key is looked up
    cache.set("k", "v")
    cache.delete("k")
    assert cache.get("k") is None


def test_principals_of_the_same_roles_share_one_interned_permission_set(tenant_a, admin_a):
    from novasaas.identity.access import intern_permissions
    from novasaas.identity.catalogue import PERMISSIONS_BY_CODE

    a = intern_permissions(frozenset(["".join(["acc.", "entry.create"])]))
    b = intern_permissions(frozenset(["acc.entry.create"]))
    assert a is b
    (code,) = a
    assert code is PERMISSIONS_BY_CODE["acc.entry.create"].code
