"""The fast indexing path writes exactly the postings Whoosh's own path writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import SegmentWriter

from kbase.search.analysis import KeyText, KeyTokenizer, fold_analyzer, language_analyzer
from kbase.search.whoosh.segwriter import FastSegmentWriter

PAGES = [
    "The ﬁrst survey of artisanal gold mines in South Kivu: the miners' co-operatives and the traders.",
    "L'exploitation minière artisanale au Sud-Kivu : les coopératives, l'or et les négociants d'Uvira.",
    "Résumé — résumés, RESUME, naïve café; the the the and of to a l d s 3T cobalt cobalt cobalt.",
    "中文文本没有空格 ภาษาไทย 日本語のテキスト and some English words between them.",
    "",
    "Arms Trade Bulletin, June – July 2021: transfers, embargoes and the arms trade treaty's reports.",
] * 50  # 300 pages: the common words' postings span several blocks of 128


def _schema(field: Any) -> Schema:
    return Schema(key=ID(stored=True), en=field(analyzer=language_analyzer("en"), phrase=True),
                  fr=field(analyzer=language_analyzer("fr"), phrase=False),
                  folded=field(analyzer=fold_analyzer(), phrase=True))


def _build(folder: Path, field: Any, writer_class: Any, limitmb: float) -> dict[tuple[str, bytes], list[Any]]:
    docs = [dict(key=str(i), en=text, fr=text, folded=text) for i, text in enumerate(PAGES)]
    return {k: v for k, v in _write(folder, _schema(field), docs, writer_class, limitmb).items() if k[0] != "key"}


def _write(folder: Path, schema: Schema, docs: list[dict[str, Any]], writer_class: Any,
           limitmb: float, commits: int = 1) -> dict[Any, list[Any]]:
    """Every term's statistics and postings, and every document's stored fields and lengths.

    commits > 1 writes the documents in that many commits, the last of which merges the
    earlier segments into its own (their documents come through add_reader)."""
    folder.mkdir()
    ix = FileStorage(str(folder)).create_index(schema)
    size = -(-len(docs) // commits)
    for start in range(0, len(docs), size):
        w = writer_class(ix, limitmb=limitmb)
        for doc in docs[start:start + size]:
            w.add_document(**doc)
        w.commit(optimize=start + size >= len(docs) and commits > 1, merge=False)
    postings: dict[Any, list[Any]] = {}
    with ix.reader() as r:
        for docnum in range(r.doc_count_all()):
            postings[("doc", docnum)] = [r.stored_fields(docnum)] + [r.doc_field_length(docnum, name)
                                                                    for name in sorted(schema.names())]
        for fieldname, term in r.all_terms():
            ti = r.term_info(fieldname, term)
            rows: list[Any] = [(ti.weight(), ti.doc_frequency(), ti.min_length(), ti.max_length(), ti.max_weight(),
                                ti.min_id(), ti.max_id())]
            m = r.postings(fieldname, term)
            while m.is_active():
                rows.append((m.id(), m.weight(), m.value(), r.doc_field_length(m.id(), fieldname),
                             m.block_min_length(), m.block_max_length(), m.block_max_weight()))
                m.next()
            postings[(fieldname, term)] = rows
    return postings


@pytest.mark.parametrize("limitmb", [64, 0.005])  # in memory, and spilled to many runs on disk
def test_fast_writer_writes_the_same_postings_as_whoosh(tmp_path: Path, limitmb: float) -> None:
    reference = _build(tmp_path / "whoosh", TEXT, SegmentWriter, 64)
    fast = _build(tmp_path / "fast", KeyText, FastSegmentWriter, limitmb)
    assert len(reference) > 100
    assert max(len(rows) for rows in reference.values()) > 128 + 1  # some terms fill more than one block
    assert fast.keys() == reference.keys()
    for key, rows in reference.items():
        assert fast[key] == rows, key
    # the languages' keys are really there: English and French stems, folded accents
    assert ("en", b"survey") in fast and ("fr", b"cooper") in fast and ("folded", b"resume") in fast


def _real_documents() -> list[dict[str, Any]]:
    from kbase.search.documents import PubInfo

    docs: list[dict[str, Any]] = []
    for pub_id in range(1, 41):
        info = PubInfo(pub_id, f"Cobalt and copper supply chains, part {pub_id % 7}")
        info.subtitle = "Les chaînes d'approvisionnement" if pub_id % 2 else ""
        info.contributors = ["Claude Kabemba", "Fiona Southward"][: 1 + pub_id % 2]
        info.language = "fr" if pub_id % 3 == 0 else "en"
        info.year = 2015 + pub_id % 8
        info.add_facet("type", "report" if pub_id % 2 else "policy briefing", None)
        info.add_facet("year", info.year, None)
        docs.append(info.meta_document())
        for page in range(1, 2 + pub_id % 9):
            # a few long pages: the index keeps a long field's length approximately
            times = 60 if page == 3 else page % 3 + 1
            docs.append(info.page_document(100 + pub_id, page, PAGES[(pub_id + page) % len(PAGES)] * times))
    return docs


def test_blocks_are_pickled_with_protocol_4_and_read_as_whoosh_reads_them(tmp_path: Path) -> None:
    """The fast writer pickles posting blocks with termtable.PROTOCOL (4): a publication's title and
    authors repeated on its pages are written once per block, and w3blocks reads the documents
    and positions Whoosh reads."""
    import zlib
    from itertools import accumulate

    from kbase.search.indexing import make_schema
    from kbase.search.whoosh.segwriter import INLINE_POSTINGS
    from kbase.search.whoosh.w3blocks import ids_and_weights, leaf_positions, raw_blocks

    ix = FileStorage(str(tmp_path)).create_index(make_schema())
    w = FastSegmentWriter(ix)
    for doc in _real_documents():
        w.add_document(**doc)
    w.commit()
    checked = 0
    with ix.reader() as r:
        for fieldname, term in r.all_terms():
            if fieldname not in ("text_en", "title", "author") or r.doc_frequency(fieldname, term) <= INLINE_POSTINGS:
                continue
            m = r.postings(fieldname, term)
            leaf = getattr(m, "child", m)
            ids, positions = [], {}
            while m.is_active():
                ids.append(m.id())
                positions[m.id()] = m.value_as("positions")
                m.next()
            read: list[int] = []
            for n, _maxid, compression, raw in raw_blocks(leaf) or []:
                assert (zlib.decompress(raw) if compression else raw).startswith(b"\x80\x04")
                block = ids_and_weights(raw, compression, n, leaf.format.fixed_value_size())
                assert block is not None
                read += accumulate(block[0])  # each block's ids are gaps from 0
                checked += 1
            assert read == ids, (fieldname, term)
            mine: dict[int, list[int]] = {}
            leaf_positions(r, fieldname, term.decode(), 0, ids, mine)
            assert mine == positions, (fieldname, term)
    assert checked > 50


@pytest.mark.parametrize(("limitmb", "commits"), [(64, 1), (0.01, 1), (64, 7)])
def test_fast_writer_writes_the_same_index_for_real_documents(tmp_path: Path, limitmb: float, commits: int) -> None:
    """The library's own schema and documents: per-page title, authors and facets reused from one
    page to the next, stored fields, lengths, and small blocks left uncompressed."""
    from kbase.search.indexing import make_schema

    docs = _real_documents()
    reference = _write(tmp_path / "whoosh", make_schema(), docs, SegmentWriter, 64, commits)
    fast = _write(tmp_path / "fast", make_schema(), docs, FastSegmentWriter, limitmb, commits)
    assert len(reference) > 300
    assert fast.keys() == reference.keys()
    for key, rows in reference.items():
        assert fast[key] == rows, key
    with FileStorage(str(tmp_path / "fast")).open_index().reader() as r:  # rare terms live in the term table
        inlined = sum(r.term_info(f, t).is_inlined() for f, t in r.all_terms())
        assert 0 < inlined < len(reference)


def test_pool_spills_to_runs_and_gives_postings_in_whoosh_order(tmp_path: Path) -> None:
    import random

    from whoosh.filedb.filestore import FileStorage as Storage

    from kbase.search.whoosh.segwriter import _Pool

    rng = random.Random(3)
    items = [(rng.choice(["en", "fr", "title"]), f"w{rng.randrange(300)}".encode(), doc, 1.0, b"v%d" % doc)
             for doc in range(2000) for _ in range(5)]
    items = list(dict.fromkeys(items))  # a term once per document
    # documents of a merged segment can arrive after later ones: still sorted per term
    items += [("en", b"w1", 5_000 - d, 2.0, b"m") for d in range(3)]
    pool = _Pool(Storage(str(tmp_path)), None, limitmb=0.02)
    for item in items:
        pool.add(item)
    assert len(pool.runs) > 3  # it really spilled
    out = list(pool.iter_postings())
    assert out == sorted(items)


def test_keytext_gives_the_postings_of_text_with_the_same_analyzer() -> None:
    """Every mode, word by word: elisions, stop words, capitals, repeated words, and a word first
    met after position 4096 (beyond the values made in advance)."""
    long_page = " ".join(f"w{i}" for i in range(5000)) + " Zanzibar's L’Uvira zanzibar the"
    for mode in ("en", "fr", "fold", "raw"):
        for phrase in (True, False):
            fast = KeyText(analyzer=KeyTokenizer(mode), phrase=phrase)
            plain = TEXT(analyzer=KeyTokenizer(mode), phrase=phrase)
            for text in [*PAGES[:6], long_page]:
                assert sorted(fast.index(text)) == sorted(plain.index(text)), (mode, phrase, text[:30])


def test_term_table_writes_the_bytes_of_whooshs_hash_writer(tmp_path: Path) -> None:
    """kbase.search.whoosh.termtable against Whoosh's OrderedHashWriter on the same rows: the same
    file, byte for byte, including the position index that widens past 64 kB."""
    import random

    from whoosh.filedb.filetables import OrderedHashReader, OrderedHashWriter

    from kbase.search.whoosh.termtable import TermTable

    rng = random.Random(5)
    keys = sorted({bytes(rng.randrange(256) for _ in range(rng.randrange(1, 12))) for _ in range(6000)})
    rows = [(k, bytes(rng.randrange(256) for _ in range(rng.randrange(0, 40)))) for k in keys]
    storage = FileStorage(str(tmp_path))
    theirs = OrderedHashWriter(storage.create_file("whoosh.trm"))
    for key, value in rows:
        theirs.add(key, value)
    theirs.close()
    ours_writer = OrderedHashWriter(storage.create_file("kbase.trm"))
    table = TermTable(ours_writer)
    for key, value in rows:
        table.add(key, value)
    table.close()
    ours_writer.close()
    data = (tmp_path / "whoosh.trm").read_bytes()
    assert len(data) > 2**16  # the index of positions had to widen
    assert (tmp_path / "kbase.trm").read_bytes() == data
    reader = OrderedHashReader.open(storage, "kbase.trm")
    try:
        assert reader[rows[100][0]] == rows[100][1]
    finally:
        reader.close()
    with pytest.raises(ValueError):
        table.add(keys[0], b"")  # keys must increase, as Whoosh's writer insists


@pytest.mark.parametrize("lengths", [None, [0, 3, 7, 0, 250_000, 12]])
@pytest.mark.parametrize("no_values", [False, True])
def test_inline_row_reads_back_as_the_terms_statistics_and_postings(lengths: Any, no_values: bool) -> None:
    """What Whoosh's reader makes of a row: W3TermInfo.from_bytes, as a search reads it."""
    from whoosh.codec.whoosh3 import W3TermInfo
    from whoosh.util.numeric import byte_to_length, length_to_byte

    from kbase.search.whoosh.termtable import inline_row

    for docs, weights in [([1], [1.0]), ([0, 3], [2.0, 1.0]), ([1, 2, 4, 5], [1.0, 7.0, 1.0, 3.0]), ([3], [0.0])]:
        values = [b"v%d" % d for d in docs]
        info = W3TermInfo.from_bytes(inline_row(docs, weights, values, lengths, no_values))
        found = [lengths[d] for d in docs if lengths[d]] if lengths else []
        assert (info.weight(), info.doc_frequency(), info.max_weight()) == (sum(weights), len(docs), max(weights))
        assert (info.min_id(), info.max_id()) == (docs[0], docs[-1])
        assert info.min_length() == (byte_to_length(length_to_byte(min(found))) if found else 0)
        assert info.max_length() == (byte_to_length(length_to_byte(max(found))) if found else 0)
        assert info.is_inlined()
        assert info.inlined_postings() == (tuple(docs), tuple(weights),
                                           (None,) * len(docs) if no_values else tuple(values))


def test_text_without_cjk_is_cut_into_the_same_tokens_by_the_plain_pattern() -> None:
    """KeyText.index cuts a text with no CJK, Thai… character with a simpler pattern: the same tokens."""
    import random

    from kbase.search import analysis

    rnd = random.Random(7)
    alphabet = list("ab Zé1_.'’-\n") + ["ﬁ", "ß", "Ω", "日", "本", "ไ", "한", "\u0301", "\u00a0", "٣"]
    for _ in range(20000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 14)))
        expected = analysis.TOKEN_RE.findall(text)
        if not analysis._HAS_CJK(text):
            assert analysis._PLAIN_TOKEN_RE.findall(text) == expected, repr(text)
        field = KeyText(analyzer=KeyTokenizer("en"), phrase=True)
        assert sorted(field.index(text)) == sorted(TEXT(analyzer=KeyTokenizer("en"), phrase=True).index(text))


def test_block_pickle_marks_where_the_values_begin() -> None:
    """Blocks of every shape unpickle to what was given, and ids_and_weights reads their ids and
    weights without the values, compressed or not; a block too big for one pickle frame goes
    unmarked and is read whole."""
    import pickle
    import random

    from kbase.search.whoosh.segwriter import compress
    from kbase.search.whoosh.w3blocks import block_pickle, ids_and_weights

    rng = random.Random(11)
    shared = b"\x00\x00\x00\x01\x80\x02]q\x00K\x05a."
    for n in (1, 2, 3, 4, 5, 127, 128):
        for weights in (None, 2.0, tuple(float(rng.randrange(1, 40)) for _ in range(n))):
            ids = tuple(rng.choice([0, 1, 5, 255, 256, 70_000, 2**31 - 1]) for _ in range(n))
            values = tuple(shared if rng.random() < 0.3 else rng.randbytes(rng.randrange(1, 60)) for _ in range(n))
            data = block_pickle(ids, weights, values, 4)
            assert pickle.loads(data) == (ids, weights, values)
            assert data.startswith(b"\x80\x04J")
            for raw, level in ((data, 0), (compress(data), 1)):
                assert ids_and_weights(raw, level, n, None) == (ids, weights, ())
    big = tuple(bytes(70_000) for _ in range(2))
    data = block_pickle((1, 2), None, big, 4)
    assert not data.startswith(b"\x80\x04J") and pickle.loads(data) == ((1, 2), None, big)
    assert ids_and_weights(data, 0, 2, None) is None  # read whole by the caller
    assert pickle.loads(block_pickle((1, 2), None, (b"a", b"b"), 2)) == ((1, 2), None, (b"a", b"b"))
