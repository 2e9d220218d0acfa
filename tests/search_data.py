"""Publications with page texts written straight into the catalogue, for the index and search tests."""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

from kbase import models as m
from kbase.catalogue import Catalogue

_files = itertools.count(1)


def add_document(cat: Catalogue, title: str, pages: list[str], **fields: Any) -> tuple[int, int]:
    """A publication with one attachment holding the given page texts; returns (publication, attachment)."""
    pub = cat.add(m.Publication, title=title, **fields)
    sha = hashlib.sha256(f"{title}-{next(_files)}".encode()).hexdigest()
    with cat.transaction() as s:
        s.add(m.StoredFile(sha256=sha, size=0))
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
