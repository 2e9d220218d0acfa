"""Phrases read from the segments' keys files (kbase/search/whoosh/keys.py) find what Whoosh's own
matching finds: keyed words, words too rare in a segment to be keyed, segments without a keys file,
deleted documents, repeated words."""

from __future__ import annotations

import random

import pytest
from whoosh.formats import Positions

from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from kbase.search.indexing import sync
from kbase.search.whoosh import keys as keyfile
from kbase.search.whoosh.keys import SHIFT, open_keys, term_keys
from tests.search_data import add_document

PHRASES = ['"gold cobalt"', '"cobalt gold"', '"gold cobalt road"', '"gold gold"', '"gold gold gold"',
           '"road gold road"', '"tin tin"', '"filler gold"', '"gold filler filler"', '"quartz gold"', '"gold quartz"',
           '"quartz gold cobalt"', '"gold quartz gold"', '"cobalt quartz"', '"mine nowhere"', '"gold cobalt" AND tin',
           'trader AND "road gold"', '"gold cobalt" OR "tin mine"', 'gold NOT "cobalt road"',
           'mine AND ("road gold" OR "gold gold") NOT tin', 'title:"doc 4 gold"', '"doc gold"']


def test_term_keys_are_each_occurrence_as_document_and_position() -> None:
    fmt = Positions()
    postings = {3: [0], 7: [2, 5, 400, 70_000], 9: [1, 2], 100_000: [12]}
    keys = term_keys(list(postings), [fmt.encode(p) for p in postings.values()])
    assert keys is not None
    assert [(k >> SHIFT, k & ((1 << SHIFT) - 1)) for k in keys] == [(d, p) for d, ps in postings.items() for p in ps]
    assert term_keys([1], [b"\x00\x00\x00\x01not a pickle."]) is None
    assert term_keys([1], [fmt.encode([1 << SHIFT])]) is None  # a position too far for a key


def _pages(rng: random.Random) -> list[str]:
    words = ["gold", "cobalt", "tin", "mine", "trader", "road"]
    pages = []
    for _ in range(50):
        chosen = [w for w in words if rng.random() < 0.6] or ["nothing"]
        text = " ".join(rng.choice(chosen) + " filler" * rng.randint(0, 2) for _ in range(rng.randint(3, 25)))
        text += " gold cobalt road" * (rng.random() < 0.2)
        if rng.random() < 0.1:  # a word too rare in a segment to be keyed
            text += rng.choice([" quartz gold", " gold quartz", " cobalt quartz gold"])
        pages.append(text)
    return pages


def test_phrases_from_keys_files_match_whoosh(cat: Catalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    from kbase.search.api import _view
    from kbase.search.docsets import doc_set
    from kbase.search.language import compile_query

    rng = random.Random(11)
    monkeypatch.setattr(keyfile, "MIN_DOCS", 60)  # "quartz" stays under it in each segment, "gold" not
    for pub in range(12):
        add_document(cat, f"Doc {pub} gold" if pub % 4 == 0 else f"Doc {pub}", _pages(rng))
        if pub in (5, 9):
            sync(cat)  # more than one segment
    add_document(cat, "Repeats", ["gold gold gold cobalt", "cobalt gold gold", "road gold road gold"])
    sync(cat)
    cat.update(m.Publication, 2, title="Doc two renamed")  # its documents deleted in their segment
    sync(cat)
    monkeypatch.setattr(keyfile, "MIN_DOCS", 10**9)  # a segment without a keys file
    add_document(cat, "Late", _pages(rng))
    sync(cat)
    view = _view(cat)
    view.refresh()
    s = view.searcher
    files = [open_keys(leaf.reader()) for leaf, _offset in s.leaf_searchers()]
    keyed = [f for f in files if f is not None]
    assert keyed and None in files
    assert any(f.get("text_en", b"gold") is not None for f in keyed)
    assert all(f.get("text_en", b"quartz") is None for f in keyed)
    assert any(leaf.reader().has_deletions() for leaf, _offset in s.leaf_searchers())
    reads: list[bytes] = []
    get = keyfile.KeysReader.get
    monkeypatch.setattr(keyfile.KeysReader, "get", lambda f, field, btext: reads.append(btext) or get(f, field, btext))
    for text in PHRASES:
        q = compile_query(cat, s.reader(), text).query
        expected = set(s.docs_for_query(q))
        assert doc_set(view.postings, q) == expected, text
        if text in ('"gold cobalt"', '"quartz gold"', '"gold gold gold"'):
            assert expected, text  # the check compares something
    assert {b"gold", b"cobalt", b"road"} <= set(reads)  # the phrases went through the keys files
