"""Actions and selectors directly: merge guarantees, the PartiesMerged event, duplicates, text helpers."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from novasaas.parties import actions, selectors
from novasaas.parties.events import PartiesMerged
from novasaas.parties.models import Party, PartyAddress, PartyBankAccount, PartyContact, PartyTag
from novasaas.parties.tests.helpers import make_mst, principal
from novasaas.parties.text import name_key, normalize_phone, unaccent
from novasaas.platform import events
from novasaas.platform.models import AuditLog
from novasaas.platform.tenancy import tenant_context


@pytest.fixture
def admin(in_tenant_a):
    return principal(in_tenant_a)


@pytest.fixture
def received(monkeypatch):
    got: list[PartiesMerged] = []
    monkeypatch.setitem(events._subscribers, PartiesMerged, [])
    events.subscriber(PartiesMerged, module="CORE")(got.append)
    return got


def make(p, name, **kw):
    return actions.create_party(p, name=name, **kw)


def test_merge_moves_everything_and_publishes_event(admin, received, in_tenant_a):
    keep = make(
        admin,
        "Công ty Hoàng Long",
        addresses=[{"line": "1 Lê Lợi"}],
        contacts=[{"kind": "phone", "value": "0912 345 678"}, {"kind": "email", "value": "a@hl.vn"}],
        bank_accounts=[{"bank_name": "BIDV", "account_number": "111"}],
        tags=["VIP"],
    )
    mst = make_mst()
    d1 = make(
        admin,
        "Hoàng Long",
        tax_code=mst,
        addresses=[{"line": "2 Hai Bà Trưng", "is_default": True}],
        contacts=[
            {"kind": "phone", "value": "+84 912 345 678"},  # same number: not doubled
            {"kind": "email", "value": "b@hl.vn", "is_primary": True},
        ],
        bank_accounts=[
            {"bank_name": "bidv", "account_number": "1 11"},  # same account
            {"bank_name": "ACB", "account_number": "222"},
        ],
        tags=["vip", "nhà cung cấp"],
    )
    d2 = make(admin, "HL", contacts=[{"kind": "email", "value": "A@HL.VN"}])
    earlier = make(admin, "Cũ")
    actions.merge_parties(admin, d1.pk, [earlier.pk])
    received.clear()

    kept = actions.merge_parties(admin, keep.pk, [d2.pk, d1.pk])

    kept = Party.objects.get(pk=kept.pk)
    assert kept.tax_code == mst and kept.is_active
    assert sorted(PartyAddress.objects.filter(party=kept).values_list("line", "is_default")) == [
        ("1 Lê Lợi", True),
        ("2 Hai Bà Trưng", False),
    ]
    contacts = set(PartyContact.objects.filter(party=kept).values_list("normalized", "is_primary"))
    assert contacts == {("0912345678", True), ("a@hl.vn", True), ("b@hl.vn", False)}
    assert sorted(PartyBankAccount.objects.filter(party=kept).values_list("bank_name", flat=True)) == [
        "ACB",
        "BIDV",
    ]
    assert sorted(PartyTag.objects.filter(party=kept).values_list("tag__name", flat=True)) == [
        "VIP",
        "nhà cung cấp",
    ]
    for dup in (d1, d2):
        dup.refresh_from_db()
        assert not dup.is_active and dup.merged_into_id == kept.pk
        assert not dup.contacts.exists() and not dup.addresses.exists() and not dup.party_tags.exists()
    earlier.refresh_from_db()
    assert earlier.merged_into_id == kept.pk  # chains are repointed: one hop to the survivor
    assert selectors.resolve_party_id(in_tenant_a, earlier.pk) == kept.pk
    assert received == [PartiesMerged(tenant_id=in_tenant_a.pk, kept_id=kept.pk, merged_ids=(d1.pk, d2.pk))]
    assert selectors.search_parties(in_tenant_a, "b@hl").get() == kept  # search text refreshed
    entries = AuditLog.objects.filter(tenant=in_tenant_a, object_type="parties.Party", action="update")
    assert entries.filter(object_id=str(kept.pk), message__startswith="merged").exists()
    assert entries.filter(object_id=str(d1.pk), message=f"merged into {kept.code}").exists()


def test_merged_party_cannot_be_edited_or_reactivated(admin, in_tenant_a):
    keep, dup = make(admin, "A"), make(admin, "B")
    actions.merge_parties(admin, keep.pk, [dup.pk])
    with pytest.raises(ValidationError):
        actions.update_party(admin, dup.pk, name="C")
    with pytest.raises(ValidationError):
        actions.reactivate_party(admin, dup.pk)


def test_failing_subscriber_rolls_the_merge_back(admin, monkeypatch, in_tenant_a):
    keep, dup = make(admin, "A"), make(admin, "B", contacts=[{"kind": "phone", "value": "0900000001"}])

    def boom(event):
        raise RuntimeError("CRM could not repoint")

    monkeypatch.setitem(events._subscribers, PartiesMerged, [])
    events.subscriber(PartiesMerged, module="CORE")(boom)
    with pytest.raises(RuntimeError):
        actions.merge_parties(admin, keep.pk, [dup.pk])
    dup.refresh_from_db()
    assert dup.is_active and dup.merged_into_id is None and dup.contacts.count() == 1


def test_actions_check_permissions(in_tenant_a):
    viewer = principal(in_tenant_a, "warehouse_staff")
    staff = principal(in_tenant_a, "sales_staff")
    with pytest.raises(PermissionDenied):
        make(viewer, "X")
    a, b = make(staff, "A"), make(staff, "B")
    with pytest.raises(PermissionDenied):
        actions.merge_parties(staff, a.pk, [b.pk])
    with pytest.raises(PermissionDenied):
        actions.deactivate_party(viewer, a.pk)


def test_reactivate_checks_tax_code(admin, in_tenant_a):
    mst = make_mst()
    first = make(admin, "A", tax_code=mst)
    actions.deactivate_party(admin, first.pk)
    make(admin, "B", tax_code=mst)
    with pytest.raises(ValidationError):
        actions.reactivate_party(admin, first.pk)


def test_find_duplicates_by_email_and_summary(admin, in_tenant_a):
    a = make(
        admin,
        "Alpha Trading",
        contacts=[{"kind": "email", "value": "Sales@Alpha.vn"}],
        addresses=[{"line": "9 Lý Thái Tổ", "province": "Hà Nội"}],
    )
    b = make(admin, "Completely Different", contacts=[{"kind": "email", "value": "sales@alpha.vn "}])
    make(admin, "Other", kind="person")
    dups = selectors.find_duplicates(in_tenant_a, selectors.get_party(in_tenant_a, a.pk))
    assert [(d.party.pk, d.reasons) for d in dups] == [(b.pk, ["email"])]
    summary = selectors.party_summary(in_tenant_a, a.pk)
    assert summary is not None
    assert (summary.code, summary.email, summary.address) == (
        a.code,
        "Sales@Alpha.vn",
        "9 Lý Thái Tổ, Hà Nội",
    )
    assert selectors.party_summary(in_tenant_a, 999_999) is None


def test_update_party_rejects_unknown_fields(admin, in_tenant_a):
    p = make(admin, "A")
    with pytest.raises(ValidationError):
        actions.update_party(admin, p.pk, code="KH99999")


def test_text_helpers():
    assert unaccent("Đặng Quốc Huy – ĐÀ NẴNG") == "dang quoc huy – da nang"
    assert normalize_phone("+84 (912) 345-678") == "0912345678"
    assert normalize_phone("0084912345678") == "0912345678"
    assert normalize_phone("028 3823 4567") == "02838234567"
    assert name_key("Công ty TNHH Một thành viên Hoàng Long") == "hoang long"
    assert name_key("CÔNG TY CỔ PHẦN Sao Mai") == "sao mai"


VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"


@settings(max_examples=30, deadline=None)
@given(st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + " 0123456789", max_size=40))
def test_unaccent_gives_plain_ascii_and_is_idempotent(text):
    out = unaccent(text)
    assert out.isascii() and out == out.lower() and unaccent(out) == out and len(out) == len(text)


# Examples share the test's tenant (each creates its own two parties), hence the health-check waiver.
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.sampled_from(["0901", "0902", "0903", "a@x.vn", "b@x.vn"]), max_size=4),
    st.lists(st.sampled_from(["0901", "0904", "a@x.vn", "c@x.vn"]), max_size=4),
    st.lists(st.sampled_from(["t1", "t2", "t3"]), max_size=3),
    st.lists(st.sampled_from(["t2", "t3", "t4"]), max_size=3),
)
def test_merge_keeps_the_union_of_contacts_and_tags(tenant_a, c1, c2, t1, t2):
    def rows(values):
        return [
            {"kind": "email" if "@" in v else "phone", "value": v + ("" if "@" in v else "000")}
            for v in dict.fromkeys(values)
        ]

    with tenant_context(tenant_a):
        p = principal(tenant_a)
        keep = make(p, "K", contacts=rows(c1), tags=t1)
        dup = make(p, "D", contacts=rows(c2), tags=t2)
        actions.merge_parties(p, keep.pk, [dup.pk])
        normalized = list(PartyContact.objects.filter(party=keep).values_list("normalized", flat=True))
        expected = {r["value"] for r in rows(c1) + rows(c2)}
        assert sorted(normalized) == sorted(expected)  # union, no doubles
        for kind in ("phone", "email"):
            of_kind = PartyContact.objects.filter(party=keep, kind=kind)
            assert of_kind.filter(is_primary=True).count() == (1 if of_kind.exists() else 0)
        tags = list(PartyTag.objects.filter(party=keep).values_list("tag__name", flat=True))
        assert sorted(tags) == sorted(set(t1) | set(t2))
        assert not PartyContact.objects.filter(party=dup).exists()
