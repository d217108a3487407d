"""The console log (what `dev.py up` prints): each line once, and a refused request (403) as one line
without a traceback, while a real error keeps its traceback."""

from __future__ import annotations

import io
import logging

import pytest
from django.core.exceptions import PermissionDenied

from novasaas.platform.logfilters import RefusalsWithoutTraceback
from novasaas.platform.testing.fixtures import create_user, web_client


@pytest.fixture
def console():
    handlers = [
        h for h in logging.getLogger().handlers if any(isinstance(f, RefusalsWithoutTraceback) for f in h.filters)
    ]
    assert len(handlers) == 1, "the settings' console handler is installed once on the root logger"
    stream = io.StringIO()
    old = handlers[0].setStream(stream)
    yield stream
    handlers[0].setStream(old)


def test_a_refused_page_is_one_line_without_traceback(tenant_a, console):
    staff = create_user(tenant_a, "warehouse_staff")
    r = web_client(tenant_a, staff).get("/settings/roles/")
    assert r.status_code == 403
    lines = [line for line in console.getvalue().splitlines() if line.strip()]
    assert lines == ["Forbidden (Permission denied): /settings/roles/"]


def test_errors_keep_their_traceback_and_print_once(console):
    try:
        raise ZeroDivisionError("boom")
    except ZeroDivisionError:
        logging.getLogger("django.request").error(
            "Internal Server Error: /x", exc_info=True, extra={"status_code": 500}
        )
    try:
        raise PermissionDenied("no")
    except PermissionDenied:
        logging.getLogger("django.request").warning("Forbidden: /y", exc_info=True, extra={"status_code": 403})
    text = console.getvalue()
    assert text.count("Internal Server Error: /x") == 1 and "ZeroDivisionError: boom" in text
    assert text.count("Forbidden: /y") == 1 and "PermissionDenied" not in text
