"""An import in a child process: the same report as in-process, progress, cancel, and failures as messages."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from kbase.catalogue.records import Catalogue
from kbase.imports.process import ImportFailed, ImportProcess
from kbase.library import models as m
from tests.pdfs import english_pdf, truncated_pdf


def test_the_child_imports_and_reports_every_file(sqlite_demo: Catalogue, tmp_path: Path) -> None:
    english_pdf(tmp_path / "in" / "one.pdf")
    english_pdf(tmp_path / "in" / "two.pdf", n_pages=2)
    truncated_pdf(tmp_path / "in" / "broken.pdf")
    before = sqlite_demo.count(m.Attachment)
    seen: list[object] = []
    report = ImportProcess(sqlite_demo.library.location, [tmp_path / "in"]).run(progress=seen.append)
    statuses = {Path(f.path).name: f.status for f in report.files}
    assert statuses == {"one.pdf": "ok", "two.pdf": "ok", "broken.pdf": "damaged"}
    assert report.imported == 2 and report.pages == 5 and not report.cancelled
    assert sqlite_demo.count(m.Attachment) == before + 2  # committed by the child, seen here
    assert seen and seen[-1].phase == "done"  # type: ignore[attr-defined]


def test_cancel_keeps_what_was_committed_and_lists_the_rest(sqlite_demo: Catalogue, tmp_path: Path) -> None:
    for i in range(30):
        english_pdf(tmp_path / "many" / f"doc{i:02}.pdf", n_pages=2)
    before = sqlite_demo.count(m.Attachment)
    report = ImportProcess(sqlite_demo.library.location, [tmp_path / "many"]).run(cancelled=lambda: True)
    assert report.cancelled and len(report.files) == 30
    imported = [f for f in report.files if f.imported]
    assert all(f.status in ("ok", "cancelled") for f in report.files)
    assert sqlite_demo.count(m.Attachment) == before + len(imported)
    for f in imported:
        assert sqlite_demo.get(m.Attachment, f.attachment_id).publication_id == f.publication_id


def test_a_failure_in_the_child_is_a_message(sqlite_demo: Catalogue, tmp_path: Path) -> None:
    english_pdf(tmp_path / "one.pdf")
    with pytest.raises(ImportFailed) as caught:
        ImportProcess(str(tmp_path / "nowhere"), [tmp_path / "one.pdf"]).run()
    assert "no library at" in str(caught.value) and "Traceback" not in str(caught.value)
    assert "Traceback" in caught.value.details
    with pytest.raises(ImportFailed, match="not found|no publication|999999"):
        ImportProcess(sqlite_demo.library.location, [tmp_path / "one.pdf"], to_publication=999999).run()


def test_a_killed_child_is_a_message(sqlite_demo: Catalogue, tmp_path: Path) -> None:
    for i in range(20):
        english_pdf(tmp_path / "many" / f"doc{i:02}.pdf", n_pages=2)
    job = ImportProcess(sqlite_demo.library.location, [tmp_path / "many"])
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            job.run()
        except ImportFailed as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 30
    while job.pid is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert job.pid is not None
    os.kill(job.pid, signal.SIGKILL)
    thread.join(60)
    assert not thread.is_alive()
    assert outcome and "stopped unexpectedly" in str(outcome[0])
    assert job.exitcode == -signal.SIGKILL
