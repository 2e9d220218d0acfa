"""Full-text search: hits grouped by publication with their best pages, snippets and facets."""

from __future__ import annotations

import heapq
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import chain, compress, repeat
from typing import Any, Literal

from whoosh.searching import Searcher

from kbase.catalogue.query import Filter, find_ids
from kbase.catalogue.records import Catalogue
from kbase.errors import LibraryError, QueryError
from kbase.i18n import N_
from kbase.library import models as m
from kbase.search.docsets import Postings, doc_set
from kbase.search.documents import FACETS
from kbase.search.indexing import index_ready, open_dir
from kbase.search.language import compile_query
from kbase.search.maps import SegmentMaps
from kbase.search.maps import build as build_maps
from kbase.search.ranking import score_docs, top_groups
from kbase.search.rows import read_rows
from kbase.search.snippets import snippet
from kbase.search.whoosh.w3blocks import remember_term_lookups

PAGES_PER_HIT = 3  # best pages shown (with snippets) per publication
FACET_VALUES = 50  # values listed per facet
META_BOOST = 1.5  # a word in the title or abstract says more than one on page 40


@dataclass
class PageHit:
    page: int
    attachment_id: int
    snippet_html: str = ""
    score: float = 0.0


@dataclass
class PubHit:
    publication_id: int
    title: str
    score: float
    year: int | None
    type: str
    pages: list[PageHit] = field(default_factory=list)
    snippet: str = ""  # when the publication's own metadata matched
    month: int | None = None
    matched_pages: int = 0  # pages of this publication that match
    metadata_matched: bool = False  # its title, authors, abstract… matched


@dataclass
class SearchResult:
    query: str
    total: int = 0
    hits: list[PubHit] = field(default_factory=list)
    facets: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    error: str | None = None
    elapsed_ms: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": self.query, "total": self.total, "error": self.error,
            "hits": [{**{k: v for k, v in h.__dict__.items() if k != "pages"},
                      "pages": [p.__dict__ for p in h.pages]} for h in self.hits],
            "facets": {k: [{"value": v, "label": lab, "count": c} for v, lab, c in vals]
                       for k, vals in self.facets.items()},
        }


class _View:
    """One searcher kept open across queries, with per-document maps built once per index version."""

    def __init__(self, folder: str):
        self.folder = folder
        self.lock = threading.Lock()
        self.ix = open_dir(folder)
        self.searcher: Searcher = self.ix.searcher()
        self._segments: dict[str, SegmentMaps] = {}
        self._build_maps()

    def refresh(self) -> None:
        if not self.searcher.up_to_date():
            # not Searcher.refresh(): whoosh-reloaded 2.7.5 puts dropped segments back into the
            # reused reader (deleted documents come back) and fails outright on an empty index
            old, self.searcher = self.searcher, self.ix.searcher()
            old.close()
            self._build_maps()

    def _build_maps(self) -> None:
        self.postings = Postings(self.searcher)
        remember_term_lookups(self.searcher)
        self.maps, self._segments = build_maps(self.searcher.reader(), self._segments)
        self.doc_pub = self.maps.doc_pub
        self.meta = self.maps.meta
        self.meta_docs = self.maps.meta_docs
        # each publication's (facet, value) pairs as small numbers, ready to be counted in C
        # (a tuple key is hashed afresh at each count); labels apart
        self.facet_pairs: list[tuple[str, str]] = []
        self.facet_labels: dict[tuple[str, str], str] = {}
        self.facet_keys: dict[int, tuple[int, ...]] = {}
        numbers: dict[tuple[str, str], int] = {}
        for pub, info in self.meta.items():
            keys = []
            for name, values in info.get("facets", {}).items():
                if name in FACETS:
                    for value, label in values:
                        pair = (name, value)
                        if pair not in numbers:
                            numbers[pair] = len(self.facet_pairs)
                            self.facet_pairs.append(pair)
                        keys.append(numbers[pair])
                        self.facet_labels[pair] = label
            self.facet_keys[pub] = tuple(keys)
        self.all_pubs = frozenset(self.facet_keys)
        self.all_counts = Counter(chain.from_iterable(self.facet_keys.values()))


_VIEWS: dict[str, _View] = {}
_VIEWS_LOCK = threading.Lock()


def _view(cat: Catalogue) -> _View:
    folder = str(cat.library.index_dir)
    if not index_ready(cat.library):
        raise LibraryError(N_("the library has no search index yet; run `kbase reindex`"))
    with _VIEWS_LOCK:
        view = _VIEWS.get(folder)
        if view is None:
            view = _VIEWS[folder] = _View(folder)
    return view


def prepare(cat: Catalogue) -> None:
    """Open the library's searcher and build its maps now (a warm process does, before its first query)."""
    _view(cat)


def forget(cat: Catalogue) -> None:
    """Close the cached searcher of a library (before its folder goes away)."""
    with _VIEWS_LOCK:
        view = _VIEWS.pop(str(cat.library.index_dir), None)
    if view is not None:
        view.searcher.close()


def search(cat: Catalogue, query: str, filters: Filter | None = None,
           sort: Literal["relevance", "date"] = "relevance", limit: int = 20, offset: int = 0,
           snippets: bool = True, include_internal: bool = True) -> SearchResult:
    """Publications matching query (and filters), best first or newest first, with facets."""
    started = time.perf_counter()
    if sort not in ("relevance", "date"):
        raise QueryError(N_("cannot sort search results by {sort} (relevance or date)").format(sort=repr(sort)))
    view = _view(cat)
    with view.lock:
        view.refresh()
        compiled = compile_query(cat, view.searcher.reader(), query)
        allowed = _allowed_pubs(cat, filters, include_internal, view)
        result = _run(cat, view, query, compiled, allowed, sort, max(0, limit), max(0, offset), snippets)
    result.elapsed_ms = (time.perf_counter() - started) * 1000
    return result


def _allowed_pubs(cat: Catalogue, filters: Filter | None, include_internal: bool, view: _View) -> set[int] | None:
    allowed: set[int] | None = None
    if filters is not None and not filters.is_empty():
        allowed = set(find_ids(cat, "publication", filters))
    if not include_internal:
        public = {p for p, info in view.meta.items() if info.get("visibility", "public") == "public"}
        allowed = public if allowed is None else allowed & public
    return allowed


def _run(cat: Catalogue, view: _View, text: str, compiled: Any, allowed: set[int] | None,
         sort: str, limit: int, offset: int, with_snippets: bool) -> SearchResult:
    q = compiled.query
    doc_pub = view.doc_pub
    matched = doc_set(view.postings, q)
    matched.discard(-1)
    if allowed is not None:
        ordered = list(matched)
        matched = set(compress(ordered, map(allowed.__contains__, map(doc_pub.__getitem__, ordered))))
    pubs = set(map(doc_pub.__getitem__, matched))  # in C: no Python step per matched page
    pubs.discard(0)
    result = SearchResult(query=text, total=len(pubs))
    result.facets = _facets(view, pubs)
    want = offset + limit
    meta_docs = view.meta_docs
    if sort == "date":
        dates = {p: view.meta.get(p, {}).get("date", 0) for p in pubs}
        shown = heapq.nlargest(want, pubs, key=lambda p: (dates[p], p))[offset:]
        best: dict[int, float] = {}
    else:
        best = top_groups(view.postings, q, matched, doc_pub, meta_docs, META_BOOST, want)
        shown = list(best)[offset:]
    # the shown publications' matching documents, scored and ordered (only these)
    groups: dict[int, list[tuple[int, float]]] = {}
    docs = [d for p in shown for d in view.maps.docs_of(p) if d in matched]
    scores = score_docs(view.postings, q, docs)
    for docnum in docs:
        score = scores[docnum] * META_BOOST if docnum in meta_docs else scores[docnum]
        groups.setdefault(doc_pub[docnum], []).append((docnum, score))
    for pub, pairs in groups.items():
        pairs.sort(key=lambda ds: (-ds[1], ds[0]))
        if sort == "date":
            best[pub] = pairs[0][1]
    result.hits = _hits(cat, view, shown, groups, best, compiled.highlight if with_snippets else None)
    for hit in result.hits:
        hit.matched_pages = sum(1 for d, _ in groups.get(hit.publication_id, []) if d not in meta_docs)
    return result


def _facets(view: _View, pubs: set[int]) -> dict[str, list[tuple[str, str, int]]]:
    """Publications per facet value, counted in C over each publication's precomputed keys
    (for most of the library: all counts minus those of the publications left out)."""
    keys = view.facet_keys
    if len(pubs) * 2 > len(view.all_pubs):
        counts = view.all_counts.copy()
        counts.subtract(Counter(chain.from_iterable(map(keys.__getitem__, view.all_pubs.difference(pubs)))))
    else:
        counts = Counter(chain.from_iterable(map(keys.get, pubs, repeat(()))))
    by_facet: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for number, count in counts.items():
        if count > 0:
            name, value = pair = view.facet_pairs[number]
            by_facet[name].append((value, view.facet_labels.get(pair, value), count))
    return {name: sorted(by_facet[name], key=lambda t: (-t[2], t[1]))[:FACET_VALUES]
            for name in FACETS if name in by_facet}


def _hits(cat: Catalogue, view: _View, shown: list[int], groups: dict[int, list[tuple[int, float]]],
          scores: dict[int, float], highlight: dict[str, set[str]] | None) -> list[PubHit]:
    s = view.searcher
    pages: dict[int, list[PageHit]] = {}  # the best pages of each shown publication, from the index alone
    for pub_id in shown:
        best = pages[pub_id] = []
        for docnum, score in groups.get(pub_id, []):
            if docnum not in view.meta_docs and len(best) < PAGES_PER_HIT:
                fields = s.stored_fields(docnum)  # read only for the pages shown
                best.append(PageHit(page=int(fields["page"]), attachment_id=int(fields["att"]), score=round(score, 4)))
    wanted = [(p.attachment_id, p.page) for best in pages.values() for p in best] if highlight is not None else []
    rows, texts = _catalogue_rows(cat, shown, wanted)
    hits: list[PubHit] = []
    for pub_id in shown:
        p = rows.get(pub_id)
        if p is None:  # deleted since the index saw it; `kbase check` reports the drift
            continue
        title, subtitle, abstract, year, kind, month = p
        hit = PubHit(publication_id=pub_id, title=title, score=round(scores.get(pub_id, 0.0), 4),
                     year=year, type=kind, month=month, pages=pages[pub_id])
        if any(docnum in view.meta_docs for docnum, _score in groups.get(pub_id, [])):
            hit.metadata_matched = True
            if highlight is not None:
                hit.snippet = snippet("\n".join(t for t in (title, subtitle, abstract) if t), highlight)
        if highlight is not None:
            for page in hit.pages:
                if (page.attachment_id, page.page) in texts:
                    page.snippet_html = snippet(texts[(page.attachment_id, page.page)] or "", highlight)
        hits.append(hit)
    return hits


def _catalogue_rows(cat: Catalogue, pub_ids: list[int], pages: list[tuple[int, int]]
                    ) -> tuple[dict[int, tuple[Any, ...]], dict[tuple[int, int], str | None]]:
    """The shown publications' columns and the shown pages' texts, in one statement: on a busy
    PostgreSQL server each round trip costs more than these lookups (see rows.py)."""
    if not pub_ids:
        return {}, {}
    # plain SQL text: building the same conditions as SQLAlchemy expressions cost more than
    # running them. Pages: one (attachment = ? AND page IN (…)) term per attachment, each a
    # lookup on the (attachment, page) unique index (a row-value IN made SQLite scan the whole
    # table: 100 ms at 100k pages).
    params: dict[str, int] = {f"id{i}": pub for i, pub in enumerate(pub_ids)}
    sql = (f"SELECT 0, id, NULL, title, subtitle, abstract, year, type, month FROM {m.Publication.__tablename__} "
           f"WHERE id IN ({', '.join(':' + k for k in params)})")
    by_att: dict[int, list[int]] = defaultdict(list)
    for att_id, page in sorted(set(pages)):
        by_att[att_id].append(page)
    clauses: list[str] = []
    for i, (att_id, numbers) in enumerate(by_att.items()):
        params[f"a{i}"] = att_id
        names = []
        for j, page in enumerate(numbers):
            params[f"p{i}_{j}"] = page
            names.append(f":p{i}_{j}")
        clauses.append(f"(attachment_id = :a{i} AND page IN ({', '.join(names)}))")
    if clauses:
        sql += (f" UNION ALL SELECT 1, attachment_id, page, NULL, NULL, text, NULL, NULL, NULL "
                f"FROM {m.PageText.__tablename__} WHERE " + " OR ".join(clauses))
    pubs: dict[int, tuple[Any, ...]] = {}
    texts: dict[tuple[int, int], str | None] = {}
    for which, key, page, title, subtitle, text, year, kind, month in read_rows(cat, sql, params):
        if which == 0:
            pubs[key] = (title, subtitle, text, year, kind, month)
        else:
            texts[(key, page)] = text
    return pubs, texts


__all__ = ["search", "SearchResult", "PubHit", "PageHit", "forget", "prepare"]
