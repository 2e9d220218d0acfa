"""Library integrity: the index against the catalogue, the file store, attachments without text."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from kbase.catalogue import columns, history, quality
from kbase.catalogue.records import Catalogue
from kbase.files import store as file_store
from kbase.i18n import N_, en_ngettext, ngettext, translate
from kbase.i18n import gettext as _
from kbase.library import models as m
from kbase.search.api import forget
from kbase.search.documents import load_pubs, pages_of
from kbase.search.indexing import Indexer, changes_behind, index_ready, open_dir, read_state, rebuild, sync

ORPHAN_MIN_AGE = 0.0  # seconds; a running import's files are left alone through its lock (kbase.files.store.importing)


@dataclass
class Problem:
    kind: str  # index | store | text | catalogue
    record: str  # "publication 12", "attachment 3 (report.pdf)", "file 1a2b…"
    message: str
    repaired: bool = False

    def __str__(self) -> str:
        return f"{'repaired' if self.repaired else 'problem'}: {self.message}"

    def said(self) -> str:
        """The line in the current language (the message itself stays English, as --json gives it)."""
        line = _("repaired: {message}") if self.repaired else _("problem: {message}")
        return line.format(message=translate(self.message))


@dataclass
class CheckReport:
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    import_running: bool = False  # then the index and the store's unlisted files were not checked

    @property
    def remaining(self) -> list[Problem]:
        return [p for p in self.problems if not p.repaired]

    def lines(self) -> list[str]:
        """The report to print, in the current language."""
        out = [p.said() for p in self.problems] + [translate(note) for note in self.notes]
        if not self.problems and self.import_running:
            out.append(_("no problem found in what could be checked while the import runs"))
        elif not self.problems:
            out.append(_("library is consistent: catalogue, file store and index agree"))
        elif self.remaining:
            left = len(self.remaining)
            out.append(ngettext("{n} problem left", "{n} problems left", left).format(n=left))
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"problems": [p.__dict__ for p in self.problems], "remaining": len(self.remaining), "notes": self.notes,
                "import_running": self.import_running}


# -- the index ------------------------------------------------------------------------------
def _index_signatures(index_dir: Path) -> tuple[dict[int, int], dict[tuple[int, int], tuple[int, int, str]], set[str]]:
    """What the index holds: each publication's signature, each page's (publication, signature, key), and the
    keys of documents that are there twice."""
    meta_sig: dict[int, int] = {}
    page_sig: dict[tuple[int, int], tuple[int, int, str]] = {}  # (att, page) → (pub, sig, key)
    dup_keys: set[str] = set()
    with open_dir(index_dir).searcher() as searcher:
        for fields in searcher.reader().all_stored_fields():
            key = fields.get("key", "")
            if fields.get("kind") == "pub":
                pub = int(fields["pub"])
                if pub in meta_sig:
                    dup_keys.add(key)
                meta_sig[pub] = int(fields.get("sig", 0))
            else:
                att_page = (int(fields["att"]), int(fields["page"]))
                if att_page in page_sig:
                    dup_keys.add(key)
                page_sig[att_page] = (int(fields["pub"]), int(fields.get("sig", 0)), key)
    return meta_sig, page_sig, dup_keys


def index_problems(cat: Catalogue) -> tuple[list[Problem], set[int], set[str]]:
    """Drift between catalogue and index; returns problems, publications to refresh, keys to drop."""
    lib = cat.library
    if not index_ready(lib):
        state = read_state(lib)
        why = N_("an interrupted rebuild") if state.get("rebuilding") else N_("no index of this version")
        unusable = N_("the search index is unusable ({why}); it must be rebuilt").format(why=why)
        return [Problem("index", "index", unusable)], set(), {"*"}
    problems: list[Problem] = []
    behind = changes_behind(cat) or 0
    if behind > 0:
        problems.append(Problem("index", "index", en_ngettext(
            "the search index is {n} catalogue change behind (a search catches up; "
            "`kbase check --repair` brings it up to date now)",
            "the search index is {n} catalogue changes behind (a search catches up; "
            "`kbase check --repair` brings it up to date now)", behind).format(n=behind)))
    chain = history.audit(cat)  # a deleted or rewritten change: the index may miss what it said
    if not chain.ok:
        problems.append(Problem("index", "change log", N_(
            "{message}; the search index must be rebuilt (`kbase check --repair` or `kbase sync`)").format(
            message=chain.message())))
    meta_sig, page_sig, dup_keys = _index_signatures(lib.index_dir)
    refresh: set[int] = set()
    drop: set[str] = set(dup_keys) | (set() if chain.ok else {"*"})
    for key in sorted(dup_keys):
        problems.append(Problem("index", f"index document {key}",
                                N_("index document {key} is there twice").format(key=key)))
    with cat.reading() as s:
        pub_ids = set(s.scalars(select(columns.key(m.Publication.id))))
        infos = load_pubs(s, pub_ids)
        for pub_id in sorted(pub_ids - set(meta_sig)):
            problems.append(Problem("index", f"publication {pub_id}",
                                    N_("publication {id} is missing from the index").format(id=pub_id)))
            refresh.add(pub_id)
        for pub_id in sorted(set(meta_sig) - pub_ids):
            problems.append(Problem("index", f"publication {pub_id}",
                                    N_("the index still has publication {id}, which is not in the catalogue")
                                    .format(id=pub_id)))
            drop.add(f"p{pub_id}")
        for pub_id, sig in meta_sig.items():
            info = infos.get(pub_id)
            if info is not None and info.meta_document()["sig"] != sig:
                problems.append(Problem("index", f"publication {pub_id}",
                                        N_("the index has an out-of-date copy of publication {id}")
                                        .format(id=pub_id)))
                refresh.add(pub_id)
        atts: dict[int, int] = dict(s.execute(select(col(m.Attachment.id), col(m.Attachment.publication_id))
                                              .where(col(m.Attachment.publication_id).is_not(None))).all())
        seen: set[tuple[int, int]] = set()
        stale_pubs: dict[int, int] = defaultdict(int)
        for att_id, page, text in pages_of(s, list(atts)):
            pub_id = atts[att_id]
            seen.add((att_id, page))
            found = page_sig.get((att_id, page))
            info = infos.get(pub_id)
            if info is None:
                continue
            if found is None or found[0] != pub_id or found[1] != info.page_document(att_id, page, text)["sig"]:
                stale_pubs[pub_id] += 1
        for pub_id, n in sorted(stale_pubs.items()):
            problems.append(Problem("index", f"publication {pub_id}", en_ngettext(
                "publication {id}: {n} page missing from the index or out of date",
                "publication {id}: {n} pages missing from the index or out of date", n).format(id=pub_id, n=n)))
            refresh.add(pub_id)
        for (att_id, page), (_pub_id, _sig, key) in sorted(page_sig.items()):
            if (att_id, page) not in seen:
                problems.append(Problem("index", f"attachment {att_id}", N_(
                    "the index has page {page} of attachment {id}, which the catalogue has not").format(
                    page=page, id=att_id)))
                drop.add(key)
    return problems, refresh, drop


def repair_index(cat: Catalogue, refresh: set[int], drop: set[str]) -> None:
    forget(cat)
    if "*" in drop:
        rebuild(cat)
        return
    sync(cat)
    with Indexer(cat) as ix:
        w = ix.writer()
        for key in drop:
            w.delete_by_term("key", key)
        ix.commit()
        for pub_id in sorted(refresh):
            ix.refresh_publication(pub_id)
        ix.commit()


# -- files and texts ------------------------------------------------------------------------
def text_problems(cat: Catalogue) -> list[Problem]:
    """Attachments said to have text (status ok, pages counted) that have none, or left pending."""
    with cat.reading() as s:
        with_text = select(col(m.PageText.attachment_id)).distinct()
        rows = s.execute(select(col(m.Attachment.id), col(m.Attachment.filename), col(m.Attachment.status),
                                col(m.Attachment.page_count))
                         .where(col(m.Attachment.id).not_in(with_text))
                         .where(col(m.Attachment.status).in_(("ok", "pending")))).all()
    out = []
    for att_id, filename, status, pages in rows:
        if status == "pending":
            why = N_("its text extraction never finished")
        elif pages:
            why = en_ngettext("it is marked ok with {n} page but has no page text",
                              "it is marked ok with {n} pages but has no page text", pages).format(n=pages)
        else:
            continue
        out.append(Problem("text", f"attachment {att_id}",
                           N_("attachment {id} ({filename}): {why}").format(id=att_id, filename=filename, why=why)))
    return out


def store_problems(cat: Catalogue, deep: bool, orphans_too: bool = True) -> tuple[list[Problem], list[str]]:
    problems = [Problem("store", f"file {p.sha256[:12]}", str(p)) for p in file_store.verify(cat.library, deep=deep)]
    orphans = list(file_store.orphans(cat.library, min_age=ORPHAN_MIN_AGE)) if orphans_too else []
    problems += [Problem("store", o, N_("file {name} is in the store but not in the catalogue").format(name=o))
                 for o in orphans]
    return problems, orphans


def catalogue_problems(cat: Catalogue) -> list[Problem]:
    found = quality.check_catalogue(cat)
    return [Problem("catalogue", str(getattr(p, "record", "catalogue")), str(getattr(p, "message", p))) for p in found]


def ocr_notes(cat: Catalogue) -> list[str]:
    """The OCR queue's state: scanned pages waiting are no drift, but the user should know."""
    from kbase.ocr.queue import ocr_state

    state = ocr_state(cat)
    notes = []
    waiting = state["queued"] + state["running"]
    if waiting or state["cancelled"]:
        documents, pages = waiting + state["cancelled"], state["pages_left"]
        # the page count is a message of its own inside the first: translate() reads both back
        notes.append(en_ngettext("OCR: {n} document ({pages}) not read yet; run `{command}` to read them",
                                 "OCR: {n} documents ({pages}) not read yet; run `{command}` to read them",
                                 documents).format(
            n=documents, pages=en_ngettext("{n} scanned page", "{n} scanned pages", pages).format(n=pages),
            command="kbase ocr --all" if state["cancelled"] else "kbase ocr"))
    if state["failed"]:
        notes.append(en_ngettext("OCR: {n} document could not be read; see `kbase ocr --status`",
                                 "OCR: {n} documents could not be read; see `kbase ocr --status`",
                                 state["failed"]).format(n=state["failed"]))
    return notes


# -- everything -----------------------------------------------------------------------------
def _import_running(cat: Catalogue) -> bool:
    return bool(file_store.import_running(cat.library))


def check_library(cat: Catalogue, repair: bool = False, deep: bool = False, catalogue: bool = False) -> CheckReport:
    """Find drift between catalogue, store and index; with repair=True mend it and check again."""
    running = _import_running(cat)
    report = CheckReport(import_running=running)
    # an import's files reach the store before their catalogue rows, and its pages reach the index
    # a segment at a time: neither is drift, and a repair would delete files it is about to commit
    store, orphans = store_problems(cat, deep, orphans_too=not running)
    texts = text_problems(cat)
    index, refresh, drop = ([], set(), set()) if running else index_problems(cat)
    if running:
        report.notes.append(N_("an import is running: the search index and the files it has not catalogued yet "
                               "were left alone; run `kbase check` again once it has finished"))
    report.problems = store + texts + index
    report.notes += ocr_notes(cat)
    if catalogue:
        report.problems += catalogue_problems(cat)
    if not repair or cat.library.read_only:
        return report
    if orphans:
        file_store.remove_orphans(cat.library, orphans)
    if index:
        repair_index(cat, refresh, drop)
    # what is still wrong after the repair stays a problem; the rest is marked repaired
    left_store, _ = store_problems(cat, deep, orphans_too=not running)
    left_index, _, _ = ([], set(), set()) if running else index_problems(cat)
    still = {(p.kind, p.message) for p in left_store + left_index + text_problems(cat)}
    for p in report.problems:
        if p.kind in ("store", "index", "text") and (p.kind, p.message) not in still:
            p.repaired = True
    reported = {(q.kind, q.message) for q in report.problems}
    report.problems += [p for p in left_store + left_index if (p.kind, p.message) not in reported]
    return report


__all__ = ["check_library", "CheckReport", "Problem", "index_problems", "text_problems"]
