"""A big index sync runs in a child process and leaves the same index a sync in the caller would."""

from __future__ import annotations

from pathlib import Path

import pdfs
import pytest

from kbase.catalogue.records import Catalogue
from kbase.errors import LibraryError
from kbase.imports.pipeline import import_paths
from kbase.search import process as index_process
from kbase.search.api import search


def test_a_first_build_goes_to_a_child_and_is_searchable(cat: Catalogue, tmp_path: Path) -> None:
    paths = [pdfs.text_pdf(tmp_path / f"d{i}.pdf", [f"cover {i}", "the okapi reserve of Ituri"]) for i in range(3)]
    import_paths(cat, paths, index=False)
    assert index_process.pending_changes(cat) is None  # no index yet
    assert index_process.needs_child(cat)
    index_process.sync_in_child(cat.library.location, nice=0)
    assert index_process.pending_changes(cat) == 0
    assert not index_process.needs_child(cat)
    result = search(cat, '"okapi reserve"')
    assert len(result.hits) == 3
    assert all(page.page == 2 for hit in result.hits for page in hit.pages)


def test_a_child_that_cannot_open_the_library_says_so(tmp_path: Path) -> None:
    with pytest.raises(LibraryError) as caught:
        index_process.sync_in_child(str(tmp_path / "nowhere"), nice=0)
    message = str(caught.value)
    assert message.startswith("the search index could not be brought up to date:") and "\n" not in message
