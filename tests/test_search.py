"""Full-text search: pages and snippets, bilingual analysis, query syntax, facets, sorting, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbase.catalogue.query import Filter
from kbase.catalogue.records import Catalogue
from kbase.cli import main
from kbase.errors import QueryError
from kbase.library import models as m
from kbase.search.api import search
from kbase.search.indexing import sync
from tests.search_data import FILLER, add_document


def found(cat: Catalogue, text: str, **kw: object) -> list[int]:
    return [h.publication_id for h in search(cat, text, **kw).hits]


def test_phrase_on_page_seven_of_an_imported_pdf(sqlite_demo: Catalogue, tmp_path: Path) -> None:
    from kbase.imports.pipeline import import_paths
    from tests.pdfs import text_pdf

    cat = sqlite_demo
    pages = [f"Page {i} of the survey. {FILLER}" for i in range(1, 10)]
    pages[6] = "Findings\nThe cooperative sold its cassiterite through a comptoir in Bukavu.\n" + FILLER
    target = text_pdf(tmp_path / "survey.pdf", pages=pages)
    other = text_pdf(tmp_path / "other.pdf", pages=["Cassiterite prices rose in Goma.", FILLER])
    report = import_paths(cat, [target, other])
    by_name = {Path(r.path).name: r for r in report.files}
    assert report.index_message is None
    sync(cat)
    result = search(cat, '"sold its cassiterite through a comptoir"')
    assert [h.publication_id for h in result.hits] == [by_name["survey.pdf"].publication_id]
    hit = result.hits[0]
    assert hit.pages[0].page == 7
    assert hit.pages[0].attachment_id == by_name["survey.pdf"].attachment_id
    assert "<b>cassiterite</b>" in hit.pages[0].snippet_html and "<b>comptoir</b>" in hit.pages[0].snippet_html
    # the single word is on both files; the phrase only on one
    assert set(found(cat, "cassiterite")) == {by_name["survey.pdf"].publication_id, by_name["other.pdf"].publication_id}


def test_accents_are_folded_both_ways(cat: Catalogue) -> None:
    fr, _ = add_document(cat, "Note", ["Le résumé exécutif présente les conclusions."])
    en, _ = add_document(cat, "Memo", ["Send your resume to the office."])
    sync(cat)
    assert set(found(cat, "resume")) == {fr, en}
    assert set(found(cat, "résumé")) == {fr, en}
    assert found(cat, "executif") == [fr]
    hit = search(cat, "resume").hits
    assert any("<b>résumé</b>" in p.snippet_html for h in hit for p in h.pages)


def test_french_and_english_stems(cat: Catalogue) -> None:
    fr, _ = add_document(cat, "Rapport", ["Le minerai est transporté vers la frontière par les négociants."])
    en, _ = add_document(cat, "Study", ["Each mineral leaves the country through informal routes."])
    noise, _ = add_document(cat, "Other", ["Cobalt prices and the weather."])
    sync(cat)
    assert found(cat, "minerais") == [fr]  # French plural → singular stem
    assert found(cat, "minerals") == [en]  # English plural → singular stem
    assert found(cat, "négociant") == [fr] and found(cat, "negociants") == [fr]
    assert found(cat, "transportées") == [fr]
    assert noise not in found(cat, "minerais OR minerals")


def test_declared_language_chooses_the_stemmer(cat: Catalogue) -> None:
    english, _ = add_document(cat, "Mines", ["The mines near Kamituga."], language="en")
    french, _ = add_document(cat, "Mines", ["Les minerais de Kamituga."], language="fr")
    sync(cat)
    # French stems "minerais" and "mines" alike; an English page is not analysed as French
    assert found(cat, "minerais") == [french]
    assert set(found(cat, "kamituga")) == {english, french}
    assert found(cat, '"minerais de kamituga"') == [french]


def test_cjk_text_is_found_by_part_of_a_run(cat: Catalogue) -> None:
    pub, _ = add_document(cat, "中文报告", ["中华人民共和国的矿产资源报告。", "第二页"])
    sync(cat)
    assert found(cat, "人民") == [pub]
    assert found(cat, "矿产资源") == [pub]
    assert found(cat, "资源矿产") == []


def test_results_group_pages_by_publication(cat: Catalogue) -> None:
    pages = ([FILLER] * 3 + ["Gold is traded here."] + [FILLER] + ["Gold, gold and more gold near the gold pits."]
             + ["gold"] * 4)
    pub, att = add_document(cat, "Gold trade", pages)
    other, _ = add_document(cat, "Elsewhere", ["A little gold."])
    sync(cat)
    result = search(cat, "gold")
    assert result.total == 2
    assert [h.publication_id for h in result.hits].count(pub) == 1
    hit = next(h for h in result.hits if h.publication_id == pub)
    assert 1 <= len(hit.pages) <= 3
    assert hit.pages[0].page == 6  # the page with the most gold ranks first
    assert hit.matched_pages == 6  # pages 4, 6, 7, 8, 9 and 10
    assert all(p.attachment_id == att for p in hit.pages)


def test_boolean_fields_prefix_and_fuzzy(cat: Catalogue) -> None:
    a, _ = add_document(cat, "Cobalt and copper", ["Cobalt is mined in Kolwezi with copper."], type="report", year=2019)
    b, _ = add_document(cat, "Gold briefing", ["Gold and cobalt smuggling routes."], type="briefing", year=2021)
    c, _ = add_document(cat, "Diamonds", ["Diamond diggers in Kasai."], type="report", year=2021)
    sync(cat)
    assert set(found(cat, "cobalt AND gold")) == {b}
    assert set(found(cat, "copper OR diamond")) == {a, c}
    assert set(found(cat, "cobalt NOT gold")) == {a}
    assert set(found(cat, "cobalt -gold")) == {a}
    assert set(found(cat, "type:briefing")) == {b}
    assert set(found(cat, 'type:report year:2021')) == {c}
    assert set(found(cat, "year:[2019 TO 2020]")) == {a}
    assert set(found(cat, "year:2019-2020")) == {a}  # the range as --year writes it ("-2020" is no NOT)
    assert set(found(cat, "année:2019-2020")) == {a}
    assert set(found(cat, "title:gold")) == {b}
    assert set(found(cat, "titre:gold")) == {b}  # field names in French too
    assert set(found(cat, '(gold OR cobalt) AND "gold"')) == set(found(cat, "gold"))
    assert set(found(cat, "smugg*")) == {b}
    assert set(found(cat, "diamnds~")) == {c}
    assert set(found(cat, "Kolwezy~1")) == {a}


@pytest.mark.parametrize("text, message", [
    ('"artisanal mining', "unbalanced quote"),
    ("(gold OR cobalt", "unbalanced parenthesis"),
    ("a*", "prefix too short: at least 3 characters"),
    ("go*", "prefix too short"),
    ("colour:red", "unknown field 'colour'"),
    ("mi*ing", "wildcards work only at the end"),
    ("type:novel", "unknown type 'novel'"),
    ("year:soon", "year: takes a year"),
    ("region:Atlantis", "no region matches 'Atlantis'"),
    ("ab~", "fuzzy search needs a word of at least 3 letters"),
    ("cobalt AND", "AND needs a word on each side"),
    ("OR", "OR needs a word on each side"),
    ("cobalt (AND gold)", "AND needs a word on each side"),
    ("gold NOT", "NOT needs a word on its right"),
    ("title:", "title: needs a value after the colon"),
    ("région:Atlantis", "no region matches 'Atlantis'"),  # the French name of the field
    ("thème:gold", "unknown field 'thème'"),
])
def test_invalid_queries_say_what_is_wrong(cat: Catalogue, text: str, message: str) -> None:
    add_document(cat, "Anything", ["Gold and cobalt."])
    sync(cat)
    with pytest.raises(QueryError, match=message.replace("(", r"\(").replace("*", r"\*")):
        search(cat, text)


def _regions(cat: Catalogue) -> dict[str, int]:
    drc = cat.add(m.Region, name="DR Congo", level="country")
    sk = cat.add(m.Region, name="South Kivu", level="province", parent_id=drc.id)
    fizi = cat.add(m.Region, name="Fizi", level="territory", parent_id=sk.id)
    ituri = cat.add(m.Region, name="Ituri", level="province", parent_id=drc.id)
    return {"drc": drc.id, "sk": sk.id, "fizi": fizi.id, "ituri": ituri.id}


def test_facets_count_publications_and_regions_up_the_tree(cat: Catalogue) -> None:
    r = _regions(cat)
    a, _ = add_document(cat, "Fizi gold", ["Gold panning on the lake shore.", "More gold."], type="report", year=2020)
    b, _ = add_document(cat, "Ituri gold", ["Gold in Mongbwalu."], type="briefing", year=2021)
    add_document(cat, "Unrelated", ["Nothing about metals."], type="report")
    cat.link(m.PublicationRegion, publication_id=a, region_id=r["fizi"])
    cat.link(m.PublicationRegion, publication_id=b, region_id=r["ituri"])
    sync(cat)
    result = search(cat, "gold")
    facets = {name: {label: count for _v, label, count in values} for name, values in result.facets.items()}
    assert facets["region"] == {"DR Congo": 2, "South Kivu": 1, "Fizi": 1, "Ituri": 1}
    assert facets["type"] == {"report": 1, "briefing": 1}
    assert facets["year"] == {"2020": 1, "2021": 1}
    assert set(found(cat, 'region:"South Kivu" gold')) == {a}
    assert set(found(cat, "gold", filters=Filter(region="DR Congo"))) == {a, b}
    assert set(found(cat, "gold", filters=Filter(types=["briefing"]))) == {b}


def test_sort_by_date_and_paging(cat: Catalogue) -> None:
    ids = [add_document(cat, f"Bulletin {y}", [f"Monthly cobalt bulletin {y}."], year=y, month=3)[0]
           for y in (2018, 2022, 2020)]
    sync(cat)
    by_date = search(cat, "cobalt", sort="date")
    assert [h.year for h in by_date.hits] == [2022, 2020, 2018]
    page2 = search(cat, "cobalt", sort="date", limit=1, offset=1)
    assert [h.year for h in page2.hits] == [2020] and page2.total == 3
    assert set(found(cat, "cobalt", limit=10)) == set(ids)
    with pytest.raises(QueryError, match="relevance or date"):
        search(cat, "cobalt", sort="title")  # type: ignore[arg-type]


def test_internal_records_can_be_left_out(cat: Catalogue) -> None:
    public, _ = add_document(cat, "Public", ["Tin export figures."])
    internal, _ = add_document(cat, "Internal", ["Tin export figures, draft."], visibility="internal")
    sync(cat)
    assert set(found(cat, "tin")) == {public, internal}
    assert found(cat, "tin", include_internal=False) == [public]


def test_metadata_matches_without_pages(cat: Catalogue) -> None:
    person = cat.add(m.Person, name="Hélène Mbala")
    pub = cat.add(m.Publication, title="Roadblocks on the Fizi road", abstract="A survey of illegal taxation.").id
    cat.set_contributors(pub, [("author", "person", person.id)])
    sync(cat)
    hit = search(cat, "taxation").hits[0]
    assert hit.publication_id == pub and hit.pages == [] and "<b>taxation</b>" in hit.snippet
    assert found(cat, "author:helene") == [pub]
    assert found(cat, "mbala roadblocks") == [pub]


def test_cli_search_prints_pages_and_json_facets(sqlite_demo: Catalogue, capsys: pytest.CaptureFixture[str]) -> None:
    cat = sqlite_demo
    pub, _ = add_document(cat, "Roadblock census", [FILLER, "Soldiers at the roadblock asked for a toll.", FILLER],
                          year=2021, type="report")
    loc = str(cat.library.folder)
    assert main(["--library", loc, "search", "roadblock toll"]) == 0
    out = capsys.readouterr().out
    assert f"{pub}  Roadblock census  (2021 report)" in out
    assert "p.2" in out and "**roadblock**" in out and "**toll**" in out
    assert main(["--library", loc, "search", "toll", "--json", "--type", "report"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 1 and data["hits"][0]["pages"][0]["page"] == 2
    assert {"value": "report", "label": "report", "count": 1} in data["facets"]["type"]
    assert main(["--library", loc, "search", '"toll']) == 1
    err = capsys.readouterr().err
    assert err.startswith("kbase: error: unbalanced quote") and "Traceback" not in err


def test_fast_match_sets_agree_with_whoosh(cat: Catalogue) -> None:
    from kbase.search.api import _view
    from kbase.search.docsets import doc_set
    from kbase.search.language import compile_query

    texts = ["gold and cobalt", "gold only", "cobalt only", "tin and gold and cobalt", "nothing here",
             "golden cobalt mines"]
    for i, text in enumerate(texts):
        add_document(cat, f"Doc {i}", [text, f"{text} again"], language="en" if i % 2 else None)
    sync(cat)
    cat.update(m.Publication, 1, title="Doc zero renamed")  # deletions in a segment must not count
    sync(cat)
    view = _view(cat)
    view.refresh()
    s = view.searcher
    for text in ["gold", "gold cobalt", "gold OR tin", "gold NOT cobalt", "cobalt -tin", '"gold and cobalt"',
                 "gol*", "coblt~", "NOT gold", "title:doc gold", "(gold OR tin) AND cobalt"]:
        q = compile_query(cat, s.reader(), text).query
        assert doc_set(view.postings, q) == set(s.docs_for_query(q)), text


def _varied_library(cat: Catalogue) -> None:
    """Pages where a few words recur at many different frequencies, over several segments
    (and a segment with deletions), with posting lists longer than one block (128)."""
    import random

    rng = random.Random(5)
    words = ["gold", "cobalt", "tin", "mine", "trader", "road"]
    for pub in range(12):
        pages = []
        for _ in range(50):
            chosen = [w for w in words if rng.random() < 0.6] or ["nothing"]
            text = " ".join(rng.choice(chosen) + " filler" * rng.randint(0, 2) for _ in range(rng.randint(3, 25)))
            pages.append(text + " gold cobalt road" * (rng.random() < 0.2))
        add_document(cat, f"Doc {pub} gold" if pub % 4 == 0 else f"Doc {pub}", pages)
        if pub in (5, 9):
            sync(cat)  # more than one segment
    sync(cat)
    cat.update(m.Publication, 2, title="Doc two renamed")  # its documents deleted in their segment
    sync(cat)


def test_pruned_ranking_finds_the_same_top_publications_as_a_full_scan(cat: Catalogue) -> None:
    from kbase.search.api import META_BOOST, _view
    from kbase.search.docsets import doc_set
    from kbase.search.language import compile_query
    from kbase.search.ranking import _best_groups, _top, score_docs, top_groups

    _varied_library(cat)
    view = _view(cat)
    view.refresh()
    rounds: list[int] = []
    for text in ["gold", "gold cobalt", "gold OR tin", "cobalt NOT road", "mine trader", '"gold cobalt road"',
                 "gol*", "tin~", "title:gold gold"]:
        q = compile_query(cat, view.searcher.reader(), text).query
        matched = doc_set(view.postings, q)
        full = _best_groups(score_docs(view.postings, q, matched), view.doc_pub, view.meta_docs & matched, META_BOOST)
        for want in (1, 3, 5, 20):
            expected = {g: full[g] for g in _top(full, want)}
            for first in (1, 4, 8, 32, 10**9):  # tiny budgets: every round of pruning is exercised
                got = top_groups(view.postings, q, matched, view.doc_pub, view.meta_docs, META_BOOST, want, first,
                                 rounds)
                assert list(got.items()) == list(expected.items()), (text, want, first)
        assert [h.publication_id for h in search(cat, text, limit=5).hits] == _top(full, 5), text
    assert set(rounds) == {0, 1, 2}  # answers from both pruned rounds and from full scans


def test_phrases_match_whoosh_across_blocks_segments_and_deletions(cat: Catalogue) -> None:
    from kbase.search.api import _view
    from kbase.search.docsets import doc_set
    from kbase.search.language import compile_query

    _varied_library(cat)
    add_document(cat, "Repeats", ["gold gold gold cobalt", "cobalt gold gold", "road gold road gold"])
    sync(cat)
    view = _view(cat)
    view.refresh()
    s = view.searcher
    assert any(leaf.reader().doc_frequency("text_en", "gold") > 128 for leaf, _ in s.leaf_searchers())
    for text in ['"gold cobalt"', '"cobalt gold"', '"gold cobalt road"', '"gold gold"', '"gold gold gold"',
                 '"road gold road"', '"tin tin"', '"filler gold"', '"gold filler filler"', '"mine nowhere"',
                 '"gold cobalt" AND tin', 'trader AND "road gold"', '"gold cobalt" OR "tin mine"',
                 'gold NOT "cobalt road"', 'trader AND (tin OR "gold cobalt")',
                 'mine AND ("road gold" OR "gold gold") NOT tin', 'title:"doc 4 gold"']:
        q = compile_query(cat, s.reader(), text).query
        assert doc_set(view.postings, q) == set(s.docs_for_query(q)), text


def test_fuzzy_terms_are_the_same_on_one_segment_or_many(cat: Catalogue) -> None:
    from whoosh.support.levenshtein import damerau_levenshtein

    from kbase.search.api import _view
    from kbase.search.language import fuzzy_terms

    spellings = ["coblat", "cbolat", "ocbalt", "cobaltt", "cobat", "cboalt", "glod", "godl", "golden", "goldne", "gdlo",
                 "gloden"]
    for i in range(0, len(spellings), 4):
        add_document(cat, f"Spellings {i}", [" ".join(spellings[i:i + 4]) + " cobalt gold"])
        sync(cat)  # one segment each
    view = _view(cat)
    view.refresh()
    reader = view.searcher.reader()
    assert len(reader.leaf_readers()) > 1
    lexicon = [t.decode() for t in reader.lexicon("text_en")]
    for key in ["cobalt", "gold", "golden", "cbolat"]:
        for maxdist in (1, 2):
            expected = {t for t in lexicon if t[:1] == key[:1] and damerau_levenshtein(t, key) <= maxdist}
            assert fuzzy_terms(reader, "text_en", key, maxdist) == expected, (key, maxdist)
    assert {"coblat", "cboalt"} <= fuzzy_terms(reader, "text_en", "cobalt", 1)  # a swap is one edit
    assert set(found(cat, "glod~1")) >= {p for p in found(cat, "godl")}


def test_posting_lists_read_from_blocks_equal_whooshs_own_reading(cat: Catalogue) -> None:
    import pickle
    import zlib

    from kbase.search.api import _view
    from kbase.search.docsets import Postings
    from kbase.search.whoosh.w3blocks import ids_and_weights as _ids_and_weights
    from kbase.search.whoosh.w3blocks import raw_blocks as _raw_blocks
    from kbase.search.whoosh.w3blocks import values_apart as _values_apart

    _varied_library(cat)
    view = _view(cat)
    view.refresh()
    s = view.searcher
    postings = Postings(s)
    reader = s.reader()
    cut = 0
    for fieldname in ("text_en", "text_fr", "title", "pub", "kind"):
        for btext in reader.lexicon(fieldname):
            text = btext.decode()
            ids, weights = postings.get(fieldname, text)
            expected: list[tuple[int, float]] = []
            for leaf, offset in s.leaf_searchers():
                if (fieldname, text) in leaf.reader():
                    m = leaf.reader().postings(fieldname, text)
                    while m.is_active():
                        expected.append((m.id() + offset, m.weight()))
                        m.next()
                    inner = getattr(m, "child", m)
                    fixed = inner.format.fixed_value_size() if hasattr(inner, "format") else 0
                    for n, _last, compression, raw in _raw_blocks(inner) or ():
                        cut += _ids_and_weights(raw, compression, n, fixed) is not None
            assert list(zip(ids, weights, strict=True)) == expected, (fieldname, text)
    assert cut  # blocks were read by ids_and_weights, not by Whoosh
    # the library's blocks are pickled with protocol 4 and say where their values begin: a phrase
    # unpickles them whole (values_apart's splitting is for protocol 2 blocks, test_whoosh_internals.py)
    blocks = 0
    for leaf, _offset in s.leaf_searchers():
        for text in ("gold", "cobalt", "filler", "road"):
            m = leaf.reader().postings("text_en", text)
            for n, _last, compression, raw in _raw_blocks(getattr(m, "child", m)) or ():
                data = zlib.decompress(raw) if compression else raw
                assert data.startswith(b"\x80\x04") and _values_apart(data, n) is None
                ids, weights, _values = pickle.loads(data)
                assert _ids_and_weights(raw, compression, n, None) == (ids, weights, ())
                blocks += 1
    assert blocks


def test_prefix_frequencies_read_from_the_term_table_equal_whooshs(cat: Catalogue) -> None:
    from kbase.search.api import _view
    from kbase.search.whoosh.w3blocks import prefix_frequencies

    _varied_library(cat)
    add_document(cat, "Long words",
                 ["goldsmith golden goldfields " + "gold" + "x" * 300 + " cobaltiferous tint tinned"])
    sync(cat)
    view = _view(cat)
    view.refresh()
    for leaf, _offset in view.searcher.reader().leaf_readers():
        for fieldname, prefix in [("text_en", "gol"), ("text_en", "co"), ("text_en", "t"), ("text_en", ""),
                                  ("text_fr", "gol"), ("title", "doc"), ("text_en", "zzz"), ("author", "a")]:
            expected = [(b, info.doc_frequency()) for b, info in leaf.iter_prefix(fieldname, prefix)]
            for chunk in (16, 64, 1 << 15):  # entries cut across reads, and longer than a read
                assert prefix_frequencies(leaf, fieldname, prefix, 10**6, chunk) == expected, (fieldname, prefix, chunk)
            assert prefix_frequencies(leaf, fieldname, prefix, 2) == expected[:2]


def test_facet_counts_for_most_or_few_publications_equal_a_plain_count(cat: Catalogue) -> None:
    from collections import Counter

    from kbase.search.api import _facets, _view

    _varied_library(cat)
    for i, pub in enumerate(range(1, 13)):
        cat.update(m.Publication, pub, year=2010 + i % 3, type=["report", "briefing"][i % 2])
    sync(cat)
    view = _view(cat)
    view.refresh()
    every = sorted(view.facet_keys)
    for pubs in [set(every), set(every[:2]), set(every[1:]), {every[0], 999_999}, set()]:
        plain = Counter(view.facet_pairs[k] for p in pubs for k in view.facet_keys.get(p, ()))
        got = {(name, value): count for name, values in _facets(view, pubs).items() for value, _label, count in values}
        assert got == dict(plain), pubs
