"""The CORE demo loader: ~30 realistic parties with valid tax codes, idempotent, per tenant."""

from __future__ import annotations

from novasaas.parties import demo as parties_demo
from novasaas.parties.models import Party
from novasaas.platform import demo
from novasaas.platform.mst import is_valid_tax_code
from novasaas.platform.tenancy import tenant_context


def test_loader_is_registered_for_core():
    assert ("CORE", parties_demo.load_demo_parties) in demo._loaders


def test_demo_parties_are_valid_and_idempotent(tenant_a, tenant_b):
    parties_demo.load_demo_parties(tenant_a)
    parties_demo.load_demo_parties(tenant_a)
    with tenant_context(tenant_a):
        parties = list(Party.objects.all())
        assert len(parties) == len(parties_demo.COMPANIES) + len(parties_demo.PEOPLE) >= 28
        companies = [p for p in parties if p.kind == "company"]
        assert all(is_valid_tax_code(p.tax_code) for p in companies)
        assert len({p.tax_code for p in companies}) == len(companies)
        assert all(p.contacts.count() == 2 and p.addresses.count() == 1 for p in parties)
        assert {pt.tag.name for p in parties for pt in p.party_tags.all()} == {"Khách hàng", "Nhà cung cấp"}
        assert sorted(p.code for p in parties)[0] == "KH00001"
        assert Party.objects.filter(search_text__contains="dang quoc huy").exists()
    with tenant_context(tenant_b):
        assert Party.objects.count() == 0
