"""Several desktops on one PostgreSQL catalogue: no lost update, no double import, indexes that catch up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import func, select

from kbase.catalogue.records import Catalogue
from kbase.errors import ConflictError
from kbase.files.store import ensure_local
from kbase.library import models as m
from kbase.library.db import open_library
from kbase.search.api import forget, search
from kbase.search.indexing import sync
from kbase.team.conflicts import describe_conflict, merge_fields, save_merged
from tests.conftest import PG_URL, new_pg_database, pg_url_for
from tests.pdfs import text_pdf

pytestmark = pytest.mark.skipif(not PG_URL, reason="no PostgreSQL test server (run the tests with `make test`)")


def desktop(url: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Catalogue:
    """One desktop: its own connection pool and its own local folder (index, file cache)."""
    monkeypatch.setenv("KBASE_LOCAL_DIR", str(folder))
    return Catalogue(open_library(url, create=True))


@pytest.fixture
def url() -> Iterator[str]:
    yield pg_url_for(new_pg_database())


def test_second_save_is_refused_and_nothing_is_lost(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = desktop(url, tmp_path / "a", monkeypatch)
    b = desktop(url, tmp_path / "b", monkeypatch)
    pub = a.add(m.Publication, title="Gold in Kamituga", year=2020, place="Antwerp")
    opened_a = a.get(m.Publication, pub.id).model_dump()
    opened_b = b.get(m.Publication, pub.id).model_dump()
    a.update(m.Publication, pub.id, expected_version=opened_a["version"], title="Gold mining in Kamituga")
    mine = {"year": 2021, "title": "Gold and tin in Kamituga"}
    with pytest.raises(ConflictError) as refused:
        b.update(m.Publication, pub.id, expected_version=opened_b["version"], **mine)
    err = refused.value
    assert "changed by someone else (your version 1, saved version 2)" in str(err)
    assert err.mine == mine and err.theirs["title"] == "Gold mining in Kamituga" and err.theirs["version"] == 2
    assert describe_conflict(err, opened_b).splitlines()[1:] == [
        "  year: yours 2021 | saved 2020",
        "  title: yours 'Gold and tin in Kamituga' | saved 'Gold mining in Kamituga'  (changed by them too)",
    ]
    stored = a.get(m.Publication, pub.id)
    assert (stored.title, stored.year, stored.version) == ("Gold mining in Kamituga", 2020, 2)
    # field by field: the year only B changed goes in, the title both changed is a clash
    merged = merge_fields(opened_b, mine, err.theirs)
    assert merged.values == {"year": 2021}
    assert merged.clashes == {"title": ("Gold and tin in Kamituga", "Gold mining in Kamituga")}
    with pytest.raises(ConflictError, match="both you and someone else changed title"):
        save_merged(b, m.Publication, pub.id, opened_b, mine)
    saved = save_merged(b, m.Publication, pub.id, opened_b, {"year": 2021})
    assert (saved.title, saved.year, saved.version) == ("Gold mining in Kamituga", 2021, 3)
    for c in (a, b):
        c.library.close()


def test_many_desktops_editing_at_once_lose_no_update(url: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    first = desktop(url, tmp_path / "d0", monkeypatch)
    pub = first.add(m.Publication, title="Counter", pages="0")
    desks = [first] + [desktop(url, tmp_path / f"d{i}", monkeypatch) for i in range(1, 6)]
    conflicts = [0] * len(desks)
    done = [0] * len(desks)

    def work(i: int) -> None:
        cat = desks[i]
        while done[i] < 15:  # read, add one, save against the version read; on refusal read again
            rec = cat.get(m.Publication, pub.id)
            try:
                cat.update(m.Publication, pub.id, expected_version=rec.version, pages=str(int(rec.pages) + 1))
                done[i] += 1
            except ConflictError:
                conflicts[i] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(desks))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    final = first.get(m.Publication, pub.id)
    assert int(final.pages) == sum(done) == 90
    assert final.version == 1 + sum(done)
    assert sum(conflicts) > 0  # they really did collide
    for c in desks:
        c.library.close()


def test_two_desktops_import_the_same_folder_at_once(url: str, tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    for i in range(8):
        text_pdf(folder / f"report{i}.pdf", [f"Survey number {i} of mining sites", f"Second page of survey {i}"])
    (folder / "copy-of-report0.pdf").write_bytes((folder / "report0.pdf").read_bytes())
    Catalogue(open_library(url, create=True)).library.close()  # schema in place before the race
    procs = []
    for name in ("a", "b", "c"):
        env = {**os.environ, "KBASE_LOCAL_DIR": str(tmp_path / name)}
        command = [sys.executable, "-m", "kbase.cli", "--library", url, "import", str(folder), "--no-index", "--json"]
        procs.append(subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    outputs = [p.communicate(timeout=300) for p in procs]
    cat = Catalogue(open_library(url))
    with cat.reading() as s:
        files = s.scalar(select(func.count()).select_from(m.StoredFile))
        shas = s.scalar(select(func.count(func.distinct(m.Attachment.sha256))))
        attachments = s.scalar(select(func.count()).select_from(m.Attachment))
        pubs = s.scalar(select(func.count()).select_from(m.Publication))
        sizes = list(s.execute(select(m.StoredFile.size, func.length(m.StoredFile.content))))
    assert (files, shas, attachments, pubs) == (8, 8, 8, 8), outputs
    assert all(size == length for size, length in sizes)
    for _out, err in outputs:
        assert "internal error" not in err and "Traceback" not in err
    # each desktop's report: every file imported by it or found already there, none failed
    reports = [json.loads(out) for out, _err in outputs]
    statuses = [[f["status"] for f in r["files"]] for r in reports]
    assert all(len(st) == 9 and set(st) <= {"ok", "duplicate"} for st in statuses), statuses
    assert sum(st.count("ok") for st in statuses) == 8
    cat.library.close()


def test_an_index_catches_up_with_what_another_desktop_imported(url: str, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from kbase.imports.pipeline import import_paths

    a = desktop(url, tmp_path / "a", monkeypatch)
    b = desktop(url, tmp_path / "b", monkeypatch)
    sync(b)  # B's index exists and is up to date before A's work
    assert search(b, "Kalehe").total == 0
    pdf = text_pdf(tmp_path / "kalehe.pdf", ["Gold panning along the Kalehe river", "Traders in Bukavu"])
    report = import_paths(a, [pdf], workers=1)
    assert report.files[0].imported
    pub = a.add(m.Publication, title="Charcoal trade in Masisi", year=2022)
    applied = sync(b)
    assert applied >= 2
    hits = search(b, "Kalehe")
    assert [h.publication_id for h in hits.hits] == [report.files[0].publication_id]
    assert [h.publication_id for h in search(b, "Masisi").hits] == [pub.id]
    assert sync(b) == 0  # nothing new: nothing to do
    # B opens the file: its bytes come from the database into B's own cache
    sha = a.get(m.Attachment, report.files[0].attachment_id).sha256
    cached = ensure_local(b.library, sha)
    assert cached.is_relative_to(tmp_path / "b") and cached.read_bytes() == pdf.read_bytes()
    # a deletion reaches B's index too
    a.delete(m.Publication, pub.id)
    sync(b)
    assert search(b, "Masisi").total == 0
    for c in (a, b):
        forget(c)
        c.library.close()


def test_a_week_offline_catches_up_in_one_pass(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = desktop(url, tmp_path / "a", monkeypatch)
    b = desktop(url, tmp_path / "b", monkeypatch)
    first = a.add(m.Publication, title="Opening note", year=2020)
    sync(b)
    with a.transaction():  # a busy week on the other desktops: more changes than one batch of the log
        pubs = [a.add(m.Publication, title=f"Weekly bulletin {i}", year=2021) for i in range(300)]
        for round_ in range(8):
            for p in pubs:
                a.update(m.Publication, p.id, title=f"Weekly bulletin {p.id} revision{round_}")
        a.update(m.Publication, first.id, title="Opening note on Walungu")
    pending = a.count(m.Change) - 1
    assert pending > 2000
    assert sync(b) == pending  # one call, every change
    assert search(b, "Walungu").total == 1
    assert search(b, "revision7").total == 300 and search(b, "revision6").total == 0
    assert not [f for f in (tmp_path / "b" / "files").rglob("*") if f.is_file()]  # no PDF was needed
    forget(b)
    for c in (a, b):
        c.library.close()


def test_a_change_committed_late_is_not_skipped(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A slow transaction that logged its change first and commits last must still reach other indexes."""
    a = desktop(url, tmp_path / "a", monkeypatch)
    b = desktop(url, tmp_path / "b", monkeypatch)
    c = desktop(url, tmp_path / "c", monkeypatch)
    sync(c)
    finished = threading.Event()

    def quick_edit() -> None:
        b.add(m.Publication, title="Quick note on Uvira")
        finished.set()

    with a.transaction() as s:
        a.add(m.Publication, title="Slow import about Shabunda")
        s.flush()  # A's change row has its number now, A commits later
        other = threading.Thread(target=quick_edit)
        other.start()
        finished.wait(1.0)
        sync(c)  # C catches up while A is still writing
    other.join(30)
    assert finished.is_set()
    sync(c)
    assert search(c, "Shabunda").total == 1 and search(c, "Uvira").total == 1
    forget(c)
    for x in (a, b, c):
        x.library.close()
