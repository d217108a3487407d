"""List translatable messages, the apps that use them, and what each Vietnamese catalogue says.

Django merges the catalogues of LOCALE_PATHS and of every installed app into one per language: a
msgid (with its context) gets a single translation at run time. LOCALE_PATHS wins, then the app
listed first in INSTALLED_APPS. A msgid used by two apps that need different wording must therefore be
told apart with a context (pgettext / `{% translate "…" context "…" %}`).

Usage (from the repository root):

    .venv/bin/python scripts/i18n_usage.py            # every message used by more than one app
    .venv/bin/python scripts/i18n_usage.py --conflicts  # only those whose catalogues disagree, or
                                                        # where an app gets another app's wording
    .venv/bin/python scripts/i18n_usage.py --app inventory  # every message an app uses

The extraction uses xgettext (Python files) and Django's own `templatize` (templates), the same
path as `makemessages`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "src" / "novasaas"
# In INSTALLED_APPS order; the project catalogue (LOCALE_PATHS) comes first because it wins.
CATALOGUES = {
    "project": PKG / "locale",
    "platform": PKG / "platform" / "locale",
    "identity": PKG / "identity" / "locale",
    "parties": PKG / "parties" / "locale",
    "accounting": PKG / "accounting" / "locale",
    "inventory": PKG / "inventory" / "locale",
    "web": PKG / "web" / "locale",
}
APPS = ["platform", "identity", "parties", "accounting", "inventory", "web", "config", "templates"]
KEYWORDS = [
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext:1,2",
    "ngettext_lazy:1,2",
    "pgettext:1c,2",
    "pgettext_lazy:1c,2",
    "npgettext:1c,2,3",
    "npgettext_lazy:1c,2,3",
]

Key = tuple[str | None, str]  # (context, msgid)


def owner(path: Path) -> str | None:
    rel = path.relative_to(PKG).parts
    if "tests" in rel or "migrations" in rel:
        return None
    return rel[0] if rel[0] in APPS else None


def _xgettext(files: list[Path], language: str) -> dict[Key, set[str]]:
    if not files:
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.pot"
        cmd = ["xgettext", "--from-code=UTF-8", f"--language={language}", "-o", str(out), "--force-po"]
        cmd += [f"--keyword={k}" for k in KEYWORDS]
        cmd += [str(f) for f in files]
        subprocess.run(cmd, check=True, capture_output=True)  # noqa: S603 - fixed argv, no shell
        # The template header has placeholders that babel cannot parse.
        text = out.read_text(encoding="utf-8").replace("charset=CHARSET", "charset=UTF-8")
        out.write_text(text.replace("nplurals=INTEGER; plural=EXPRESSION;", "nplurals=2; plural=(n != 1);"))
        with out.open("rb") as f:
            catalog = read_po(f)
    found: dict[Key, set[str]] = defaultdict(set)
    for m in catalog:
        if not m.id:
            continue
        msgid = m.id[0] if isinstance(m.id, tuple) else m.id
        for loc, _line in m.locations:
            found[(m.context, msgid)].add(loc)
    return found


def extract() -> dict[Key, dict[str, set[str]]]:
    """{(context, msgid): {app: {relative file, …}}}"""
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_I18N=True)
        django.setup()
    from django.utils.translation.template import templatize

    usage: dict[Key, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    py = [p for p in PKG.rglob("*.py") if owner(p)]
    for key, locs in _xgettext(py, "Python").items():
        for loc in locs:
            app = owner(Path(loc))
            if app:
                usage[key][app].add(str(Path(loc).relative_to(PKG)))
    with tempfile.TemporaryDirectory() as tmp:
        mapping: dict[str, Path] = {}
        converted = []
        for i, html in enumerate(sorted(PKG.rglob("*.html"))):
            if not owner(html):
                continue
            out = Path(tmp) / f"t{i}.py"
            out.write_text(templatize(html.read_text(encoding="utf-8"), origin=str(html)), encoding="utf-8")
            mapping[str(out)] = html
            converted.append(out)
        for key, locs in _xgettext(converted, "Python").items():
            for loc in locs:
                html = mapping[loc]
                app = owner(html)
                assert app
                usage[key][app].add(str(html.relative_to(PKG)))
    return usage


def catalogues() -> dict[str, dict[Key, str]]:
    result: dict[str, dict[Key, str]] = {}
    for name, path in CATALOGUES.items():
        po = path / "vi" / "LC_MESSAGES" / "django.po"
        if not po.exists():
            continue
        with po.open("rb") as f:
            catalog = read_po(f)
        entries: dict[Key, str] = {}
        for m in catalog:
            if not m.id:
                continue
            msgid = m.id[0] if isinstance(m.id, tuple) else m.id
            string = m.string[0] if isinstance(m.string, tuple) else m.string
            if string and not m.fuzzy:
                entries[(m.context, msgid)] = string
        result[name] = entries
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conflicts", action="store_true", help="only messages whose catalogues disagree")
    parser.add_argument("--app", help="every message this app uses")
    parser.add_argument("--files", action="store_true", help="show the files that use each message")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "src"))
    usage = extract()
    cats = catalogues()
    for key in sorted(usage, key=lambda k: (k[1].lower(), k[0] or "")):
        apps = usage[key]
        if args.app:
            if args.app not in apps:
                continue
        elif len(apps) < 2 and not args.conflicts:
            continue
        strings = {name: entries[key] for name, entries in cats.items() if key in entries}
        winner = next(iter(strings), None)
        # An app with its own catalogue that lacks the message borrows another app's wording.
        borrowed = sorted(a for a in apps if a in cats and key not in cats[a] and strings)
        if args.conflicts and len(set(strings.values())) < 2 and not borrowed:
            continue
        ctx, msgid = key
        label = f"[{ctx}] {msgid}" if ctx else msgid
        print(f"{label!r}  used by: {', '.join(sorted(apps))}")
        for name, string in strings.items():
            mark = "=> " if name == winner else "   "
            print(f"    {mark}{name:<10} {string}")
        if not strings:
            print("       (untranslated)")
        if borrowed:
            print(f"       (not in the catalogue of {', '.join(borrowed)})")
        if args.files:
            for app, files in sorted(apps.items()):
                print(f"       {app}: {', '.join(sorted(files))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
