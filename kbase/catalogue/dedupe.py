"""Probable duplicates: publications matched by identifiers that name one work, or by title, authors and year
when nothing else tells them apart (the rules are in kbase.catalogue.works); names by alias."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import combinations
from typing import Any, Iterable

from sqlalchemy import select
from sqlmodel import col

from kbase.catalogue.columns import key as key_column
from kbase.catalogue.columns import table_of
from kbase.catalogue.records import Catalogue
from kbase.catalogue.works import (
    ISBN_TYPES,
    STOP_WORDS,
    PublicationIndex,
    WorkKey,
    catalogue_keys,
    compatible_types,
    conflict,
    drop_shared_identifiers,
    family_key,
    norm_doi,
    norm_isbn,
    same_entry,
    valid_isbn,
    work_key_from_columns,
    years_close,
)
from kbase.library import models as m
from kbase.text import fold_words

KINDS = ("publication", "organisation", "person", "region")
LIKELY = 0.9  # from this score on, a pair is reported by the quality checks


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


def _pairs(groups: dict[Any, list[int]]) -> Iterable[tuple[int, int]]:
    for ids in groups.values():
        for a, b in combinations(sorted(set(ids)), 2):
            yield a, b


def _identifier_pairs(groups: dict[Any, list[int]], keys: dict[int, WorkKey]) -> Iterable[tuple[int, int]]:
    """Pairs sharing an identifier; where more than two records of different titles hold it, it is a
    container's (a proceedings volume's DOI, a book's PDF) and only records of the same title pair up."""
    for ids in groups.values():
        ids = sorted(set(ids))
        spread = len(ids) > 2 and len({keys[i].title_key for i in ids}) > 1
        for a, b in combinations(ids, 2):
            if not spread or keys[a].title_key == keys[b].title_key:
                yield a, b


class _Found:
    """The candidates of one kind by pair: each with its best score and its reasons in the order found."""

    def __init__(self, kind: str, sort_pair: bool = False) -> None:
        self.kind, self.sort_pair = kind, sort_pair
        self.pairs: dict[tuple[int, int], Candidate] = {}

    def note(self, a: int, b: int, score: float, reason: str) -> None:
        if self.sort_pair:
            a, b = min(a, b), max(a, b)
        c = self.pairs.setdefault((a, b), Candidate(self.kind, a, b, 0.0))
        c.score = max(c.score, score)
        if reason not in c.reasons:
            c.reasons.append(reason)


def publication_candidates(cat: Catalogue) -> list[Candidate]:
    found = _Found("publication")
    with cat.reading() as s:
        keys = catalogue_keys(s)
        titles: dict[int, str] = {pid: title for pid, title in
                                  s.execute(select(key_column(m.Publication.id), col(m.Publication.title)))}
    by = _publication_groups(keys)
    for a, b in _identifier_pairs(by["doi"], keys):
        found.note(a, b, 1.0, "same DOI")
    for a, b in _identifier_pairs(by["isbn"], keys):
        if keys[a].volume == keys[b].volume:
            found.note(a, b, 0.95, "same ISBN")
    for a, b in _identifier_pairs(by["sha"], keys):
        found.note(a, b, 1.0, "same file")
    for a, b in _pairs(by["title"]):
        ka, kb = keys[a], keys[b]
        if years_close(ka.year, kb.year) and conflict(ka, kb) is None:
            same = ka.authors == kb.authors
            found.note(a, b, 0.9 if same else 0.75, "same title and year" + (" and authors" if same else ""))
    _similar_titles(keys, found)
    out = list(found.pairs.values())
    for c in out:
        c.labels = (titles.get(c.a, ""), titles.get(c.b, ""))
    return out


def _publication_groups(keys: dict[int, WorkKey]) -> dict[str, dict[Any, list[int]]]:
    """Publication IDs by DOI, by ISBN (of whole volumes), by file and by title."""
    by: dict[str, dict[Any, list[int]]] = {"doi": defaultdict(list), "isbn": defaultdict(list),
                                            "sha": defaultdict(list), "title": defaultdict(list)}
    for pid, k in keys.items():
        if k.doi:
            by["doi"][k.doi].append(pid)
        if k.isbn and k.type in ISBN_TYPES:
            by["isbn"][k.isbn].append(pid)
        for sha in k.shas:
            by["sha"][sha].append(pid)
        if k.title_key:
            by["title"][k.title_key].append(pid)
    return by


def _similar_titles(keys: dict[int, WorkKey], found: _Found) -> None:
    """Near-identical titles: compared only within a block sharing the first two words."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for pid, k in keys.items():
        if k.title_key:
            blocks[" ".join(k.title_key.split()[:2])].append(pid)
    for ids in blocks.values():
        if len(ids) > 200:
            continue
        for a, b in combinations(sorted(ids), 2):
            ka, kb = keys[a], keys[b]
            if ka.title_key == kb.title_key or not years_close(ka.year, kb.year) or conflict(ka, kb) is not None:
                continue
            ratio = SequenceMatcher(None, ka.title_key, kb.title_key).ratio()
            if ratio >= 0.9:
                found.note(a, b, round(0.8 * ratio + (0.1 if ka.authors == kb.authors else 0), 2),
                           f"similar titles ({ratio:.0%})")


def initials(name: str) -> str:
    return "".join(w[0] for w in fold_words(name).split() if w not in STOP_WORDS)


def name_candidates(cat: Catalogue, kind: str) -> list[Candidate]:
    """Organisations, people or regions that share an alias, their words, or an acronym."""
    model = m.RECORD_TYPES[kind]
    from kbase.catalogue.records import ALIAS_TABLES

    alias_model, fk = ALIAS_TABLES[model]
    id_column, alias_table = table_of(model).c.id, table_of(alias_model)
    with cat.reading() as s:
        # an organisation, a person or a region: what the three have in common is not known to the type checker
        records: dict[int, Any] = {rid: r for rid, r in s.execute(select(id_column, model))}
        aliases: dict[int, set[str]] = defaultdict(set)
        for rid, norm in s.execute(select(alias_table.c[fk], alias_table.c.norm)):
            aliases[rid].add(norm)
    found = _Found(kind, sort_pair=True)
    by_alias, by_words, by_initials = _name_groups(kind, records, aliases)

    def same_parent(a: int, b: int) -> bool:
        return kind != "region" or records[a].parent_id == records[b].parent_id

    for a, b in _pairs(by_alias):
        found.note(a, b, 0.95 if same_parent(a, b) else 0.6, "same name or alias")
    for a, b in _pairs(by_words):
        found.note(a, b, 0.9 if same_parent(a, b) else 0.55, "same words in another order")
    if kind == "organisation":
        # an acronym or a one-word name that spells another's initials
        for rid, rec in records.items():
            for norm in aliases[rid] | {fold_words(rec.acronym or "")}:
                if norm and " " not in norm:
                    for other in by_initials.get(norm, []):
                        if other != rid:
                            found.note(rid, other, 0.85, f"acronym {norm.upper()}")
    elif kind == "person":
        for a, b in _pairs(by_initials):
            wa, wb = fold_words(records[a].name).split(), fold_words(records[b].name).split()
            if len(wa[0]) == 1 or len(wb[0]) == 1:
                found.note(a, b, 0.7, "same last name and first initial")
    out = list(found.pairs.values())
    for c in out:
        c.labels = (records[c.a].name, records[c.b].name)
    return out


def _name_groups(kind: str, records: dict[int, Any], aliases: dict[int, set[str]]
                 ) -> tuple[dict[str, list[int]], dict[str, list[int]], dict[str, list[int]]]:
    """Record IDs by name or alias, by their words in any order, and by initials (an organisation's
    first letters, a person's first initial and last name)."""
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
    return by_alias, by_words, by_initials


def candidates(cat: Catalogue, kinds: Iterable[str] = KINDS, min_score: float = 0.0) -> list[Candidate]:
    """Candidate pairs of every kind asked, best first."""
    out: list[Candidate] = []
    for kind in kinds:
        out += publication_candidates(cat) if kind == "publication" else name_candidates(cat, kind)
    out = [c for c in out if c.score >= min_score]
    out.sort(key=lambda c: (-c.score, c.kind, c.a, c.b))
    return out


# the matching rules stay importable from here, where imports and tests have always found them
__all__ = ["Candidate", "KINDS", "LIKELY", "candidates", "initials", "name_candidates", "publication_candidates",
           "PublicationIndex", "WorkKey", "compatible_types", "conflict", "drop_shared_identifiers", "family_key",
           "norm_doi", "norm_isbn", "same_entry", "valid_isbn", "work_key_from_columns"]
