"""Django merges every app's Vietnamese catalogue into one: for a message without a context the first app in
INSTALLED_APPS wins everywhere, so two apps translating the same English text differently means one of them
shows the other's word (billing's paid invoices read "Đã thu", accounting's "Apply" offsets a debt on the
coupon form). A meaning of its own takes a context (``pgettext`` / ``{% translate "…" context "…" %}``)."""

from __future__ import annotations

import gettext
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "novasaas"


def test_no_message_is_translated_two_ways_without_a_context():
    seen: dict[str, dict[str, str]] = {}
    for mo in sorted(SRC.glob("**/locale/vi/LC_MESSAGES/django.mo")):
        app = mo.relative_to(SRC).parts[0]
        with mo.open("rb") as fh:
            catalog = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
        for msgid, msgstr in catalog.items():
            if not isinstance(msgid, str) or not msgid or "\x04" in msgid or not msgstr:
                continue  # plural entries, the header and messages with a context
            seen.setdefault(msgid, {})[app] = msgstr
    clashes = {m: apps for m, apps in seen.items() if len(set(apps.values())) > 1}
    assert len(seen) > 1000  # the catalogues were read
    assert not clashes, "\n".join(f"{m!r}: {apps}" for m, apps in sorted(clashes.items()))
