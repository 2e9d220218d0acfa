"""Round trip: import → export → import gives the same records, fields and links (both flavours)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kbase.catalogue.records import Catalogue
from kbase.formats.bibtex import export_bib
from kbase.formats.bibtex.latex import to_latex, to_unicode
from kbase.formats.bibtex.parse import parse_text
from kbase.imports.pipeline import import_bib_file
from kbase.imports.records import import_bib
from kbase.library import models as m
from kbase.library.db import open_library
from tests.bibtex_helpers import differences, snapshot

BIB = Path(__file__).parent.parent / "data" / "bib"


def _fresh(tmp_path: Path, name: str) -> Catalogue:
    return Catalogue(open_library(str(tmp_path / name), create=True))


@pytest.mark.parametrize("flavour", ["bibtex", "biblatex"])
def test_demo_catalogue_round_trips(demo: Catalogue, tmp_path: Path, flavour: str) -> None:
    text = export_bib(demo, flavour=flavour, include_confidential=True)
    assert text.count("\n@") + 1 == demo.count(m.Publication)
    out = tmp_path / "demo.bib"
    out.write_text(text, encoding="utf-8")
    again = _fresh(tmp_path, "again")
    report = import_bib(again, out)
    assert report.problems == [] and len(report.created) == demo.count(m.Publication)
    # the demo has no BibTeX extras; everything else must match field by field
    assert differences(snapshot(demo, with_extra=False), snapshot(again, with_extra=False)) == []
    # and the second export is the first, byte for byte
    assert export_bib(again, flavour=flavour, include_confidential=True) == text


@pytest.mark.parametrize("name", ["constructs.bib", "mixed.bib"])
@pytest.mark.parametrize("flavour", ["bibtex", "biblatex"])
def test_test_files_round_trip(cat: Catalogue, tmp_path: Path, name: str, flavour: str) -> None:
    import_bib(cat, BIB / name)
    first = snapshot(cat)
    out = tmp_path / "out.bib"
    out.write_text(export_bib(cat, flavour=flavour), encoding="utf-8")
    again = _fresh(tmp_path, "again")
    report = import_bib(again, out)
    assert report.problems == []
    second = snapshot(again)
    # the flags and raw values say what was wrong in the source; the export is well-formed, so the second
    # import has none to say, but every value that could not be put in a field travelled as written
    for rec in first.values():
        flags, raw = rec["extra"].pop("flags", None), rec["extra"].pop("raw", {})
        assert not flags or rec["title"]
        for field, value in raw.items():
            if field not in ("title", "author", "editor", "year", "month", "date", "day"):
                assert value in out.read_text(encoding="utf-8"), (field, value)
    for rec in second.values():
        rec["extra"].pop("flags", None), rec["extra"].pop("raw", None)
    assert differences(first, second) == []


def test_round_trip_into_the_same_library_links_everything(sqlite_demo: Catalogue, tmp_path: Path) -> None:
    out = tmp_path / "demo.bib"
    out.write_text(export_bib(sqlite_demo, include_confidential=True), encoding="utf-8")
    report = import_bib(sqlite_demo, out)
    assert report.created == [] and len(report.linked) == sqlite_demo.count(m.Publication)


def test_export_reads_back_with_bibtexparser_alone(sqlite_demo: Catalogue) -> None:
    text = export_bib(sqlite_demo, flavour="biblatex")
    parsed = parse_text(text)
    assert parsed.problems == [] and len(parsed.entries) == text.count("@")


# any text a record may hold comes back unchanged through BibTeX escaping
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40))
def test_latex_escaping_round_trips(text: str) -> None:
    assert to_unicode(to_latex(text)) == text
    assert to_unicode(to_latex(text, ascii_only=True)) == __import__("unicodedata").normalize("NFC", text) \
        or to_unicode(to_latex(text, ascii_only=True)) == text


# white space too: double spaces, single line breaks, spaces at the ends survive BibTeX's collapsing
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(" \n\u00a0\u2009ab-{}\\%&é")), max_size=30))
def test_values_survive_the_whole_reading_path(text: str) -> None:
    entry = parse_text("@misc{k, note = {" + to_latex(text) + "}}").entries[0]
    assert to_unicode(entry.fields.get("note", "")) == text


def test_latex_to_unicode_examples() -> None:
    cases = {r"{\'e}": "é", r"\"{o}": "ö", r"\&": "&", "a--b": "a–b", "a---b": "a—b", r"{\c c}": "ç",
             r"\v{S}koda": "Škoda", r"{\ss}": "ß", r"\textit{x} \LaTeX{}": "x LaTeX", r"$\backslash$": "\\",
             r"{\'\i}": "í", "{DRC}": "DRC", r"\~{n}": "ñ", r"\r{a}": "å", r"\k{e}": "ę"}
    for latex, text in cases.items():
        assert to_unicode(latex) == text, latex


def test_odd_records_round_trip(cat: Catalogue, tmp_path: Path) -> None:
    """Records typed by hand, not imported: awkward names and values still come back the same."""
    people = [cat.add(m.Person, name=n).id for n in ("Doe, John", "Mary and Joe", "Émile Zola", "Kambale")]
    org = cat.add(m.Organisation, name="Levin Sources & Madini {Joint}").id
    proj = cat.add(m.Project, title="Madini – phase 2; regional").id
    region = cat.add(m.Region, name="Sud-Kivu").id
    subject = cat.add(m.Subject, name="Business, human rights").id
    pub = cat.add(m.Publication, title="Gold {and} 50% of   the trade_#1", subtitle=" leading space",
                  abstract="First line\nsecond line\n\nNew paragraph  with two spaces.", type="bulletin",
                  year=2021, month=6, month_end=7, url="https://example.org/a_b%20c", visibility="internal",
                  number="12", language="fr", pages="3–9", container="Voix du Congo").id
    cat.set_contributors(pub, [("author", "person", p) for p in people] + [("editor", "organisation", org)])
    cat.link(m.PublicationProject, publication_id=pub, project_id=proj)
    cat.link(m.PublicationRegion, publication_id=pub, region_id=region)
    cat.link(m.PublicationSubject, publication_id=pub, subject_id=subject)
    cat.add(m.Publication, title="Secret", type="other", visibility="confidential", year=2020, day=None)
    export_bib(cat, include_confidential=True)  # the first export gives the records their keys
    first = snapshot(cat, with_extra=False)
    for flavour in ("bibtex", "biblatex"):
        out = tmp_path / f"{flavour}.bib"
        out.write_text(export_bib(cat, flavour=flavour, include_confidential=True), encoding="utf-8")
        again = _fresh(tmp_path, flavour)
        assert import_bib(again, out).problems == []
        assert differences(first, snapshot(again, with_extra=False)) == []


def test_attachments_travel_with_the_export(cat: Catalogue, tmp_path: Path) -> None:
    from tests.pdfs import text_pdf

    folder = tmp_path / "refs"
    for rel in ("files/12/zotero report.pdf", "pdfs/jab;ref.pdf", "mendeley/m.pdf", "plain.pdf",
                "papers/in-jabref-dir.pdf"):
        text_pdf(folder / rel, pages=[f"Text of {rel}"])
    mendeley = str(folder / "mendeley" / "m.pdf").lstrip("/")
    bib = folder / "files.bib"
    bib.write_text((BIB / "files.bib").read_text(encoding="utf-8").replace("MENDELEY", mendeley), encoding="utf-8")
    import_bib_file(cat, bib)

    def files(c: Catalogue) -> dict[str, list[tuple[str, str]]]:
        keys = {p.id: p.citekey for p in c.all(m.Publication)}
        out: dict[str, list[tuple[str, str]]] = {}
        for a in c.all(m.Attachment):
            out.setdefault(keys[a.publication_id], []).append((a.filename, a.sha256))
        return out

    before = files(cat)
    assert len(before) == 5
    out = tmp_path / "export" / "library.bib"
    out.parent.mkdir()
    out.write_text(export_bib(cat, files_to=out.parent / "library_files", bib_dir=out.parent), encoding="utf-8")
    again = _fresh(tmp_path, "again")
    report = import_bib_file(again, out)
    assert report.problems == [] and len(report.attachments) == 5
    assert files(again) == before
    assert differences(snapshot(cat), snapshot(again)) == []
