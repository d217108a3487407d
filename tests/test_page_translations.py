"""Every page in both languages (issue 10 §4 "English mode complete").

The pages are taken from the navigation registry and the URL resolver, never a hand list: every
parameter-less GET page of each section a menu entry leads to (``/inventory/…``, ``/accounting/…``,
``/parties/…``, ``/settings/…``…), plus the menu entries themselves. Each is rendered as the Tenant Admin
of a company with the demo data, in English and in Vietnamese, and must answer 200 with its main
headings (``<title>``, ``<h1>``–``<h5>``, table headers, labels, buttons, legends) in the page's
language: in Vietnamese no heading is an English msgid left untranslated; in English no heading is the
Vietnamese translation of a msgid. A block marked ``lang="vi"`` (the statutory forms as filed) is
Vietnamese on purpose.

A static check backs it: every msgid a template uses (``{% translate %}``, ``{% blocktranslate %}``,
with their contexts) has a Vietnamese translation in the merged catalogue.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real
from django.utils.translation.template import templatize

from novasaas.platform.demo import load_module_data
from novasaas.platform.modules import NAVIGATION
from novasaas.platform.tenancy import platform_context
from novasaas.platform.testing.fixtures import admin_of, web_client
from novasaas.platform.testing.routes import _walk

SRC = Path(__file__).resolve().parents[1] / "src" / "novasaas"
# parameter-less GET routes that are not pages: files, JSON for scripts, actions
NOT_PAGES = re.compile(r"(export|pickers?|stock-hint|line-row|/logout|\.json|download|template)")


def _nav_urls() -> list[str]:
    urls = []
    for entry in NAVIGATION:
        for e in [entry, *entry.children]:
            try:
                urls.append(reverse(e.url_name))
            except Exception:  # noqa: S112  (an entry needing arguments is reached from its section)
                continue
    return urls


def nav_pages() -> list[str]:
    """The menu entries and every parameter-less GET page of the sections they lead to."""
    from django.urls import get_resolver

    nav = _nav_urls()
    sections = {"/" + u.strip("/").split("/")[0] + "/" for u in nav if u.strip("/")}
    pages = set(nav)
    for raw, pattern in _walk(get_resolver().url_patterns):
        if "<" in raw or "(?P" in raw:
            continue
        path = "/" + raw.lstrip("^").rstrip("$")
        view_class = getattr(pattern.callback, "view_class", None)
        if view_class is not None and not hasattr(view_class, "get"):
            continue
        if any(path.startswith(s) for s in sections) and not NOT_PAGES.search(path):
            pages.add(path)
    return sorted(pages)


def _catalogue(lang: str) -> dict[str, str]:
    return trans_real.translation(lang)._catalog  # merged: project, apps, Django


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
HEADING_TAGS = {"title", "h1", "h2", "h3", "h5", "th", "label", "button", "legend"}


class _Headings(HTMLParser):
    """Text of the heading-like elements, with the language of the element around them (``lang``): a
    block marked ``lang="vi"`` (the statutory forms as filed) is Vietnamese on English pages too."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.open: list[tuple[str, list[str], str | None]] = []
        self.found: list[tuple[str, str | None]] = []

    def _lang(self) -> str | None:
        return next((lang for _tag, lang in reversed(self.stack) if lang), None)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        self.stack.append((tag, dict(attrs).get("lang")))
        if tag in HEADING_TAGS:
            self.open.append((tag, [], self._lang()))

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.open[-1][0] == tag:
            _tag, parts, lang = self.open.pop()
            text = " ".join("".join(parts).split())
            if text:
                self.found.append((text, lang))
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        for _tag, parts, _lang in self.open:
            parts.append(data)


def _headings(body: str) -> list[tuple[str, str | None]]:
    """(text, language of the block it stands in) of each title, heading, table header, label and button."""
    parser = _Headings()
    parser.feed(body)
    return parser.found


def _phrases(text: str) -> list[str]:
    """The heading and its parts: titles are "Page · Company", headings may hold a badge."""
    return [text, *[p.strip() for p in re.split(r"\s[·|—–-]\s", text) if p.strip()]]


@pytest.fixture
def demo_tenant(tenant_a):
    from novasaas.platform.demo import refresh_planner_statistics

    load_module_data(tenant_a)
    refresh_planner_statistics()  # PostgreSQL plans a demo year's reports from real statistics
    return tenant_a


def test_every_navigation_page_renders_in_both_languages(demo_tenant):
    admin = admin_of(demo_tenant)
    vi_catalogue = _catalogue("vi")
    # English msgid -> Vietnamese, only where they differ (identical words such as "Email" are fine)
    english_to_vi = {
        k.split("\x04")[-1]: v
        for k, v in vi_catalogue.items()
        if isinstance(k, str) and isinstance(v, str) and k.split("\x04")[-1] != v
    }
    vietnamese = {v for v in english_to_vi.values() if len(v) > 3}
    pages = nav_pages()
    assert len(pages) > 40, pages  # the walk found the real pages
    problems: list[str] = []
    for lang in ("en", "vi"):
        with platform_context():
            admin.locale = lang
            admin.save(update_fields=["locale"])
        web = web_client(demo_tenant, admin)
        for path in pages:
            r = web.get(path, follow=True)  # a section's root may open its first page
            if r.status_code != 200:
                problems.append(f"{lang} {path}: {r.status_code}")
                continue
            if not r["Content-Type"].startswith("text/html"):
                continue
            for heading, block_lang in _headings(r.content.decode()):
                if block_lang and block_lang != lang:
                    continue  # marked as another language on purpose (lang="vi": the legal forms)
                for phrase in _phrases(heading):
                    if lang == "vi" and phrase in english_to_vi:
                        problems.append(f"vi {path}: {phrase!r} is not translated")
                    if lang == "en" and phrase in vietnamese and phrase not in english_to_vi:
                        problems.append(f"en {path}: {phrase!r} is Vietnamese")
    assert not problems, "\n".join(sorted(set(problems)))


CALL = re.compile(r"""\b(n?p?gettext)\(((?:\s*u?'(?:[^'\\]|\\.)*'\s*,?)+)""")
STRING = re.compile(r"""u?'((?:[^'\\]|\\.)*)'""")


def _unescape(text: str) -> str:
    return text.replace("\\'", "'").replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def _template_msgids() -> set[tuple[str, str, bool]]:
    """(context, msgid, plural) of every template string marked for translation, read as makemessages does."""
    found = set()
    for template in SRC.glob("**/templates/**/*.html"):
        code = templatize(template.read_text(encoding="utf-8"), origin=str(template))
        for func, args in CALL.findall(code):
            strings = [_unescape(x) for x in STRING.findall(args)]
            plural = func.startswith(("ngettext", "npgettext"))
            if func.startswith(("pgettext", "npgettext")):
                if len(strings) >= 2:
                    found.add((strings[0], strings[1], plural))
            elif strings:
                found.add(("", strings[0], plural))
    return found


def test_every_template_msgid_has_a_vietnamese_translation():
    assert engines["django"]  # templates configured
    msgids = _template_msgids()
    assert len(msgids) > 300, len(msgids)  # the extraction read the real templates
    catalogue = _catalogue("vi")
    with translation.override("vi"):
        missing = []
        for ctx, msgid, plural in msgids:
            key: object = f"{ctx}\x04{msgid}" if ctx else msgid
            if plural:
                key = (key, 0)
            if key not in catalogue and msgid.strip():
                missing.append(f"{ctx}|{msgid}" if ctx else msgid)
    assert not missing, "\n".join(sorted(missing))
