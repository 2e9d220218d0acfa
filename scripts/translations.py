#!/usr/bin/env python3
"""Translations, the gettext way (Babel).

  scripts/translations.py extract   refresh resources/locale/kbase.pot from the code (pybabel's literals
                                    in tr/_/gettext/N_/ngettext/tr_n, plus ui.i18n_tables' strings that
                                    reach tr() through a variable) and merge it into every kbase.po
  scripts/translations.py compile   write the .mo files the programs read (make runs it)
  scripts/translations.py check     exit 1 if a string of the code has no translation in some .po
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "resources" / "locale"
POT = LOCALE / "kbase.pot"
KEYWORDS = ["tr", "_", "gettext", "N_", "ngettext:1,2", "tr_n:1,2", "en_ngettext:1,2", "P_:1c,2",
            "NP_:1c,2,3", "pgettext:1c,2", "npgettext:1c,2,3"]


def _pybabel() -> str:
    here = Path(sys.executable).with_name("pybabel")
    return str(here) if here.exists() else "pybabel"


def languages() -> list[Path]:
    return sorted(LOCALE.glob("*/LC_MESSAGES/kbase.po"))


def template():
    """The catalog of every string the code translates."""
    from babel.messages.pofile import read_po

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "literals.pot"
        args = [_pybabel(), "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-o", str(out), "--no-location",
                "--sort-output", "--project=Kbase", "--copyright-holder=the Kbase developers"]
        for keyword in KEYWORDS:
            args += ["-k", keyword]
        subprocess.run(args + [str(ROOT)], check=True, cwd=ROOT)
        with out.open("rb") as fh:
            catalog = read_po(fh)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    from ui.i18n_tables import plural_pairs, table_strings

    for text in table_strings():
        if text and text not in catalog:
            catalog.add(text)
    for pair in plural_pairs():
        catalog.add(pair)
    return catalog


def extract() -> None:
    from babel.messages.pofile import read_po, write_po

    catalog = template()
    with POT.open("wb") as fh:
        write_po(fh, catalog, no_location=True, sort_output=True, width=100)
    for po in languages():
        with po.open("rb") as fh:
            translated = read_po(fh, locale=po.parent.parent.name)
        translated.update(catalog, no_fuzzy_matching=True)
        for entry in translated:  # a string turned into a plural pair keeps its translation
            entry.flags.discard("fuzzy")
        with po.open("wb") as fh:
            write_po(fh, translated, no_location=True, sort_output=True, ignore_obsolete=True, width=100)
        print(f"{po.relative_to(ROOT)}: {len(translated)} strings")


def compile_all() -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in languages():
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        with po.with_suffix(".mo").open("wb") as fh:
            write_mo(fh, catalog)


def _translated(entry) -> bool:
    if entry is None:
        return False
    forms = entry.string if isinstance(entry.string, (tuple, list)) else (entry.string,)
    return all(forms)


def check() -> int:
    from babel.messages.pofile import read_po

    wanted = template()
    status = 0
    for po in languages():
        with po.open("rb") as fh:
            translated = read_po(fh, locale=po.parent.parent.name)
        missing = [m.id for m in wanted if m.id and not _translated(translated.get(m.id, context=m.context))]
        for text in missing:
            print(f"{po.relative_to(ROOT)}: no translation for {text!r}")
        status |= bool(missing)
    return status


if __name__ == "__main__":
    action = sys.argv[1] if len(sys.argv) > 1 else "compile"
    if action == "extract":
        extract()
    elif action == "compile":
        compile_all()
    elif action == "check":
        sys.exit(check())
    else:
        sys.exit(__doc__)
