"""Every whoosh-reloaded internal that kbase/search relies on, checked against the installed version.

kbase/search/whoosh/segwriter.py writes Whoosh's W3 segment files with its own postings writer
and pool, kbase/search/whoosh/w3blocks.py reads posting blocks and term tables straight from
the files, and indexing.py, docsets.py, ranking.py (and analysis.py) lean on Whoosh's classes.
They use private attributes, file layouts and pickled formats that whoosh-reloaded may change
in any release, and several of them fall back quietly to Whoosh's slow path when something is
not as they expect. This module names each of those internals and fails, saying which one and
which of our files to read again, as soon as the installed whoosh-reloaded differs:

- the version pinned in pyproject.toml is the one installed;
- every class, function, method and constant we import or reach exists;
- every function and method we call takes the parameters we pass (by name where we pass names);
- the private attributes we read or set exist on real writer, reader and matcher objects;
- the file layouts and pickles we parse are what Whoosh writes (structs, magic, block pickles);
- our fast paths are really taken on real segments, not their silent fallbacks;
- the Whoosh code our modules copy or mirror is unchanged (a fingerprint of its source).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import inspect
import pickle
import re
import struct
import textwrap
import tomllib
from array import array
from pathlib import Path
from typing import Any

import pytest

VERSION = importlib.metadata.version("whoosh-reloaded")
ROOT = Path(__file__).resolve().parents[2]

SEG = "kbase/search/whoosh/segwriter.py"
W3B = "kbase/search/whoosh/w3blocks.py"
IDX = "kbase/search/indexing.py"
DOC = "kbase/search/docsets.py"
RNK = "kbase/search/ranking.py"
ANA = "kbase/search/analysis.py"
MAP = "kbase/search/maps.py"
KEY = "kbase/search/whoosh/keys.py"
PAR = "kbase/search/parallel.py"


def changed(internal: str, users: tuple[str, ...] | str, detail: str = "") -> str:
    files = users if isinstance(users, str) else ", ".join(users)
    why = f" ({detail})" if detail else ""
    return f"whoosh-reloaded {VERSION} changed {internal}: check {files} against it{why}"


def resolve(name: str) -> Any:
    """'package.module:Class.attribute' → the object."""
    module, _, qualname = name.partition(":")
    obj: Any = importlib.import_module(module)
    for part in qualname.split(".") if qualname else ():
        obj = getattr(obj, part)
    return obj


# -- the pin ------------------------------------------------------------------------------
def test_the_installed_whoosh_is_the_pinned_one() -> None:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    pins = [d for d in deps if re.match(r"whoosh-reloaded\b", d, re.I)]
    assert len(pins) == 1 and "==" in pins[0], f"pyproject.toml must pin whoosh-reloaded exactly, has {pins}"
    pinned = pins[0].split("==", 1)[1].strip()
    assert pinned == VERSION, (f"whoosh-reloaded {VERSION} is installed but pyproject.toml pins {pinned}: run this "
                               f"module against the pinned one, or check {SEG} and {W3B} before moving the pin")


# -- what we import or reach, and how we call it ----------------------------------------
class Call:
    """A callable we use: its dotted name, the positional and keyword arguments we pass it (as
    placeholders: only names and counts matter), which of our files use it, and keywords that
    go on through **kwargs to another callable checked on its own ("*": all, by design)."""

    def __init__(self, name: str, users: tuple[str, ...], *args: Any, forwarded: tuple[str, ...] = (), **kwargs: Any):
        self.name, self.users, self.args, self.kwargs, self.forwarded = name, users, args, kwargs, forwarded

    def __repr__(self) -> str:
        return self.name


S = "self"  # the instance, where a method is looked up on its class
_ = None  # any argument


CALLS = [
    # segwriter.py: the writer, its pool, the postings writer and what it hands blocks to
    Call("whoosh.codec.whoosh3:W3Codec", (SEG,), compression=1),
    Call("whoosh.codec.whoosh3:W3Codec.postings_writer", (SEG,), S, _, byteids=False),
    Call("whoosh.codec.whoosh3:W3PostingsWriter", (SEG,), _, blocklimit=128, byteids=False, compression=1,
         inlinelimit=1),
    Call("whoosh.codec.whoosh3:W3PostingsWriter.start_postings", (SEG,), S, _, _),
    Call("whoosh.codec.whoosh3:W3PostingsWriter.finish_postings", (SEG,), S),
    Call("whoosh.codec.whoosh3:W3PostingsWriter._write_block", (SEG,), S, last=True),
    Call("whoosh.codec.whoosh3:W3PostingsWriter._new_block", (SEG,), S),
    Call("whoosh.codec.whoosh3:W3PostingsWriter._mini_ids", (SEG,), S),
    Call("whoosh.codec.whoosh3:W3PostingsWriter._mini_weights", (SEG,), S),
    Call("whoosh.codec.whoosh3:W3PostingsWriter._mini_values", (SEG,), S),
    Call("whoosh.codec.whoosh3:W3TermInfo.add_block", (SEG,), S, _),
    Call("whoosh.codec.whoosh3:W3TermInfo.set_inlined", (SEG,), S, _, _, _),
    Call("whoosh.codec.whoosh3:W3FieldWriter.start_field", (SEG,), S, _, _),
    Call("whoosh.codec.whoosh3:W3FieldWriter.start_term", (SEG,), S, _),
    Call("whoosh.codec.whoosh3:W3FieldWriter.finish_term", (SEG,), S),
    Call("whoosh.codec.whoosh3:W3FieldWriter.finish_field", (SEG,), S),
    Call("whoosh.codec.whoosh3:W3FieldWriter.close", (SEG,), S),
    Call("whoosh.codec.whoosh3:W3PerDocWriter.start_doc", (SEG,), S, _),
    Call("whoosh.codec.whoosh3:W3PerDocWriter.add_field", (SEG,), S, _, _, _, _),
    Call("whoosh.codec.whoosh3:W3PerDocWriter.cancel_doc", (SEG,), S),
    Call("whoosh.codec.whoosh3:W3PerDocWriter.finish_doc", (SEG,), S),
    Call("whoosh.codec.whoosh3:W3PerDocWriter.close", (SEG,), S),
    Call("whoosh.codec.whoosh3:W3PerDocReader.doc_field_length", (SEG,), S, _, _, _),
    Call("whoosh.codec.whoosh3:W3PerDocReader.close", (SEG,), S),
    Call("whoosh.compat:dumps", (SEG, ANA), _, 2),
    Call("whoosh.util.numeric:length_to_byte", (SEG,), _),
    Call("whoosh.writing:PostingPool", (SEG,), _, _, limitmb=128),
    Call("whoosh.writing:PostingPool._new_run", (SEG,), S),
    Call("whoosh.writing:PostingPool._add_run", (SEG,), S, _),
    Call("whoosh.writing:PostingPool._open_run", (SEG,), S, _),
    Call("whoosh.writing:PostingPool._remove_run", (SEG,), S, _),
    Call("whoosh.writing:PostingPool.add", (SEG,), S, _),
    Call("whoosh.writing:PostingPool.save", (SEG,), S),
    Call("whoosh.writing:PostingPool.iter_postings", (SEG,), S),
    Call("whoosh.writing:SegmentWriter", (SEG, IDX), _, codec=_, limitmb=64, timeout=60.0),
    Call("whoosh.writing:SegmentWriter._check_state", (SEG,), S),
    Call("whoosh.writing:SegmentWriter._check_fields", (SEG,), S, _, _),
    Call("whoosh.writing:SegmentWriter.add_document", (SEG, IDX), S, key="k", text_en="t", forwarded=("*",)),
    Call("whoosh.writing:SegmentWriter.add_reader", (SEG,), S, _),
    Call("whoosh.writing:SegmentWriter.per_document_reader", (SEG,), S),
    Call("whoosh.writing:SegmentWriter._flush_segment", (SEG,), S),
    Call("whoosh.writing:SegmentWriter.commit", (IDX,), S, merge=False),
    Call("whoosh.writing:SegmentWriter.commit", (IDX,), S, optimize=True),
    Call("whoosh.writing:SegmentWriter.cancel", (IDX,), S),
    Call("whoosh.writing:SegmentWriter.delete_by_term", (IDX,), S, "att", "1"),
    Call("whoosh.fields:FieldType.separate_spelling", (SEG,), S),
    Call("whoosh.fields:FieldType.index", (SEG, ANA), S, _),
    Call("whoosh.formats:Format.fixed_value_size", (SEG, W3B), S),
    # w3blocks.py: term tables, posting lists and matchers
    Call("whoosh.codec.whoosh3:W3TermsReader._keycoder", (W3B,), S, "text_en", b"x"),
    Call("whoosh.codec.whoosh3:W3TermsReader.term_info", (W3B,), S, "text_en", b"x"),
    Call("whoosh.codec.whoosh3:W3TermInfo.is_inlined", (W3B,), S),
    Call("whoosh.codec.whoosh3:W3TermInfo.inlined_postings", (W3B,), S),
    Call("whoosh.codec.whoosh3:W3TermInfo.extent", (W3B,), S),
    Call("whoosh.filedb.filetables:OrderedHashReader.closest_key_pos", (W3B,), S, b"x"),
    Call("whoosh.filedb.filetables:HashReader.key_at", (W3B,), S, 0),
    Call("whoosh.filedb.structfile:StructFile.get", (W3B,), S, 0, 4),
    Call("whoosh.codec.whoosh3:W3LeafMatcher._read_data", (W3B,), S),
    Call("whoosh.codec.whoosh3:W3LeafMatcher._read_ids", (W3B,), S),
    Call("whoosh.codec.whoosh3:W3LeafMatcher._read_values", (W3B,), S),
    Call("whoosh.codec.whoosh3:W3LeafMatcher._next_block", (W3B,), S),
    Call("whoosh.codec.whoosh3:W3LeafMatcher.is_active", (W3B,), S),
    Call("whoosh.matching.mcore:Matcher.id", (W3B,), S),
    Call("whoosh.matching.mcore:Matcher.weight", (W3B,), S),
    Call("whoosh.matching.mcore:Matcher.value", (W3B,), S),
    Call("whoosh.matching.mcore:Matcher.next", (W3B,), S),
    Call("whoosh.reading:IndexReader._text_to_bytes", (W3B,), S, "text_en", "x"),
    Call("whoosh.reading:SegmentReader.postings", (W3B,), S, "text_en", "x"),
    Call("whoosh.reading:SegmentReader.has_deletions", (W3B,), S),
    Call("whoosh.reading:SegmentReader.__contains__", (W3B, DOC), S, ("text_en", "x")),
    Call("whoosh.searching:Searcher.leaf_searchers", (W3B, DOC), S),
    Call("whoosh.searching:Searcher.reader", (W3B, DOC), S),
    Call("whoosh.formats:Positions.decode_positions", (W3B,), S, b""),
    # indexing.py: the schema, the storage, the writers
    Call("whoosh.index:exists_in", (IDX,), "folder"),
    Call("whoosh.writing:SegmentWriter", (IDX, PAR), _, limitmb=64, timeout=60.0, _lk=False),
    # indexing.py and parallel.py: each process's segments, then one table of contents
    Call("whoosh.writing:SegmentWriter._finalize_segment", (IDX,), S),
    Call("whoosh.writing:SegmentWriter._close_segment", (PAR,), S),
    Call("whoosh.writing:SegmentWriter._commit_toc", (PAR,), S, _),
    Call("whoosh.writing:SegmentWriter._finish", (PAR,), S),
    Call("whoosh.filedb.filestore:FileStorage", (IDX,), "folder", supports_mmap=False),
    Call("whoosh.filedb.filestore:FileStorage.open_index", (IDX,), S),
    Call("whoosh.filedb.filestore:FileStorage.create_index", (IDX,), S, _),
    Call("whoosh.fields:ID", (IDX, ANA), unique=True, stored=True),
    Call("whoosh.fields:KEYWORD", (IDX,), lowercase=False, scorable=False),
    Call("whoosh.fields:TEXT", (ANA,), analyzer=_, phrase=True),
    Call("whoosh.fields:Schema", (IDX,), key=_, page=_, forwarded=("*",)),  # fields by name
    # docsets.py and ranking.py: queries and searchers
    Call("whoosh.searching:Searcher.doc_count_all", (DOC,), S),
    Call("whoosh.searching:Searcher.docs_for_query", (DOC,), S, _),
    Call("whoosh.reading:SegmentReader.all_doc_ids", (DOC,), S),
    # maps.py: each segment's part of the maps, known by its segment's ID
    Call("whoosh.reading:SegmentReader.segment", (MAP,), S),
    Call("whoosh.codec.base:Segment.segment_id", (MAP,), S),
    Call("whoosh.reading:IndexReader.iter_field", (MAP,), S, _),
    Call("whoosh.reading:SegmentReader.has_deletions", (MAP,), S),
    Call("whoosh.reading:IndexReader.leaf_readers", (MAP,), S),
    # analysis.py: the tokenizer and the values it writes (which w3blocks reads back)
    Call("whoosh.system:pack_uint", (ANA,), 1),
    Call("whoosh.analysis:Token", (ANA,)),
]

NAMES = [
    ("whoosh.codec.whoosh3:WHOOSH3_HEADER_MAGIC", (SEG, W3B)),
    ("whoosh.codec.whoosh3:W3LeafMatcher", (W3B,)),
    ("whoosh.codec.whoosh3:STORED_COLUMN", (SEG,)),
    ("whoosh.codec.base:Codec.length_stats", (SEG,)),
    ("whoosh.filedb.filetables:_lengths", (W3B,)),
    ("whoosh.matching.wrappers:FilterMatcher", (W3B,)),
    ("whoosh.reading:TermNotFound", (W3B,)),
    ("whoosh.reading:IndexReader", (W3B,)),
    ("whoosh.searching:Searcher", (W3B, DOC)),
    ("whoosh.system:_INT_SIZE", (W3B,)),
    ("whoosh.index:Index", (IDX,)),
    ("whoosh.fields:STORED", (IDX,)),
    ("whoosh.formats:Positions", (DOC, ANA)),
    ("whoosh.formats:Frequency", (ANA,)),
    ("whoosh.analysis:Tokenizer", (ANA,)),
    ("whoosh.lang.stopwords:stoplists", (ANA,)),
    ("whoosh.query:Term", (DOC, RNK)),
    ("whoosh.query:Or", (DOC,)),
    ("whoosh.query:And", (DOC,)),
    ("whoosh.query:AndNot", (DOC, RNK)),
    ("whoosh.query:Not", (DOC, RNK)),
    ("whoosh.query:Every", (DOC,)),
    ("whoosh.query:Phrase", (DOC, RNK)),
    ("whoosh.query:compound", (RNK,)),  # ranking.py reaches wq.compound.CompoundQuery
    ("whoosh.query.compound:CompoundQuery", (RNK,)),
]


@pytest.mark.parametrize(("name", "users"), NAMES, ids=[n for n, _u in NAMES])
def test_what_we_import_exists(name: str, users: tuple[str, ...]) -> None:
    try:
        resolve(name)
    except (ImportError, AttributeError) as exc:
        pytest.fail(changed(name, users, f"missing: {exc}"))


@pytest.mark.parametrize("call", CALLS, ids=repr)
def test_what_we_call_takes_what_we_pass(call: Call) -> None:
    try:
        target = resolve(call.name)
    except (ImportError, AttributeError) as exc:
        pytest.fail(changed(call.name, call.users, f"missing: {exc}"))
    if not callable(target):
        pytest.fail(changed(call.name, call.users, "no longer callable"))
    try:
        sig = inspect.signature(target)
    except (TypeError, ValueError):  # a builtin without a signature: call-checked elsewhere
        return
    try:
        bound = sig.bind(*call.args, **call.kwargs)
    except TypeError as exc:
        pytest.fail(changed(call.name, call.users, f"we call it with {call.args}, {call.kwargs}; its signature is "
                                                  f"{sig}: {exc}"))
    # a keyword we pass must be a parameter by that name, not swallowed by **kwargs
    var_kw = [p.name for p in sig.parameters.values() if p.kind is p.VAR_KEYWORD]
    swallowed = set(bound.arguments.get(var_kw[0], {})) if var_kw else set()
    lost = [] if call.forwarded == ("*",) else sorted(swallowed - set(call.forwarded))
    if lost:
        pytest.fail(changed(call.name, call.users, f"no parameter named {lost} any more; signature {sig}"))


# -- file layouts, structs and pickles -------------------------------------------------
def test_struct_formats_and_constants_are_what_we_parse() -> None:
    from whoosh import compat, system
    from whoosh.codec import whoosh3
    from whoosh.filedb import filetables

    from kbase.search.whoosh import w3blocks

    checks = [
        ("whoosh.codec.whoosh3.WHOOSH3_HEADER_MAGIC", whoosh3.WHOOSH3_HEADER_MAGIC == b"W3Bl", (SEG, W3B),
         "posting lists open with b'W3Bl'"),
        ("whoosh.system._INT_SIZE", system._INT_SIZE == 4, (W3B,), "4-byte position counts in values"),
        ("whoosh.system.pack_uint", system.pack_uint(7) == struct.pack("!I", 7), (ANA, W3B),
         "a value's count as a big-endian unsigned int"),
        ("whoosh.filedb.filetables._lengths", filetables._lengths.format == w3blocks._TERM_LENGTHS.format == "!ii",
         (W3B,), "term table entries: key length, value length"),
        ("whoosh.codec.whoosh3.W3TermInfo._struct", whoosh3.W3TermInfo._struct.format == "!BfIBBfII", (W3B,),
         "prefix_frequencies reads the document frequency as '!I' after a flag byte and a float weight"),
        ("whoosh.codec.whoosh3.W3TermInfo._struct offset of doc frequency",
         struct.calcsize("!Bf") == 5 and w3blocks._TERM_DF.format == "!I", (W3B,), "offset 5"),
        ("whoosh.compat.dumps", compat.dumps is pickle.dumps, (SEG, ANA, W3B), "blocks and values are plain pickles"),
        ("whoosh.compat.loads", compat.loads is pickle.loads, (W3B,), "blocks and values are plain pickles"),
        ("whoosh.codec.base.Codec.length_stats", whoosh3.W3Codec().length_stats is True, (SEG,),
         "the W3 codec keeps field-length statistics in posting blocks"),
    ]
    for internal, ok, users, detail in checks:
        assert ok, changed(internal, users, detail)


def test_stored_fields_column_is_a_pickle_of_compressed_bytes() -> None:
    from whoosh import columns
    from whoosh.codec import whoosh3

    col = whoosh3.STORED_COLUMN
    assert isinstance(col, columns.PickleColumn) and isinstance(col._child, columns.CompressedBytesColumn), \
        changed("whoosh.codec.whoosh3.STORED_COLUMN", SEG, "FastSegmentWriter swaps the _compress of its child writer")
    # the child writer calls self._compress(value, self._level): our compress(data, level) must fit
    src = inspect.getsource(columns.CompressedBytesColumn.Writer)
    assert "self._compress(v, self._level)" in src and "self._compress = " in src, \
        changed("whoosh.columns.CompressedBytesColumn.Writer._compress", SEG, "how it compresses a stored value")


def test_positions_values_are_a_count_and_pickled_gaps() -> None:
    from whoosh.formats import Positions

    from kbase.search import analysis
    from kbase.search.whoosh import w3blocks

    value = Positions().encode([3, 5, 40])
    assert value == analysis._positions([3, 2, 35]), \
        changed("whoosh.formats.Positions.encode", (ANA, W3B), "count, then the gaps pickled with protocol 2")
    assert Positions().decode_positions(value) == w3blocks._positions(value) == [3, 5, 40], \
        changed("whoosh.formats.Positions.decode_positions", W3B)


# -- real segments: the private attributes, the block layout, the fast paths ------------
PAGES = [
    "The first survey of artisanal gold mines in South Kivu, the miners and the traders of gold.",
    "Arms trade bulletin: transfers, embargoes and the arms trade treaty's reports on small arms.",
    "Gold, cobalt and tin: the trade of minerals from the mines of the Great Lakes region.",
] * 100  # 300 pages: "gold" (200 of them) spans two blocks of 128 postings


def _docs() -> list[dict[str, Any]]:
    return [{"key": f"a1:{i}", "kind": "page", "pub": str(1 + i // 30), "att": "1", "page": i,
             "text_en": text + f" page{i}", "title": f"Report {i // 30}", "author": "Kivu Team"}
            for i, text in enumerate(PAGES)]


def _index(folder: Path, writer_class: Any) -> Any:
    from whoosh.filedb.filestore import FileStorage

    from kbase.search.indexing import make_schema

    folder.mkdir()
    ix = FileStorage(str(folder), supports_mmap=False).create_index(make_schema())
    w = writer_class(ix, limitmb=64)
    for doc in _docs():
        w.add_document(**doc)
    w.commit(merge=False)
    return ix


@pytest.fixture(scope="module", params=["whoosh", "fast"])
def ix(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """An index written by Whoosh's own SegmentWriter (as merges and multi-process rebuilds do)
    and one by FastSegmentWriter: w3blocks reads both."""
    from whoosh.writing import SegmentWriter

    from kbase.search.whoosh.segwriter import FastSegmentWriter

    cls = SegmentWriter if request.param == "whoosh" else FastSegmentWriter
    return _index(tmp_path_factory.mktemp("ix") / request.param, cls)


def _missing(obj: Any, names: list[str]) -> list[str]:
    return [n for n in names if not hasattr(obj, n)]


def test_writer_internals_exist(tmp_path: Path) -> None:
    """What FastSegmentWriter reads or replaces on SegmentWriter and the W3 writers it owns."""
    from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter, W3TermInfo
    from whoosh.filedb.filestore import FileStorage
    from whoosh.formats import Positions
    from whoosh.writing import SegmentWriter

    from kbase.search.indexing import make_schema

    ix = FileStorage(str(tmp_path), supports_mmap=False).create_index(make_schema())
    w = SegmentWriter(ix, codec=W3Codec(compression=1), limitmb=1)
    try:
        for obj, where, names in [
            (w, "whoosh.writing.SegmentWriter", ["_tempstorage", "newsegment", "docbase", "docnum", "schema", "codec",
                                                 "pool", "fieldwriter", "perdocwriter", "_added"]),
            (w.pool, "whoosh.writing.PostingPool", ["fieldnames", "currentsize", "limit", "runs"]),
            (w.codec, "whoosh.codec.whoosh3.W3Codec", ["_blocklimit", "_compression", "_inlinelimit", "length_stats"]),
            (w.fieldwriter, "whoosh.codec.whoosh3.W3FieldWriter", ["_codec", "_postwriter"]),
            (w.perdocwriter, "whoosh.codec.whoosh3.W3PerDocWriter", ["_colwriters", "is_closed"]),
        ]:
            assert not _missing(obj, names), changed(f"{where} {_missing(obj, names)}", SEG, "attributes gone")
        assert w.fieldwriter._codec is w.codec, changed("whoosh.codec.whoosh3.W3FieldWriter._codec", SEG)
        stored = w.perdocwriter._colwriters.get("_stored")
        assert stored is not None and hasattr(getattr(stored, "_child", None), "_compress") \
            and hasattr(stored._child, "_level"), \
            changed("whoosh.codec.whoosh3.W3PerDocWriter._colwriters['_stored']._child._compress", SEG)
        assert isinstance(w.pool.fieldnames, set) and isinstance(w.pool.runs, list), \
            changed("whoosh.writing.PostingPool.fieldnames/runs", SEG, "a set and a list")
        # the postings writer: what _PostingsWriter sets before Whoosh's code reads it
        f = ix.storage.create_file("probe.pst")
        pw = w.codec.postings_writer(f)
        assert isinstance(pw, W3PostingsWriter), changed("whoosh.codec.whoosh3.W3Codec.postings_writer", SEG)
        names = ["_postfile", "_blocklimit", "_compression", "_byteids", "_inlinelimit", "_blockcount", "_format",
                 "_terminfo"]
        assert not _missing(pw, names), changed(f"whoosh.codec.whoosh3.W3PostingsWriter {_missing(pw, names)}", SEG)
        pw.start_postings(Positions(), W3TermInfo())
        names = ["_ids", "_weights", "_values", "_maxweight", "_minlength", "_maxlength", "_startoffset"]
        assert not _missing(pw, names), changed(f"whoosh.codec.whoosh3.W3PostingsWriter {_missing(pw, names)}", SEG,
                                               "the block buffer start_postings sets up")
        assert isinstance(pw._ids, array) and pw._ids.typecode == "I" and isinstance(pw._weights, array) \
            and pw._weights.typecode == "f" and pw._values == [], \
            changed("whoosh.codec.whoosh3.W3PostingsWriter._new_block", SEG, "ids array('I'), weights array('f')")
        f.close()
    finally:
        w.cancel()


def test_fast_writer_hooks_are_installed(tmp_path: Path) -> None:
    """FastSegmentWriter falls back to Whoosh's slow path when an internal it replaces is not
    where it expects (hasattr guards): here that fallback must not happen."""
    from whoosh.filedb.filestore import FileStorage

    from kbase.search.indexing import make_schema
    from kbase.search.whoosh import segwriter

    ix = FileStorage(str(tmp_path), supports_mmap=False).create_index(make_schema())
    w = segwriter.FastSegmentWriter(ix, limitmb=1)
    try:
        assert isinstance(w.pool, segwriter._Pool), changed("whoosh.writing.SegmentWriter.pool", SEG)
        assert isinstance(getattr(w.fieldwriter, "_codec", None), segwriter._PostingsCodec), \
            changed("whoosh.codec.whoosh3.W3FieldWriter._codec", SEG, "our postings writer is not used")
        stored = getattr(getattr(w.perdocwriter, "_colwriters", {}).get("_stored"), "_child", None)
        assert getattr(stored, "_compress", None) is segwriter.compress, \
            changed("whoosh.columns.CompressedBytesColumn.Writer._compress", SEG, "stored fields not compressed here")
        assert w._plain, changed("whoosh.fields.FieldType.separate_spelling/vector/column_type", SEG,
                                 "the kbase schema should take the short add_document path")
        assert w._lengths == {}, changed("whoosh.writing.SegmentWriter.docbase", SEG)
        # the phrase key files: made beside the segment's own files, in its storage
        assert callable(getattr(w.newsegment, "create_file", None)) and hasattr(w, "storage"), \
            changed("whoosh.codec.base.Segment.create_file / SegmentWriter.storage", (SEG, KEY))
    finally:
        w.cancel()


# a term in two blocks, one in one block, one with a single posting (inlined by FastSegmentWriter),
# and terms of the folded fields
TERMS = [("text_en", "gold"), ("text_en", "trade"), ("text_en", "page7"), ("title", "report"), ("author", "kivu")]


def test_reader_internals_exist(ix: Any) -> None:
    from whoosh.codec.whoosh3 import W3LeafMatcher, W3TermInfo, W3TermsReader
    from whoosh.filedb.filetables import OrderedHashReader

    with ix.searcher() as searcher:
        leaves = searcher.leaf_searchers()
        assert leaves and all(isinstance(off, int) for _s, off in leaves), \
            changed("whoosh.searching.Searcher.leaf_searchers", (W3B, DOC), "(searcher, offset) pairs")
        reader = leaves[0][0].reader()
        terms = getattr(reader, "_terms", None)
        assert isinstance(terms, W3TermsReader), changed("whoosh.reading.SegmentReader._terms", W3B)
        assert hasattr(terms, "_postfile"), changed("whoosh.codec.whoosh3.W3TermsReader._postfile", W3B)
        tindex = getattr(terms, "_tindex", None)
        assert isinstance(tindex, OrderedHashReader), changed("whoosh.codec.whoosh3.W3TermsReader._tindex", W3B)
        names = ["indexbase", "indexsize", "indexlen", "_get_pos", "key_at", "dbfile", "endofdata", "closest_key_pos"]
        assert not _missing(tindex, names), \
            changed(f"whoosh.filedb.filetables.OrderedHashReader {_missing(tindex, names)}", W3B)
        assert terms._keycoder("text_en", b"gold") == struct.pack("!H", terms._fieldmap["text_en"]) + b"gold", \
            changed("whoosh.codec.whoosh3.W3TermsReader._keycoder", W3B, "field number as '!H', then the term")
        assert reader._text_to_bytes("text_en", "gold") == b"gold", \
            changed("whoosh.reading.IndexReader._text_to_bytes", W3B)
        assert hasattr(reader, "deleted_docs_set"), changed("whoosh.reading.SegmentReader.deleted_docs_set", (W3B, MAP))
        # the phrase key file of a segment: found through the reader's segment and storage
        segment, storage = getattr(reader, "_segment", None), getattr(reader, "_storage", None)
        assert segment is not None and storage is not None and callable(getattr(segment, "make_filename", None)), \
            changed("whoosh.reading.SegmentReader._segment/_storage, Segment.make_filename", KEY,
                    "phrases fall back to decoding positions")
        ids = {leaf.reader().segment().segment_id() for leaf, _off in leaves}
        assert all(isinstance(i, str) for i in ids) and len(ids) == len(leaves), \
            changed("whoosh.codec.base.Segment.segment_id", MAP, "one string per segment, kept as its name")
        info = terms.term_info("text_en", b"gold")
        assert isinstance(info, W3TermInfo) and not info.is_inlined(), \
            changed("whoosh.codec.whoosh3.W3TermsReader.term_info", W3B)
        start, length = info.extent()
        if isinstance(length, tuple):  # from_bytes leaves it in a 1-tuple, which w3blocks unwraps
            assert len(length) == 1, changed("whoosh.codec.whoosh3.W3TermInfo.from_bytes", W3B, "the extent's length")
            length = length[0]
        assert isinstance(start, int) and isinstance(length, int) \
            and terms._postfile.get(start, 4) == b"W3Bl", changed("whoosh.codec.whoosh3.W3TermInfo.extent", W3B)
        # the matcher: a W3LeafMatcher, wrapped in a FilterMatcher (.child) when documents are deleted
        m = reader.postings("text_en", "gold")
        assert isinstance(m, W3LeafMatcher), changed("whoosh.reading.SegmentReader.postings", W3B)
        names = ["_postfile", "_startoffset", "_length", "_byteids", "_maxid", "_ids", "_values", "format",
                 "_read_data", "_read_ids", "_read_values", "_next_block"]
        assert not _missing(m, names), changed(f"whoosh.codec.whoosh3.W3LeafMatcher {_missing(m, names)}", W3B)
        from whoosh.matching.wrappers import FilterMatcher
        assert FilterMatcher(m, frozenset([1]), exclude=True).child is m, \
            changed("whoosh.matching.wrappers.FilterMatcher.child", W3B)
        # an inlined term (one posting): its postings come as (ids, weights, values) from the term info
        few = terms.term_info("text_en", b"page7")
        if few.is_inlined():
            ids, weights, values = few.inlined_postings()
            assert list(ids) == [7] and len(weights) == len(values) == 1, \
                changed("whoosh.codec.whoosh3.W3TermInfo.inlined_postings", W3B)


def test_w3blocks_reads_what_whoosh_reads(ix: Any) -> None:
    """Each fast reader of w3blocks returns None/False when the layout is not what it expects
    and the caller falls back to Whoosh: on real segments none may fall back, and each must give
    what Whoosh's own matchers give."""
    from kbase.search.whoosh import w3blocks

    with ix.searcher() as searcher:
        reader = searcher.leaf_searchers()[0][0].reader()
        for fieldname, text in TERMS:
            whoosh_ids, whoosh_weights = [], []
            m = reader.postings(fieldname, text)
            while m.is_active():
                whoosh_ids.append(m.id())
                whoosh_weights.append(m.weight())
                m.next()
            ids, weights = array("i"), array("f")
            assert w3blocks.read_direct(reader, fieldname, text, 0, ids, weights), \
                changed(f"the term table entry of {fieldname}:{text}", W3B, "read_direct fell back")
            assert list(ids) == whoosh_ids and list(weights) == whoosh_weights, \
                changed(f"the postings of {fieldname}:{text}", W3B, "read_direct reads other postings")
            ids2, weights2 = array("i"), array("f")
            w3blocks.read_leaf(reader, fieldname, text, 0, ids2, weights2)
            assert list(ids2) == whoosh_ids and list(weights2) == whoosh_weights, \
                changed(f"the postings of {fieldname}:{text}", W3B, "read_leaf reads other postings")

        leaf = reader.postings("text_en", "gold")
        blocks = w3blocks.raw_blocks(leaf)
        df = reader.doc_frequency("text_en", "gold")
        assert df > 128 and blocks is not None and len(blocks) == -(-df // 128), \
            changed("the W3 posting block layout (magic, '!i' length, pickled info, data)", W3B,
                    f"raw_blocks could not split a {df}-posting list into blocks of 128")
        fixed = leaf.format.fixed_value_size()
        for n, _maxid, compression, raw in blocks:
            data = w3blocks._unpickle(raw, compression)
            assert isinstance(data, tuple) and len(data) == 3 and len(data[0]) == n, \
                changed("the W3 block data pickle", W3B, "(delta ids, weights, values)")
            quick = w3blocks.ids_and_weights(raw, compression, n, fixed)
            assert quick is not None and quick[0] == data[0] and quick[1] == data[1], \
                changed("the W3 block data pickle", W3B, "ids_and_weights fell back")
            unpacked = __import__("zlib").decompress(raw) if compression else raw
            plain = pickle.loads(unpacked)
            apart = w3blocks.values_apart(unpacked, n)
            if unpacked.startswith(b"\x80\x04"):  # Kbase's own blocks (w3blocks.block_pickle): cut at their mark
                assert apart is None and quick[2] == ()
                continue
            assert apart is not None, changed("the W3 block data pickle (values)", W3B, "values_apart fell back")
            assert [w3blocks.value_at(apart[1], i) for i in range(n)] == list(plain[2]), \
                changed("the W3 block data pickle (values)", W3B, "value_at reads other values")
            some = list(range(0, n, 3))
            assert w3blocks.chosen_positions(apart[1], some) == w3blocks._many_positions([plain[2][i] for i in some]), \
                changed("the W3 block data pickle (values)", W3B, "chosen_positions reads other positions")

        wanted = list(range(0, 300, 7))
        ours: dict[int, list[int]] = {}
        w3blocks.leaf_positions(reader, "text_en", "gold", 0, wanted, ours)
        theirs: dict[int, list[int]] = {}
        m = reader.postings("text_en", "gold")
        while m.is_active():
            if m.id() in wanted:
                theirs[m.id()] = m.value_as("positions")
            m.next()
        assert ours == theirs, changed("the positions of text_en:gold", W3B, "leaf_positions reads other positions")

        found = w3blocks.prefix_frequencies(reader, "text_en", "tra", 10)
        assert found is not None, changed("the term table layout", W3B, "prefix_frequencies fell back")
        expect = [(t, reader.doc_frequency("text_en", t)) for t in reader.lexicon("text_en") if t.startswith(b"tra")]
        assert found == expect, changed("the term table layout", W3B, "prefix_frequencies reads other frequencies")

        w3blocks.remember_term_lookups(searcher)
        tindex = reader._terms._tindex
        assert getattr(tindex.closest_key_pos, "__name__", "") == "closest_key_pos" \
            and tindex.closest_key_pos.__qualname__.startswith("_closest_key_pos"), \
            changed("whoosh.filedb.filetables.OrderedHashReader", W3B, "remember_term_lookups skipped the term table")
        assert list(reader.expand_prefix("text_en", "tra")) == [t for t, _df in expect], \
            changed("whoosh.filedb.filetables.OrderedHashReader.closest_key_pos", W3B, "our remembered search differs")


def test_queries_have_the_attributes_docsets_and_ranking_read() -> None:
    from whoosh import query as wq

    term, other = wq.Term("text_en", "gold"), wq.Term("text_en", "tin")
    phrase = wq.Phrase("text_en", ["gold", "mines"])
    checks = [
        ("whoosh.query.Term.fieldname/text", (term.fieldname, term.text) == ("text_en", "gold"), (DOC, RNK)),
        ("whoosh.query.Or.subqueries", list(wq.Or([term, other]).subqueries) == [term, other], (DOC, RNK)),
        ("whoosh.query.And.subqueries", list(wq.And([term, other]).subqueries) == [term, other], (DOC, RNK)),
        ("whoosh.query.Not.query", wq.Not(term).query == term, (DOC,)),
        ("whoosh.query.AndNot.a/b", (wq.AndNot(term, other).a, wq.AndNot(term, other).b) == (term, other), (DOC, RNK)),
        ("whoosh.query.Phrase.fieldname/words/slop",
         (phrase.fieldname, list(phrase.words), phrase.slop) == ("text_en", ["gold", "mines"], 1), (DOC, RNK)),
        ("whoosh.query.compound.CompoundQuery", isinstance(wq.Or([term]), wq.compound.CompoundQuery)
         and isinstance(wq.And([term]), wq.compound.CompoundQuery), (RNK,)),
        ("whoosh.query.Or/And", not isinstance(wq.Or([term]), wq.And) and not isinstance(wq.And([term]), wq.Or),
         (DOC,)),
    ]
    for internal, ok, users in checks:
        assert ok, changed(internal, users)


# -- the Whoosh code we copy or mirror -----------------------------------------------------
# sha256 (first 16 hex digits) of each function's source, dedented. A change means our copy
# may no longer match: read the Whoosh code against ours, then update the fingerprint here.
MIRRORED = {
    # segwriter._PostingsWriter: start_postings, add_list (add_posting a block at a time),
    # finish_postings (inlined terms), _write_block (the block layout)
    "whoosh.codec.whoosh3:W3PostingsWriter.start_postings": ((SEG,), "6ee8548572031158"),
    "whoosh.codec.whoosh3:W3PostingsWriter.add_posting": ((SEG,), "2c1a9e24693e374f"),
    "whoosh.codec.whoosh3:W3PostingsWriter.finish_postings": ((SEG,), "5f3600bc0048b684"),
    "whoosh.codec.whoosh3:W3PostingsWriter._new_block": ((SEG,), "4c476bb5dc828231"),
    "whoosh.codec.whoosh3:W3PostingsWriter._write_block": ((SEG,), "7f48b43d977852ea"),
    "whoosh.codec.whoosh3:W3PostingsWriter._mini_values": ((SEG, W3B), "a36c9f32b7e42991"),
    # segwriter._PostingsCodec.postings_writer
    "whoosh.codec.whoosh3:W3Codec.postings_writer": ((SEG,), "a570d88d947c677d"),
    # segwriter.FastSegmentWriter: add_document's short path, _flush_segment with add_postings
    "whoosh.writing:SegmentWriter.__init__": ((SEG,), "5b82621b672ed3cf"),
    "whoosh.writing:SegmentWriter.add_document": ((SEG,), "eff27c778e0f44ad"),
    "whoosh.writing:SegmentWriter._flush_segment": ((SEG,), "0efc194562f4689a"),
    "whoosh.codec.base:FieldWriter.add_postings": ((SEG,), "bd221d69603bf026"),
    "whoosh.codec.whoosh3:W3FieldWriter.start_term": ((SEG,), "d5d301a9db31a554"),
    "whoosh.codec.whoosh3:W3FieldWriter.finish_term": ((SEG,), "cedf1691c763fa4a"),
    "whoosh.codec.whoosh3:W3PerDocWriter.add_field": ((SEG,), "5470f61b0886ca9c"),
    # segwriter._Pool: PostingPool's runs and size cap
    "whoosh.writing:PostingPool.__init__": ((SEG,), "2e7dc2d4130f1e0e"),
    "whoosh.writing:PostingPool.add": ((SEG,), "112b36987bbbede5"),
    "whoosh.writing:PostingPool._new_run": ((SEG,), "9f92dcdb0fb336cf"),
    "whoosh.externalsort:SortingPool.save": ((SEG,), "191c7535c35e4c08"),
    "whoosh.externalsort:SortingPool.cleanup": ((SEG,), "b139f99358f7482b"),
    # w3blocks: the block reader, the term info, the term table's binary search
    "whoosh.codec.whoosh3:W3LeafMatcher._goto": ((W3B,), "21a7827a77b7c418"),
    "whoosh.codec.whoosh3:W3LeafMatcher._read_data": ((W3B,), "a4f94b664b7ced84"),
    "whoosh.codec.whoosh3:W3LeafMatcher._read_ids": ((W3B,), "6147b8d5f106b7b1"),
    "whoosh.codec.whoosh3:W3LeafMatcher._read_weights": ((W3B,), "8e1d63394a25f7b9"),
    "whoosh.codec.whoosh3:W3LeafMatcher._read_values": ((W3B,), "f64fed66ecf694cf"),
    "whoosh.codec.whoosh3:W3TermInfo.to_bytes": ((W3B, SEG), "4cce8ac07dac11e8"),
    "whoosh.codec.whoosh3:W3TermInfo.from_bytes": ((W3B,), "5bb4b58452ca04e4"),
    "whoosh.codec.whoosh3:W3TermsReader._keycoder": ((W3B,), "c50d705a10cc63db"),
    "whoosh.filedb.filetables:OrderedHashReader._read_extras": ((W3B,), "bdbc924c4c8b66cb"),
    "whoosh.filedb.filetables:OrderedHashReader.closest_key_pos": ((W3B,), "51a9b5ec7ad944eb"),
    "whoosh.filedb.filetables:HashWriter.add": ((W3B,), "8f12723c39d69d08"),
    "whoosh.reading:SegmentReader.postings": ((W3B,), "d1ba7ad75d89e378"),
    # analysis._positions and w3blocks._positions: the Positions value
    "whoosh.formats:Positions.encode": ((ANA, W3B), "40543920f75cdbd7"),
    "whoosh.formats:Positions.decode_positions": ((W3B,), "07616b872db299ff"),
    "whoosh.formats:Frequency.word_values": ((ANA,), "5f586ee0b7766b34"),
    "whoosh.formats:Positions.word_values": ((ANA,), "a7dd5a87f8769f80"),  # KeyText.index writes the same postings
    "whoosh.fields:FieldType.index": ((ANA, SEG), "c3721706fcbaae99"),
}


def fingerprint(name: str) -> str:
    obj = resolve(name)
    obj = getattr(obj, "__func__", obj)
    return hashlib.sha256(textwrap.dedent(inspect.getsource(obj)).encode("utf-8")).hexdigest()[:16]


@pytest.mark.parametrize("name", sorted(MIRRORED))
def test_mirrored_whoosh_code_is_unchanged(name: str) -> None:
    users, expected = MIRRORED[name]
    try:
        found = fingerprint(name)
    except (ImportError, AttributeError) as exc:
        pytest.fail(changed(name, users, f"missing: {exc}"))
    assert found == expected, changed(name, users, f"its source differs from the one our code mirrors "
                                                   f"(fingerprint {found}, expected {expected}); once checked, "
                                                   f"update MIRRORED in {Path(__file__).relative_to(ROOT)}")
