"""The librarian's quality checks: one finding per problem, naming the record and its ID."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kbase.catalogue.quality import check_catalogue
from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from tests.cli_runner import run_cli

KBASE = [sys.executable, "-m", "kbase.cli"]


def _by_record(cat: Catalogue) -> dict[str, str]:
    return {f.record: f.message for f in check_catalogue(cat)}


def test_empty_catalogue_is_clean(cat: Catalogue) -> None:
    assert check_catalogue(cat) == []


def test_each_gap_is_named(cat: Catalogue) -> None:
    bare = cat.add(m.Publication, title="Untyped note").id
    full = cat.add(m.Publication, title="Complete report", type="report", year=2021).id
    proj = cat.add(m.Project, title="Madini").id
    funded = cat.add(m.Project, title="Kufatilia").id
    donor = cat.add(m.Organisation, name="Global Affairs Canada", kind="donor").id
    kindless = cat.add(m.Organisation, name="Some network").id
    region = cat.add(m.Region, name="Ituri").id
    cat.link(m.PublicationProject, publication_id=full, project_id=funded)
    cat.link(m.PublicationRegion, publication_id=full, region_id=region)
    cat.link(m.ProjectOrganisation, project_id=funded, organisation_id=donor, role="funder")
    cat.set_assignment(funded, 2021, [donor])
    found = _by_record(cat)
    assert found[f"publication {bare}"] == "“Untyped note”: no type, no year, no project, no region, no attachment"
    assert found[f"publication {full}"] == "“Complete report”: no attachment"
    assert found[f"project {proj}"] == "“Madini”: no funder, no assignment years"
    assert f"project {funded}" not in found
    assert found[f"organisation {kindless}"] == "“Some network”: no kind"
    assert f"organisation {donor}" not in found


def test_duplicates_and_missing_files(cat: Catalogue, tmp_path: Path) -> None:
    from kbase.files.store import path_for
    from kbase.imports.pipeline import import_paths
    from tests.pdfs import text_pdf

    a = cat.add(m.Publication, title="One", type="report", year=2020, doi="10.1/x").id
    b = cat.add(m.Publication, title="Two", type="report", year=2020, doi="10.1/X").id
    pdf = text_pdf(tmp_path / "one.pdf")
    import_paths(cat, [pdf], to_publication=a)
    att = next(x for x in cat.all(m.Attachment) if x.publication_id == a)
    findings = check_catalogue(cat)
    dup = [f for f in findings if "probable duplicate" in f.message]
    assert [(f.kind, f.id) for f in dup] == [("publication", a)] and f"publication {b}" in dup[0].message
    assert not any(f.kind == "attachment" for f in findings)
    path_for(cat.library, att.sha256).unlink()
    if cat.library.is_shared:  # a team library keeps the bytes in the database too: lose those as well
        still = [f for f in check_catalogue(cat) if f.kind == "attachment"]
        assert still == []  # the local copy alone is only a cache
        with cat.transaction() as s:
            s.get(m.StoredFile, att.sha256).content = None
    lost = [f for f in check_catalogue(cat) if f.kind == "attachment"]
    assert [(f.id, f.message) for f in lost] == [(att.id, "one.pdf: file missing from the store")]


def test_demo_findings_are_one_line_each(demo: Catalogue) -> None:
    findings = check_catalogue(demo)
    assert findings
    for f in findings:
        line = str(f)
        assert "\n" not in line and line.startswith(f"{f.kind} {f.id}: ")
        assert f.kind in ("publication", "project", "organisation", "person", "region", "attachment")


def test_cli_check_catalogue_json(demo_location: str) -> None:
    proc = run_cli(["--library", demo_location, "check", "--catalogue", "--json"],
                          capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr
    data = json.loads(proc.stdout)
    text = json.dumps(data)
    assert "no attachment" in text and "publication " in text
