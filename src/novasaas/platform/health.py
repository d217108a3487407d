"""``GET /healthz``: is this process able to serve (for the load balancer, systemd watchdogs, monitoring)?

Answers 200 ``{"status": "ok"}`` when the database answers, else 503 ``{"status": "unavailable"}``; no
tenant data, no authentication, no detail of the error (that goes to the log)."""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        log.exception("health check: database unavailable")
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
