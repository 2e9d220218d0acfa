"""A Whoosh segment writer with cheaper bookkeeping per posting; it writes the same index files."""

from __future__ import annotations

import pickle
from typing import Any, Iterator

from whoosh.codec.whoosh3 import W3Codec
from whoosh.writing import PostingPool, SegmentWriter

RUN_CHUNK = 20_000  # postings pickled together when the pool spills to disk
# posting blocks compressed at zlib level 1 instead of Whoosh's 3: a third of the compression
# time for a few per cent more bytes; readers handle any level
COMPRESSION = 1


class _Pool(PostingPool):
    """PostingPool that groups postings by field and term as they arrive, under the same memory cap.

    Whoosh keeps one tuple per posting, sorts them all, and pickles each one on its own when a
    run spills to disk; here a posting is three list entries, only the terms are sorted (a
    term's documents arrive in order), and a spilled run is pickled in chunks."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.terms: dict[str, dict[bytes, tuple[list[int], list[float], list[bytes | None]]]] = {}

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        fieldname, btext, docnum, weight, vbytes = item
        field = self.terms.get(fieldname)
        if field is None:
            field = self.terms[fieldname] = {}
            self.fieldnames.add(fieldname)
        entry = field.get(btext)
        if entry is None:
            entry = field[btext] = ([], [], [])
            self.currentsize += 400 + len(btext)  # Python's size of a new term's entry
        entry[0].append(docnum)
        entry[1].append(weight)
        entry[2].append(vbytes)
        self.currentsize += 110 + len(vbytes or b"")  # and of one more posting
        if self.currentsize > self.limit:
            self.save()

    def _sorted(self) -> Iterator[tuple[str, bytes, int, float, bytes | None]]:
        for fieldname in sorted(self.terms):
            field = self.terms[fieldname]
            for btext in sorted(field):
                docs, weights, values = field[btext]
                rows: Any = zip(docs, weights, values)
                if any(a > b for a, b in zip(docs, docs[1:])):  # merged segments may interleave
                    rows = sorted(rows, key=lambda row: row[0])
                for docnum, weight, vbytes in rows:
                    yield fieldname, btext, docnum, weight, vbytes

    def save(self) -> None:
        if not self.terms:
            return
        path, f = self._new_run()
        chunk: list[Any] = []
        for item in self._sorted():
            chunk.append(item)
            if len(chunk) >= RUN_CHUNK:
                pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
                chunk = []
        if chunk:
            pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
        f.close()
        self._add_run(path)
        self.terms = {}
        self.currentsize = 0

    def iter_postings(self) -> Iterator[Any]:
        if not self.runs:
            return self._sorted()
        self.save()
        return self._merge_runs(list(self.runs))

    def _read_run(self, path: str) -> Iterator[Any]:
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = pickle.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)


class _Lengths:
    """The segment's field lengths, each read from the lengths file once instead of once per posting."""

    def __init__(self, reader: Any):
        self.reader = reader
        self.cache: dict[str, dict[int, int]] = {}
        self._field: str | None = None
        self._lengths: dict[int, int] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        if fieldname != self._field:  # postings come field by field
            self._field, self._lengths = fieldname, self.cache.setdefault(fieldname, {})
        found = self._lengths.get(docnum)
        if found is None:
            found = self._lengths[docnum] = self.reader.doc_field_length(docnum, fieldname, default)
        return found

    def close(self) -> None:
        self.cache.clear()
        self.reader.close()


class FastSegmentWriter(SegmentWriter):
    def __init__(self, ix: Any, **kwargs: Any):
        kwargs.setdefault("codec", W3Codec(compression=COMPRESSION))
        super().__init__(ix, **kwargs)
        self.pool = _Pool(self._tempstorage, self.newsegment, limitmb=kwargs.get("limitmb", 128))

    def _flush_segment(self) -> None:
        # SegmentWriter._flush_segment, with the field lengths read through _Lengths
        self.perdocwriter.close()
        lengths = _Lengths(self.per_document_reader()) if self.codec.length_stats else None
        self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
        if lengths is not None:
            lengths.close()


__all__ = ["FastSegmentWriter"]
