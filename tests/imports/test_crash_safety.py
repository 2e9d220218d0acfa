"""An import killed with SIGKILL at random points leaves catalogue, store and index consistent."""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path
from typing import Iterator

import pdfs
import pytest
from sqlalchemy import func, select

from kbase.catalogue.records import Catalogue
from kbase.files import store
from kbase.integrity.check import check_library
from kbase.library import models as m
from kbase.library.db import open_library
from tests.conftest import made_once
from tests.forked_cli import CliServer, Forked


@pytest.fixture(scope="module")
def kbase_cli() -> Iterator[CliServer]:
    """`kbase` runs here are forks of one loaded command (tests/forked_cli.py): ~30 runs, ~1 CPU-s saved each."""
    server = CliServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def pdf_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The PDF corpus, made once a run (1,470 pages, ~2 CPU-s) and only read by the imports."""
    folder = made_once(tmp_path_factory, "crash-corpus", corpus)
    assert len(list(folder.iterdir())) == 29
    return folder


CORPUS_GOOD = 27  # the files of corpus() that import


def corpus(folder: Path) -> int:
    """About thirty files of every size, a few broken; returns how many should import."""
    good = 0
    for i in range(24):
        pdfs.big_pdf(folder / f"doc{i:02d}.pdf", 20 + 15 * (i % 7))
        good += 1
    pdfs.scanned_pdf(folder / "scan.pdf")
    pdfs.encrypted_pdf(folder / "locked.pdf")
    pdfs.french_pdf(folder / "fr.pdf")
    good += 3
    pdfs.truncated_pdf(folder / "cut.pdf")
    pdfs.text_renamed_pdf(folder / "notes.pdf")
    assert good == CORPUS_GOOD
    return good


def killed_import(kbase_cli: CliServer, location: str, folder: Path, after: float) -> None:
    proc = kbase_cli.run(["import", "-L", location, str(folder)])
    time.sleep(after)
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the importer, its workers and the fork server
    except ProcessLookupError:
        pass
    proc.wait(30)


def finished(proc: Forked, tmp_path: Path, timeout: float) -> tuple[int, str, str]:
    """Its exit code, stdout and stderr once it ends."""
    code = proc.wait(timeout)
    return code, (tmp_path / "out.txt").read_text(), (tmp_path / "err.txt").read_text()


def run_to_end(kbase_cli: CliServer, tmp_path: Path, args: list[str]) -> tuple[int, str, str]:
    return finished(kbase_cli.run(args, tmp_path / "out.txt", tmp_path / "err.txt"), tmp_path, 300)


def assert_catalogue_consistent(cat: Catalogue) -> None:
    """What the killed import committed is whole: page rows match, files are in the store."""
    with cat.reading() as s:
        rows = s.execute(select(m.Attachment.id, m.Attachment.sha256, m.Attachment.status,
                                m.Attachment.page_count)).all()
        for att_id, sha, status, pages in rows:
            n = s.scalar(select(func.count()).where(m.PageText.attachment_id == att_id))
            assert n == (pages if status in ("ok", "no text layer") else 0)
            assert s.get(m.StoredFile, sha) is not None
        assert s.scalar(select(func.count()).select_from(m.Publication)) == len(rows)
    assert store.verify(cat.library, deep=True) == []  # no catalogue row without its file


@pytest.mark.slow
def test_sigkill_at_random_points(location: str, tmp_path: Path, kbase_cli: CliServer, pdf_corpus: Path) -> None:
    folder = pdf_corpus
    expected = CORPUS_GOOD
    rng = random.Random(20261122)
    for after in sorted(rng.uniform(0.2, 3.0) for _ in range(4)):
        killed_import(kbase_cli, location, folder, after)
        cat = Catalogue(open_library(location))
        try:
            assert_catalogue_consistent(cat)
            report = check_library(cat, repair=True)
            assert report.remaining == [], [str(p) for p in report.remaining]
            assert store.orphans(cat.library) == []
            assert check_library(cat).problems == []  # clean after repair
        finally:
            cat.library.close()
    # a last run without a kill brings in everything: no file was lost on the way
    code, _, err = run_to_end(kbase_cli, tmp_path, ["import", "-L", location, str(folder)])
    assert code == 0, err
    cat = Catalogue(open_library(location))
    try:
        assert cat.count(m.Attachment) == expected
        assert_catalogue_consistent(cat)
        assert check_library(cat).problems == []
    finally:
        cat.library.close()


def test_ctrl_c_stops_cleanly(location: str, tmp_path: Path, kbase_cli: CliServer, pdf_corpus: Path) -> None:
    proc = kbase_cli.run(["import", "-L", location, str(pdf_corpus)], tmp_path / "out.txt", tmp_path / "err.txt")
    lib = open_library(location)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and proc.poll() is None:  # wait for the first committed file
            with lib.session() as s:
                if s.scalar(select(func.count()).select_from(m.Attachment)):
                    break
            time.sleep(0.05)
    finally:
        lib.close()
    assert proc.poll() is None, finished(proc, tmp_path, 0)  # the import is still running
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends to the whole process group
    code, out, err = finished(proc, tmp_path, 120)
    assert code == 130, err
    assert "stopping after the current file" in err and "Traceback" not in err
    summary = [line for line in out.splitlines() if line.startswith("cancelled: ")]
    assert len(summary) == 1 and summary[0].startswith("cancelled: 29 files")
    cancelled = [line for line in out.splitlines() if line.startswith("cancelled ")]
    cat = Catalogue(open_library(location))
    try:
        imported = cat.count(m.Attachment)
        assert imported >= 1 and cancelled and imported + len(cancelled) <= 29
        assert_catalogue_consistent(cat)
        assert store.orphans(cat.library) == []  # files read but not committed were taken back out
    finally:
        cat.library.close()


def _bib_corpus(folder: Path, files: int, entries: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for f in range(files):
        lines = [f"@article{{f{f}e{i}, author = {{Author{f}x{i}, Ann and Second, Bob}}, "
                 f"title = {{Work {i} of file {f} on cobalt and gold}}, journal = {{Journal {f}}}, "
                 f"year = {2000 + i % 20}, volume = {i}, pages = {{{i}--{i + 9}}}, keywords = {{k{i % 7}, gold}}}}"
                 for i in range(entries)]
        (folder / f"refs{f:02d}.bib").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _per_file_counts(location: str, files: int) -> list[int]:
    lib = open_library(location)
    try:
        with lib.session() as s:
            return [int(s.scalar(select(func.count()).where(m.Publication.citekey.like(f"f{f}e%"))) or 0)
                    for f in range(files)]
    finally:
        lib.close()


def _batches(location: str) -> int:
    lib = open_library(location)
    try:
        with lib.session() as s:
            return int(s.scalar(select(func.count()).select_from(m.ImportBatch)) or 0)
    finally:
        lib.close()


@pytest.mark.slow
def test_sigkill_never_leaves_part_of_a_bib_file(location: str, tmp_path: Path, kbase_cli: CliServer) -> None:
    files, entries = 8, 300  # an import of ~4 s on a quiet machine: room for kills inside it
    folder = tmp_path / "bibs"
    _bib_corpus(folder, files, entries)
    rng = random.Random(20261204)
    partial_runs = 0
    for run in range(4):
        proc = kbase_cli.run(["import", "-L", location, str(folder)])
        deadline = time.monotonic() + 120
        while _batches(location) <= run and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)  # the import has started its batch: from here on it writes
        time.sleep(rng.uniform(0.2, 1.2))  # the first file commits a few tenths of a second after the batch
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(30)
        counts = _per_file_counts(location, files)
        assert all(n in (0, entries) for n in counts), counts  # a file comes in whole or not at all
        partial_runs += 0 < sum(counts) < files * entries
        lib = open_library(location)
        try:
            with lib.session() as s:  # every record the kills left is in a batch, so it can be undone
                made = s.scalar(select(func.count()).select_from(m.Publication))
                items = s.scalar(select(func.count()).where(m.ImportItem.kind == "publication",
                                                            m.ImportItem.op == "created"))
                assert made == items
        finally:
            lib.close()
    assert partial_runs, "no kill landed in the middle of the import: the test proved nothing"
    code, _, err = run_to_end(kbase_cli, tmp_path, ["import", "-L", location, str(folder), "--json"])
    assert code == 0, err
    assert _per_file_counts(location, files) == [entries] * files
