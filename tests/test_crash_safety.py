"""An import killed with SIGKILL at random points leaves catalogue, store and index consistent."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

import pdfs
from kbase.library import models as m
from kbase.files import store
from kbase.catalogue.records import Catalogue
from kbase.integrity.check import check_library
from kbase.library.db import open_library

RUNNER = "import sys; from kbase.cli import main; sys.exit(main(sys.argv[1:]))"


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
    return good


def killed_import(location: str, folder: Path, after: float) -> None:
    proc = subprocess.Popen([sys.executable, "-c", RUNNER, "import", "-L", location, str(folder)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    time.sleep(after)
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the importer, its workers and the fork server
    except ProcessLookupError:
        pass
    proc.wait(30)


def assert_catalogue_consistent(cat: Catalogue) -> None:
    """What the killed import committed is whole: page rows match, files are in the store."""
    with cat.reading() as s:
        rows = s.execute(select(m.Attachment.id, m.Attachment.sha256, m.Attachment.status, m.Attachment.page_count)).all()
        for att_id, sha, status, pages in rows:
            n = s.scalar(select(func.count()).where(m.PageText.attachment_id == att_id))
            assert n == (pages if status in ("ok", "no text layer") else 0)
            assert s.get(m.StoredFile, sha) is not None
        assert s.scalar(select(func.count()).select_from(m.Publication)) == len(rows)
    assert store.verify(cat.library, deep=True) == []  # no catalogue row without its file


@pytest.mark.slow
def test_sigkill_at_random_points(location: str, tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    expected = corpus(folder)
    rng = random.Random(20261122)
    for after in sorted(rng.uniform(0.2, 3.0) for _ in range(6)):
        killed_import(location, folder, after)
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
    done = subprocess.run([sys.executable, "-c", RUNNER, "import", "-L", location, str(folder)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    cat = Catalogue(open_library(location))
    try:
        assert cat.count(m.Attachment) == expected
        assert_catalogue_consistent(cat)
        assert check_library(cat).problems == []
    finally:
        cat.library.close()


def test_ctrl_c_stops_cleanly(location: str, tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    corpus(folder)
    proc = subprocess.Popen([sys.executable, "-c", RUNNER, "import", "-L", location, str(folder)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    lib = open_library(location)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:  # wait for the first committed file
            with lib.session() as s:
                if s.scalar(select(func.count()).select_from(m.Attachment)):
                    break
            time.sleep(0.05)
    finally:
        lib.close()
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends to the whole process group
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
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
