"""The search query language: Whoosh's parser, then a rewrite onto the bilingual index with guards."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, TypeAlias

from sqlalchemy import select
from whoosh import query as wq
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import FuzzyTermPlugin, PlusMinusPlugin, QueryParser
from whoosh.reading import IndexReader

from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput, NotFound, QueryError
from kbase.i18n import N_
from kbase.library import models as m
from kbase.search.analysis import fold_accents, fold_analyzer, index_key, key_en, raw_analyzer
from kbase.search.documents import saved_id
from kbase.search.whoosh.w3blocks import prefix_frequencies
from kbase.text import fold

MIN_PREFIX = 3  # a shorter prefix would expand to thousands of terms
MAX_EXPANSIONS = 32  # the most frequent matching terms are kept
MAX_SCAN = 4000  # terms looked at for one prefix
MAX_FUZZY = 2
MAX_FUZZY_TERMS = 12  # spellings kept per field for word~
TEXT_FIELDS = {"text": "text", "page": "text", "title": "title", "author": "author", "abstract": "abstract"}
ID_FIELDS = ("type", "year", "language", "series", "subject", "project", "programme", "region", "organisation")
FIELD_ALIASES = {"org": "organisation", "organization": "organisation", "lang": "language", "authors": "author",
                 # the French interface's users write the French names
                 "titre": "title", "auteur": "author", "auteurs": "author", "résumé": "abstract", "resume": "abstract",
                 "année": "year", "annee": "year", "série": "series", "serie": "series", "projet": "project",
                 "programme": "programme", "région": "region", "sujet": "subject", "langue": "language",
                 "texte": "text"}
LANG_FIELDS = (("en", "text_en"), ("fr", "text_fr"))
_FIELD_RE = re.compile(r"(?<![\w\"])([^\W\d]\w*):")
_OPERATORS = ("AND", "OR", "NOT")


@dataclass
class Compiled:
    """A query ready for the index, plus the keys to highlight in snippets."""

    query: wq.Query
    highlight: dict[str, set[str]] = field(default_factory=lambda: {"text_en": set(), "text_fr": set(), "fold": set()})


def _parse_schema() -> Schema:
    text = {name: TEXT(analyzer=raw_analyzer() if name == "text" else fold_analyzer(), multitoken_query="phrase")
            for name in ("text", "title", "author", "abstract")}
    return Schema(**text, **{name: ID for name in ID_FIELDS})


_PARSER: QueryParser | None = None


def _parser() -> QueryParser:
    global _PARSER
    if _PARSER is None:
        parser = QueryParser("text", _parse_schema())
        parser.add_plugin(FuzzyTermPlugin())
        parser.add_plugin(PlusMinusPlugin())
        _PARSER = parser
    return _PARSER


def _precheck(text: str) -> str:
    if text.count('"') % 2:
        raise QueryError(N_('unbalanced quote: a phrase needs a closing " (as in "artisanal mining")'))
    depth = 0
    for ch in re.sub(r'"[^"]*"', "", text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            raise QueryError(N_("unbalanced parenthesis: a ) without its ("))
    if depth:
        raise QueryError(N_("unbalanced parenthesis: a ( without its )"))
    _check_operators(text)
    outside = re.sub(r'"[^"]*"', " ", text)
    empty = re.search(r"(?<![\w\"])([^\W\d]\w*):(?=\s|\)|$)", re.sub(r'"[^"]*"', "phrase", text))
    if empty:
        raise QueryError(N_("{field}: needs a value after the colon (as in {example})").format(
            field=empty.group(1), example=f"{empty.group(1)}:cobalt"))
    for name in _FIELD_RE.findall(outside):
        key = FIELD_ALIASES.get(name.lower(), name.lower())
        if key not in TEXT_FIELDS and key not in ID_FIELDS:
            known = ", ".join(sorted(set(TEXT_FIELDS) | set(ID_FIELDS)))
            raise QueryError(N_("unknown field {name} in the query (fields: {known})")
                             .format(name=repr(name), known=known))
        if key != name:
            text = re.sub(rf"(?<![\w\"]){re.escape(name)}:", f"{key}:", text)
    # author:"Hoex, Lotte" as lists write names: the index holds them first name first
    text = re.sub(r'(?<![\w"])author:"([^",]+),\s*([^",]+)"', r'author:"\2 \1"', text)
    # year:2019-2021 as a range: the parser would read "-2021" as NOT 2021
    return re.sub(r"(?<![\w\"])year:(\d{4})\s*-\s*(\d{4})\b", r"year:[\1 TO \2]", text)


def _check_operators(text: str) -> None:
    """AND and OR need something on each side, NOT something after it."""
    tokens = re.findall(r"\(|\)|[^\s()]+", re.sub(r'"[^"]*"', " phrase ", text))
    for i, word in enumerate(tokens):
        if word not in _OPERATORS:
            continue
        before = tokens[i - 1] if i else None
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        lacks_right = after is None or after in ("AND", "OR", ")")
        lacks_left = word != "NOT" and (before is None or before in _OPERATORS or before == "(")
        if lacks_right or lacks_left:
            example = "cobalt NOT gold" if word == "NOT" else f"cobalt {word} gold"
            if word == "NOT":
                raise QueryError(N_("NOT needs a word on its right (as in {example})").format(example=example))
            raise QueryError(N_("{operator} needs a word on each side (as in {example})")
                             .format(operator=word, example=example))


_Named: TypeAlias = "m.Series | m.Subject | m.Project | m.Programme | m.Region | m.Organisation"
_NAMED: dict[str, type[_Named]] = {"series": m.Series, "subject": m.Subject, "project": m.Project,
                                   "programme": m.Programme, "region": m.Region, "organisation": m.Organisation}


class Rewriter:
    """Maps parsed leaves onto index fields: English and French keys, guarded expansions, names to IDs."""

    def __init__(self, cat: Catalogue, reader: IndexReader):
        self.cat = cat
        self.reader = reader
        self.compiled = Compiled(wq.NullQuery)
        self._negated = 0

    def rewrite(self, q: wq.Query) -> wq.Query | None:
        if isinstance(q, wq.Not):
            self._negated += 1
            try:
                inner = self.rewrite(q.query)
            finally:
                self._negated -= 1
            return wq.Not(inner) if inner is not None else None
        if isinstance(q, wq.AndNot):
            pos = self.rewrite(q.a)
            self._negated += 1
            try:
                neg = self.rewrite(q.b)
            finally:
                self._negated -= 1
            if pos is None:
                return None
            return wq.AndNot(pos, neg) if neg is not None else pos
        if isinstance(q, wq.compound.CompoundQuery):
            kids = [k for k in (self.rewrite(c) for c in q.subqueries) if k is not None]
            return type(q)(kids, boost=q.boost) if kids else None
        if isinstance(q, (wq.Every,)):
            return wq.Term("kind", "pub") if q.fieldname in (None, "*", "text") else None
        if isinstance(q, wq.NullQuery.__class__) or q is wq.NullQuery:
            return None
        fieldname = getattr(q, "fieldname", None)
        if fieldname in ID_FIELDS:
            return self._id_leaf(q)
        if fieldname in ("title", "author", "abstract"):
            return self._fold_leaf(q)
        return self._text_leaf(q)

    # -- page and metadata text, in both languages --------------------------------------
    def _mark(self, fieldname: str, keys: list[str]) -> None:
        if not self._negated:
            self.compiled.highlight["fold" if fieldname in ("title", "author", "abstract") else fieldname].update(keys)

    def _text_leaf(self, q: wq.Query) -> wq.Query | None:
        alternatives: list[wq.Query] = []
        if isinstance(q, wq.Term) and not isinstance(q, (wq.FuzzyTerm, wq.Variations)):
            for lang, fname in LANG_FIELDS:
                key = index_key(lang, q.text)
                if key:
                    alternatives.append(wq.Term(fname, key))
                    self._mark(fname, [key])
        elif isinstance(q, wq.Phrase):
            # only the English field keeps positions (half the index cost); its keys are folded
            # and lightly stemmed, so a French phrase matches there word for word too
            for lang, fname in LANG_FIELDS[:1]:
                keys = [k for k in (index_key(lang, w) for w in q.words) if k]
                if keys:
                    alternatives.append(wq.Phrase(fname, keys) if len(keys) > 1 else wq.Term(fname, keys[0]))
                    self._mark(fname, keys)
        elif isinstance(q, wq.Prefix):
            prefix = fold_accents(q.text.replace("’", "'").split("'")[-1])  # l'exploit* → exploit*
            self._check_prefix(prefix)
            for lang, fname in LANG_FIELDS:
                key = index_key(lang, prefix) or prefix
                start = key if prefix.startswith(key) and len(key) >= MIN_PREFIX else prefix
                alternatives.extend(self._expand(fname, start))
        elif isinstance(q, wq.FuzzyTerm):
            if len(q.text) < MIN_PREFIX:
                raise QueryError(N_("fuzzy search needs a word of at least {n} letters (got {word})").format(
                    n=MIN_PREFIX, word=repr(q.text) + "~"))
            for lang, fname in LANG_FIELDS:
                key = index_key(lang, q.text)
                if key:
                    found = sorted(fuzzy_terms(self.reader, fname, key, min(q.maxdist, MAX_FUZZY), prefix=1))
                    # the closest spellings first, then the commonest: each one costs a posting list
                    found.sort(key=lambda t: (_distance(key, t), -self.reader.doc_frequency(fname, t)))
                    terms = found[:MAX_FUZZY_TERMS]
                    self._mark(fname, terms)
                    alternatives.extend(wq.Term(fname, t) for t in terms)
        elif isinstance(q, wq.Wildcard):
            raise QueryError(N_("wildcards work only at the end of a word, as in miner* (got {word})")
                             .format(word=repr(q.text)))
        elif isinstance(q, (wq.TermRange, wq.NumericRange)):
            raise QueryError(N_("ranges work only on the year, as in year:[2019 TO 2021]"))
        else:
            raise QueryError(N_("this kind of query is not supported: {query}").format(query=q))
        if not alternatives:
            return None
        return wq.Or(alternatives) if len(alternatives) > 1 else alternatives[0]

    def _check_prefix(self, prefix: str) -> None:
        if len(prefix) < MIN_PREFIX:
            raise QueryError(N_("prefix too short: at least {n} characters before * (got {word})").format(
                n=MIN_PREFIX, word=repr(prefix + "*")))

    def _expand(self, fname: str, prefix: str) -> list[wq.Query]:
        """The most frequent terms that start with prefix, capped so a prefix stays fast."""
        # each segment's term table read in order (the merged reader looks every term up in
        # every segment); a term among the first MAX_SCAN overall is among each segment's first
        frequency: dict[bytes, int] = defaultdict(int)
        for leaf, _offset in self.reader.leaf_readers():
            found = prefix_frequencies(leaf, fname, prefix, MAX_SCAN)
            if found is None:  # another kind of term table: Whoosh's way
                found = [(b, info.doc_frequency()) for b, info in islice(leaf.iter_prefix(fname, prefix), MAX_SCAN)]
            for btext, df in found:
                frequency[btext] += df
        ranked = [(frequency[b], b.decode("utf-8")) for b in sorted(frequency)[:MAX_SCAN]]
        ranked.sort(reverse=True)
        terms = [t for _, t in ranked[:MAX_EXPANSIONS]]
        self._mark(fname if fname.startswith("text_") else "fold", terms)
        return [wq.Term(fname, t) for t in terms]

    def _fold_leaf(self, q: wq.Query) -> wq.Query | None:
        if isinstance(q, wq.Prefix):
            self._check_prefix(q.text)
            terms = self._expand(q.fieldname, q.text)
            return wq.Or(terms) if terms else wq.NullQuery
        if isinstance(q, wq.FuzzyTerm):
            return wq.FuzzyTerm(q.fieldname, q.text, maxdist=min(q.maxdist, MAX_FUZZY), prefixlength=1)
        if isinstance(q, wq.Term):
            self._mark(q.fieldname, [q.text])
            return q
        if isinstance(q, wq.Phrase):
            self._mark(q.fieldname, list(q.words))
            return q
        raise QueryError(N_('{field}: takes words, "phrases" or prefix* (got {query})').format(
            field=q.fieldname, query=q))

    # -- facet fields: names become IDs -------------------------------------------------
    def _id_leaf(self, q: wq.Query) -> wq.Query | None:
        name = q.fieldname
        if name == "year" and isinstance(q, wq.TermRange):
            lo, hi = _year(q.start or "1000"), _year(q.end or "2999")
            if hi - lo > 300:
                raise QueryError(N_("year range too wide (at most 300 years)"))
            return wq.Or([wq.Term("year", str(y)) for y in range(lo, hi + 1)])
        if not isinstance(q, wq.Term) or isinstance(q, (wq.FuzzyTerm, wq.Prefix, wq.Wildcard)):
            raise QueryError(N_('{field}: takes a plain value, as in {name}:"…" (got {query})').format(
                field=name, name=name, query=q))
        value = q.text.strip()
        if name == "year":
            if re.fullmatch(r"\d{4}-\d{4}", value):
                lo, hi = (int(v) for v in value.split("-"))
                return wq.Or([wq.Term("year", str(y)) for y in range(lo, min(hi, lo + 300) + 1)])
            return wq.Term("year", str(_year(value)))
        if name == "type":
            wanted = fold(value).replace("_", " ")
            if wanted not in m.PUBLICATION_TYPES:
                raise QueryError(N_("unknown type {value} in type: (one of: {types})").format(
                    value=repr(value), types=", ".join(m.PUBLICATION_TYPES)))
            return wq.Term("type", wanted.replace(" ", "_"))
        if name == "language":
            return wq.Term("language", value.lower())
        ids = self._resolve(name, value)
        return wq.Or([wq.Term(name, str(i)) for i in ids]) if len(ids) > 1 else wq.Term(name, str(ids[0]))

    def _resolve(self, name: str, value: str) -> list[int]:
        model = _NAMED[name]
        if value.isdigit():
            return [int(value)]
        try:
            return [self.cat.find_one(model, value).id]
        except NotFound:
            pass
        except InvalidInput:  # several records share the name: all of them count
            pass
        wanted = fold(value)

        def matches(record: Any) -> bool:
            labels = [fold(getattr(record, f, None) or "") for f in ("name", "title", "short_name", "acronym")]
            return any(wanted == x or (len(wanted) >= 3 and wanted in x) for x in labels)

        with self.cat.reading() as s:
            records: list[_Named] = list(s.scalars(select(model)))
            ids = [saved_id(o.id) for o in records if matches(o)]
        if not ids:
            raise QueryError(N_("no {field} matches {value} in {query}")
                             .format(field=name, value=repr(value), query=f"{name}:{value}"))
        return ids


def fuzzy_terms(reader: IndexReader, fieldname: str, key: str, maxdist: int, prefix: int = 1) -> set[str]:
    """Terms of the field within maxdist edits of key (sharing its first prefix letters), where
    swapping two neighbouring letters counts as one edit (Whoosh's Damerau-Levenshtein).

    Each segment walks its term table with a Levenshtein automaton; swaps are looked up
    directly. (Whoosh's own multi-segment reader compares every term that shares the first
    letter in Python: a million comparisons at 100k pages.)"""
    found: set[str] = set()
    leaves = [leaf for leaf, _offset in reader.leaf_readers()]
    swapped = _swaps(key, prefix)
    for leaf in leaves:
        found.update(_text(t) for t in leaf.terms_within(fieldname, key, maxdist, prefix))
        if maxdist >= 2:
            for variant in swapped:  # a swap and one more edit
                found.update(_text(t) for t in leaf.terms_within(fieldname, variant, maxdist - 1, prefix))
    exact = set(swapped)
    if maxdist >= 2:
        exact.update(w for v in swapped for w in _swaps(v, prefix) if _distance(key, w) <= maxdist)
    found.update(w for w in exact if any((fieldname, w) in leaf for leaf in leaves))
    return {t for t in found if _distance(key, t) <= maxdist}


def _swaps(word: str, prefix: int) -> list[str]:
    swapped = (word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(prefix, len(word) - 1))
    return [w for w in swapped if w != word]


def _text(term: str | bytes) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term


def _distance(a: str, b: str) -> int:
    """Edit distance where swapping two neighbouring letters is one edit (optimal string
    alignment, as whoosh.support.levenshtein.damerau_levenshtein); short words only."""
    if a == b:
        return 0
    two: list[int] = []
    one = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(one[j] + 1, row[j - 1] + 1, one[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb and ca != cb:
                row[j] = min(row[j], two[j - 2] + 1)
        two, one = one, row
    return one[-1]


def _year(text: str) -> int:
    if not re.fullmatch(r"\d{4}", text.strip()):
        raise QueryError(N_("year: takes a year such as 2021 or a range 2019-2021 (got {text})")
                         .format(text=repr(text)))
    return int(text)


def compile_query(cat: Catalogue, reader: IndexReader, text: str) -> Compiled:
    """Parse the user's query and map it onto the index; raises QueryError with a clear message."""
    text = (text or "").strip()
    rewriter = Rewriter(cat, reader)
    if not text:
        rewriter.compiled.query = wq.Term("kind", "pub")
        return rewriter.compiled
    text = _precheck(text)
    try:
        parsed = _parser().parse(text)
    except Exception as exc:  # Whoosh's parser seldom fails; when it does, say so plainly
        raise QueryError(N_("cannot read the query {query}: {reason}").format(query=repr(text), reason=exc)) from exc
    rewritten = rewriter.rewrite(parsed)
    if rewritten is None:
        raise QueryError(N_("the query {query} has no words to search for (only very common words?)")
                         .format(query=repr(text)))
    if isinstance(rewritten, wq.Not):
        rewritten = wq.AndNot(wq.Every(), rewritten.query)
    rewriter.compiled.query = rewritten.normalize()
    return rewriter.compiled


__all__ = ["compile_query", "fuzzy_terms", "Compiled", "MIN_PREFIX", "key_en"]
