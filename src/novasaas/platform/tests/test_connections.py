"""Connections that heal (issue 19): a request after the database dropped the connection succeeds."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import DatabaseError, connection, connections
from django.test import RequestFactory


def _get(path: str) -> Any:
    """One request through the real WSGI handler (the test client skips close_old_connections, which is
    where Django drops a kept connection that fails its health check)."""
    environ = RequestFactory().get(path).environ
    responses: list[str] = []
    body = WSGIHandler()(environ, lambda status, headers, exc_info=None: responses.append(status))
    return responses[0], b"".join(body)


def test_health_endpoint(db, client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    assert "no-cache" in r["Cache-Control"]
    assert client.post("/healthz").status_code == 405


def test_health_endpoint_says_unavailable_without_the_database(db, client, monkeypatch):
    def broken(*a: Any, **kw: Any) -> Any:
        raise DatabaseError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", broken)
        r = client.get("/healthz")
    assert r.status_code == 503 and r.json() == {"status": "unavailable"}


def test_connections_are_health_checked_before_reuse(settings):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


@pytest.mark.postgres_only
def test_the_next_request_after_the_backend_was_terminated_succeeds(transactional_db, monkeypatch):
    """What an idle web worker sees after a PostgreSQL restart: its kept connection is dead."""
    import psycopg

    connections.close_all()
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)  # as in production
    status, _ = _get("/healthz")
    assert status.startswith("200")
    assert connection.connection is not None  # kept between requests
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in params.items() if k in {"host", "port", "user", "dbname"}}) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    status, body = _get("/healthz")
    assert status.startswith("200"), body
    assert connection.connection.info.backend_pid != pid
    connections.close_all()
