"""The index follows the catalogue: sync from the change log, one writer, rebuild from page texts."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from whoosh import index as windex

from kbase.catalogue.records import Catalogue
from kbase.errors import LibraryError
from kbase.library import models as m
from kbase.search.api import search
from kbase.search.indexing import Indexer, read_state, rebuild, sync, writer_lock
from tests.search_data import add_document


def found(cat: Catalogue, text: str) -> list[int]:
    return [h.publication_id for h in search(cat, text).hits]


def doc_count(cat: Catalogue) -> int:
    ix = windex.open_dir(str(cat.library.index_dir))
    with ix.searcher() as s:
        return s.doc_count()


def test_sync_applies_the_change_log_once(cat: Catalogue) -> None:
    pub, _ = add_document(cat, "Tin", ["Tin from Walikale.", "Cassiterite from Bisie."])
    sync(cat)
    assert doc_count(cat) == 3  # one metadata document and two pages
    assert sync(cat) == 0
    assert doc_count(cat) == 3
    add_document(cat, "Gold", ["Gold from Shabunda."])
    assert sync(cat) > 0
    assert doc_count(cat) == 5
    with cat.reading() as s:
        assert read_state(cat.library)["last_seq"] == max(s.scalars(select(m.Change.seq)))
    assert found(cat, "cassiterite") == [pub]


def test_edits_links_merges_and_deletes_reach_the_index(cat: Catalogue) -> None:
    pub, _ = add_document(cat, "Old title", ["Charcoal trade in Virunga park."])
    person = cat.add(m.Person, name="Jean Kabila")
    other = cat.add(m.Person, name="J. Kabila Mwamba")
    project = cat.add(m.Project, title="Forest monitoring", short_name="Misitu")
    sync(cat)
    cat.update(m.Publication, pub, title="Charcoal economies")
    cat.set_contributors(pub, [("author", "person", other.id)])
    cat.link(m.PublicationProject, publication_id=pub, project_id=project.id)
    sync(cat)
    assert found(cat, "title:economies") == [pub] and found(cat, "title:old") == []
    assert found(cat, "project:Misitu charcoal") == [pub]  # a page hit carries its publication's project
    assert found(cat, "author:mwamba") == [pub]
    cat.merge(m.Person, person.id, other.id)  # the survivor takes the authorship and the loser's name as alias
    sync(cat)
    assert found(cat, "author:jean") == [pub] and found(cat, "author:mwamba") == [pub]
    cat.update(m.Project, project.id, short_name="Msitu")
    sync(cat)
    facets = search(cat, "charcoal").facets
    assert [label for _v, label, _c in facets["project"]] == ["Msitu"]
    with cat.reading() as s:
        atts = list(s.scalars(select(m.Attachment.id).where(m.Attachment.publication_id == pub)))
    for att in atts:  # attachments go first: they point at the publication
        cat.delete(m.Attachment, att)
    cat.delete(m.Publication, pub)
    sync(cat)
    assert found(cat, "charcoal") == []
    assert doc_count(cat) == 0


def test_moving_an_attachment_moves_its_pages(cat: Catalogue) -> None:
    a, att = add_document(cat, "First", ["Coltan prices in Rubaya."])
    b = cat.add(m.Publication, title="Second").id
    sync(cat)
    cat.update(m.Attachment, att, publication_id=b)
    sync(cat)
    hit = search(cat, "coltan").hits
    assert [h.publication_id for h in hit] == [b] and hit[0].pages[0].attachment_id == att


def test_rebuild_reads_only_the_catalogue(cat: Catalogue) -> None:
    pub, _ = add_document(cat, "Report", ["Mercury use by gold miners."])
    for f in cat.library.files_dir.rglob("*"):
        if f.is_file():
            f.unlink()  # no PDF to open: the page texts are in the database
    assert rebuild(cat) == 1
    assert found(cat, "mercury") == [pub]
    assert read_state(cat.library)["last_seq"] >= 1


def test_incremental_indexer_for_imports(cat: Catalogue) -> None:
    pub, att = add_document(cat, "Batch one", ["Diamonds from Tshikapa."])
    with Indexer(cat) as ix:
        ix.add_attachment(att)
        ix.commit()
        assert found(cat, "tshikapa") == [pub]  # searchable before the import ends
        pub2, att2 = add_document(cat, "Batch two", ["More diamonds from Mbuji-Mayi.", "Page two."])
        ix.add_attachment(att2)
        ix.add_attachment(att2)  # twice: no duplicate documents
    assert doc_count(cat) == 2 + 3
    assert sync(cat) == 0
    assert set(found(cat, "diamonds")) == {pub, pub2}


def test_a_replaced_or_broken_index_is_rebuilt(cat: Catalogue) -> None:
    pub, _ = add_document(cat, "Report", ["Copper cathodes."])
    sync(cat)
    state = cat.library.index_dir / "kbase-state.json"
    state.write_text(json.dumps({"schema": 2, "last_seq": 10_000}))  # the catalogue is older than the index
    sync(cat)
    assert read_state(cat.library)["last_seq"] < 10_000 and found(cat, "copper") == [pub]
    state.write_text("garbage")
    sync(cat)
    assert found(cat, "cathodes") == [pub]


def test_only_one_writer_at_a_time(sqlite_demo: Catalogue, tmp_path: Path) -> None:
    lib = sqlite_demo.library
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\n"
        "from kbase.library.db import open_library\n"
        "from kbase.search.indexing import writer_lock\n"
        f"lib = open_library({str(lib.folder)!r})\n"
        "with writer_lock(lib):\n"
        "    print('locked', flush=True)\n"
        "    time.sleep(30)\n"
    )], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with pytest.raises(LibraryError, match="busy"):
            with writer_lock(lib, timeout=0.3):
                pass
        assert time.monotonic() - started >= 0.3
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()  # else a ResourceWarning when the pipe is collected
    with writer_lock(lib, timeout=5):  # the dead process's lock is gone with it
        pass


def test_rebuild_in_several_processes_gives_the_same_answers(cat: Catalogue) -> None:
    """Each process writes its own segments with Kbase's writer (protocol 4 blocks, phrase keys);
    the answers are the single process's, hits, pages and scores."""
    import zlib

    from kbase.search.parallel import shares
    from kbase.search.whoosh.w3blocks import raw_blocks

    ids = [add_document(cat, f"Report {i}", [f"Page about zirconium and site {i}.", "Cobalt page.",
                                              "zirconium " * (i % 5 + 1) + "cobalt mining " * (i % 3)])[0]
           for i in range(30)]
    queries = ["zirconium", "cobalt mining", '"cobalt mining"', "zirc*", "site 7"]
    rebuild(cat)
    single = [search(cat, q, limit=50) for q in queries]
    rebuild(cat, procs=3)
    multi = [search(cat, q, limit=50) for q in queries]
    assert multi[0].total == 30 and {h.publication_id for h in multi[0].hits} == set(ids)
    for one, several in zip(single, multi, strict=True):
        assert [(h.publication_id, h.score, [p.page for p in h.pages]) for h in several.hits] == \
            [(h.publication_id, h.score, [p.page for p in h.pages]) for h in one.hits]
    ix = windex.open_dir(str(cat.library.index_dir))
    assert len(ix._segments()) == 3
    with ix.reader() as reader:
        for leaf, _offset in reader.leaf_readers():  # Kbase's writer in each process: marked blocks
            common = max(leaf.lexicon("text_en"), key=lambda t: leaf.doc_frequency("text_en", t))
            m_ = leaf.postings("text_en", common)
            blocks = raw_blocks(getattr(m_, "child", m_)) or []
            assert blocks and all((zlib.decompress(raw) if level else raw).startswith(b"\x80\x04J")
                                  for _n, _last, level, raw in blocks)
    assert sync(cat) == 0 and doc_count(cat) == 30 * 3 + len(cat.all(m.Publication))
    assert shares(list(range(7)), 3, 200) == [[0, 3, 6], [1, 4], [2, 5]]  # few: one at a time
    big = shares(list(range(10_000)), 3, 200)  # batches of 200 dealt in turn
    assert [share[:2] + share[200:201] for share in big] == [[0, 1, 600], [200, 201, 800], [400, 401, 1000]]
    assert sorted(p for share in big for p in share) == list(range(10_000))
    assert [len(share) for share in shares(list(range(600)), 2, 200)] == [306, 294]  # 34 batches, 18 or fewer


def test_a_big_rebuild_writes_bounded_segments(cat: Catalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    import kbase.search.indexing

    monkeypatch.setattr(kbase.search.indexing, "SEGMENT_PAGES", 5)
    monkeypatch.setattr(kbase.search.indexing, "REBUILD_BATCH", 2)
    ids = [add_document(cat, f"Part {i}", [f"Yttrium note {i}.", "Other page.", "Third page."])[0] for i in range(6)]
    rebuild(cat)
    ix = windex.open_dir(str(cat.library.index_dir))
    assert len(ix._segments()) >= 3
    assert {h.publication_id for h in search(cat, "yttrium", limit=10).hits} == set(ids)
    assert doc_count(cat) == 6 * 4
