"""Shared test helpers: fast hashing, two-tenant fixtures, API clients, and the isolation test case."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2Hasher(Argon2PasswordHasher):
    """Argon2 with minimal cost, for tests only (same algorithm and format)."""

    algorithm = "argon2"
    time_cost = 1
    memory_cost = 64
    parallelism = 1
