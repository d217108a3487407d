"""Idempotency-Key on API POSTs: a retry replays the first response and creates nothing twice."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connections
from django.utils import timezone

from novasaas.accounting.models import Payment
from novasaas.accounting.tests.helpers import make_party
from novasaas.accounting.tests.test_api import fm_client
from novasaas.parties.models import Party
from novasaas.parties.tests.helpers import party_payload
from novasaas.platform.models import IdempotencyKey
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, admin_of

PARTIES = "/api/v1/parties/"
PAYMENTS = "/api/v1/accounting/payments"


def _payment(party: int, amount: str = "400000") -> dict[str, object]:
    return {"kind": "receipt", "party_id": party, "date": timezone.localdate().isoformat(), "amount": amount}


def _count(tenant, model) -> int:
    with tenant_context(tenant):
        return model.objects.count()


def test_same_key_same_body_replays_the_first_response(api_a, tenant_a):
    c = fm_client(tenant_a)
    party = make_party(tenant_a)
    first = c.post(PAYMENTS, _payment(party), HTTP_IDEMPOTENCY_KEY="pay-2026-0001")
    assert first.status_code == 201, first.json()
    again = c.post(PAYMENTS, _payment(party), HTTP_IDEMPOTENCY_KEY="pay-2026-0001")
    assert again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert _count(tenant_a, Payment) == 1
    # the same JSON written differently is the same request
    reordered = {k: _payment(party)[k] for k in reversed(list(_payment(party)))}
    assert c.post(PAYMENTS, reordered, HTTP_IDEMPOTENCY_KEY="pay-2026-0001").json() == first.json()
    # another key is another payment; no key, as before, always runs
    assert c.post(PAYMENTS, _payment(party), HTTP_IDEMPOTENCY_KEY="pay-2026-0002").json()["id"] != first.json()["id"]
    c.post(PAYMENTS, _payment(party))
    assert _count(tenant_a, Payment) == 3


def test_same_key_other_body_is_422_and_writes_nothing(api_a, tenant_a):
    r = api_a.post(PARTIES, party_payload("Công ty Một"), HTTP_IDEMPOTENCY_KEY="k1")
    assert r.status_code == 201
    other = api_a.post(PARTIES, party_payload("Công ty Hai"), HTTP_IDEMPOTENCY_KEY="k1")
    assert other.status_code == 422 and "Idempotency-Key" in other.json()["detail"]
    # another endpoint with the same key is another request too
    assert api_a.post(PAYMENTS, {"kind": "receipt"}, HTTP_IDEMPOTENCY_KEY="k1").status_code == 422
    with tenant_context(tenant_a):
        assert list(Party.objects.values_list("name", flat=True)) == ["Công ty Một"]


def test_keys_belong_to_one_principal_in_one_tenant(api_a, api_b, tenant_a, tenant_b):
    c = fm_client(tenant_a)
    assert api_a.post(PARTIES, party_payload("A1"), HTTP_IDEMPOTENCY_KEY="same").status_code == 201
    # another user of the same tenant, and a user of another tenant, use the same key freely
    assert c.post(PARTIES, party_payload("A2"), HTTP_IDEMPOTENCY_KEY="same").status_code in (201, 403)
    assert api_b.post(PARTIES, party_payload("B1"), HTTP_IDEMPOTENCY_KEY="same").status_code == 201
    assert _count(tenant_b, Party) == 1
    with tenant_context(tenant_b):
        assert IdempotencyKey.objects.count() == 1


def test_an_error_is_not_stored_and_a_retry_runs(api_a, tenant_a):
    bad = party_payload("Công ty Lỗi", tax_code="123")
    assert api_a.post(PARTIES, bad, HTTP_IDEMPOTENCY_KEY="retry-me").status_code == 400
    assert _count(tenant_a, IdempotencyKey) == 0
    # the client fixes nothing and retries: it runs again (and fails again), never replays an error
    assert api_a.post(PARTIES, bad, HTTP_IDEMPOTENCY_KEY="retry-me").status_code == 400
    ok = api_a.post(PARTIES, party_payload("Công ty Lỗi"), HTTP_IDEMPOTENCY_KEY="retry-me")
    assert ok.status_code == 201 and _count(tenant_a, Party) == 1


def test_keys_expire_after_24_hours_and_are_cleaned(api_a, tenant_a):
    first = api_a.post(PARTIES, party_payload("Công ty Cũ"), HTTP_IDEMPOTENCY_KEY="old")
    with tenant_context(tenant_a):
        IdempotencyKey.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    again = api_a.post(PARTIES, party_payload("Công ty Cũ"), HTTP_IDEMPOTENCY_KEY="old")
    assert again.status_code == 201 and again.json()["id"] != first.json()["id"]
    with tenant_context(tenant_a):
        IdempotencyKey.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    api_a.post(PARTIES, party_payload("Công ty Mới"), HTTP_IDEMPOTENCY_KEY="new")
    with tenant_context(tenant_a):
        assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
        stored = IdempotencyKey.objects.get()
        assert dt.timedelta(hours=23) < stored.expires_at - timezone.now() <= dt.timedelta(hours=24)


def test_a_bad_key_is_400(api_a, tenant_a):
    r = api_a.post(PARTIES, party_payload(), HTTP_IDEMPOTENCY_KEY="x" * 256)
    assert r.status_code == 400 and "Idempotency-Key" in r.json()["detail"]
    assert _count(tenant_a, Party) == 0


def test_documents_of_every_module_get_it(tenant_a):
    """Inventory movements (another module, nothing done there for it): replayed, not created twice."""
    from novasaas.inventory.models import StockMovement
    from novasaas.inventory.tests.helpers import setup_catalogue

    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
    api = ApiClient(tenant_a, admin_of(tenant_a))
    line = {"product_id": s.beer.pk, "quantity": "5", "unit_cost": "10000"}
    body = {"kind": "receipt", "warehouse_id": s.wh.pk, "lines": [line]}
    first = api.post("/api/v1/inventory/movements", body, HTTP_IDEMPOTENCY_KEY="grn-1")
    assert first.status_code == 201, first.json()
    assert api.post("/api/v1/inventory/movements", body, HTTP_IDEMPOTENCY_KEY="grn-1").json() == first.json()
    assert _count(tenant_a, StockMovement) == 1


@pytest.mark.postgres_only
def test_concurrent_payments_with_one_key_make_one_payment(transactional_db, tenant_a):
    c = fm_client(tenant_a)
    party = make_party(tenant_a)
    n = 8
    barrier = threading.Barrier(n)
    results: list[tuple[int, object]] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            client = ApiClient(tenant_a, c.user)
            barrier.wait(timeout=30)
            r = client.post(PAYMENTS, _payment(party), HTTP_IDEMPOTENCY_KEY="race-1")
            with lock:
                results.append((r.status_code, r.json()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(results) == n
    # one ran; the others waited for it and replayed its answer (or were told to retry: 409)
    created = [body for status, body in results if status == 201]
    assert created and all(body == created[0] for body in created), results
    assert all(status in (201, 409) for status, _ in results), results
    assert _count(tenant_a, Payment) == 1


def test_a_file_upload_is_replayed_and_a_broken_body_is_400(api_a, tenant_a):
    """Multipart bodies are compared by their fields and files (the boundary differs on every send)."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["Tên (name)"])
    wb.active.append(["Công ty Nhập"])
    saved = io.BytesIO()
    wb.save(saved)  # once: a workbook saved again carries another timestamp, so is another file

    def upload() -> io.BytesIO:
        buf = io.BytesIO(saved.getvalue())
        buf.name = "parties.xlsx"
        return buf

    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_a.token}", "HTTP_IDEMPOTENCY_KEY": "import-1"}
    first = api_a.client.post("/api/v1/parties/import", {"file": upload()}, **auth)
    assert first.status_code == 200 and first.json()["created"] == 1
    again = api_a.client.post("/api/v1/parties/import", {"file": upload()}, **auth)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert _count(tenant_a, Party) == 1
    broken = api_a.client.post(
        "/api/v1/parties/import",
        data=b'--x\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n',
        content_type="multipart/form-data; boundary=",
        **{**auth, "HTTP_IDEMPOTENCY_KEY": "import-2"},
    )
    assert broken.status_code == 400 and broken.json()["detail"] and _count(tenant_a, Party) == 1
