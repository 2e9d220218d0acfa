"""Spreadsheets read as publication lists: delimiters, encodings, XLSX, header rows, the mapping, rows to records."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from kbase.errors import ImportProblem, InvalidInput
from kbase.formats.spreadsheet import (
    IGNORE,
    column_letter,
    guess_field,
    mapping_json,
    parse_map_option,
    parse_name,
    propose_mapping,
    read_mapping_file,
    read_rows,
    read_sheet,
    resolve_mapping,
    sniff_delimiter,
)

FRENCH = ["Titre", "Type", "Année", "Mois", "Série", "Numéro", "Auteurs", "Projet", "Programme", "Région",
          "Mots-clés", "Lien", "Fichier", "Résumé", "Éditeur", "ISBN", "DOI", "Langue"]
ROW = ["L'or de l'Ituri", "Rapport", "2019", "mars", "IPIS Briefing", "12", "Kabila, Aline; Joseph Mwamba",
       "Kufatilia", "Natural Resources", "Ituri", "or; mines artisanales", "https://ipisresearch.be/ituri",
       "docs/ituri.pdf", "Comment l'or quitte l'Ituri.", "IPIS", "978-0-306-40615-7", "10.1000/xyz123", "fr"]


def _csv(rows: list[list[str]], delimiter: str) -> str:
    def cell(text: str) -> str:
        return f'"{text}"' if delimiter in text or ";" in text or '"' in text else text

    return "\n".join(delimiter.join(cell(c) for c in row) for row in rows) + "\n"


def _records(path: Path, mapping: dict[str, str] | None = None, sheet: str | None = None):
    table = read_sheet(path, sheet)
    columns = resolve_mapping(table.headers, mapping)
    return table, columns, read_rows(table, columns)


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_csv_delimiters(tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / "list.csv"
    path.write_text(_csv([FRENCH, ROW, ROW[:1] + ["Article"] + ROW[2:]], delimiter), encoding="utf-8")
    table, columns, result = _records(path)
    assert table.delimiter == delimiter
    assert table.headers == FRENCH
    assert [n for n, _c in table.rows] == [2, 3]
    assert not result.refused and not result.problems
    first = result.records[0]
    assert first.line == 2 and first.key == "row2"
    assert first.columns["title"] == "L'or de l'Ituri"
    assert first.columns["type"] == "report" and result.records[1].columns["type"] == "article"
    assert first.columns["year"] == 2019 and first.columns["month"] == 3
    assert [(r, n.kind, n.display, n.sortable) for r, n in first.contributors] == [
        ("author", "person", "Aline Kabila", "Kabila, Aline"), ("author", "person", "Joseph Mwamba", "Mwamba, Joseph")]
    assert first.series == "IPIS Briefing" and first.columns["number"] == "12"
    assert first.projects == ["Kufatilia"] and first.regions == ["Ituri"]
    assert first.subjects == ["or", "mines artisanales"]
    assert first.columns["url"] == "https://ipisresearch.be/ituri"
    assert first.files == ["docs/ituri.pdf"]
    assert first.columns["abstract"] == "Comment l'or quitte l'Ituri."
    assert first.publisher == "IPIS"
    assert first.columns["isbn"] == "978-0-306-40615-7" and first.columns["doi"] == "10.1000/xyz123"
    assert first.columns["language"] == "fr"
    assert first.extra["fields"]["programme"] == "Natural Resources"
    assert first.columns["citekey"] == "kabila2019or"  # a key is made; the row's key names it in the plan


def test_tsv_prefers_tabs_and_commas_inside_cells_do_not_split(tmp_path: Path) -> None:
    path = tmp_path / "list.tsv"
    path.write_text("Title\tAuthors\tYear\nGold, diamonds and tin\tVerweijen, Judith\t2020\n", encoding="utf-8")
    table, _columns, result = _records(path)
    assert table.delimiter == "\t"
    assert result.records[0].columns["title"] == "Gold, diamonds and tin"


def test_sniffer_checked_against_the_columns() -> None:
    # commas in every title, semicolons between the columns
    text = "Title;Year\n" + "".join(f"Gold, tin and tantalum {i};20{i:02d}\n" for i in range(10))
    assert sniff_delimiter(text) == ";"
    assert sniff_delimiter("Title,Year\nA,2020\nB,2021\n") == ","
    assert sniff_delimiter("Title\nA\nB\n") in (",", ";", "\t", "|")  # one column: any will do


def test_excel_sep_line(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text("sep=;\nTitle;Year\nA, B and C;2021\n", encoding="utf-8")
    table, _c, result = _records(path)
    assert table.delimiter == ";" and table.header_row == 2
    assert result.records[0].line == 3 and result.records[0].columns["title"] == "A, B and C"


def test_latin1_is_read_and_named(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(_csv([FRENCH, ROW], ";").encode("latin-1", errors="replace").replace(b"?", b"-"))
    table, columns, result = _records(path)
    assert table.encoding == "cp1252"
    assert any("guessed" in w for w in table.warnings)
    assert columns["Année"] == "year" and columns["Mots-clés"] == "subjects" and columns["Résumé"] == "abstract"
    assert result.records[0].columns["title"] == "L'or de l'Ituri"
    assert result.records[0].columns["year"] == 2019


def test_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "Titre,Année,Auteurs\nÉtude générale,2018,Ndaywel è Nziem, Isidore\n"
                     .replace("Ndaywel è Nziem, Isidore", '"Ndaywel è Nziem, Isidore"').encode("utf-8"))
    table, columns, result = _records(path)
    assert table.encoding == "utf-8" and table.headers[0] == "Titre"  # no BOM left in the first header
    assert columns == {"Titre": "title", "Année": "year", "Auteurs": "authors"}
    name = result.records[0].contributors[0][1]
    assert (name.display, name.sortable) == ("Isidore Ndaywel è Nziem", "Ndaywel è Nziem, Isidore")
    assert result.records[0].columns["title"] == "Étude générale"


def test_xlsx_first_or_named_sheet_with_typed_cells(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Notes"
    ws.append(["Nothing here"])
    pubs = wb.create_sheet("Publications")
    pubs.append(["IPIS publication list 2019-2021"])  # a title above the header
    pubs.append([])
    pubs.append(["Title", "Year", "Date", "Authors", "ISBN", "Pages"])
    pubs.append(["Mapping artisanal mines", 2021, dt.datetime(2021, 6, 15), "IPIS; Hans Merket", 9780306406157, 42])
    pubs.append([None, None, None, None, None, None])
    pubs.append(["Gold in Ituri", 2019.0, None, "Verweijen, Judith", None, None])
    path = tmp_path / "list.xlsx"
    wb.save(path)

    table = read_sheet(path)
    assert table.kind == "xlsx" and table.sheet == "Notes" and table.sheets == ["Notes", "Publications"]
    assert any("first sheet" in w for w in table.warnings)

    table, columns, result = _records(path, sheet="publications")  # the name as typed, in any case
    assert table.sheet == "Publications" and table.header_row == 3
    assert columns == {"Title": "title", "Year": "year", "Date": "date", "Authors": "authors", "ISBN": "isbn",
                       "Pages": "pages"}
    one, two = result.records
    assert (one.line, two.line) == (4, 6)  # the empty row 5 is no record
    assert (one.columns["year"], one.columns["month"], one.columns["day"]) == (2021, 6, 15)
    assert one.columns["isbn"] == "9780306406157" and one.columns["pages"] == "42"
    assert [(n.kind, n.display) for _r, n in one.contributors] == [("organisation", "IPIS"), ("person", "Hans Merket")]
    assert two.columns["year"] == 2019 and "month" not in two.columns
    assert read_sheet(path, "2").sheet == "Publications"
    with pytest.raises(ImportProblem, match="no sheet named 'Budget'.*Notes, Publications"):
        read_sheet(path, "Budget")


def test_not_a_workbook(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"this is no zip file")
    with pytest.raises(ImportProblem, match="not an XLSX workbook"):
        read_sheet(bad)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ImportProblem, match="save it as .xlsx or .csv"):
        read_sheet(old)


def test_french_and_english_headers_accents_and_case_ignored() -> None:
    headers = ["TITRE", "annee", "Mois", "SERIE", "numero", "Auteur(s)", "Projet", "programme", "REGION",
               "Sujets", "Mots clés", "URL", "Chemin du fichier", "Resume", "editeur", "isbn", "Doi", "langue",
               "Author 2", "Comments", "Number of pages", "Budget"]
    assert propose_mapping(headers) == {
        "TITRE": "title", "annee": "year", "Mois": "month", "SERIE": "series", "numero": "number",
        "Auteur(s)": "authors", "Projet": "projects", "programme": "programme", "REGION": "regions",
        "Sujets": "subjects", "Mots clés": "subjects", "URL": "url", "Chemin du fichier": "file",
        "Resume": "abstract", "editeur": "publisher", "isbn": "isbn", "Doi": "doi", "langue": "language",
        "Author 2": "authors", "Comments": "note", "Number of pages": IGNORE, "Budget": IGNORE}
    english = ["Title", "Type", "Year", "Month", "Series", "Number", "Authors", "Project", "Region", "Subjects",
               "Link", "File path", "Abstract", "Publisher", "Language", "Journal", "Editor"]
    assert propose_mapping(english) == {
        "Title": "title", "Type": "type", "Year": "year", "Month": "month", "Series": "series", "Number": "number",
        "Authors": "authors", "Project": "projects", "Region": "regions", "Subjects": "subjects", "Link": "url",
        "File path": "file", "Abstract": "abstract", "Publisher": "publisher", "Language": "language",
        "Journal": "container", "Editor": "editors"}
    # a one-column field goes to the first column that names it
    assert propose_mapping(["Title", "Titre"]) == {"Title": "title", "Titre": IGNORE}
    assert guess_field("Titre du rapport (FR)") == "title"
    assert guess_field("Authors (separated by ;)") == "authors"
    assert guess_field("Date de publication (jj/mm/aaaa)") == "date"


def test_header_row_found_under_a_title_and_unique_names(tmp_path: Path) -> None:
    path = tmp_path / "titled.csv"
    path.write_text("Publications de l'institut;;\n;;\nTitre;Année;;Titre\nA;2020;x;B\n", encoding="utf-8")
    table, columns, result = _records(path)
    assert table.header_row == 3
    assert table.headers == ["Titre", "Année", "Column C", "Titre (2)"]
    assert columns == {"Titre": "title", "Année": "year", "Column C": IGNORE, "Titre (2)": IGNORE}
    assert result.records[0].line == 4


def test_rows_without_title_empty_rows_and_unknown_values(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("Title;Type;Year;Authors;Series;Number;Remarks\n"
                    ";;;;;;\n"  # empty: not a record, said nowhere
                    ";Policy brief;2021;IPIS;IPIS Briefing;7;\n"  # no title: the series and number stand for it
                    ";;2020;;;;\n"  # nothing but a year: [untitled]
                    "Forthcoming work;Poster;forthcoming;;;;\n"  # unknown type, year kept raw
                    "Old work;Report;circa 1998;;;;\n"
                    ";;;;;;only a remark\n", encoding="utf-8")
    _t, columns, result = _records(path, {"Remarks": "ignore"})
    assert columns["Remarks"] == IGNORE
    lines = [d.line for d in result.records]
    assert lines == [3, 4, 5, 6]
    brief, bare, poster, old = result.records
    assert brief.columns["title"] == "IPIS Briefing 7" and brief.columns["type"] == "briefing"
    assert "title from series" in brief.extra["flags"]
    assert bare.columns["title"] == "[untitled]" and "untitled" in bare.extra["flags"]
    assert poster.columns["type"] == "other" and poster.extra["raw"]["type"] == "Poster"
    assert "unknown type" in poster.extra["flags"] and any("unknown type 'Poster'" in n for n in poster.notes)
    assert "year" not in poster.columns and poster.extra["raw"]["year"] == "forthcoming"
    assert "forthcoming" in poster.extra["flags"]
    assert old.columns["year"] == 1998 and old.extra["raw"]["year"] == "circa 1998"
    assert "approximate date" in old.extra["flags"]
    assert result.notes == [(7, "row7", "text only in ignored columns; not a record")]


def test_dates_as_people_type_them(tmp_path: Path) -> None:
    path = tmp_path / "dates.csv"
    path.write_text("Title,Date\nA,15/03/2021\nB,03/2020\nC,mars 2019\nD,2018-07-04\nE,04/05/2017\nF,15 June 2016\n",
                    encoding="utf-8")
    _t, _c, result = _records(path)
    got = [(d.columns.get("year"), d.columns.get("month"), d.columns.get("day")) for d in result.records]
    assert got == [(2021, 3, 15), (2020, 3, None), (2019, 3, None), (2018, 7, 4), (2017, None, None), (2016, 6, 15)]
    assert "approximate date" in result.records[4].extra["flags"]  # 4 May or 5 April: the year only


def test_authors_split_on_semicolons_and_line_breaks() -> None:
    from kbase.formats.spreadsheet import to_publication

    data = to_publication(2, {"authors": [("Authors", "Verweijen, Judith; Koen Vlassenroot\nIPIS;;")],
                              "editors": [("Editor", "Ludwig van Beethoven")],
                              "title": [("Title", "T")]})
    assert [(r, n.kind, n.display) for r, n in data.contributors] == [
        ("author", "person", "Judith Verweijen"), ("author", "person", "Koen Vlassenroot"),
        ("author", "organisation", "IPIS"), ("editor", "person", "Ludwig van Beethoven")]
    assert data.contributors[-1][1].sortable == "van Beethoven, Ludwig"


def test_names() -> None:
    assert parse_name("International Peace Information Service").kind == "organisation"
    assert parse_name("Human Rights Watch").kind == "organisation"
    assert parse_name("{Global Witness}").display == "Global Witness"
    assert parse_name("Smith JA").sortable == "Smith, JA"
    assert parse_name("J. Smith").sortable == "Smith, J."
    assert parse_name("Marie-Thérèse Kalala").sortable == "Kalala, Marie-Thérèse"
    assert parse_name(" ; ") is None


def test_mapping_overrides_and_files(tmp_path: Path) -> None:
    headers = ["Nom", "Année", "Auteurs", "Titre"]
    assert resolve_mapping(headers, {"Nom": "title"}) == {"Nom": "title", "Année": "year", "Auteurs": "authors",
                                                          "Titre": IGNORE}
    assert resolve_mapping(headers, {"annee": "ignore"})["Année"] == IGNORE  # the header as typed, accents aside
    assert resolve_mapping(headers, {"A": "title"})["Nom"] == "title"  # a column letter
    with pytest.raises(InvalidInput, match="no column 'Budget'"):
        resolve_mapping(headers, {"Budget": "title"})
    with pytest.raises(InvalidInput, match="unknown field 'colour'"):
        resolve_mapping(headers, {"Nom": "colour"})
    assert parse_map_option("title=Titre,year=Année,authors=Auteurs") == {"Titre": "title", "Année": "year",
                                                                         "Auteurs": "authors"}
    assert parse_map_option("Titre=title,author=Auteurs, Noms") == {"Titre": "title", "Auteurs, Noms": "authors"}
    saved = tmp_path / "mapping.json"
    saved.write_text(json.dumps(mapping_json({"Titre": "title", "Budget": "ignore"}, "Publications")), encoding="utf-8")
    assert read_mapping_file(saved) == ({"Titre": "title", "Budget": IGNORE}, "Publications")
    saved.write_text('{"Titre": "title"}', encoding="utf-8")
    assert read_mapping_file(saved) == ({"Titre": "title"}, None)
    saved.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(InvalidInput, match="a mapping file holds"):
        read_mapping_file(saved)
    assert [column_letter(i) for i in (0, 25, 26, 27, 701)] == ["A", "Z", "AA", "AB", "ZZ"]


def test_several_columns_one_field(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("Title,Author 1,Author 2,Author 3,Keyword,Keyword\nT,Ann Lee,Bo Diaz,,gold,tin\n", encoding="utf-8")
    _t, columns, result = _records(path)
    assert columns["Author 3"] == "authors" and columns["Keyword (2)"] == "subjects"
    rec = result.records[0]
    assert [n.display for _r, n in rec.contributors] == ["Ann Lee", "Bo Diaz"]
    assert rec.subjects == ["gold", "tin"]


def test_control_characters_cleaned_at_the_boundary(tmp_path: Path) -> None:
    path = tmp_path / "dirty.csv"
    path.write_bytes("Title,Year\nGold\x00 and\x07 tin,2020\n\"Two\r\nlines\",2021\n".encode("utf-8"))
    _t, _c, result = _records(path)
    assert [d.columns["title"] for d in result.records] == ["Gold and tin", "Two lines"]


def test_a_sheet_name_is_no_error_for_a_csv_file(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("Title,Year\nA,2020\n", encoding="utf-8")
    table = read_sheet(path, "Publications")  # one --sheet for a workbook and a CSV named together
    assert table.headers == ["Title", "Year"] and any("has no sheets" in w for w in table.warnings)


def test_file_paths_typed_on_windows() -> None:
    from kbase.formats.spreadsheet import to_publication

    data = to_publication(2, {"title": [("Title", "T")], "file": [("File", "docs\\ituri.pdf; C:\\Users\\a\\b.pdf")]})
    assert data.files == ["docs/ituri.pdf", "C:\\Users\\a\\b.pdf"]


SCOPUS_HEADERS = ["Authors", "Author full names", "Author(s) ID", "Title", "Year", "Source title", "Volume", "DOI",
                  "Authors with affiliations", "Conference name", "Conference date", "Document Type",
                  "Open Access"]


def test_scopus_export_one_authors_column_no_visibility_no_conference_date(tmp_path: Path) -> None:
    path = tmp_path / "scopus.csv"
    row = ["Kabila A.; Mwamba J.", "Kabila, Aline (57000000001); Mwamba, Joseph (57000000002)",
           "57000000001; 57000000002", "Gold in Ituri", "2024", "Mining Journal", "26", "10.1000/abc",
           "Kabila A., IPIS, Antwerp, Belgium; Mwamba J., University of Kinshasa, Kinshasa, DR Congo",
           "Mining Days", "16 May 2024 through 19 May 2024", "Conference paper",
           "All Open Access; Gold Open Access"]
    path.write_text("\ufeff" + _csv([SCOPUS_HEADERS, row], ","), encoding="utf-8")
    _t, columns, result = _records(path)
    assert {h for h, f in columns.items() if f == "authors"} == {"Authors"}
    assert columns["Open Access"] == columns["Conference date"] == columns["Author(s) ID"] == IGNORE
    rec = result.records[0]
    assert [(n.kind, n.sortable) for _r, n in rec.contributors] == [("person", "Kabila, A"), ("person", "Mwamba, J")]
    assert rec.columns["type"] == "book chapter" and rec.columns["year"] == 2024
    assert "visibility" not in rec.columns and not rec.notes


def test_pandas_columns_with_underscores_and_python_lists(tmp_path: Path) -> None:
    """ASReview's CSV: snake_case headers, lists written as Python lists, RIS type codes."""
    path = tmp_path / "asreview.csv"
    path.write_text("title,first_authors,secondary_authors,publication_year,place_published,type_of_reference\n"
                    "\"Gold\",\"['Kabila, Aline', 'Mwamba, Joseph']\",\"['Vlassenroot, Koen']\",2014,Antwerp,JOUR\n"
                    "Tin,\"[]\",,2015,,CHAP\n", encoding="utf-8")
    _t, columns, result = _records(path)
    assert columns == {"title": "title", "first_authors": "authors", "secondary_authors": "editors",
                       "publication_year": "year", "place_published": "place", "type_of_reference": "type"}
    gold, tin = result.records
    assert [(r, n.sortable) for r, n in gold.contributors] == [
        ("author", "Kabila, Aline"), ("author", "Mwamba, Joseph"), ("editor", "Vlassenroot, Koen")]
    assert (gold.columns["year"], gold.columns["place"], gold.columns["type"]) == (2014, "Antwerp", "article")
    assert tin.contributors == [] and tin.columns["type"] == "book chapter"


def test_embase_names_separated_by_commas() -> None:
    from kbase.formats.spreadsheet import to_publication

    data = to_publication(2, {"authors": [("Author Names", "Liu R., Adler D.G., Quintanilla-Dieck L.")],
                              "title": [("Title", "T")]})
    assert [n.sortable for _r, n in data.contributors] == ["Liu, R", "Adler, D.G", "Quintanilla-Dieck, L"]
    data = to_publication(2, {"authors": [("Author", "Marx, Karl; Smith, J.A.")], "title": [("Title", "T")]})
    assert [n.sortable for _r, n in data.contributors] == ["Marx, Karl", "Smith, J.A"]  # one name each
