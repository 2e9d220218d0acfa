"""Import batches: every import is recorded, counts add up, a dry run writes nothing, and undo takes it back."""

from __future__ import annotations

import json
from pathlib import Path

import pdfs
import pytest
from sqlalchemy import func, select

from kbase.catalogue.records import Catalogue
from kbase.cli import main
from kbase.errors import InvalidInput
from kbase.files.store import path_for
from kbase.imports.batches import list_batches, undo_batch
from kbase.imports.pipeline import import_paths
from kbase.imports.records import import_bib
from kbase.integrity.check import check_library
from kbase.library import models as m

BIB = """
@article{kabila2019, author = {Kabila, Aline and Mwamba, Joseph}, title = {Gold flows from Ituri},
  journal = {Review of African Political Economy}, year = 2019, volume = 46, number = 3, pages = {1--20},
  keywords = {gold, artisanal mining}}
@techreport{ipis2021, author = {{International Peace Information Service}},
  title = {Mapping artisanal mines in South Kivu},
  institution = {IPIS}, year = 2021, month = jun}
@book{verweijen2020, author = {Verweijen, Judith}, title = {Violent capitalism}, publisher = {Zed}, year = 2020,
  isbn = {978-0-306-40615-7}}
"""


def _count(cat: Catalogue, model: type) -> int:
    with cat.reading() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _write(tmp_path: Path, text: str, name: str = "refs.bib") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_bib_import_is_a_batch_that_undo_takes_back(cat: Catalogue, tmp_path: Path) -> None:
    before = {model: _count(cat, model) for model in (m.Publication, m.Person, m.Organisation, m.Subject)}
    report = import_bib(cat, _write(tmp_path, BIB))
    assert len(report.created) == 3 and report.batch is not None
    batches = list_batches(cat)
    assert batches[0]["id"] == report.batch and batches[0]["status"] == "done"
    assert batches[0]["counts"] == {"parsed": 3, "created": 3, "matched": 0, "refused": 0}
    assert batches[0]["publications_created"] == 3
    assert _count(cat, m.Person) > before[m.Person]

    undone = undo_batch(cat, report.batch)
    assert undone.deleted["publications"] == 3
    after = {model: _count(cat, model) for model in before}
    assert after == before  # the people, organisations and subjects it made went with it
    assert list_batches(cat)[0]["status"] == "undone"
    with pytest.raises(InvalidInput, match="already undone"):
        undo_batch(cat, report.batch)


def test_undo_refuses_when_a_record_was_edited_since(cat: Catalogue, tmp_path: Path) -> None:
    report = import_bib(cat, _write(tmp_path, BIB))
    pid = dict(report.created)["kabila2019"]
    cat.update(m.Publication, pid, abstract="Checked by the librarian")
    with pytest.raises(InvalidInput, match=f"publication {pid}"):
        undo_batch(cat, report.batch or 0)
    assert cat.get(m.Publication, pid).abstract == "Checked by the librarian"  # nothing was undone
    assert _count(cat, m.Publication) >= 3


def test_update_fills_empty_fields_and_undo_puts_them_back(cat: Catalogue, tmp_path: Path) -> None:
    existing = cat.add(m.Publication, title="Violent capitalism", type="book", isbn="9780306406157")
    report = import_bib(cat, _write(tmp_path, BIB), on_duplicate="update")
    assert [(k, i) for k, i, _why in report.updated] == [("verweijen2020", existing.id)]
    item = next(r for r in report.records if r["key"] == "verweijen2020")
    assert item["action"] == "match" and item["target"] == existing.id and "ISBN" in item["reason"]
    assert "year" in item["changes"] and "citekey" in item["changes"]
    pub = cat.get(m.Publication, existing.id)
    assert (pub.year, pub.citekey) == (2020, "verweijen2020")
    with cat.reading() as s:
        assert s.scalar(select(func.count()).where(m.Contributor.publication_id == existing.id)) == 1

    undo_batch(cat, report.batch or 0)
    pub = cat.get(m.Publication, existing.id)
    assert (pub.title, pub.year, pub.citekey) == ("Violent capitalism", None, None)
    with cat.reading() as s:
        assert s.scalar(select(func.count()).where(m.Contributor.publication_id == existing.id)) == 0


def test_counts_add_up_and_every_refusal_has_its_line(cat: Catalogue, tmp_path: Path) -> None:
    text = BIB + "\n@article{broken, title = {Unclosed\n\n@misc{fine, title = {A fine entry}, year = 2018}\n"
    report = import_bib(cat, _write(tmp_path, text))
    again = import_bib(cat, _write(tmp_path, text, "again.bib"))
    for r in (report, again):
        d = r.as_dict()
        assert d["parsed"] == d["created"] + d["matched"] + d["refused"]
        assert all(p["line"] and p["file"] for p in d["problems"])
        assert len([p for p in d["problems"]]) >= d["refused"]
    assert again.as_dict()["created"] == 0 and again.as_dict()["matched"] == report.as_dict()["created"]


def test_a_pdf_import_is_undone_with_its_stored_file(cat: Catalogue, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    pdfs.text_pdf(folder / "a.pdf", ["Cobalt supply chains in Lualaba"])
    pdfs.text_pdf(folder / "b.pdf", ["Gold in Ituri and the road to Bunia"])
    report = import_paths(cat, [folder], index=False)
    assert report.totals() == {"created": 2, "matched": 0, "refused": 0}
    shas = [cat.get(m.Attachment, f.attachment_id).sha256 for f in report.files]
    assert all(f.batch == report.batch for f in report.files)
    undone = undo_batch(cat, report.batch or 0)
    assert undone.deleted["attachments"] == 2 and undone.deleted["publications"] == 2
    assert _count(cat, m.Attachment) == 0 and _count(cat, m.StoredFile) == 0
    assert not any(path_for(cat.library, sha).exists() for sha in shas)
    assert not [p for p in check_library(cat).problems if p.kind == "store"]


def test_cli_json_dry_run_writes_nothing(location: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bib = _write(tmp_path, BIB + "@article{\n")  # nothing to keep: not even a key
    assert main(["--library", location, "import", str(bib), "--dry-run", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert (plan["created"], plan["matched"], plan["refused"]) == (3, 0, 1)
    assert plan["problems"][0]["file"] == str(bib) and plan["problems"][0]["line"] == 10
    assert {r["action"] for r in plan["files"][0]["records"]} == {"new", "refused"}
    assert main(["--library", location, "imports", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []  # a dry run is no batch

    assert main(["--library", location, "import", str(bib), "--json"]) == 0
    done = json.loads(capsys.readouterr().out)
    assert (done["created"], done["refused"]) == (3, 1) and done["files"][0]["batch"] == done["batch"]
    assert main(["--library", location, "import", str(bib), "--json", "--dry-run"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["created"], again["matched"]) == (0, 3)
    assert main(["--library", location, "imports", "undo", str(done["batch"])]) == 0
    assert "3 publications" in capsys.readouterr().out
    assert main(["--library", location, "imports"]) == 0
    assert "undone" in capsys.readouterr().out
