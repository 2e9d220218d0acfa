"""The searcher's per-document maps (document → publication, the publications' metadata), put
together from one part per segment.

A segment never changes once written; only its deleted documents grow. So each segment's part
is read once and kept while the segment lives: after a sync (a new small segment, a few
documents deleted in the others) only the new segment is read, where reading every segment's
terms through Whoosh's merged reader took most of a search's time on a busy machine."""

from __future__ import annotations

import json
from array import array
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SegmentMaps:
    """One segment's documents, numbered within the segment (its documents live when it was read)."""

    doc_pub: array[int]  # document → publication ID (0: none)
    pub_docs: dict[int, list[int]]  # publication → its documents, in order
    meta: dict[int, tuple[int, dict[str, Any]]]  # metadata document → (publication, its info)


@dataclass
class DocMaps:
    """The maps over the whole searcher (documents numbered as the searcher does)."""

    doc_pub: array[int] = field(default_factory=lambda: array("i"))
    meta: dict[int, dict[str, Any]] = field(default_factory=dict)  # publication → info
    meta_docs: set[int] = field(default_factory=set)
    parts: list[tuple[SegmentMaps, int, frozenset[int]]] = field(default_factory=list)  # (part, offset, deleted)

    def docs_of(self, pub: int) -> list[int]:
        """The publication's live documents, in document order."""
        return [d + offset for part, offset, deleted in self.parts for d in part.pub_docs.get(pub, ())
                if d not in deleted]


def read_segment(leaf: Any) -> SegmentMaps:
    doc_pub = array("i", [0]) * leaf.doc_count_all()
    pub_docs: dict[int, list[int]] = defaultdict(list)
    for btext, _info in leaf.iter_field("pub"):
        pub = int(btext)
        docs = pub_docs[pub]
        for docnum in leaf.postings("pub", btext).all_ids():
            doc_pub[docnum] = pub
            docs.append(docnum)
    meta: dict[int, tuple[int, dict[str, Any]]] = {}
    if ("kind", b"pub") in leaf:
        for docnum in leaf.postings("kind", b"pub").all_ids():
            fields = leaf.stored_fields(docnum)
            meta[docnum] = (int(fields["pub"]), json.loads(fields.get("info") or "{}"))
    return SegmentMaps(doc_pub, dict(pub_docs), meta)


def build(reader: Any, kept: dict[str, SegmentMaps]) -> tuple[DocMaps, dict[str, SegmentMaps]]:
    """The maps of a reader, reusing the parts of segments read before; returns them and the
    parts to keep for next time (those of the reader's segments)."""
    maps = DocMaps()
    now: dict[str, SegmentMaps] = {}
    for leaf, offset in reader.leaf_readers():
        segment = leaf.segment()  # None: an empty index's reader
        key = segment.segment_id() if segment is not None else None
        part = kept.get(key) if key is not None else None
        if part is None or len(part.doc_pub) != leaf.doc_count_all():
            part = read_segment(leaf)
        if key is not None:
            now[key] = part
        deleted: frozenset[int] = leaf.deleted_docs_set if leaf.has_deletions() else frozenset()
        doc_pub = part.doc_pub
        if deleted:
            doc_pub = array("i", doc_pub)
            for docnum in deleted:
                doc_pub[docnum] = 0
        maps.doc_pub.extend(doc_pub)
        for docnum, (pub, info) in part.meta.items():
            if docnum not in deleted:
                maps.meta_docs.add(docnum + offset)
                maps.meta[pub] = info
        maps.parts.append((part, offset, deleted))
    return maps, now
