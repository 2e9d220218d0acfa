"""`kbase report …` from the command line: files, formats, warnings on stderr, clear errors."""

from __future__ import annotations

from pathlib import Path

import docx
import pymupdf
import pytest

from kbase.catalogue.records import Catalogue
from kbase.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_annual_report_in_every_format(sqlite_demo: Catalogue, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    lib = sqlite_demo.library.location
    code, out, err = run(capsys, "report", "annual", "--year", "2021", "--format", "md", "-L", lib)
    assert code == 0 and out.startswith("# Annual report 2021")
    assert "kbase: missing: publication" in err and "no month" in err   # gaps go to stderr, not the report
    assert "kbase: missing" not in out
    for suffix in ("html", "pdf", "docx"):
        target = tmp_path / f"report.{suffix}"
        code, _, err = run(capsys, "report", "annual", "--year", "2021", "-o", str(target), "-L", lib)
        assert code == 0 and f"wrote {target}" in err
    assert (tmp_path / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert pymupdf.open(tmp_path / "report.pdf").page_count > 10
    headings = [p.text for p in docx.Document(str(tmp_path / "report.docx")).paragraphs
                if p.style.name == "Heading 1"]
    assert "Assignments 2019 – 2021" in headings
    assert not list(tmp_path.glob(".kbase-*"))   # no temporary file left behind


def test_sections_option_and_errors(sqlite_demo: Catalogue, capsys: pytest.CaptureFixture[str]) -> None:
    lib = sqlite_demo.library.location
    code, out, _ = run(capsys, "report", "annual", "--year", "2021", "--sections", "team,assignments", "-L", lib)
    assert code == 0 and out.index("## Team") < out.index("## Assignments")
    code, _, err = run(capsys, "report", "annual", "--year", "2021", "--sections", "budget", "-L", lib)
    assert code == 1 and "unknown report section 'budget'" in err and "Traceback" not in err
    code, _, err = run(capsys, "report", "annual", "--year", "2021", "--format", "pdf", "-L", lib)
    assert code == 1 and "need an output file" in err
    code, _, err = run(capsys, "report", "annual", "--year", "2021", "-o", "/nonexistent/dir/r.md", "-L", lib)
    assert code == 1 and "cannot write /nonexistent/dir/r.md" in err


def test_project_sheet_and_bibliography(sqlite_demo: Catalogue, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    lib = sqlite_demo.library.location
    code, out, _ = run(capsys, "report", "project", "Kufatilia", "-L", lib)
    assert code == 0 and out.startswith("# Kufatilia – Incident reporting and monitoring")
    # as the report names it
    assert "- **2020**: for European Commission, Instrument contributing to Stability and Peace" in out
    assert "Misisi gold, a polluted supply chain" in out
    sheet = tmp_path / "kufatilia.pdf"
    assert run(capsys, "report", "project", "Kufatilia", "-o", str(sheet), "-L", lib)[0] == 0
    assert pymupdf.open(sheet).page_count == 1   # a one-page sheet, no cover
    code, _, err = run(capsys, "report", "project", "no such project", "-L", lib)
    assert code == 1 and "kbase: error:" in err
    code, out, _ = run(capsys, "report", "bibliography", "--year", "2021", "--series", "IPIS Briefing",
                       "--group-by", "series", "-L", lib)
    assert code == 0 and "## IPIS Briefing (10)" in out
