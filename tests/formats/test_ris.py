"""The RIS reader: types both ways, names, dates, identifiers, repeated tags, damaged lines, encodings."""

from __future__ import annotations

import codecs

import pytest

from kbase.formats.encoding import decode_bytes
from kbase.formats.ris import DEFAULT_TY, looks_like_ris, parse_name, read_ris, ris_type, split_records
from kbase.library import models as m

ZOTERO = """TY  - JOUR
TI  - Gold flows from Ituri
AU  - Kabila, Aline
AU  - Mwamba, Joseph, Jr.
AU  - International Peace Information Service
T2  - Review of African Political Economy
J2  - Rev. Afr. Polit. Econ.
DA  - 2019/05/03/
PY  - 2019
VL  - 46
IS  - 3
SP  - 1
EP  - 20
SN  - 0305-6244
DO  - 10.1080/03056244.2019.1
UR  - https://doi.org/10.1080/03056244.2019.1
Y2  - 2020/01/02/
LA  - en
KW  - gold
KW  - artisanal mining
N1  - <p>Read for the Ituri report</p>
L1  - files/12/kabila.pdf
ER  -
"""


def one(text: str):
    result = read_ris(text)
    assert not result.refused and len(result.records) == 1, (result.refused, result.records)
    return result.records[0]


def test_a_zotero_article() -> None:
    d = one(ZOTERO)
    c = d.columns
    assert c["type"] == "article" and c["title"] == "Gold flows from Ituri"
    assert c["container"] == "Review of African Political Economy"
    assert (c["year"], c["month"], c["day"]) == (2019, 5, 3)
    assert c["pages"] == "1–20" and c["number"] == "3" and c["doi"] == "10.1080/03056244.2019.1"
    assert c["language"] == "en" and "isbn" not in c  # an ISSN never goes to the ISBN
    f = d.extra["fields"]
    assert f["volume"] == "46" and f["issn"] == "0305-6244" and f["shortjournal"] == "Rev. Afr. Polit. Econ."
    assert f["urldate"] == "2020/01/02/" and f["note"] == "<p>Read for the Ituri report</p>"
    assert d.extra["ris_type"] == "JOUR"
    assert [(r, n.kind, n.display, n.sortable) for r, n in d.contributors] == [
        ("author", "person", "Aline Kabila", "Kabila, Aline"),
        ("author", "person", "Joseph Mwamba Jr.", "Mwamba, Jr., Joseph"),
        ("author", "organisation", "International Peace Information Service", None)]
    assert d.subjects == ["gold", "artisanal mining"] and d.files == ["files/12/kabila.pdf"]
    assert d.line == 1 and d.key == "kabila2019gold"


@pytest.mark.parametrize("ty, m3, ours", [
    ("JOUR", "", "article"), ("BOOK", "", "book"), ("CHAP", "", "book chapter"), ("RPRT", "", "report"),
    ("CONF", "", "book chapter"), ("CPAPER", "", "book chapter"), ("THES", "", "other"), ("ELEC", "", "other"),
    ("ELEC", "Web map", "webmap"), ("ELEC", "Dashboard", "dashboard"), ("VIDEO", "", "video"), ("MPCT", "", "video"),
    ("MAP", "", "static maps"), ("GEN", "", "other"), ("RPRT", "Policy brief", "briefing"),
    ("RPRT", "Bulletin", "bulletin"), ("NEWS", "", "article"), ("EBOOK", "", "book"), ("XYZ", "", "other"),
])
def test_types(ty: str, m3: str, ours: str) -> None:
    assert ris_type(ty, m3)[0] == ours


def test_every_type_of_ours_has_a_ris_type_that_reads_back() -> None:
    for t in m.PUBLICATION_TYPES:
        ty = DEFAULT_TY[t]
        label = t[:1].upper() + t[1:]
        assert ris_type(ty, "")[0] == t or ris_type(ty, label)[0] == t, t


def test_the_original_type_is_kept_and_an_unknown_one_noted() -> None:
    d = one("TY  - THES\nTI  - A thesis\nPB  - Université de Kinshasa\nPY  - 2018\nER  - \n")
    assert d.columns["type"] == "other" and d.extra["ris_type"] == "THES" and d.publisher == "Université de Kinshasa"
    d = one("TY  - WHATEVER\nTI  - Odd\nER  - \n")
    assert d.columns["type"] == "other" and any("unknown RIS type 'WHATEVER'" in n for n in d.notes)


@pytest.mark.parametrize("text, year, month, day", [
    ("PY  - 2019", 2019, None, None), ("PY  - 2019/05/03/", 2019, 5, 3), ("PY  - 2019///", 2019, None, None),
    ("PY  - 2019/05", 2019, 5, None), ("Y1  - 2019/05/03/Spring", 2019, 5, 3), ("DA  - 2019/05//", 2019, 5, None),
    ("PY  - 2019\nDA  - MAY 15", 2019, 5, 15), ("PY  - 2019\nDA  - JUN", 2019, 6, None),
    ("PY  - c2019", 2019, None, None), ("DA  - 2019-05-03", 2019, 5, 3), ("PY  - 2019/02/30/", 2019, 2, None),
])
def test_dates(text: str, year: int, month: int | None, day: int | None) -> None:
    c = one(f"TY  - JOUR\nTI  - T\n{text}\nER  - \n").columns
    assert (c.get("year"), c.get("month"), c.get("day")) == (year, month, day)


def test_editors_series_editors_book_titles_and_series() -> None:
    d = one("TY  - CHAP\nTI  - A chapter\nAU  - Ndaywel, Isidore\nA2  - Trefon, Theodore\nED  - Marysse, Stefaan\n"
            "A3  - Reyntjens, Filip\nT2  - Conflict and the state\nT3  - Africa Studies\nSP  - 10-30\n"
            "PB  - Zed Books\nCY  - London\nSN  - 978-0-306-40615-7\nER  - \n")
    assert [(r, n.display) for r, n in d.contributors] == [
        ("author", "Isidore Ndaywel"), ("editor", "Theodore Trefon"), ("editor", "Stefaan Marysse")]
    assert d.extra["fields"]["serieseditor"] == "Reyntjens, Filip"
    assert d.columns["container"] == "Conflict and the state" and d.series == "Africa Studies"
    assert d.columns["pages"] == "10–30" and d.columns["isbn"] == "978-0-306-40615-7" and d.columns["place"] == "London"
    # EndNote's book: the secondary title is the series
    d = one("TY  - BOOK\nTI  - Violent capitalism\nT2  - African Arguments\nER  - \n")
    assert d.series == "African Arguments" and "container" not in d.columns


def test_sn_holds_isbns_issns_or_a_report_number() -> None:
    d = one("TY  - JOUR\nTI  - T\nSN  - 0305-6244 (Print); 1740-1720 (Electronic)\nER  - \n")
    assert d.extra["fields"]["issn"] == "0305-6244; 1740-1720" and "isbn" not in d.columns
    d = one("TY  - JOUR\nTI  - T\nSN  - 03064530 (ISSN)\nER  - \n")  # Scopus
    assert d.extra["fields"]["issn"] == "0306-4530"
    d = one("TY  - BOOK\nTI  - T\nSN  - 9780306406157 0306406152\nER  - \n")
    assert d.columns["isbn"] == "9780306406157" and d.extra["fields"]["isbns"] == "9780306406157; 0306406152"
    d = one("TY  - RPRT\nTI  - T\nSN  - WP-2019-12\nER  - \n")
    assert d.columns["number"] == "WP-2019-12" and "isbn" not in d.columns
    d = one("TY  - BOOK\nTI  - T\nSN  - 1234 5678 9\nER  - \n")
    assert d.extra["fields"]["sn"] == "1234 5678 9" and "isbn" not in d.columns


def test_title_variants_abstract_urls_and_files() -> None:
    d = one("TY  - JOUR\nT1  - Old style title\nJO  - J. Old\nN2  - The abstract\nUR  - http://a.org/x; http://b.org/y\n"
            "UR  - http://c.org/z\nL1  - file:///home/me/papers/a%20b.pdf\nL4  - https://example.org/fig.png\nER  - \n")
    assert d.columns["title"] == "Old style title" and d.columns["container"] == "J. Old"
    assert d.columns["abstract"] == "The abstract" and d.columns["url"] == "http://a.org/x"
    assert d.extra["fields"]["urls"] == "http://b.org/y http://c.org/z"
    assert d.files == ["/home/me/papers/a b.pdf"] and d.extra["fields"]["fulltext_url"] == "https://example.org/fig.png"
    d = one("TY  - JOUR\nCT  - Caption title\nUR  - https://doi.org/10.1/abc\nER  - \n")
    assert d.columns["title"] == "Caption title" and d.columns["doi"] == "10.1/abc"


def test_repeated_tags_multiline_values_and_unknown_tags() -> None:
    d = one("TY  - JOUR\nTI  - First title\nTI  - Second title\nAB  - Line one\nline two\n\nparagraph two\n"
            "KW  - a; b\nKW  - c\nd\nN1  - note one\nN1  - note two\nAN  - WOS:000123\nZZ  - odd tag\nER  - \n")
    assert d.columns["title"] == "First title"
    assert d.columns["abstract"] == "Line one\nline two\n\nparagraph two"
    assert d.subjects == ["a", "b", "c", "d"]
    f = d.extra["fields"]
    assert f["note"] == "note one\nnote two" and f["accession_number"] == "WOS:000123" and f["ris_zz"] == "odd tag"


def test_a_record_without_er_ends_at_the_next_ty_or_the_end() -> None:
    result = read_ris("TY  - JOUR\nTI  - One\nTY  - BOOK\nTI  - Two\nER  - \nTY  - RPRT\nTI  - Three\n")
    assert [d.columns["title"] for d in result.records] == ["One", "Two", "Three"]
    assert [d.line for d in result.records] == [1, 3, 6]
    assert any("next `TY  - `" in n for n in result.records[0].notes)
    assert any("end of the file" in n for n in result.records[2].notes) and not result.records[1].notes


def test_a_damaged_line_is_kept_with_a_note_and_the_record_comes_in() -> None:
    text = "TY  - JOUR\nTI  - Fine title\nAU  - Kabila, Aline\nPY  - 2019\n%%%garbage%%% 12\nVL  - 4\nER  - \n"
    result = read_ris(text)
    (d,) = result.records
    assert d.columns["year"] == 2019 and d.extra["fields"]["volume"] == "4"
    assert d.extra["raw"] == {"line 5": "%%%garbage%%% 12"} and "damaged line" in d.extra["flags"]
    assert any(n.startswith("line 5 is not a `XX  - value` line (after PY)") for n in d.notes)


def test_refused_records_have_their_line() -> None:
    result = read_ris("TY  - JOUR\nTI  - Good\nER  - \n\nTY  - JOUR\nER  - \nAU  - \nNL  - stray\nER  - \n"
                      "TI  - No TY line\nAU  - Kabila, Aline\nER  - \nTY  - GEN\nN1  - Only a note\nER  - \n")
    assert [d.columns["title"] for d in result.records] == ["Good", "No TY line", "Only a note"]
    assert [(ln, why) for ln, _k, why in result.refused] == [(5, "nothing to import: a TY line with no fields")]
    assert [ln for ln, _k, _n in result.notes] == [7, 8]  # stray lines after ER, each named
    assert any("no `TY  - ` line" in n for n in result.records[1].notes)
    assert "title from note" in result.records[2].extra["flags"]
    result = read_ris("just some text\n")
    assert not result.records and result.problems[0][0] == 1 and "no RIS records" in result.problems[0][2]


def test_headers_tag_spacing_and_the_id() -> None:
    text = "Provider: Elsevier\nDatabase: ScienceDirect\n\nTY - JOUR\nID  - Smith2019\nTI -Loose spacing\nER  -\n"
    assert looks_like_ris(text) and not looks_like_ris("hello\nworld\n")
    d = one(text)
    assert d.key == "Smith2019" and d.columns["citekey"] == "Smith2019" and d.columns["title"] == "Loose spacing"
    d = one("TY  - JOUR\nID  - 123 45\nTI  - T\nAU  - Bahati, Paul\nPY  - 2020\nER  - \n")
    assert d.key == "bahati2020t" and d.extra["ris_id"] == "123 45"


@pytest.mark.parametrize("raw, kind, display, sortable", [
    ("Kabila, Aline", "person", "Aline Kabila", "Kabila, Aline"),
    ("van Beethoven, Ludwig", "person", "Ludwig van Beethoven", "van Beethoven, Ludwig"),
    ("World Bank,", "organisation", "World Bank", None),
    ("UNESCO", "organisation", "UNESCO", None),
    ("Smith JA", "person", "JA Smith", "Smith, JA"),
    ("J. A. Smith", "person", "J. A. Smith", "Smith, J. A."),
    ("Human Rights Watch", "organisation", "Human Rights Watch", None),
])
def test_names(raw: str, kind: str, display: str, sortable: str | None) -> None:
    n = parse_name(raw)
    assert n is not None and (n.kind, n.display, n.sortable) == (kind, display, sortable)
    assert parse_name(" ,; ") is None


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "cp1252"])
def test_encodings_and_control_characters(codec: str) -> None:
    text = "TY  - BOOK\r\nTI  - Société civile à Kinshasa\x00\r\nAU  - Müller, Jürgen\r\nER  - \r\n"
    decoded = decode_bytes(text.encode(codec))
    d = one(decoded.text)
    assert d.columns["title"] == "Société civile à Kinshasa" and d.contributors[0][1].display == "Jürgen Müller"


def test_nfc() -> None:
    d = one("TY  - BOOK\nTI  - Socie\u0301te\u0301\nER  - \n")
    assert d.columns["title"] == "Société"


def test_split_records_counts_lines_across_a_big_file() -> None:
    text = "".join(f"TY  - JOUR\nTI  - T{i}\nER  - \n\n" for i in range(1000))
    records, notes = split_records(text)
    assert len(records) == 1000 and records[-1].line == 3997 and not notes


def test_bom_at_the_start_is_not_a_damaged_line() -> None:
    d = one(codecs.BOM_UTF8.decode("utf-8") + "TY  - JOUR\nTI  - T\nER  - \n")
    assert d.columns["title"] == "T"
