"""Names typed in decomposed Unicode (NFD, as macOS keyboards and some PDFs produce) are the same
names as their composed form (NFC): stored composed, found by either form, several parties at once."""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from novasaas.parties.tests.helpers import party_payload

URL = "/api/v1/parties/"
WORDS = ["Hoàng", "Long", "Phước", "Thịnh", "Đức", "Nguyễn", "Trường", "Sơn", "Ánh", "Dương", "Quỳnh", "Hưng"]

names = st.lists(st.sampled_from(WORDS), min_size=2, max_size=4).map(" ".join)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(st.tuples(names, st.booleans()), min_size=2, max_size=4, unique_by=lambda t: t[0]))
def test_decomposed_names_are_stored_composed_and_found_by_either_form(api_a, batch):
    created = {}
    for name, decomposed in batch:
        sent = unicodedata.normalize("NFD" if decomposed else "NFC", f"Công ty {name} {len(created)}")
        r = api_a.post(URL, party_payload(sent))
        assert r.status_code == 201, r.json()
        created[r.json()["id"]] = unicodedata.normalize("NFC", sent)
        assert r.json()["name"] == created[r.json()["id"]]  # stored composed
    for pid, name in created.items():
        found = {
            form: {p["id"] for p in api_a.get(URL, {"q": unicodedata.normalize(form, name)}).json()["items"]}
            for form in ("NFC", "NFD")
        }
        assert pid in found["NFC"] and found["NFC"] == found["NFD"], (name, found)
