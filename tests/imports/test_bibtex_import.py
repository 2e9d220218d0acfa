"""BibTeX import: every construct of tests/data/bib, malformed entries, dry runs, files and duplicates."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbase.catalogue.records import Catalogue
from kbase.formats.bibtex.parse import parse_text
from kbase.imports.pipeline import import_bib_file
from kbase.imports.records import import_bib
from kbase.library import models as m
from tests.bibtex_helpers import snapshot

BIB = Path(__file__).parent.parent / "data" / "bib"


def test_constructs_come_in_whole(cat: Catalogue) -> None:
    report = import_bib(cat, BIB / "constructs.bib")
    assert report.problems == []
    recs = snapshot(cat)
    assert len(recs) == 11 and len(report.created) == 11

    brief = recs["kasongo2021misisi"]
    # @string macro, month macro, LaTeX \& and protected braces, type field naming our type
    assert brief["type"] == "briefing" and brief["month"] == 12 and brief["year"] == 2021
    assert brief["title"] == "Misisi gold: DRC artisanal mining & the supply chain"
    assert brief["publisher"] == "International Peace Information Service" and brief["place"] == "Antwerp"
    assert brief["subjects"] == ["artisanal mining", "child labour", "gold"]
    assert brief["extra"]["fields"]["note"] == "Prepared for the Madini partners"  # \emph dropped, text kept
    assert [c[2] for c in brief["contributors"]] == [
        "Jean-Marie Kasongo", "Hans Müller", "Ludwig van Beethoven", "John Doe Jr."]

    art = recs["nzeyimana2020"]
    assert art["title"] == "Cobalt and the Katanga copper belt"  # `#` joins quoted, braced and spaces
    assert (art["month"], art["month_end"]) == (6, 7)
    assert art["doi"] == "10.1080/03056244.2020.1234567" and art["pages"] == "101–125"
    assert art["abstract"] == "Accents: élève, naïve, Škoda, ß, ø, å, łódź. Dashes – and — here."
    assert art["contributors"] == [("author", "person", "Aimée Nzeyimana"), ("author", "person", "Özgür Çelik"),
                                   ("author", "organisation", "International Alert")]
    assert art["extra"]["others"] == ["author"] and art["extra"]["fields"] == {"volume": "47"}
    assert art["container"] == "Review of African Political Economy"


def test_crossref_xdata_and_types(cat: Catalogue) -> None:
    import_bib(cat, BIB / "constructs.bib")
    recs = snapshot(cat)
    child = recs["child2019"]
    assert child["type"] == "book chapter" and child["container"] == "Natural resources in conflict"
    assert child["publisher"] == "Academia Press" and child["series"] == "Voix du Congo"  # `#` in @string
    assert ("editor", "person", "Jean de la Fontaine") in child["contributors"]
    forest = recs["forest2018"]
    assert forest["publisher"] == "Center for International Forestry Research" and forest["place"] == "Bogor"
    assert (forest["year"], forest["month"], forest["month_end"]) == (2018, 3, 5)
    assert forest["type"] == "report" and forest["extra"]["fields"]["type"] == "Working paper"
    types = {k: r["type"] for k, r in recs.items()}
    assert types["kufatilia-map"] == "webmap" and types["dash2021"] == "dashboard" and types["video2021"] == "video"
    assert types["thesis2017"] == "other" and recs["thesis2017"]["extra"]["entrytype"] == "phdthesis"
    assert types["data2020"] == "other"
    assert recs["data2020"]["extra"] == {"entrytype": "dataset", "fields": {"version": "3.1"}}
    assert recs["dash2021"]["publisher"] == "IPIS" and recs["conf2019"]["type"] == "book chapter"
    assert recs["video2021"]["day"] == 14
    # people keep their BibTeX name parts as an alias
    beethoven = cat.lookup(m.Person, "Ludwig van Beethoven")[0]
    assert "van Beethoven, Ludwig" in cat.aliases(m.Person, beethoven.id)


def test_names_go_through_the_alias_lookup(demo: Catalogue, tmp_path: Path) -> None:
    ipis = demo.lookup(m.Organisation, "IPIS")[0]
    before = demo.count(m.Organisation)
    bib = tmp_path / "a.bib"
    bib.write_text("@techreport{x1, title={T}, year=2020, institution={IPIS}, author={{ipis}}}\n", encoding="utf-8")
    report = import_bib(demo, bib)
    pub = demo.get(m.Publication, report.created[0][1])
    assert pub.publisher_id == ipis.id and demo.count(m.Organisation) == before


def test_mixed_file_imports_the_good_and_names_the_bad(cat: Catalogue) -> None:
    # every entry comes in; what was wrong with the broken ones is a note on their line
    report = import_bib(cat, BIB / "mixed.bib")
    assert len(report.created) == 27 and report.problems == []
    titles = sorted(p.title for p in cat.all(m.Publication))
    assert len([t for t in titles if t.startswith("Good")]) == 20 and len(titles) == 27
    notes: dict[tuple[int, str], str] = {}
    for line, key, note in report.notes:
        notes[(line, key)] = notes.get((line, key), "") + note + "; "
    assert "unbalanced braces" in notes[(6, "bad-brace")]
    assert "no citation key; generated epsilon2020key" in notes[(8, "epsilon2020key")]
    assert "citation key good01 already used at line 4; renamed good01-2" in notes[(11, "good01-2")]
    assert "undefined macro nosuchmacro kept as text" in notes[(13, "bad-macro")]
    assert "unreadable month 'Smarch'" in notes[(15, "bad-month")]
    assert "unreadable month '13'" in notes[(22, "bad-month-number")]
    assert "not closed" in notes[(30, "bad-eof")]
    lines = report.lines()
    assert any(line.startswith(f"{BIB / 'mixed.bib'}:13: bad-macro:") for line in lines)


def test_dry_run_reports_without_writing(cat: Catalogue) -> None:
    changes = cat.count(m.Change)
    report = import_bib(cat, BIB / "constructs.bib", dry_run=True)
    assert len(report.created) == 11 and report.dry_run
    assert cat.count(m.Publication) == 0 and cat.count(m.Person) == 0 and cat.count(m.Change) == changes
    assert len(report.new_records["person"]) == 12
    assert "would be created" in report.lines()[-1]
    import_bib(cat, BIB / "constructs.bib")
    again = import_bib(cat, BIB / "constructs.bib", dry_run=True)
    assert again.created == [] and len(again.linked) == 11


def test_duplicates_at_import(cat: Catalogue, tmp_path: Path) -> None:
    import_bib(cat, BIB / "constructs.bib")
    n = cat.count(m.Publication)
    bib = tmp_path / "dups.bib"
    bib.write_text(
        "@article{d1, title={Another title}, doi={10.1080/03056244.2020.1234567}, year=2020}\n"
        "@book{d2, title={Other}, isbn={9789038229003}, year=2019}\n"
        "@book{d2b, title={Other still}, isbn={9789038229001}, year=2019}\n"  # checksum wrong: no identifier
        "@inbook{d2c, title={A chapter}, isbn={9789038229003}, year=2019}\n"  # a chapter is not its book
        "@techreport{d3, author={Kasongo, J.-M. and M{\\\"u}ller, H. and van Beethoven, L. and Doe, Jr., John},"
        " title={Misisi gold: DRC artisanal mining and the supply chain}, year=2022}\n"
        "@techreport{d3b, author={Kasongo, J.-M.}, title={Misisi gold: DRC artisanal mining and the supply chain},"
        " year=2022}\n"
        "@techreport{d4, author={Someone, Else}, title={Misisi gold: DRC artisanal mining & the supply chain},"
        " year=2021}\n"
        "@misc{d5, title={Brand new}, year=2024}\n@misc{d5, title={Brand new}, year=2024}\n",  # exported twice
        encoding="utf-8")
    report = import_bib(cat, bib)
    linked = {k: (pid, why) for k, pid, why in report.linked}
    ids = {p.citekey: p.id for p in cat.all(m.Publication)}
    assert linked["d1"] == (ids["nzeyimana2020"], "same DOI 10.1080/03056244.2020.1234567")
    assert linked["d2"][0] == ids["parent2019"] and "ISBN" in linked["d2"][1]  # ISBN-13 without hyphens
    assert linked["d3"][0] == ids["kasongo2021misisi"]  # title, year ±1, every author's family name
    assert "d3b" not in linked and "d4" not in linked  # other authors: another work
    assert "d2b" not in linked and "d2c" not in linked
    assert linked["d5-2"][0] == ids["d5"]  # the same entry twice in one file
    assert cat.count(m.Publication) == n + 5
    skipped = import_bib(cat, bib, on_duplicate="skip")
    assert len(skipped.skipped) == 9 and skipped.created == []
    created = import_bib(cat, bib, on_duplicate="new")
    assert len(created.created) == 9


def test_linked_record_without_a_key_takes_the_entry_key(demo: Catalogue, tmp_path: Path) -> None:
    people: dict[int, list[m.Contributor]] = {}
    for c in sorted(demo.all(m.Contributor), key=lambda c: (c.publication_id, c.position)):
        people.setdefault(c.publication_id, []).append(c)
    pub = next(p for p in demo.all(m.Publication)
               if p.citekey is None and p.id in people and people[p.id][0].organisation_id and p.year)
    names = [f"{{{demo.get(m.Organisation, c.organisation_id).name}}}" if c.organisation_id
             else demo.get(m.Person, c.person_id).name for c in people[pub.id]]
    bib = tmp_path / "k.bib"
    bib.write_text(f"@misc{{mykey2021, author = {{{' and '.join(names)}}}, title = {{{pub.title}}}, "
                   f"year = {pub.year}}}\n", encoding="utf-8")
    report = import_bib(demo, bib)
    assert [(k, i) for k, i, _w in report.linked] == [("mykey2021", pub.id)]
    assert demo.get(m.Publication, pub.id).citekey == "mykey2021"


def test_merge_on_duplicate_fills_empty_fields(cat: Catalogue, tmp_path: Path) -> None:
    import_bib(cat, BIB / "constructs.bib")
    bib = tmp_path / "more.bib"
    bib.write_text("@book{m1, title={Natural resources in conflict}, editor={Matthysen, Ken}, year=2019,"
                   " isbn={978-90-382-2900-3}, url={https://example.org/nrc}, keywords={conflict minerals}}\n",
                   encoding="utf-8")
    report = import_bib(cat, bib, on_duplicate="update")
    (key, pid, _why), = report.updated
    rec = snapshot(cat)["parent2019"]
    assert rec["url"] == "https://example.org/nrc" and "conflict minerals" in rec["subjects"]
    assert [c[2] for c in rec["contributors"]] == ["Ken Matthysen", "Jean de la Fontaine"]  # survivor's list wins
    assert cat.count(m.Publication) == 11


def test_unreadable_file_is_one_clear_error(cat: Catalogue, tmp_path: Path) -> None:
    from kbase.errors import ImportProblem

    with pytest.raises(ImportProblem, match="nothere.bib"):
        import_bib(cat, tmp_path / "nothere.bib")


def test_latin1_file_and_odd_values(cat: Catalogue, tmp_path: Path) -> None:
    # odd values no longer refuse an entry: what can be read is, the rest is kept raw and flagged
    bib = tmp_path / "old.bib"
    bib.write_bytes("@book{l1, title = {Société civile}, year = {2018}, month = 5}\n"
                    "@book{l2, title = {}, year = 2018}\n@book{l3, title = {Y}, year = {circa 2018}}\n"
                    "@book{l4, title={Z}, author={Doe, John, Jr, Extra}}\n"
                    "@online{l5, title={W}, date={2021-13}}\n@online{l6, title={V}, date={2021-02-40}}\n"
                    "@online{l7, title={U}, date={2019-05/2021-02}}\n".encode("cp1252"))
    report = import_bib(cat, bib)
    assert report.problems == []
    recs = snapshot(cat)
    assert recs["l1"]["title"] == "Société civile" and recs["l1"]["month"] == 5
    assert recs["l2"]["title"] == "[untitled]" and recs["l2"]["extra"]["flags"] == ["untitled"]
    assert recs["l3"]["year"] == 2018 and recs["l3"]["extra"]["raw"] == {"year": "circa 2018"}
    assert recs["l4"]["contributors"] == [] and recs["l4"]["extra"]["flags"] == ["unreadable names"]
    assert (recs["l5"]["year"], recs["l5"]["month"]) == (2021, None)
    assert recs["l5"]["extra"]["raw"] == {"date": "2021-13"}
    assert (recs["l6"]["year"], recs["l6"]["month"], recs["l6"]["day"]) == (2021, 2, None)
    assert (recs["l7"]["year"], recs["l7"]["month"]) == (2019, 5)
    assert recs["l7"]["extra"]["flags"] == ["approximate date"]
    assert {line for line, _k, _n in report.notes} >= {2, 3, 4, 5, 6, 7}


def test_file_fields_of_zotero_jabref_and_mendeley(cat: Catalogue, tmp_path: Path) -> None:
    from tests.pdfs import text_pdf

    folder = tmp_path / "refs"
    for rel in ("files/12/zotero report.pdf", "pdfs/jab;ref.pdf", "mendeley/m.pdf", "plain.pdf",
                "papers/in-jabref-dir.pdf"):
        text_pdf(folder / rel, pages=[f"Text of {rel}"])
    outside = text_pdf(tmp_path / "secret.pdf", pages=["outside"])
    mendeley = str(folder / "mendeley" / "m.pdf").lstrip("/")
    text = (BIB / "files.bib").read_text(encoding="utf-8").replace("MENDELEY", mendeley)
    bib = folder / "files.bib"
    bib.write_text(text, encoding="utf-8")
    report = import_bib_file(cat, bib)
    attached = {Path(f).name for f, _pid in report.attachments}
    assert attached == {"zotero report.pdf", "jab;ref.pdf", "m.pdf", "plain.pdf", "in-jabref-dir.pdf"}
    notes = " ".join(n for _l, _k, n in report.notes)
    assert "outside the folders allowed" in notes and "missing.pdf' not found" in notes
    assert outside.name not in attached
    by_key = {p.citekey: p.id for p in cat.all(m.Publication)}
    atts = cat.all(m.Attachment)
    assert {a.publication_id for a in atts} == {by_key[k] for k in ("zot", "jab", "mend", "plain", "jabdir")}
    # the same PDF named by a new entry makes it a duplicate of the publication that holds it
    again = folder / "again.bib"
    again.write_text("@misc{again, title={Quite different}, file={plain.pdf}}\n", encoding="utf-8")
    rep = import_bib_file(cat, again)
    assert rep.linked == [("again", by_key["plain"], "same file")]


def test_not_a_bib_file(cat: Catalogue, tmp_path: Path) -> None:
    from tests.pdfs import text_pdf

    fake = tmp_path / "report.bib"
    fake.write_bytes(text_pdf(tmp_path / "r.pdf").read_bytes())
    report = import_bib(cat, fake)
    assert report.problems == [(1, "", "no BibTeX entries found (is this a .bib file?)")]
    assert cat.count(m.Publication) == 0


def test_parse_keeps_going_after_garbage() -> None:
    parsed = parse_text("junk text\n@misc{a, title={A}}\n@@@\n@misc{b, title = {B} # }\n@misc{c, title={C}}\n")
    assert [e.key for e in parsed.entries] == ["a", "b", "c"] and parsed.problems == []
    assert parsed.entries[1].notes == ["field title: an empty part of a `#` concatenation is ignored"]


def test_cli_import_bib_dry_run_then_real(location: str) -> None:
    import json
    import subprocess
    import sys

    kbase = [sys.executable, "-m", "kbase.cli", "--library", location]
    proc = subprocess.run([*kbase, "import-bib", str(BIB / "mixed.bib"), "--dry-run", "--json"],
                          capture_output=True, text=True, timeout=120)
    # 0: the unreadable entries are named, the rest come in
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    (report,) = json.loads(proc.stdout)
    assert report["dry_run"] and report["created"] == 27 and report["problems"] == []  # the broken ones too
    assert report["parsed"] == report["created"] + report["matched"] + report["refused"]
    assert {6, 8, 11, 13, 15, 22, 30} <= {n["line"] for n in report["notes"]}
    listed = subprocess.run([*kbase, "list", "publication", "--json"], capture_output=True, text=True, timeout=120)
    assert json.loads(listed.stdout) == []
    proc = subprocess.run([*kbase, "import-bib", str(BIB / "constructs.bib")], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1].startswith(f"{BIB / 'constructs.bib'}: 11 entries: 11 created")
