"""Names sort in Vietnamese order on SQLite (the registered collation) and PostgreSQL (ICU vi-x-icu):
Cà phê before Coca-Cola, Dũng before Đà Nẵng, Anh before Ăn before Âu, tones after letters."""

from __future__ import annotations

import pytest

from novasaas.platform.collation import sort_key
from novasaas.platform.tenancy import tenant_context

NAMES = ["Coca-Cola", "Đà Nẵng", "Cà phê", "Dũng", "Âu Cơ", "Ăn vặt", "Anh", "Bánh mì", "bánh bao", "Zô"]
EXPECTED = ["Anh", "Ăn vặt", "Âu Cơ", "bánh bao", "Bánh mì", "Cà phê", "Coca-Cola", "Dũng", "Đà Nẵng", "Zô"]


def test_sort_key_follows_the_vietnamese_alphabet():
    assert sorted(NAMES, key=sort_key) == EXPECTED
    tones = ["Cạ", "Cá", "Cã", "Cả", "Cà", "Ca"]
    assert sorted(tones, key=sort_key) == ["Ca", "Cà", "Cả", "Cã", "Cá", "Cạ"]
    assert sorted(["Ư", "U", "Ơ", "O", "Ô"], key=sort_key) == ["O", "Ô", "Ơ", "U", "Ư"]


@pytest.mark.django_db
def test_party_and_product_lists_sort_in_vietnamese_order(tenant_a):
    from novasaas.inventory import actions
    from novasaas.inventory import selectors as inv
    from novasaas.inventory.tests.helpers import setup_catalogue
    from novasaas.parties import selectors as parties
    from novasaas.parties.models import Party

    with tenant_context(tenant_a):
        for i, name in enumerate(NAMES):
            Party.objects.create(name=name, code=f"KH{i:05d}")
        s = setup_catalogue(tenant_a)
        for name in NAMES:
            actions.save_product(s.manager, name=name, stock_unit_id=s.chai.pk)
        party_names = [p.name for p in parties.search_parties(tenant_a, "")]
        product_names = [p.name for p in inv.search_products(tenant_a, "") if p.name in NAMES]
    assert party_names == EXPECTED
    assert product_names == EXPECTED
