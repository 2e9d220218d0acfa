"""The search's per-document maps, put together from per-segment parts kept across syncs, equal
the maps read afresh through Whoosh's merged reader (the way they were built before)."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from kbase.search.api import _view, search
from kbase.search.indexing import sync
from tests.search_data import add_document


def _merged(reader: Any) -> tuple[list[int], dict[int, list[int]], dict[int, dict[str, Any]], set[int]]:
    """doc → pub, pub → docs, pub → info and the metadata documents, through the merged reader."""
    doc_pub = [0] * reader.doc_count_all()
    pub_docs: dict[int, list[int]] = defaultdict(list)
    for btext, _info in reader.iter_field("pub"):
        for docnum in reader.postings("pub", btext).all_ids():
            doc_pub[docnum] = int(btext)
            pub_docs[int(btext)].append(docnum)
    meta: dict[int, dict[str, Any]] = {}
    meta_docs: set[int] = set()
    for docnum in reader.postings("kind", b"pub").all_ids() if ("kind", b"pub") in reader else ():
        fields = reader.stored_fields(docnum)
        meta_docs.add(docnum)
        meta[int(fields["pub"])] = json.loads(fields.get("info") or "{}")
    return doc_pub, dict(pub_docs), meta, meta_docs


def _check(cat: Catalogue) -> None:
    view = _view(cat)
    view.refresh()
    reader = view.searcher.reader()
    doc_pub, pub_docs, meta, meta_docs = _merged(reader)
    assert list(view.doc_pub) == doc_pub
    assert view.meta == meta and list(view.meta) == list(meta)  # same order: facet numbering follows it
    assert view.meta_docs == meta_docs
    for pub in set(pub_docs) | {999_999}:
        assert view.maps.docs_of(pub) == pub_docs.get(pub, [])


def test_maps_kept_per_segment_equal_a_fresh_read_across_syncs_and_deletions(cat: Catalogue) -> None:
    sync(cat)  # an empty index: its reader has no segment
    assert search(cat, "gold").total == 0
    _check(cat)
    pubs = [add_document(cat, f"Doc {i}", [f"gold page {i}", "cobalt again"])[0] for i in range(4)]
    sync(cat)
    _check(cat)
    first = dict(_view(cat)._segments)
    add_document(cat, "Doc four", ["tin mine"])
    cat.update(m.Publication, pubs[0], title="Doc zero renamed")  # its documents deleted in the first segment
    sync(cat)
    _check(cat)
    view = _view(cat)
    kept = [key for key in first if key in view._segments]
    assert len(view.searcher.reader().leaf_readers()) > 1 and kept, "a segment should have been kept across the sync"
    assert all(view._segments[key] is first[key] for key in kept)  # reused, not read again
    cat.delete(m.Publication, pubs[1])
    sync(cat)
    _check(cat)
    assert pubs[1] not in {h.publication_id for h in search(cat, "gold").hits}
    assert [h.title for h in search(cat, "renamed").hits] == ["Doc zero renamed"]
