"""Exports: BibTeX/biblatex, CSL-JSON, CSV and JSON with search filters, stable keys, no confidential leaks."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

from kbase.catalogue.query import Filter
from kbase.catalogue.records import Catalogue
from kbase.formats.bibtex import export_bib, export_csl_json, export_csv
from kbase.formats.bibtex.parse import parse_text
from kbase.formats.exporters import export_json
from kbase.library import models as m
from tests.cli_runner import run_cli

KBASE = [sys.executable, "-m", "kbase.cli"]


def _keys(text: str) -> list[str]:
    return [e.key for e in parse_text(text).entries]


def test_confidential_left_out_unless_asked(demo: Catalogue) -> None:
    total = demo.count(m.Publication)
    for text in (export_bib(demo), export_bib(demo, flavour="biblatex")):
        assert len(_keys(text)) == total - 1
        assert "Confidential security assessment" not in text
        assert "Internal field mission note" in text  # internal records are kept
    assert "Confidential security assessment" in export_bib(demo, include_confidential=True)
    assert len(json.loads(export_csl_json(demo))) == total - 1
    asked = Filter(visibility=["confidential"])
    assert export_bib(demo, asked) == "" and json.loads(export_json(demo, asked)) == []
    assert "Confidential" not in export_csv(demo) and "Confidential" not in export_json(demo)


def test_filters_are_the_search_filters(demo: Catalogue) -> None:
    f = Filter(year_from=2021, year_to=2021, types=["briefing"])
    keys = _keys(export_bib(demo, f))
    pubs = [p for p in demo.all(m.Publication)
            if p.year == 2021 and p.type == "briefing" and p.visibility != "confidential"]
    assert len(keys) == len(pubs) > 0
    region = Filter(region="South Kivu")
    assert 0 < len(json.loads(export_csl_json(demo, region))) < demo.count(m.Publication)


def test_citation_keys_are_stable(demo: Catalogue) -> None:
    first = _keys(export_bib(demo, include_confidential=True))
    assert len(set(first)) == len(first)
    stored = {p.id: p.citekey for p in demo.all(m.Publication)}
    assert all(stored.values())
    # a new publication with the same author, year and first word gets its own key; the old keys stay
    pub = demo.all(m.Publication)[0]
    twin = demo.add(m.Publication, title=pub.title + " (second edition)", year=pub.year, type=pub.type)
    contributors = [(c.role, "person" if c.person_id else "organisation", c.person_id or c.organisation_id)
                    for c in demo.all(m.Contributor) if c.publication_id == pub.id]
    demo.set_contributors(twin.id, contributors)
    demo.update(m.Publication, pub.id, title="Renamed: " + pub.title)  # a changed title keeps its key
    second = _keys(export_bib(demo, include_confidential=True))
    assert second[: len(first)] == first
    assert demo.get(m.Publication, twin.id).citekey == stored[pub.id] + "a"


def test_csl_json_items(sqlite_demo: Catalogue, tmp_path: Path) -> None:
    from kbase.imports.records import import_bib

    bib = Path(__file__).parent.parent / "data" / "bib" / "constructs.bib"
    import_bib(sqlite_demo, bib)
    items = {i["id"]: i for i in json.loads(export_csl_json(sqlite_demo))}
    art = items["nzeyimana2020"]
    assert art["type"] == "article-journal" and art["container-title"] == "Review of African Political Economy"
    assert art["issued"] == {"date-parts": [[2020, 6], [2020, 7]]} and art["DOI"] == "10.1080/03056244.2020.1234567"
    assert art["author"][0] == {"family": "Nzeyimana", "given": "Aimée"}
    assert art["author"][2] == {"literal": "International Alert"}
    beethoven = items["kasongo2021misisi"]["author"][2]
    assert beethoven == {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"}
    assert items["kasongo2021misisi"]["genre"] == "Briefing" and items["kufatilia-map"]["type"] == "map"
    assert items["parent2019"]["title"] == "Natural resources in conflict: Mapping the Great Lakes"


def test_csv_has_one_row_per_publication(demo: Catalogue) -> None:
    rows = list(csv.DictReader(io.StringIO(export_csv(demo, include_confidential=True))))
    assert len(rows) == demo.count(m.Publication)
    first = rows[0]
    pub = demo.get(m.Publication, int(first["id"]))
    assert first["title"] == pub.title and first["citekey"] == pub.citekey and first["year"] == str(pub.year)
    assert "; " in first["regions"] or first["regions"]


def test_ascii_flavour_writes_latex_accents(sqlite_demo: Catalogue) -> None:
    sqlite_demo.add(m.Publication, title="Étude sur l'or à Kamituga", year=2020, type="report")
    text = export_bib(sqlite_demo, ascii_only=True)
    assert "{\\'E}tude sur l'or {\\`a} Kamituga" in text
    parsed = {e.fields["title"] for e in parse_text(text).entries}
    assert any("Kamituga" in t for t in parsed)


def test_cli_export_and_help(demo_location: str, tmp_path: Path) -> None:
    out = tmp_path / "cat.bib"
    proc = run_cli(["--library", demo_location, "export", "biblatex", "--year", "2021", "-o", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8").startswith("@")
    proc = run_cli(["--library", demo_location, "export", "csv", "--visibility", "confidential"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "--include-confidential" in proc.stderr and "Traceback" not in proc.stderr
    helptext = run_cli(["export", "--help"], capture_output=True, text=True, timeout=60).stdout
    assert "--include-confidential" in helptext and "internal records are included" in helptext


def test_cli_with_files_needs_an_output_file(demo_location: str, tmp_path: Path) -> None:
    proc = run_cli(["--library", demo_location, "export", "bibtex", "--with-files"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "--with-files needs" in proc.stderr and "Traceback" not in proc.stderr
    out = tmp_path / "x.bib"
    proc = run_cli(["--library", demo_location, "export", "bibtex", "--with-files", "-o", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8").count("@") == len(parse_text(out.read_text(encoding="utf-8")).entries)
