"""Publications with page texts written straight into the catalogue, for the index and search tests."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path
from typing import Any

from kbase.catalogue.records import Catalogue
from kbase.library import models as m

_files = itertools.count(1)


def add_document(cat: Catalogue, title: str, pages: list[str], **fields: Any) -> tuple[int, int]:
    """A publication with one attachment holding the given page texts; returns (publication, attachment)."""
    from kbase.files.store import put_file, stored_file_row

    pub = cat.add(m.Publication, title=title, **fields)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "file.pdf"
        src.write_bytes(f"%PDF-1.4 {title} {next(_files)}".encode())
        sha, size, _ = put_file(cat.library, src)  # a real file in the store, so `kbase check` is clean
    with cat.transaction() as s:
        s.add(stored_file_row(cat.library, sha, size))
        s.flush()
        att = m.Attachment(publication_id=pub.id, sha256=sha, filename=f"{title[:20]}.pdf", status="ok",
                           page_count=len(pages))
        s.add(att)
        s.flush()
        for number, text in enumerate(pages, start=1):
            s.add(m.PageText(attachment_id=att.id, page=number, text=text))
        cat.log_change(s, "attachment", att.id, "insert")
    return pub.id, att.id


FILLER = ("The report describes the situation in the province and the work of local committees. "
          "Traders, cooperatives and authorities were interviewed over several weeks. ")
