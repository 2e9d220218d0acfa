"""Duplicate candidates (publications, organisations, people, regions) and merging publications whole."""

from __future__ import annotations

import json
import sys

from sqlalchemy import select

from kbase.catalogue.dedupe import candidates, norm_isbn
from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from tests.cli_runner import run_cli

KBASE = [sys.executable, "-m", "kbase.cli"]


def _pair(found: list, kind: str, a: int, b: int):  # type: ignore[no-untyped-def]
    a, b = min(a, b), max(a, b)
    return next((c for c in found if c.kind == kind and (c.a, c.b) == (a, b)), None)


def _stored(cat: Catalogue, sha: str) -> None:
    with cat.transaction() as s:  # a StoredFile row has no ID of its own, so not through cat.add
        s.add(m.StoredFile(sha256=sha, size=10))


def _pub(cat: Catalogue, title: str, year: int | None = 2020, author: int | None = None, **kw: object) -> int:
    pid = cat.add(m.Publication, title=title, year=year, type="report", **kw).id
    if author:
        cat.set_contributors(pid, [("author", "person", author)])
    return pid


def test_publication_candidates(cat: Catalogue) -> None:
    kasongo = cat.add(m.Person, name="Jean Kasongo").id
    other = cat.add(m.Person, name="Anne Peeters").id
    a = _pub(cat, "Gold in Kamituga", doi="10.1000/ABC")
    b = _pub(cat, "Gold at Kamituga, revised", doi="https://doi.org/10.1000/abc")
    c = _pub(cat, "A book", isbn="90-382-2900-3")
    d = _pub(cat, "The book again", isbn="978-90-382-2900-3")
    e = _pub(cat, "Roadblocks & taxation in Fizi", 2019, kasongo)
    f = _pub(cat, "Roadblocks and taxation in Fizi", 2020, kasongo)
    g = _pub(cat, "Roadblocks and taxation in Fizi", 2020, other)
    h = _pub(cat, "Roadblocks and taxation in Fizi", 2023, kasongo)
    i = _pub(cat, "Two copies of one file")
    j = _pub(cat, "Another title for it")
    _stored(cat, "ab" * 32)
    for pid in (i, j):
        cat.add(m.Attachment, publication_id=pid, sha256="ab" * 32, filename=f"{pid}.pdf", status="ok")
    found = candidates(cat, ["publication"])
    assert _pair(found, "publication", a, b).score == 1.0  # DOI: case and resolver prefix do not matter
    assert norm_isbn("90-382-2900-3") == norm_isbn("978-90-382-2900-3")
    assert _pair(found, "publication", c, d).score == 0.95
    assert _pair(found, "publication", e, f).score == 0.9  # title (& = and), year ±1, first author
    assert _pair(found, "publication", f, g).score < 0.9  # another first author: weaker
    assert _pair(found, "publication", e, h) is None and _pair(found, "publication", f, h) is None  # years apart
    assert _pair(found, "publication", i, j).reasons == ["same file"]
    assert found == sorted(found, key=lambda x: -x.score)


def test_name_candidates(cat: Catalogue) -> None:
    ipis = cat.add(m.Organisation, name="International Peace Information Service", acronym="IPIS").id
    ipis2 = cat.add(m.Organisation, name="IPIS").id
    alert = cat.add(m.Organisation, name="International Alert").id
    alert2 = cat.add(m.Organisation, name="Alert International").id
    soc = cat.add(m.Organisation, name="Société civile du Sud-Kivu").id
    soc2 = cat.add(m.Organisation, name="societe civile du sud kivu").id
    unrelated = cat.add(m.Organisation, name="Global Witness").id
    jean = cat.add(m.Person, name="Jean Kasongo").id
    jean2 = cat.add(m.Person, name="Kasongo Jean").id
    initial = cat.add(m.Person, name="J. Kasongo").id
    drc = cat.add(m.Region, name="DRC", level="country").id
    sk = cat.add(m.Region, name="South Kivu", name_fr="Sud-Kivu", level="province", parent_id=drc).id
    sk2 = cat.add(m.Region, name="Sud Kivu", level="province", parent_id=drc).id
    found = candidates(cat)
    assert "acronym IPIS" in _pair(found, "organisation", ipis, ipis2).reasons
    assert _pair(found, "organisation", alert, alert2).reasons == ["same words in another order"]
    assert _pair(found, "organisation", soc, soc2).score == 0.95  # accents and hyphens do not matter
    assert not any(unrelated in (c.a, c.b) for c in found if c.kind == "organisation")
    assert _pair(found, "person", jean, jean2).score == 0.9
    assert _pair(found, "person", jean, initial).score == 0.7
    assert _pair(found, "region", sk, sk2).score == 0.95  # the French name of one is the other's name


def test_merge_publication_keeps_every_link_attachment_and_field(cat: Catalogue) -> None:
    p1 = cat.add(m.Person, name="Jean Kasongo").id
    p2 = cat.add(m.Person, name="Anne Peeters").id
    proj = [cat.add(m.Project, title=t).id for t in ("Madini", "Kufatilia")]
    regions = [cat.add(m.Region, name=n).id for n in ("Ituri", "Tanganyika")]
    subj = [cat.add(m.Subject, name=n).id for n in ("gold", "cobalt")]
    a = cat.add(m.Publication, title="Survivor", year=2020, type="report", url=None, doi="10.1/a",
                extra='{"fields": {"note": "mine"}}').id
    b = cat.add(m.Publication, title="Loser", year=2019, type="briefing", url="https://x.org", isbn="123",
                citekey="loserkey", extra='{"fields": {"note": "theirs", "volume": "3"}}').id
    cat.set_contributors(a, [("author", "person", p1)])
    cat.set_contributors(b, [("author", "person", p2)])
    cat.link(m.PublicationProject, publication_id=a, project_id=proj[0])
    cat.link(m.PublicationProject, publication_id=b, project_id=proj[0])
    cat.link(m.PublicationProject, publication_id=b, project_id=proj[1])
    cat.link(m.PublicationRegion, publication_id=b, region_id=regions[1])
    cat.link(m.PublicationRegion, publication_id=a, region_id=regions[0])
    cat.link(m.PublicationSubject, publication_id=b, subject_id=subj[1])
    _stored(cat, "cd" * 32)
    att = cat.add(m.Attachment, publication_id=b, sha256="cd" * 32, filename="b.pdf", status="ok").id
    cat.merge(m.Publication, a, b)
    s = cat.get(m.Publication, a)
    assert (s.title, s.year, s.type, s.doi) == ("Survivor", 2020, "report", "10.1/a")  # survivor's values win
    assert (s.url, s.isbn, s.citekey) == ("https://x.org", "123", "loserkey")  # the loser fills the gaps
    assert json.loads(s.extra)["fields"]["note"] == "mine"
    assert cat.get(m.Attachment, att).publication_id == a
    with cat.reading() as session:
        links = {(model.__name__, getattr(x, "project_id", None) or getattr(x, "region_id", None) or x.subject_id)
                 for model in (m.PublicationProject, m.PublicationRegion, m.PublicationSubject)
                 for x in session.scalars(select(model).where(model.publication_id == a))}
    assert links == {("PublicationProject", proj[0]), ("PublicationProject", proj[1]),
                     ("PublicationRegion", regions[0]), ("PublicationRegion", regions[1]),
                     ("PublicationSubject", subj[1])}
    assert [c.person_id for c in cat.all(m.Contributor) if c.publication_id == a] == [p1]  # survivor's list wins
    assert cat.count(m.Publication) == 1


def test_merge_fills_extra_fields_from_the_loser(cat: Catalogue) -> None:
    a = cat.add(m.Publication, title="A", extra='{"fields": {"note": "mine"}, "entrytype": "techreport"}').id
    b = cat.add(m.Publication, title="B", extra='{"fields": {"volume": "3"}, "others": ["author"]}').id
    cat.merge(m.Publication, a, b)
    extra = json.loads(cat.get(m.Publication, a).extra)
    assert extra == {"fields": {"note": "mine", "volume": "3"}, "entrytype": "techreport", "others": ["author"]}


def test_cli_dedupe(demo_location: str) -> None:
    proc = run_cli(["--library", demo_location, "dedupe", "publication", "--json", "--min-score", "0"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    pairs = json.loads(proc.stdout)
    assert all(p["kind"] == "publication" and 0 <= p["score"] <= 1 and p["reasons"] for p in pairs)
    bad = run_cli(["--library", demo_location, "dedupe", "events"], capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1
