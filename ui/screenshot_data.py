"""The sample library and files the screenshots are taken on: demo records with page texts, PDFs to import,
a .bib file to review, a spreadsheet to map, scans without a text layer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from kbase.library.db import open_library

# Sample text for a few demo publications, so the viewer and the search have pages to show.
SAMPLES = {
    "cobalt": [
        "Cobalt and 3T sourcing compared\nThis sample paper compares how cobalt and tin, tantalum and tungsten\n"
        "are traced from mine sites to refiners.",
        "Artisanal cobalt in Lualaba\nDiggers sell cobalt ore to depots near Kolwezi. Prices are set by the depot,\n"
        "and few diggers know the grade of the ore they sell.",
        "Traceability\nUnlike 3T minerals, cobalt has no industry-wide tagging scheme.\n"
        "Refiners rely on audits of their own suppliers.",
        "Recommendations\nBuyers of cobalt should publish the names of the depots they source from.",
    ],
    "gold": [
        "Gold in the eastern DRC\nA sample paper on artisanal gold mining sites in South Kivu and Ituri.",
        "Taxation at the mine site\nArmed groups and state services tax gold diggers at many sites.\n"
        "The survey recorded who collects the taxes and how much.",
        "Gold trade routes\nMost artisanal gold leaves the provinces through informal channels.",
    ],
    "diamond": [
        "Diamonds in the Central African Republic\nA sample paper on the diamond sector and the Kimberley Process.",
        "Mining communities\nDiamond diggers work in teams financed by local collectors.\n"
        "Earnings are shared after each wash of the gravel.",
        "Export figures\nOfficial diamond exports remain far below the estimated production.",
    ],
}


def make_pdf(path: Path, pages: list[str]) -> Path:
    import pymupdf

    doc = pymupdf.open()
    for i, text in enumerate(pages, start=1):
        page = doc.new_page()
        head, _, body = text.partition("\n")
        page.insert_text((72, 90), head, fontsize=20)
        y = 130.0
        for line in body.split("\n"):
            page.insert_text((72, y), line, fontsize=12)
            y += 20
        page.insert_text((72, 780), f"Sample document · page {i}", fontsize=9)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    doc.close()
    return path


def prepare_library(folder: Path) -> Catalogue:
    """A demo library with sample PDFs attached to three publications."""
    from kbase.catalogue.demo import load_demo
    from kbase.imports.pipeline import import_paths

    cat = Catalogue(open_library(str(folder / "library"), create=True))
    load_demo(cat)
    pubs = cat.all(m.Publication)
    for word, pages in SAMPLES.items():
        pub = next((p for p in pubs if word in p.title.lower()), None)
        if pub is None:
            continue
        pdf = make_pdf(folder / "samples" / f"{word}.pdf", pages)
        import_paths(cat, [str(pdf)], to_publication=pub.id, workers=1)
    return cat


def import_folder(folder: Path, tag: str) -> Path:
    """Files to import for the import-results shot: two good PDFs, a damaged one and a fake one."""
    target = folder / f"incoming-{tag}"
    make_pdf(target / f"field-notes-{tag}.pdf",
             [f"Field notes ({tag})\nNotes from a visit to mine sites near Kamituga."])
    make_pdf(target / f"workshop-{tag}.pdf", [f"Workshop summary ({tag})\nParticipants discussed due diligence.",
                                              "Next steps\nA follow-up meeting is planned."])
    # a PDF header followed by noise: what a broken download or a bad disk leaves behind
    noise = bytes((i * 7919 + len(tag)) % 251 for i in range(6000))
    (target / f"damaged-{tag}.pdf").write_bytes(b"%PDF-1.6\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog" + noise)
    (target / f"minutes-{tag}.pdf").write_text("These are meeting minutes saved as text, not a PDF.\n",
                                               encoding="utf-8")
    return target


def review_bib(cat: Catalogue, folder: Path, tag: str) -> Path:
    """A .bib file for the review shot: three demo publications again (one with pages and an abstract the record
    lacks, one with its title capitalised differently) and a new entry."""
    from kbase.formats.bibtex.export import entry_fields
    from kbase.formats.exporters.records import load_publications

    def entry(rec: dict[str, Any], key: str, **changes: str) -> str:
        etype, fields = entry_fields(rec, "bibtex")
        fields.update(changes)
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items())
        return f"@{etype}{{{key},\n{body}\n}}\n"

    pubs = cat.all(m.Publication)
    wanted = [next(p.id for p in pubs if word in p.title.lower())
              for word in ("misisi", "checkpoint economy", "cobalt")]
    misisi, checkpoints, cobalt = load_publications(cat, wanted, include_confidential=True)
    text = entry(misisi, f"misisi-{tag}", pages="1--48", abstract="How mercury from artisanal gold processing "
                 "reaches the rivers of South Kivu.", url="https://example.org/misisi")
    text += entry(checkpoints, f"checkpoints-{tag}", title=checkpoints["title"].replace("economy", "Economy"))
    text += entry(cobalt, f"cobalt-{tag}", abstract="Cobalt and 3T supply chains compared.")
    text += (f"@article{{tin-{tag},\n  author = {{Mukendi, Aline}},\n  title = {{Tin traders of Maniema ({tag})}},\n"
             "  journal = {Extractive Industries and Society},\n  year = {2022},\n}\n")
    path = folder / f"references-{tag}.bib"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def mapping_sheet(cat: Catalogue, folder: Path, lang: str) -> Path:
    """A workbook for the spreadsheet-mapping shot: an institute's own list (a title row, a blank row, the header in
    the shot's language, ten demo publications) and a second sheet of notes."""
    from openpyxl import Workbook

    from kbase.catalogue.views import describe

    heads = {"en": ["Title", "Type", "Year", "Staff contact", "Authors", "Project", "Region", "Keywords", "Link"],
             "fr": ["Titre", "Type", "Année", "Responsable", "Auteurs", "Projet", "Région", "Mots-clés", "Lien"]}[lang]
    types = {"report": "Rapport", "briefing": "Note d'information", "bulletin": "Bulletin", "article": "Article",
             "book": "Livre", "book chapter": "Chapitre", "webmap": "Carte interactive", "static maps": "Carte",
             "video": "Vidéo", "case studies": "Étude de cas", "dashboard": "Tableau de bord"}
    wb = Workbook()
    ws = wb.active
    ws.title = "Publications"
    ws.append(["IPIS publications 2019–2022" if lang == "en" else "Publications IPIS 2019–2022"])
    ws.append([])
    ws.append(heads)
    pubs = sorted((p for p in cat.all(m.Publication) if p.year), key=lambda p: (-(p.year or 0), p.title))[:10]
    for i, pub in enumerate(pubs):
        d = describe(cat, "publication", pub.id)
        names = "; ".join(c["label"] for c in d.get("contributors") or [] if c.get("role") == "author")
        ws.append([pub.title, types.get(pub.type, pub.type) if lang == "fr" else pub.type, pub.year,
                   ("A. Mukendi", "H. Merket", "L. Hoex")[i % 3], names,
                   "; ".join(x["label"] for x in d.get("projects") or []),
                   "; ".join(x["label"] for x in d.get("regions") or []),
                   ", ".join(x["label"] for x in (d.get("subjects") or [])[:3]), pub.url or ""])
    wb.create_sheet("Notes").append(["Checked by the library team, March 2023"])
    path = folder / ("publication-list.xlsx" if lang == "en" else "liste-des-publications.xlsx")
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def make_scan(path: Path, pages: list[str]) -> Path:
    """Pages of text drawn as pictures, as a scanner hands them over: no text layer."""
    import pymupdf

    doc = pymupdf.open()
    for text in pages:
        source = pymupdf.open()
        source.new_page().insert_text((72, 72), text, fontsize=13)
        pix = source[0].get_pixmap(dpi=200, colorspace=pymupdf.csGRAY)
        doc.new_page().insert_image(pymupdf.Rect(0, 0, 595, 842), stream=pix.tobytes("png"))
    doc.save(str(path), deflate=True)
    return path
