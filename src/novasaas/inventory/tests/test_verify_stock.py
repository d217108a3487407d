"""``novasaas verify_stock`` reports quants and stock rows that differ from the ledger."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from novasaas.inventory.models import StockQuant
from novasaas.inventory.tests.helpers import issue, receive, setup_catalogue
from novasaas.platform.tenancy import tenant_context


def test_verify_stock_ok_then_detects_a_tampered_quant(tenant_a):
    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        receive(s, 10)
        issue(s, 3)
    out = io.StringIO()
    call_command("verify_stock", tenant_a.slug, stdout=out)
    assert f"{tenant_a.slug}: OK" in out.getvalue()
    with tenant_context(tenant_a):
        StockQuant.objects.filter(product=s.beer).update(on_hand=F("on_hand") + 1)
    with pytest.raises(CommandError):
        call_command("verify_stock", tenant_a.slug, stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError):
        call_command("verify_stock", "no-such-tenant", stdout=io.StringIO())
