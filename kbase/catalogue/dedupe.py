"""Probable duplicates: publications by DOI, ISBN, file or title/year/first contributor; names by alias."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import combinations
from typing import Any, Iterable

from sqlalchemy import select

from kbase.library import models as m
from kbase.catalogue.records import Catalogue
from kbase.text import fold_words

_DOI_PREFIX = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", re.I)
_STOP = {"of", "the", "for", "and", "de", "la", "le", "les", "du", "des", "et", "in", "on", "a", "an", "pour", "en"}
KINDS = ("publication", "organisation", "person", "region")
LIKELY = 0.9  # from this score on, a pair is reported by the quality checks


def norm_doi(doi: str | None) -> str:
    return _DOI_PREFIX.sub("", (doi or "").strip()).lower()


def norm_isbn(isbn: str | None) -> str:
    """Digits of an ISBN, ISBN-10 turned into its ISBN-13 so both spellings compare equal."""
    digits = re.sub(r"[^0-9Xx]", "", isbn or "").upper()
    if len(digits) == 10:
        core = "978" + digits[:9]
        check = (10 - sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(core)) % 10) % 10
        return core + str(check)
    return digits


def family_key(name: str | None, kind: str = "person") -> str:
    """What two spellings of a first contributor share: a person's last word, an organisation's words."""
    words = fold_words(name).split()
    if not words:
        return ""
    return words[-1] if kind == "person" else " ".join(words)


def title_key(title_norm: str) -> str:
    """A folded title without little words, so 'Gold & the chain' and 'Gold and the chain' agree."""
    return " ".join(w for w in title_norm.split() if w not in _STOP)


@dataclass
class Candidate:
    kind: str
    a: int
    b: int
    score: float
    reasons: list[str] = field(default_factory=list)
    labels: tuple[str, str] = ("", "")

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "a": self.a, "b": self.b, "score": round(self.score, 2),
                "reasons": self.reasons, "labels": list(self.labels)}


class PublicationIndex:
    """DOIs, ISBNs, titles and file hashes of the catalogue, for matching new entries quickly."""

    def __init__(self) -> None:
        self.doi: dict[str, int] = {}
        self.isbn: dict[str, int] = {}
        self.title: dict[str, list[tuple[int, int | None, str]]] = defaultdict(list)
        self.sha: dict[str, int] = {}

    @classmethod
    def load(cls, catalogue: Catalogue) -> "PublicationIndex":
        idx = cls()
        with catalogue.reading() as s:
            firsts = first_contributors(s)
            for pid, doi, isbn, title_norm, year in s.execute(select(
                    m.Publication.id, m.Publication.doi, m.Publication.isbn, m.Publication.title_norm, m.Publication.year)):
                idx.add(pid, doi, isbn, title_norm, year, firsts.get(pid, ""))
            for pid, sha in s.execute(select(m.Attachment.publication_id, m.Attachment.sha256)
                                      .where(m.Attachment.publication_id.is_not(None))):
                idx.sha.setdefault(sha, pid)
        return idx

    def add(self, pid: int, doi: str | None, isbn: str | None, title_norm: str, year: int | None, first: str) -> None:
        if norm_doi(doi):
            self.doi.setdefault(norm_doi(doi), pid)
        if norm_isbn(isbn):
            self.isbn.setdefault(norm_isbn(isbn), pid)
        if title_norm:
            self.title[title_key(title_norm)].append((pid, year, first))

    def match(self, doi: str | None, isbn: str | None, title_norm: str, year: int | None, first: str,
              shas: Iterable[str] = ()) -> tuple[int, str] | None:
        """(existing id, reason) of a publication this one duplicates, or None."""
        if norm_doi(doi) in self.doi:
            return self.doi[norm_doi(doi)], f"same DOI {doi}"
        if norm_isbn(isbn) in self.isbn:
            return self.isbn[norm_isbn(isbn)], f"same ISBN {isbn}"
        for sha in shas:
            if sha in self.sha:
                return self.sha[sha], "same file"
        for pid, y, f in self.title.get(title_key(title_norm), []):
            if _years_close(year, y) and f == first:
                return pid, "same title, year and first contributor"
        return None


def _years_close(a: int | None, b: int | None) -> bool:
    return a is None and b is None or (a is not None and b is not None and abs(a - b) <= 1)


def first_contributors(s: Any) -> dict[int, str]:
    """publication id → family_key of its first contributor, in one query."""
    rows = s.execute(
        select(m.Contributor.publication_id, m.Contributor.position, m.Person.name, m.Organisation.name)
        .outerjoin(m.Person, m.Person.id == m.Contributor.person_id)
        .outerjoin(m.Organisation, m.Organisation.id == m.Contributor.organisation_id)
        .order_by(m.Contributor.publication_id, m.Contributor.position)
    )
    out: dict[int, str] = {}
    for pid, _pos, person, org in rows:
        if pid not in out:
            out[pid] = family_key(person, "person") if person else family_key(org, "organisation")
    return out


def _pairs(groups: dict[Any, list[int]]) -> Iterable[tuple[int, int]]:
    for ids in groups.values():
        for a, b in combinations(sorted(set(ids)), 2):
            yield a, b


def publication_candidates(cat: Catalogue) -> list[Candidate]:
    found: dict[tuple[int, int], Candidate] = {}

    def note(a: int, b: int, score: float, reason: str) -> None:
        c = found.setdefault((a, b), Candidate("publication", a, b, 0.0))
        c.score = max(c.score, score)
        if reason not in c.reasons:
            c.reasons.append(reason)

    with cat.reading() as s:
        firsts = first_contributors(s)
        rows = list(s.execute(select(m.Publication.id, m.Publication.doi, m.Publication.isbn,
                                     m.Publication.title_norm, m.Publication.year, m.Publication.title)))
        shas = list(s.execute(select(m.Attachment.sha256, m.Attachment.publication_id)
                              .where(m.Attachment.publication_id.is_not(None))))
    titles = {r[0]: r[5] for r in rows}
    by: dict[str, dict[Any, list[int]]] = {"doi": defaultdict(list), "isbn": defaultdict(list),
                                            "sha": defaultdict(list), "title": defaultdict(list)}
    info = {}
    for pid, doi, isbn, tnorm, year, _title in rows:
        tnorm = title_key(tnorm or "")
        info[pid] = (tnorm, year, firsts.get(pid, ""))
        if norm_doi(doi):
            by["doi"][norm_doi(doi)].append(pid)
        if norm_isbn(isbn):
            by["isbn"][norm_isbn(isbn)].append(pid)
        by["title"][tnorm].append(pid)
    for sha, pid in shas:
        by["sha"][sha].append(pid)
    for a, b in _pairs(by["doi"]):
        note(a, b, 1.0, "same DOI")
    for a, b in _pairs(by["isbn"]):
        note(a, b, 0.95, "same ISBN")
    for a, b in _pairs(by["sha"]):
        note(a, b, 1.0, "same file")
    for a, b in _pairs(by["title"]):
        (_, ya, fa), (_, yb, fb) = info[a], info[b]
        if _years_close(ya, yb):
            note(a, b, 0.9 if fa == fb else 0.75, "same title and year" + (" and first contributor" if fa == fb else ""))
    # near-identical titles: compared only within a block sharing the first two words
    blocks: dict[str, list[int]] = defaultdict(list)
    for pid, (tnorm, _y, _f) in info.items():
        blocks[" ".join(tnorm.split()[:2])].append(pid)
    for ids in blocks.values():
        if len(ids) > 200:
            continue
        for a, b in combinations(sorted(ids), 2):
            (ta, ya, fa), (tb, yb, fb) = info[a], info[b]
            if ta == tb or not _years_close(ya, yb):
                continue
            ratio = SequenceMatcher(None, ta, tb).ratio()
            if ratio >= 0.9:
                note(a, b, round(0.8 * ratio + (0.1 if fa == fb else 0), 2), f"similar titles ({ratio:.0%})")
    out = list(found.values())
    for c in out:
        c.labels = (titles.get(c.a, ""), titles.get(c.b, ""))
    return out


def initials(name: str) -> str:
    return "".join(w[0] for w in fold_words(name).split() if w not in _STOP)


def name_candidates(cat: Catalogue, kind: str) -> list[Candidate]:
    """Organisations, people or regions that share an alias, their words, or an acronym."""
    model = m.RECORD_TYPES[kind]
    from kbase.catalogue.records import ALIAS_TABLES

    alias_model, fk = ALIAS_TABLES[model]
    with cat.reading() as s:
        records = {r.id: r for r in s.scalars(select(model))}
        aliases: dict[int, set[str]] = defaultdict(set)
        for rid, norm in s.execute(select(getattr(alias_model, fk), alias_model.norm)):
            aliases[rid].add(norm)
    found: dict[tuple[int, int], Candidate] = {}

    def note(a: int, b: int, score: float, reason: str) -> None:
        a, b = min(a, b), max(a, b)
        c = found.setdefault((a, b), Candidate(kind, a, b, 0.0))
        c.score = max(c.score, score)
        if reason not in c.reasons:
            c.reasons.append(reason)

    by_alias: dict[str, list[int]] = defaultdict(list)
    by_words: dict[str, list[int]] = defaultdict(list)
    by_initials: dict[str, list[int]] = defaultdict(list)
    for rid, rec in records.items():
        names = aliases[rid] | {fold_words(rec.name)}
        for norm in names:
            by_alias[norm].append(rid)
            by_words[" ".join(sorted(norm.split()))].append(rid)
        if kind == "organisation":
            ini = initials(rec.name)
            if len(ini) >= 2:
                by_initials[ini].append(rid)
        elif kind == "person":
            words = fold_words(rec.name).split()
            if len(words) >= 2:
                by_initials[words[0][0] + " " + words[-1]].append(rid)
    same_parent = (lambda a, b: records[a].parent_id == records[b].parent_id) if kind == "region" else (lambda a, b: True)
    for a, b in _pairs(by_alias):
        note(a, b, 0.95 if same_parent(a, b) else 0.6, "same name or alias")
    for a, b in _pairs(by_words):
        note(a, b, 0.9 if same_parent(a, b) else 0.55, "same words in another order")
    if kind == "organisation":
        # an acronym or a one-word name that spells another's initials
        for rid, rec in records.items():
            for norm in aliases[rid] | {fold_words(rec.acronym or "")}:
                if norm and " " not in norm:
                    for other in by_initials.get(norm, []):
                        if other != rid:
                            note(rid, other, 0.85, f"acronym {norm.upper()}")
    elif kind == "person":
        for a, b in _pairs(by_initials):
            wa, wb = fold_words(records[a].name).split(), fold_words(records[b].name).split()
            if len(wa[0]) == 1 or len(wb[0]) == 1:
                note(a, b, 0.7, "same last name and first initial")
    out = list(found.values())
    for c in out:
        c.labels = (records[c.a].name, records[c.b].name)
    return out


def candidates(cat: Catalogue, kinds: Iterable[str] = KINDS, min_score: float = 0.0) -> list[Candidate]:
    """Candidate pairs of every kind asked, best first."""
    out: list[Candidate] = []
    for kind in kinds:
        out += publication_candidates(cat) if kind == "publication" else name_candidates(cat, kind)
    out = [c for c in out if c.score >= min_score]
    out.sort(key=lambda c: (-c.score, c.kind, c.a, c.b))
    return out
