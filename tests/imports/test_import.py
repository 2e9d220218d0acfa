"""Importing batches of PDFs into a library (SQLite and PostgreSQL): statuses, store, catalogue."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

import pdfs
import pytest
from sqlalchemy import func, select

from kbase.catalogue.records import Catalogue
from kbase.cli import main
from kbase.errors import NotFound
from kbase.files import store
from kbase.imports.pipeline import ImportProgress, import_paths
from kbase.imports.pool import ExtractionPool, Task
from kbase.library import models as m


def by_name(report) -> dict[str, object]:
    return {Path(f.path).name: f for f in report.files}


def assert_consistent(cat: Catalogue) -> None:
    """Every stored file has its row and every row its file; page rows match page counts."""
    lib = cat.library
    assert store.orphans(lib) == []
    assert store.verify(lib, deep=True) == []
    with cat.reading() as s:
        for att in s.scalars(select(m.Attachment)):
            n = s.scalar(select(func.count()).where(m.PageText.attachment_id == att.id))
            assert n == (att.page_count if att.status in ("ok", "no text layer") else 0), att.filename
            assert store.path_for(lib, att.sha256).exists() or lib.is_shared


def test_a_batch_of_every_kind(cat: Catalogue, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    pdfs.batch(folder)
    seen: list[ImportProgress] = []
    report = import_paths(cat, [folder], progress=lambda p: seen.append(
        ImportProgress(p.files_done, p.files_total, p.pages_done, p.bytes_done, p.bytes_total, p.elapsed, p.current,
                       p.phase)))
    files = by_name(report)
    assert {name: f.status for name, f in files.items()} == {
        "english.pdf": "ok", "french.pdf": "ok", "junk.pdf": "ok", "scanned.pdf": "no text layer",
        "encrypted.pdf": "encrypted", "open_encrypted.pdf": "ok", "truncated.pdf": "damaged",
        "notes.pdf": "not a pdf", "empty.pdf": "empty",
    }
    assert files["english.pdf"].message == "3 pages" and files["english.pdf"].pages == 3
    assert files["encrypted.pdf"].message.startswith("encrypted: protected by a password")
    assert files["truncated.pdf"].message.startswith("damaged PDF:")
    assert files["notes.pdf"].message.startswith("not a PDF")
    assert files["empty.pdf"].message == "empty file (0 bytes); not imported"
    for name in ("truncated.pdf", "notes.pdf", "empty.pdf"):
        assert files[name].attachment_id is None  # nothing half-stored
    assert files["open_encrypted.pdf"].message == "3 pages"  # an empty user password is no protection
    assert report.imported == 6 and report.pages == 3 + 2 + 2 + 2 + 0 + 3
    assert seen[-1].phase == "done" and seen[-1].files_done == 8  # the empty file never reaches a worker
    assert seen[0].pages_left == float("inf") and seen[-1].pages_left == 0  # the indexer's guess of what is to come
    # the catalogue: publications pre-filled from metadata or the first page, statuses on attachments
    with cat.reading() as s:
        titles = set(s.scalars(select(m.Publication.title)))
        statuses = dict(s.execute(select(m.Attachment.filename, m.Attachment.status)).all())
        statuses.pop("open_encrypted.pdf")
        junk = s.get(m.Publication, files["junk.pdf"].publication_id)
        authors = [s.get(m.Person, c.person_id).name for c in s.scalars(
            select(m.Contributor).where(m.Contributor.publication_id == junk.id).order_by(m.Contributor.position))]
    assert {"Mapping artisanal mining sites in eastern DRC", "Analyse des barrières routières au Sud-Kivu",
            "Cobalt supply chains and child labour", "scanned", "encrypted"} == titles
    assert statuses == {"english.pdf": "ok", "french.pdf": "ok", "junk.pdf": "ok",
                        "scanned.pdf": "no text layer", "encrypted.pdf": "encrypted"}
    assert authors == ["Anna Hoffmann", "Lotte Hoex"] and (junk.year, junk.month) == (2020, 3)
    assert_consistent(cat)
    for f in report.files:
        att = cat.get(m.Attachment, f.attachment_id) if f.imported else None
        if att is not None and f.status != "encrypted":
            # the first-page picture is drawn when first asked for, not during the import
            assert att.has_thumbnail and not store.thumbnail_path(cat.library, att.sha256).exists()
            drawn = store.ensure_thumbnail(cat.library, att.sha256)
            assert drawn is not None and drawn.read_bytes().startswith(b"\x89PNG")
    if cat.library.is_shared:  # every desktop can reach the bytes through the database
        with cat.reading() as s:
            assert all(c is not None for c in s.scalars(select(m.StoredFile.content)))


def test_reimport_is_a_noop_that_says_so(cat: Catalogue, tmp_path: Path) -> None:
    path = pdfs.english_pdf(tmp_path / "a.pdf")
    first = import_paths(cat, [path]).files[0]
    copy = tmp_path / "copy of a.pdf"
    copy.write_bytes(path.read_bytes())
    again = import_paths(cat, [path, copy])
    assert [f.status for f in again.files] == ["duplicate", "duplicate"]
    assert again.files[0].message == f"already in the library (publication {first.publication_id}); nothing done"
    assert again.files[1].duplicate_of == first.publication_id
    assert cat.count(m.Attachment) == 1 and cat.count(m.Publication) == 1 and cat.count(m.StoredFile) == 1
    assert_consistent(cat)


def test_same_file_twice_in_one_batch_is_stored_once(cat: Catalogue, tmp_path: Path) -> None:
    path = pdfs.french_pdf(tmp_path / "one.pdf")
    (tmp_path / "two.pdf").write_bytes(path.read_bytes())
    report = import_paths(cat, [tmp_path])
    assert sorted(f.status for f in report.files) == ["duplicate", "ok"]
    assert cat.count(m.Attachment) == 1
    assert_consistent(cat)


def test_attach_to_an_existing_publication(cat: Catalogue, tmp_path: Path) -> None:
    pub = cat.add(m.Publication, title="Annual report 2021", year=2021)
    report = import_paths(cat, [pdfs.english_pdf(tmp_path / "a.pdf"), pdfs.french_pdf(tmp_path / "b.pdf")],
                          to_publication=pub.id)
    assert [f.publication_id for f in report.files] == [pub.id, pub.id]
    assert cat.count(m.Publication) == 1 and cat.get(m.Publication, pub.id).title == "Annual report 2021"
    with pytest.raises(NotFound):
        import_paths(cat, [tmp_path / "a.pdf"], to_publication=9999)


def test_password_opens_an_encrypted_file_later(cat: Catalogue, tmp_path: Path) -> None:
    path = pdfs.encrypted_pdf(tmp_path / "locked.pdf", user_password="secret")
    locked = import_paths(cat, [path]).files[0]
    assert locked.status == "encrypted" and locked.pages == 0
    wrong = import_paths(cat, [path], password="guess").files[0]
    assert wrong.status == "encrypted" and "does not open it" in wrong.message
    opened = import_paths(cat, [path], password="secret").files[0]
    assert opened.status == "ok" and opened.attachment_id == locked.attachment_id and opened.pages == 3
    att = cat.get(m.Attachment, locked.attachment_id)
    assert (att.status, att.page_count) == ("ok", 3)
    assert cat.get(m.Publication, att.publication_id).title == "Mapping artisanal mining sites in eastern DRC"
    assert_consistent(cat)


def test_size_limit_from_argument_and_setting(cat: Catalogue, tmp_path: Path) -> None:
    path = pdfs.english_pdf(tmp_path / "a.pdf")
    result = import_paths(cat, [path], max_bytes=100).files[0]
    assert result.status == "too large" and "over the limit" in result.message
    cat.set_setting("import.max_bytes", "200")
    assert import_paths(cat, [path]).files[0].status == "too large"
    cat.set_setting("import.max_bytes", str(10 * 1024 * 1024))
    assert import_paths(cat, [path]).files[0].status == "ok"


def test_missing_paths_are_reported_and_the_rest_imports(cat: Catalogue, tmp_path: Path) -> None:
    report = import_paths(cat, [tmp_path / "nowhere.pdf", pdfs.english_pdf(tmp_path / "a.pdf")])
    assert [(Path(f.path).name, f.status) for f in report.files] == [("nowhere.pdf", "missing"), ("a.pdf", "ok")]


def test_page_texts_are_normalised_in_the_catalogue(cat: Catalogue, tmp_path: Path) -> None:
    report = import_paths(cat, [pdfs.typography_pdf(tmp_path / "t.pdf"), pdfs.cjk_pdf(tmp_path / "c.pdf"),
                                pdfs.big_pdf(tmp_path / "big.pdf", 120)])
    with cat.reading() as s:
        texts = {f.path: [t for t in s.scalars(select(m.PageText.text).where(
            m.PageText.attachment_id == f.attachment_id).order_by(m.PageText.page))] for f in report.files}
    typo, cjk, big = texts.values()
    assert "efficiently traced" in typo[0] and "intermediaries" in typo[0]
    assert "中华人民共和国" in cjk[0]
    assert len(big) == 120 and "zq120x" in big[119]


def test_cancel_keeps_the_library_consistent(cat: Catalogue, tmp_path: Path) -> None:
    for i in range(8):
        pdfs.big_pdf(tmp_path / f"f{i}.pdf", 30 + i)
    cancel = threading.Event()

    def progress(p: ImportProgress) -> None:
        if p.files_done >= 2:
            cancel.set()

    report = import_paths(cat, [tmp_path], progress=progress, cancel=cancel)
    assert report.cancelled
    statuses = [f.status for f in report.files]
    assert statuses.count("ok") >= 2 and "cancelled" in statuses and len(statuses) == 8
    assert cat.count(m.Attachment) == statuses.count("ok")
    assert_consistent(cat)
    rest = import_paths(cat, [tmp_path])  # nothing was lost: the rest comes in next time
    ok = statuses.count("ok")
    assert sorted(f.status for f in rest.files) == sorted(["duplicate"] * ok + ["ok"] * (8 - ok))
    assert_consistent(cat)


@pytest.fixture(scope="module")
def slow_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """8,000 pages: long enough to be mid-file after half a second, and over a 1 s limit, on an idle machine
    (made by hand in milliseconds; the tests only read it)."""
    return pdfs.long_pdf(tmp_path_factory.mktemp("slow") / "slow.pdf", 8000)


def test_a_crashing_worker_costs_one_file(tmp_path: Path, slow_pdf: Path) -> None:
    files, thumbs = tmp_path / "files", tmp_path / "thumbs"
    thumbs.mkdir()
    slow = slow_pdf
    fine = pdfs.english_pdf(tmp_path / "fine.pdf")
    tasks = [Task(0, str(slow), "slow.pdf", None, "t0.part"), Task(1, str(fine), "fine.pdf", None, "t1.part")]
    pool = ExtractionPool(tasks, files, thumbs, frozenset(), workers=1).start()
    deadline = time.monotonic() + 20
    while not pool._workers and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # the worker is inside the slow file (a hostile PDF would segfault here)
    os.kill(pool._workers[0].process.pid, signal.SIGKILL)
    outcomes = {o.index: o for o in pool.outcomes()}
    pool.close()
    assert outcomes[0].status == "damaged" and "crashed the extractor (signal 9)" in outcomes[0].message
    assert outcomes[1].status == "ok" and outcomes[1].stored
    assert not list((files / "tmp").iterdir())  # the crashed file's partial copy is gone


def test_a_hanging_file_times_out(tmp_path: Path, slow_pdf: Path) -> None:
    slow = slow_pdf
    fine = pdfs.english_pdf(tmp_path / "fine.pdf")
    tasks = [Task(0, str(slow), "slow.pdf", None, "t0.part"), Task(1, str(fine), "fine.pdf", None, "t1.part")]
    (tmp_path / "thumbs").mkdir()
    pool = ExtractionPool(tasks, tmp_path / "files", tmp_path / "thumbs", frozenset(), workers=1, timeout=1.0).start()
    outcomes = {o.index: o for o in pool.outcomes()}
    pool.close()
    assert outcomes[0].status == "damaged" and "after 1 s" in outcomes[0].message
    assert outcomes[1].status == "ok"


def test_cli_prints_one_line_per_file_and_a_summary(location: str, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    pdfs.english_pdf(folder / "a.pdf")
    pdfs.text_renamed_pdf(folder / "b.pdf")
    assert main(["import", "-L", location, str(folder)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("ok") and out[0].endswith("a.pdf: 3 pages")
    assert out[1].startswith("not a pdf") and "b.pdf: not a PDF" in out[1]
    assert out[2].startswith("2 files (1 not a pdf, 1 ok); "
                             "records: 1 created, 0 matched existing ones, 1 refused; 3 pages")
    assert out[3].startswith("import ") and "kbase imports undo" in out[3]
    assert main(["import", "-L", location, "--json", str(folder / "a.pdf")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["files"][0]["status"] == "duplicate" and data["imported"] == 0
    assert main(["import", "-L", location, "--to", "999", str(folder)]) == 1
    assert "no publication with ID 999" in capsys.readouterr().err


def test_store_put_verify_orphans_and_shared_copies(cat: Catalogue, tmp_path: Path) -> None:
    lib = cat.library
    src = pdfs.english_pdf(tmp_path / "a.pdf")
    sha, size, created = store.put_file(lib, src)
    assert created and store.path_for(lib, sha).read_bytes() == src.read_bytes()
    assert store.put_file(lib, src) == (sha, size, False)
    assert store.orphans(lib) == [f"files/{sha[:2]}/{sha[2:]}"]  # no catalogue row yet
    assert store.orphans(lib, min_age=3600) == []  # a running import's files are left alone
    (lib.files_dir / store.TMP_DIR / "left.part").write_bytes(b"partial")
    assert store.remove_orphans(lib) == 2 and store.orphans(lib) == []
    report = import_paths(cat, [src])
    att = cat.get(m.Attachment, report.files[0].attachment_id)
    local = store.path_for(lib, att.sha256)
    local.unlink()
    problems = store.verify(lib)
    if lib.is_shared:  # the local folder is a cache: the database brings the file back
        assert problems == []
        assert store.ensure_local(lib, att.sha256).read_bytes() == src.read_bytes()
    else:
        assert [p.kind for p in problems] == ["missing"] and att.sha256[:12] in str(problems[0])
        with pytest.raises(NotFound):
            store.ensure_local(lib, att.sha256)


def test_bib_files_go_to_the_bibtex_importer_first(cat: Catalogue, tmp_path: Path) -> None:
    folder = tmp_path / "library"
    pdfs.english_pdf(folder / "pdfs" / "mapping.pdf")
    pdfs.french_pdf(folder / "loose.pdf")
    (folder / "refs.bib").write_text(
        "@techreport{ipis2021,\n  title = {Mapping artisanal mining sites},\n  author = {Matthysen, Ken},\n"
        "  year = {2021},\n  file = {:pdfs/mapping.pdf:PDF}\n}\n", encoding="utf-8")
    report = import_paths(cat, [folder])
    files = by_name(report)
    assert files["refs.bib"].status == "bibtex" and files["refs.bib"].message
    # the .bib entry brought its PDF in; the folder walk then finds it already there
    assert files["mapping.pdf"].status == "duplicate"
    pub = cat.get(m.Publication, files["mapping.pdf"].duplicate_of)
    assert pub.title == "Mapping artisanal mining sites" and pub.year == 2021
    assert files["loose.pdf"].status == "ok"
    assert_consistent(cat)


def test_several_targets_in_one_call(cat: Catalogue, tmp_path: Path) -> None:
    a = cat.add(m.Publication, title="First")
    b = cat.add(m.Publication, title="Second")
    one, two = pdfs.english_pdf(tmp_path / "one.pdf"), pdfs.french_pdf(tmp_path / "two.pdf")
    report = import_paths(cat, [one, two], to_publications={str(one): a.id, two: b.id})
    assert [f.publication_id for f in report.files] == [a.id, b.id]
    assert cat.count(m.Publication) == 2


def test_typed_queries_find_imported_text(sqlite_demo: Catalogue, tmp_path: Path) -> None:
    """Ligatures, hyphenation and CJK as a person types them find the page (through the index)."""
    from kbase.search.api import search

    cat = sqlite_demo
    report = by_name(import_paths(cat, [pdfs.typography_pdf(tmp_path / "typo.pdf"), pdfs.cjk_pdf(tmp_path / "cjk.pdf"),
                                        pdfs.big_pdf(tmp_path / "long.pdf", 130)]))
    assert report["typo.pdf"].status == "ok" and report["cjk.pdf"].status == "ok"
    expected = {"financial flows": "typo.pdf", "efficiently": "typo.pdf", "intermediaries": "typo.pdf",
                "人民": "cjk.pdf", "矿产资源": "cjk.pdf", "検索": "cjk.pdf", "zq130x": "long.pdf"}
    for query, name in expected.items():
        hits = search(cat, query).hits
        assert [h.publication_id for h in hits] == [report[name].publication_id], query
    page = search(cat, "zq130x").hits[0].pages[0].page
    assert page == 130  # no cap on pages, and the page number comes back


def test_the_indexer_backlog_holds_the_import_back(cat: Catalogue, tmp_path: Path) -> None:
    """add() returns only once the backlog of pages not yet indexed is back under the limit."""
    from kbase.imports.indexer import BackgroundIndexer
    from kbase.search.api import search

    names = [f"doc{i}" for i in range(4)]
    paths = [pdfs.text_pdf(tmp_path / f"{n}.pdf", [f"page one of {n} zanzibar", "page two"]) for n in names]
    report = import_paths(cat, paths, index=False)
    atts = [f.attachment_id for f in report.files]
    indexer = BackgroundIndexer(cat.library, max_backlog=0)
    for att in atts:
        indexer.add(att, 2)
        assert indexer.backlog == 0  # waited for this one to be indexed
    indexer.finish()
    assert indexer.message is None and indexer.indexed == 8
    assert len(search(cat, "zanzibar").hits) == 4


def test_an_import_indexes_each_page_once_across_segments(cat: Catalogue, tmp_path: Path, monkeypatch) -> None:
    """Files still queued when the indexer commits a segment are indexed once, not a second time
    from the change log; the change log is applied at the end."""
    import kbase.imports.indexer
    from kbase.imports.indexer import BackgroundIndexer
    from kbase.search.api import search
    from kbase.search.indexing import Indexer, changes_behind, rebuild, writer_lock

    paths = [pdfs.text_pdf(tmp_path / f"doc{i}.pdf", [f"page one of doc{i} zanzibar", "page two"]) for i in range(12)]
    report = import_paths(cat, paths, index=False)
    rebuild(cat)
    written: list[int] = []  # publications whose documents were written, once per time
    refresh = Indexer._refresh_pubs

    def counting(self: Indexer, pub_ids: list[int], seq: int) -> int:
        written.extend(pub_ids)
        return refresh(self, pub_ids, seq)

    monkeypatch.setattr(Indexer, "_refresh_pubs", counting)
    monkeypatch.setattr(kbase.imports.indexer, "BATCH", 2)  # two files at a time, a segment every two
    with writer_lock(cat.library):  # the indexer waits for the lock: every file is queued when it starts
        indexer = BackgroundIndexer(cat.library, segment_pages=4)
        for f in report.files:
            cat.update(m.Publication, f.publication_id, subtitle="imported again")  # in the change log
            indexer.add(f.attachment_id, 2)
    indexer.finish()
    assert indexer.message is None and indexer.indexed == 24
    assert sorted(written) == sorted(f.publication_id for f in report.files)  # each one once
    assert changes_behind(cat) == 0
    assert len(search(cat, '"imported again"').hits) == len(search(cat, "zanzibar").hits) == 12


def test_files_a_first_index_build_took_in_are_not_indexed_again(cat: Catalogue, tmp_path: Path) -> None:
    """A library without an index gets one built from the catalogue when the import's indexer opens;
    the files committed by then come through its queue too, and are not written a second time
    (a second copy leaves a deleted document behind, which counts in every score's statistics)."""
    import shutil

    from kbase.imports.indexer import BackgroundIndexer
    from kbase.search.api import search
    from kbase.search.indexing import open_index

    paths = [pdfs.text_pdf(tmp_path / f"doc{i}.pdf", [f"page one of doc{i} zanzibar", "page two"]) for i in range(6)]
    report = import_paths(cat, paths, index=False)
    shutil.rmtree(cat.library.index_dir)  # no index yet: the indexer's first writer builds one
    indexer = BackgroundIndexer(cat.library)
    for f in report.files:
        indexer.add(f.attachment_id, 2)
    indexer.finish()
    assert indexer.message is None and indexer.indexed == 12
    with open_index(cat.library).reader() as r:
        assert r.doc_count() == r.doc_count_all() == 6 + 12  # a metadata document and two pages each
    assert len(search(cat, "zanzibar").hits) == 6


def test_a_big_import_indexes_in_a_child_process(cat: Catalogue, tmp_path: Path, monkeypatch) -> None:
    """From CHILD_FILES files on, the writer runs in a process of its own; search finds every file."""
    import kbase.imports.pipeline
    from kbase.search.api import search

    monkeypatch.setattr(kbase.imports.pipeline, "CHILD_FILES", 3)
    paths = [pdfs.text_pdf(tmp_path / f"doc{i}.pdf", [f"page one of doc{i} zanzibar", "page two"]) for i in range(4)]
    report = import_paths(cat, paths)
    assert report.index_message is None and report.indexed == 8
    assert "index process" in report.cpu_seconds and "index thread" not in report.cpu_seconds
    assert report.cpu_seconds["index process"] > 0 and report.index_peak_mb > 0
    assert len(search(cat, "zanzibar").hits) == 4


def test_an_index_process_that_dies_leaves_the_import_going(cat: Catalogue, tmp_path: Path) -> None:
    """The importer does not wait for a dead index process, and nothing is lost: the next sync catches up."""
    from kbase.imports.indexer import BackgroundIndexer
    from kbase.search.api import search
    from kbase.search.indexing import changes_behind, sync

    paths = [pdfs.text_pdf(tmp_path / f"doc{i}.pdf", [f"page one of doc{i} zanzibar", "page two"]) for i in range(3)]
    report = import_paths(cat, paths, index=False)
    indexer = BackgroundIndexer(cat.library, max_backlog=0, in_child=True)
    assert indexer.pid is not None
    os.kill(indexer.pid, signal.SIGKILL)
    for f in report.files:
        indexer.add(f.attachment_id, 2)  # max_backlog=0 would wait for a live child
    indexer.finish()
    assert indexer.message is not None and "index process stopped" in indexer.message
    assert changes_behind(cat) is None  # nothing committed: the index is still to be built
    sync(cat)
    assert len(search(cat, "zanzibar").hits) == 3


def test_near_the_end_the_workers_yield_to_the_index(tmp_path: Path, slow_pdf: Path) -> None:
    """yield_to_index lowers the workers' priority, a replacement's too; they start at the importer's."""
    from kbase.imports.pool import LATE_NICE

    files, thumbs = tmp_path / "files", tmp_path / "thumbs"
    thumbs.mkdir()
    tasks = [Task(i, str(slow_pdf), f"slow{i}.pdf", None, f"t{i}.part") for i in range(2)]
    pool = ExtractionPool(tasks, files, thumbs, frozenset(), workers=1).start()
    deadline = time.monotonic() + 20
    while not pool._workers and time.monotonic() < deadline:
        time.sleep(0.05)
    first = pool._workers[0].process.pid
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    late = min(mine + LATE_NICE, 19)
    assert os.getpriority(os.PRIO_PROCESS, first) == mine
    pool.yield_to_index()
    pool.yield_to_index()  # once only
    assert os.getpriority(os.PRIO_PROCESS, first) == late
    os.kill(first, signal.SIGKILL)  # its replacement takes the second slow file, as nice
    while pool._workers[0].process.pid == first and time.monotonic() < deadline:
        time.sleep(0.05)
    second = pool._workers[0].process.pid
    assert second != first and os.getpriority(os.PRIO_PROCESS, second) == late
    os.kill(second, signal.SIGKILL)
    outcomes = {o.index: o for o in pool.outcomes()}
    pool.close()
    assert {o.status for o in outcomes.values()} == {"damaged"}


def test_a_copy_the_disk_refuses_is_not_imported(tmp_path: Path, monkeypatch) -> None:
    """The store's copy is flushed in the worker's fsync thread while the file is read; a flush
    that fails leaves nothing in the store and says why, and the next file goes on."""
    import errno

    from kbase.files.blobs import Syncing
    from kbase.imports.pool import process_file

    files, thumbs = tmp_path / "files", tmp_path / "thumbs"
    good, bad = pdfs.english_pdf(tmp_path / "good.pdf"), pdfs.french_pdf(tmp_path / "bad.pdf")
    real_fsync = os.fsync
    failing = {"on": True}

    def fsync(fd: int) -> None:
        if failing["on"]:
            raise OSError(errno.EIO, "Input/output error")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    syncing = Syncing()
    out = process_file(Task(0, str(bad), bad.name, None, "bad.part"), files, thumbs, frozenset(), syncing)
    assert (out.status, out.stored) == ("damaged", False)
    assert out.message == "cannot copy the file into the library: Input/output error; not imported"
    assert [p for p in files.rglob("*") if p.is_file()] == []
    failing["on"] = False
    out = process_file(Task(1, str(good), good.name, None, "good.part"), files, thumbs, frozenset(), syncing)
    assert (out.status, out.stored, out.page_count) == ("ok", True, 3)
    assert store.blob_path(files, out.sha256).read_bytes() == good.read_bytes()
    assert [p.name for p in (files / "tmp").iterdir()] == []


def test_the_fsync_thread_reports_a_file_that_is_gone(tmp_path: Path) -> None:
    from kbase.files.blobs import Syncing

    syncing = Syncing()
    kept = tmp_path / "kept"
    kept.write_bytes(b"x")
    syncing.start(kept)
    syncing.wait()
    syncing.start(tmp_path / "gone")
    with pytest.raises(FileNotFoundError):
        syncing.wait()
    syncing.start(kept)  # one failure does not stop the thread
    syncing.wait()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the fork server is Linux's")
def test_the_index_process_forks_only_from_a_server_started_early() -> None:
    """`kbase import` starts the fork server first, with the index process's modules: that process
    then forks from it. Elsewhere (the desktop, a script) it starts fresh, beside the workers,
    instead of waiting for a new server to load them."""
    import subprocess

    probe = ("from kbase.imports import early\n"
             "print(early.index_preload())\n"
             "early.start_extraction_server()\n"
             "print(early.index_preload() == early.INDEX_PRELOAD)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.stdout.split("\n")[:2] == ["[]", "True"], done.stderr
