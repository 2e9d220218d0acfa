"""Catalogue API on SQLite and PostgreSQL: CRUD, links, lookups, region trees, merges, versions."""

from __future__ import annotations

import pytest

from kbase.catalogue import query, views
from kbase.catalogue.query import Filter
from kbase.catalogue.records import Catalogue
from kbase.errors import ConflictError, InvalidInput, NotFound
from kbase.library import models as m


def _regions(cat: Catalogue) -> dict[str, int]:
    drc = cat.add(m.Region, name="Democratic Republic of the Congo", level="country",
                  name_fr="République démocratique du Congo")
    cat.add_alias(m.Region, drc.id, "RDC")
    sk = cat.add(m.Region, name="South Kivu", level="province", name_fr="Sud-Kivu", parent_id=drc.id)
    fizi = cat.add(m.Region, name="Fizi", level="territory", parent_id=sk.id)
    misisi = cat.add(m.Region, name="Misisi", level="site", parent_id=fizi.id)
    ituri = cat.add(m.Region, name="Ituri", level="province", parent_id=drc.id)
    tz = cat.add(m.Region, name="Tanzania", level="country")
    return {"drc": drc.id, "sk": sk.id, "fizi": fizi.id, "misisi": misisi.id, "ituri": ituri.id, "tz": tz.id}


def test_crud_round_trip(cat: Catalogue) -> None:
    pub = cat.add(m.Publication, title="Checkpoint economy", type="report", year=2021, month=12)
    got = cat.get(m.Publication, pub.id)
    assert (got.title, got.type, got.year, got.month, got.version) == ("Checkpoint economy", "report", 2021, 12, 1)
    cat.update(m.Publication, pub.id, subtitle="Ten years after independence")
    assert cat.get(m.Publication, pub.id).version == 2
    cat.delete(m.Publication, pub.id)
    with pytest.raises(NotFound, match=f"no publication with ID {pub.id}"):
        cat.get(m.Publication, pub.id)


@pytest.mark.parametrize("values, message", [
    ({"type": "pamphlet"}, "type must be one of"),
    ({"year": "twenty"}, "year"),
    ({"year": 20210}, "plausible year"),
    ({"month": 13}, "month must be 1–12"),
    ({"month": 8, "month_end": 6}, "month range"),
    ({"visibility": "secret"}, "visibility must be one of"),
    ({"colour": "red"}, "no field 'colour'"),
])
def test_bad_values_are_refused_with_a_clear_message(cat: Catalogue, values: dict, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        cat.add(m.Publication, title="x", **values)
    assert cat.count(m.Publication) == 0


def test_month_ranges_are_kept(cat: Catalogue) -> None:
    pub = cat.add(m.Publication, title="Briefing", type="briefing", year=2021, month=6, month_end=7)
    assert views.describe(cat, "publication", pub.id)["date"] == "June – July 2021"


def test_lookup_by_any_alias_ignores_case_and_accents(cat: Catalogue) -> None:
    wfp = cat.add(m.Organisation, name="World Food Programme", acronym="WFP", kind="UN agency")
    cat.add_alias(m.Organisation, wfp.id, "World Food Program")
    asf = cat.add(m.Organisation, name="Avocats Sans Frontières")
    for name in ("World Food Program", "world food programme", "WFP", "  wfp "):
        assert [o.id for o in cat.lookup(m.Organisation, name)] == [wfp.id]
    assert [o.id for o in cat.lookup(m.Organisation, "avocats sans frontieres")] == [asf.id]
    assert cat.lookup(m.Organisation, "Nobody") == []


def test_person_lookup_and_merge_keeps_loser_name_as_alias(cat: Catalogue) -> None:
    a = cat.add(m.Person, name="Didier Verbruggen", role="staff")
    b = cat.add(m.Person, name="D. Verbruggen")
    pub = cat.add(m.Publication, title="A", type="report")
    cat.set_contributors(pub.id, [("author", "person", b.id)])
    ev = cat.add(m.Event, title="Plenary", date="2021-11-08")
    cat.link(m.EventPerson, event_id=ev.id, person_id=b.id)
    cat.merge(m.Person, a.id, b.id)
    assert [p.id for p in cat.lookup(m.Person, "d. verbruggen")] == [a.id]
    assert views.describe(cat, "publication", pub.id)["contributors"][0]["id"] == a.id
    assert [p["id"] for p in views.describe(cat, "event", ev.id)["people"]] == [a.id]
    with pytest.raises(NotFound):
        cat.get(m.Person, b.id)


def test_merge_organisations_moves_every_link(cat: Catalogue) -> None:
    ec = cat.add(m.Organisation, name="European Commission", kind="donor")
    eu = cat.add(m.Organisation, name="European Union", acronym="EU", country="Belgium")
    j1 = cat.add(m.Project, title="Kufatilia")
    j2 = cat.add(m.Project, title="IcSP programme")
    cat.link(m.ProjectOrganisation, project_id=j1.id, organisation_id=eu.id, role="funder")
    cat.link(m.ProjectOrganisation, project_id=j1.id, organisation_id=ec.id, role="funder")  # clash: kept once
    cat.link(m.ProjectOrganisation, project_id=j2.id, organisation_id=eu.id, role="partner")
    cat.set_assignment(j1.id, 2020, [eu.id])
    pub = cat.add(m.Publication, title="Report", type="report", publisher_id=eu.id)
    cat.set_contributors(pub.id, [("author", "organisation", eu.id)])
    survivor = cat.merge(m.Organisation, ec.id, eu.id)
    assert survivor.country == "Belgium" and survivor.kind == "donor" and survivor.acronym == "EU"
    assert {o.id for o in cat.lookup(m.Organisation, "European Union")} == {ec.id}
    assert {o.id for o in cat.lookup(m.Organisation, "EU")} == {ec.id}
    d1 = views.describe(cat, "project", j1.id)
    assert [f["id"] for f in d1["funders"]] == [ec.id]
    assert d1["assignments"] == [{"year": 2020, "title": None, "reference": None, "note": None,
                                  "clients": [{"kind": "organisation", "id": ec.id, "label": "European Commission"}]}]
    assert [p["id"] for p in views.describe(cat, "project", j2.id)["partners"]] == [ec.id]
    assert cat.get(m.Publication, pub.id).publisher_id == ec.id
    assert query.find_ids(cat, "publication", Filter(organisation="European Union", role="author")) == [pub.id]


def test_region_filter_includes_everything_below(cat: Catalogue) -> None:
    r = _regions(cat)
    in_misisi = cat.add(m.Publication, title="Misisi gold", type="report", year=2021)
    in_ituri = cat.add(m.Publication, title="Ituri round table", type="report", year=2021)
    in_tz = cat.add(m.Publication, title="Voices from Tanzania", type="case studies", year=2021)
    cat.link(m.PublicationRegion, publication_id=in_misisi.id, region_id=r["misisi"])
    cat.link(m.PublicationRegion, publication_id=in_ituri.id, region_id=r["ituri"])
    cat.link(m.PublicationRegion, publication_id=in_tz.id, region_id=r["tz"])
    assert query.find_ids(cat, "publication", Filter(region="South Kivu")) == [in_misisi.id]
    assert query.find_ids(cat, "publication", Filter(region="Sud-Kivu")) == [in_misisi.id]
    assert set(query.find_ids(cat, "publication", Filter(region="RDC"))) == {in_misisi.id, in_ituri.id}
    assert query.find_ids(cat, "publication", Filter(region="Fizi")) == [in_misisi.id]


def test_moving_a_region_moves_its_subtree(cat: Catalogue) -> None:
    r = _regions(cat)
    pub = cat.add(m.Publication, title="Misisi", type="report")
    cat.link(m.PublicationRegion, publication_id=pub.id, region_id=r["misisi"])
    cat.update(m.Region, r["fizi"], parent_id=r["ituri"])  # a deliberate mistake, then corrected
    assert query.find_ids(cat, "publication", Filter(region="Ituri")) == [pub.id]
    assert query.find_ids(cat, "publication", Filter(region="South Kivu")) == []
    with pytest.raises(InvalidInput, match="below its own descendant"):
        cat.update(m.Region, r["drc"], parent_id=r["misisi"])


def test_merge_regions_reparents_children(cat: Catalogue) -> None:
    r = _regions(cat)
    dup = cat.add(m.Region, name="Sud Kivu (old)", level="province", parent_id=r["drc"])
    uvira = cat.add(m.Region, name="Uvira", level="territory", parent_id=dup.id)
    pub = cat.add(m.Publication, title="Uvira", type="report")
    cat.link(m.PublicationRegion, publication_id=pub.id, region_id=uvira.id)
    cat.merge(m.Region, r["sk"], dup.id)
    assert cat.get(m.Region, uvira.id).parent_id == r["sk"]
    assert query.find_ids(cat, "publication", Filter(region="South Kivu")) == [pub.id]
    assert [x.id for x in cat.lookup(m.Region, "Sud Kivu (old)")] == [r["sk"]]


def test_filters_combine(cat: Catalogue) -> None:
    nr = cat.add(m.Programme, name="Natural Resources")
    series = cat.add(m.Series, name="IPIS Briefing", periodical=True)
    gold = cat.add(m.Subject, name="gold")
    madini = cat.add(m.Project, title="Madini – Strengthening regional stability", short_name="Madini",
                     programme_id=nr.id)
    hoex = cat.add(m.Person, name="Lotte Hoex")
    a = cat.add(m.Publication, title="Gold in Beni", type="briefing", year=2021, month=1, series_id=series.id,
                language="en")
    b = cat.add(m.Publication, title="Cobalt and 3T", type="report", year=2021, month=7, visibility="internal")
    c = cat.add(m.Publication, title="Old gold", type="report", year=2018)
    cat.link(m.PublicationProject, publication_id=a.id, project_id=madini.id)
    cat.link(m.PublicationSubject, publication_id=a.id, subject_id=gold.id)
    cat.link(m.PublicationSubject, publication_id=c.id, subject_id=gold.id)
    cat.set_contributors(b.id, [("author", "person", hoex.id)])
    find = lambda **kw: query.find_ids(cat, "publication", Filter(**kw))  # noqa: E731
    assert find(types=["briefing"]) == [a.id]
    assert set(find(year_from=2021, year_to=2021)) == {a.id, b.id}
    assert find(series="IPIS Briefing") == [a.id]
    assert find(project="Madini") == [a.id]
    assert find(programme="Natural Resources") == [a.id]
    assert set(find(subject="gold")) == {a.id, c.id}
    assert find(subject="gold", year_from=2020) == [a.id]
    assert find(person="lotte hoex") == [b.id]
    assert find(visibility=["internal"]) == [b.id]
    assert find(text="gold beni") == [a.id]
    assert find(language="en") == [a.id]
    assert query.find_ids(cat, "publication", sort="year", descending=True) == [b.id, a.id, c.id]
    assert query.count(cat, "publication", Filter(subject="gold")) == 2
    with pytest.raises(InvalidInput, match="unknown publication type"):
        find(types=["pamphlet"])
    with pytest.raises(NotFound, match="no project named"):
        find(project="Nope")


def test_project_year_means_an_assignment_that_year(cat: Catalogue) -> None:
    wfp = cat.add(m.Organisation, name="World Food Programme")
    roads = cat.add(m.Project, title="Roadblocks", start="2019-01")
    other = cat.add(m.Project, title="Other")
    cat.set_assignment(roads.id, 2020, [wfp.id])
    cat.set_assignment(other.id, 2021, [])
    assert query.find_ids(cat, "project", Filter.year(2020)) == [roads.id]
    assert query.find_ids(cat, "project", Filter(organisation="World Food Programme", role="client")) == [roads.id]
    # "active" also counts dates covering the year
    assert set(query.find_ids(cat, "project", Filter(), sort="id")) == {roads.id, other.id}
    with cat.reading() as s:
        from sqlalchemy import select
        active = set(s.scalars(select(m.Project.id).where(query.active_in_year(2022))))
    assert active == {roads.id}


def test_version_conflict_refuses_the_second_save(cat: Catalogue) -> None:
    pub = cat.add(m.Publication, title="Original", type="report")
    cat.update(m.Publication, pub.id, expected_version=1, title="First editor")
    with pytest.raises(ConflictError, match="changed by someone else") as info:
        cat.update(m.Publication, pub.id, expected_version=1, title="Second editor")
    assert info.value.theirs["title"] == "First editor"
    assert info.value.mine == {"title": "Second editor"}
    assert cat.get(m.Publication, pub.id).title == "First editor"


def test_every_write_is_in_the_change_log(cat: Catalogue) -> None:
    pub = cat.add(m.Publication, title="Logged", type="report")
    proj = cat.add(m.Project, title="P")
    cat.link(m.PublicationProject, publication_id=pub.id, project_id=proj.id)
    cat.delete(m.Publication, pub.id)
    with cat.reading() as s:
        from sqlalchemy import select
        changes = [(c.kind, c.record_id, c.op) for c in s.scalars(select(m.Change).order_by(m.Change.seq))]
    assert changes == [("publication", pub.id, "insert"), ("project", proj.id, "insert"),
                       ("publication", pub.id, "update"), ("publication", pub.id, "delete")]


def test_failed_transaction_leaves_nothing(cat: Catalogue) -> None:
    with pytest.raises(InvalidInput):
        with cat.transaction():
            cat.add(m.Publication, title="Half", type="report")
            cat.add(m.Publication, title="Bad", type="nonsense")
    assert cat.count(m.Publication) == 0


def test_deleting_a_publication_takes_its_attachments(cat: Catalogue) -> None:
    pub = cat.add(m.Publication, title="With a file", type="report")
    with cat.transaction() as s:
        s.add(m.StoredFile(sha256="ab" * 32, size=3))
        s.flush()
        att = m.Attachment(publication_id=pub.id, sha256="ab" * 32, filename="a.pdf", status="ok", page_count=1)
        s.add(att)
        s.flush()
        s.add(m.PageText(attachment_id=att.id, page=1, text="gold"))
    cat.delete(m.Publication, pub.id)
    with cat.reading() as s:
        from sqlalchemy import select
        assert list(s.scalars(select(m.Attachment))) == []
        assert list(s.scalars(select(m.PageText))) == []
        assert s.get(m.StoredFile, "ab" * 32) is not None  # the store is mended by `kbase check --repair`


@pytest.mark.parametrize("model, values", [
    (m.Person, {"name": "Aïssata  Diallo\x00", "email": "a.diallo@example.org"}),
    (m.Organisation, {"name": "Swiss Agency for Development and Cooperation", "acronym": "SDC", "kind": "donor"}),
    (m.Organisation, {"name": "IIED", "acronym": "iied"}),  # an acronym folding to the name is no second alias
])
def test_add_row_writes_what_add_writes(cat: Catalogue, model, values) -> None:
    """The import's lean insert: the same row, aliases and change-log row as add(), without the ORM."""
    from sqlalchemy import select

    from kbase.catalogue.columns import table_of
    from kbase.catalogue.records import ALIAS_TABLES

    by_add = cat.add(model, **values).id
    with cat.transaction() as s:
        by_row = cat.add_row(s, model, **values)
    assert by_row != by_add

    def row(record_id: int) -> dict:
        with cat.reading() as s:
            got = dict(s.execute(select(table_of(model)).where(table_of(model).c.id == record_id)).mappings().one())
        return {k: v for k, v in got.items() if k not in ("id", "created", "updated")}

    def aliases(record_id: int) -> list[tuple[str, str]]:
        alias_model, fk = ALIAS_TABLES[model]
        table = table_of(alias_model)
        with cat.reading() as s:
            return [tuple(r) for r in s.execute(select(table.c.alias, table.c.norm)
                                                 .where(table.c[fk] == record_id).order_by(table.c.id))]

    def logged(record_id: int) -> tuple:
        with cat.reading() as s:
            c = s.scalars(select(m.Change).where(m.Change.record_id == record_id,
                                                 m.Change.kind == model.__tablename__)).one()
        return c.op, c.version, c.fields

    assert row(by_row) == row(by_add)
    assert "\x00" not in row(by_row)["name"]  # cleaned at the boundary as add() cleans it
    assert aliases(by_row) == aliases(by_add) != []
    assert logged(by_row) == logged(by_add)
    assert history_chain_ok(cat)


def history_chain_ok(cat: Catalogue) -> bool:
    from kbase.catalogue import history

    return history.check_chain(cat, applied=-1).ok
