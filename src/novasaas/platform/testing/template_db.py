"""Test databases from a migrated template: migrations run once per schema, not once per test process.

Running the ~200 tables' migrations costs about a minute of CPU, and CI started a dozen test processes
(two pytest-xdist workers in each of the SQLite, pinned-date, API-fuzzing and PostgreSQL steps), each
migrating its own database. Here the first process to need a database migrates a *template* under a file
lock and every process (this run's workers and the later steps' too) copies it:

* SQLite: the template is a file, ``var/test-db/sqlite-<key>.sqlite3``; each process loads it into its own
  in-memory database with SQLite's online backup (tests keep the speed of an in-memory database);
* PostgreSQL: the template is a database, ``test_<name>_tpl_<key>``; each worker gets
  ``CREATE DATABASE test_<name>_gwN TEMPLATE …`` (a file copy inside the server) and drops it at the end.

The key is a hash of every non-test Python file of the package (migrations and the code they call: a
changed model, seed or migration builds a new template), the Django version and the database settings
that shape the schema. Templates of other keys are removed when a new one is built. Set
``NOVASAAS_TEST_DB_TEMPLATE=0`` to migrate in every process as before (pytest-django's own set-up).

Seed rows are stamped when the template is built, always at the real date: the root conftest stops a
``--today`` clock while it sets up (billing's price versions carry ``valid_from`` = now).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parents[2]  # src/novasaas


def enabled() -> bool:
    return os.environ.get("NOVASAAS_TEST_DB_TEMPLATE", "1") != "0"


def schema_key(settings_dict: dict[str, Any]) -> str:
    import django

    digest = hashlib.sha256()
    digest.update(django.get_version().encode())
    for part in (settings_dict["ENGINE"], os.environ.get("DATABASE_APP_ROLE", "")):
        digest.update(part.encode() + b"\0")
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if "/tests/" in rel or rel.startswith("platform/testing/"):
            continue
        digest.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@contextlib.contextmanager
def _file_lock(name: str) -> Iterator[None]:
    with open(Path(tempfile.gettempdir()) / f"novasaas-testdb-{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def setup(connection: Any) -> None:
    """Point ``connection`` (and settings.DATABASES) at a fresh copy of the migrated template."""
    from django.conf import settings

    key = schema_key(connection.settings_dict)
    if connection.vendor == "sqlite":
        _setup_sqlite(connection, settings, key)
    else:
        _setup_postgresql(connection, settings, key)


def teardown(connection: Any) -> None:
    if connection.vendor == "sqlite":
        return  # in memory: gone with the process
    name = connection.settings_dict["NAME"]
    connection.close()
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _migrate_into(connection: Any, test_name: str) -> None:
    """Django's own test-database creation (migrate, cache table), into ``test_name``."""
    test_settings = connection.settings_dict.setdefault("TEST", {})
    previous = test_settings.get("NAME")
    test_settings["NAME"] = test_name
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=False)
    finally:
        test_settings["NAME"] = previous
    connection.close()


def _point_at(connection: Any, settings: Any, name: str) -> None:
    connection.close()
    connection.settings_dict["NAME"] = name
    settings.DATABASES[connection.alias]["NAME"] = name


# --- SQLite -------------------------------------------------------------------------------------------


def _setup_sqlite(connection: Any, settings: Any, key: str) -> None:
    folder = Path(settings.VAR_DIR) / "test-db"
    folder.mkdir(parents=True, exist_ok=True)
    template = folder / f"sqlite-{key}.sqlite3"
    original_name = connection.settings_dict["NAME"]
    with _file_lock(f"sqlite-{key}"):
        if not template.exists():
            building = folder / f"building-{key}-{os.getpid()}.sqlite3"
            _migrate_into(connection, str(building))
            with contextlib.closing(sqlite3.connect(building)) as db:
                db.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            os.replace(building, template)
            for old in folder.iterdir():
                if old != template and old.name.startswith("sqlite-"):
                    old.unlink(missing_ok=True)
            _point_at(connection, settings, original_name)
    # the name Django gives an in-memory test database (kept open by the backend until the process ends)
    _point_at(connection, settings, connection.creation._get_test_db_name())
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(template)) as source:
        source.backup(connection.connection)


# --- PostgreSQL ---------------------------------------------------------------------------------------


def _setup_postgresql(connection: Any, settings: Any, key: str) -> None:
    target = connection.creation._get_test_db_name()  # test_<name>[_gwN]
    base = connection.settings_dict["NAME"]
    template = f"test_{base}_tpl_{key}"
    with _file_lock(f"pg-{base}-{key}"):
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
            exists = cursor.fetchone() is not None
        if not exists:  # built under another name and renamed: a killed build never passes for a template
            building = f"test_{base}_building_{os.getpid()}"
            _migrate_into(connection, building)
            _point_at(connection, settings, base)
            with connection.creation._nodb_cursor() as cursor:
                cursor.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
                cursor.execute(
                    "SELECT datname FROM pg_database WHERE (datname LIKE %s OR datname LIKE %s) AND datname <> %s",
                    [f"test\\_{base}\\_tpl\\_%", f"test\\_{base}\\_building\\_%", template],
                )
                for (old,) in cursor.fetchall():
                    with contextlib.suppress(Exception):  # in use by another run: left for its next build
                        cursor.execute(f'DROP DATABASE IF EXISTS "{old}"')
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{target}" TEMPLATE "{template}"')
    _point_at(connection, settings, target)
    connection.ensure_connection()
