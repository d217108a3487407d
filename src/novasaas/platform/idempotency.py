"""``Idempotency-Key`` on every API POST: a retried request creates nothing twice.

A client that may retry (a timeout, a lost connection) sends ``Idempotency-Key: <any unique text>``
with a POST. The first request with that key runs and its successful response is stored with a hash of
the request; for 24 hours a request by the same principal (user or API key) with the same key

- and the same method, path and body gets the stored response again (same status and body, header
  ``Idempotent-Replayed: true``), without running;
- and a different method, path or body is refused with 422.

Concurrent requests with one key: the stored row is inserted first, inside the request's transaction,
under a unique constraint (tenant, principal, key), so the second insert waits for the first request's
transaction (PostgreSQL) and then replays its committed response; if the first request failed (its
transaction rolled back, an error is never stored) the second one runs. A row still without a response
(only seen if a request kept its writes on an error) answers 409.

It is a middleware behind ``TenantMiddleware`` (so inside the request's transaction and tenant context,
with RLS), for every POST under /api/: a new module's endpoints have it without doing anything. Expired
rows of the tenant are deleted whenever a new key is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.platform.models import IdempotencyKey
from novasaas.platform.transactions import is_self_managed

HEADER = "Idempotency-Key"
TTL = dt.timedelta(hours=24)
MAX_KEY_LENGTH = 255


def _principal_id(principal: Any) -> str | None:
    if principal.api_key is not None:
        return f"api_key:{principal.api_key.pk}"
    if principal.user is not None:
        return f"user:{principal.user.pk}"
    return None


def request_hash(request: HttpRequest) -> str:
    """What makes two requests the same: method, path, query and body (JSON compared by content,
    multipart by its fields and files, not by the boundary that differs on every send)."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}?{request.META.get('QUERY_STRING', '')}\n".encode())
    content_type = request.content_type or ""
    if content_type.startswith("multipart/"):
        for name, values in sorted(request.POST.lists()):
            digest.update(json.dumps([name, values]).encode())
        for name, files in sorted(request.FILES.lists()):
            for f in files:
                digest.update(json.dumps([name, f.name, f.size]).encode())
                for chunk in f.chunks():
                    digest.update(chunk)
                f.seek(0)
        return digest.hexdigest()
    body = request.body
    if content_type == "application/json":
        try:
            body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
        except ValueError:
            pass  # the view answers 4xx; compared byte for byte
    digest.update(body)
    return digest.hexdigest()


def _replay(record: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(bytes(record.body), status=record.status, content_type=record.content_type or None)
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        principal = getattr(request, "principal", None)
        if key is None or request.method != "POST" or not request.path.startswith("/api/") or principal is None:
            return self.get_response(request)
        if is_self_managed(request.path):  # e.g. the AI gateway: idempotent per request id on its own
            return self.get_response(request)
        owner = _principal_id(principal)
        if owner is None:
            return self.get_response(request)
        if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
            return JsonResponse(
                {"detail": _("The Idempotency-Key header must be 1 to 255 printable ASCII characters.")}, status=400
            )
        try:
            fingerprint = request_hash(request)
        except MultiPartParserError:
            return JsonResponse({"detail": _("The request body could not be read.")}, status=400)
        now = timezone.now()
        record = None
        for _attempt in range(2):
            try:
                with transaction.atomic():  # a savepoint: a duplicate key leaves the request's transaction usable
                    record = IdempotencyKey.objects.create(
                        principal=owner, key=key, request_hash=fingerprint, expires_at=now + TTL
                    )
                break
            except IntegrityError:
                # the same key is stored (or was, until a moment ago): its request has finished by now,
                # since the insert waited for that request's transaction
                existing = IdempotencyKey.objects.filter(principal=owner, key=key).first()
                if existing is None:
                    continue  # it rolled back meanwhile: try again
                if existing.expires_at <= now:
                    existing.delete()
                    continue
                if existing.request_hash != fingerprint:
                    return JsonResponse(
                        {"detail": _("This Idempotency-Key was used for a different request.")}, status=422
                    )
                if existing.status is None:
                    return JsonResponse(
                        {"detail": _("A request with this Idempotency-Key is still being processed.")}, status=409
                    )
                return _replay(existing)
        if record is None:
            return JsonResponse(
                {"detail": _("A request with this Idempotency-Key is still being processed.")}, status=409
            )
        IdempotencyKey.objects.filter(expires_at__lte=now).delete()
        response = self.get_response(request)
        if response.status_code >= 400 or response.streaming:
            # an error is never replayed (its writes are rolled back): a retry runs again. When the
            # transaction is already marked for rollback (an action without savepoint failed), the
            # record goes with it.
            if not transaction.get_rollback():
                record.delete()
            return response
        record.status = response.status_code
        record.content_type = response.get("Content-Type", "")
        record.body = response.content
        record.save(update_fields=["status", "content_type", "body"])
        return response
