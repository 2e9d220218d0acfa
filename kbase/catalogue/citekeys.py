"""Stable citation keys: made once from author, year and title, stored in Publication.citekey, reused."""

from __future__ import annotations

import re
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlmodel import col

from kbase.catalogue.records import Catalogue
from kbase.errors import KbaseError
from kbase.library import models as m
from kbase.text import fold_words

_STOP = {"a", "an", "the", "of", "on", "in", "and", "for", "to", "at", "le", "la", "les", "l", "de", "des",
         "du", "un", "une", "et", "en", "d"}
_KEY_CHARS = re.compile(r"[^A-Za-z0-9_:.-]")


def _ascii(text: str) -> str:
    return fold_words(text).encode("ascii", "ignore").decode()


def base_key(first_contributor: str | None, is_person: bool, acronym: str | None, year: int | None, title: str) -> str:
    """'kasongo2021misisi': family name (or acronym), year, first word of the title that says something."""
    if is_person:
        words = _ascii(first_contributor or "").split()
        who = words[-1] if words else ""
    else:
        words = _ascii(acronym or "").split() or _ascii(first_contributor or "").split()
        who = "".join(words) if acronym or len(words) <= 2 else "".join(w[0] for w in words if w not in _STOP)
    title_words = [w for w in _ascii(title).split() if w not in _STOP] or ["untitled"]
    key = f"{who or 'anon'}{year or 'nd'}{title_words[0]}"
    return _KEY_CHARS.sub("", key)[:40]


def unique_key(base: str, taken: set[str]) -> str:
    """base, or base with a letter suffix (a, b, … z, aa, ab …) so that it is not in taken."""
    if base.lower() not in taken:
        return base
    n = 0
    while True:
        suffix, k = "", n
        while True:
            suffix = chr(ord("a") + k % 26) + suffix
            k = k // 26 - 1
            if k < 0:
                break
        if (base + suffix).lower() not in taken:
            return base + suffix
        n += 1


def ensure_keys(cat: Catalogue, wanted: Iterable[int], store: bool = True) -> dict[int, str]:
    """Keys for the publications in wanted; missing ones are made and (if allowed) saved for next time."""
    wanted = list(wanted)
    with cat.reading() as s:
        taken_rows = list(s.execute(select(col(m.Publication.id), col(m.Publication.citekey))))
        keys = {pid: key for pid, key in taken_rows if key}
        missing = [pid for pid in wanted if pid not in keys]
        if not missing:
            return {pid: keys[pid] for pid in wanted}
        info = {}
        P = m.Publication
        for pid, year, title in s.execute(select(col(P.id), col(P.year), col(P.title)).where(col(P.id).in_(missing))):
            info[pid] = (year, title)
        first: dict[int, tuple[str, bool, str | None]] = {}
        rows = s.execute(
            select(col(m.Contributor.publication_id), col(m.Person.name), col(m.Organisation.name),
                   col(m.Organisation.acronym))
            .outerjoin(m.Person, col(m.Person.id) == col(m.Contributor.person_id))
            .outerjoin(m.Organisation, col(m.Organisation.id) == col(m.Contributor.organisation_id))
            .where(col(m.Contributor.publication_id).in_(missing))
            .order_by(col(m.Contributor.publication_id), col(m.Contributor.position)))
        for pid, person, org, acronym in rows:
            if pid not in first:
                first[pid] = (person, True, None) if person else (org, False, acronym)
    taken = {k.lower() for k in keys.values()}
    made: dict[int, str] = {}
    for pid in sorted(missing):  # in ID order, so the same catalogue always gives the same keys
        if pid not in info:
            continue
        name, is_person, acronym = first.get(pid, (None, True, None))
        key = unique_key(base_key(name, is_person, acronym, info[pid][0], info[pid][1]), taken)
        taken.add(key.lower())
        made[pid] = key
    if store and made and not cat.library.read_only:
        try:
            _store(cat, made)
        except (KbaseError, DBAPIError):
            pass  # a reader's account may not write: the keys are still made the same way next time
    keys.update(made)
    return {pid: keys[pid] for pid in wanted if pid in keys}


def _store(cat: Catalogue, made: dict[int, str]) -> None:
    """Save new keys in one statement (never over a key someone saved meanwhile)."""
    from kbase.library.bulk import update_column

    with cat.transaction() as s:
        update_column(s, m.Publication, "citekey", made)
        cat.log_changes(s, "publication", list(made))
