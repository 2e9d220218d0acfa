"""The details pane: every field of the selected record, its links as clickable items, Back/Forward."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import QTextBrowser, QWidget

from kbase.catalogue import views
from kbase.catalogue.records import Catalogue
from kbase.errors import KbaseError
from kbase.files.store import ensure_thumbnail
from kbase.labels import FIELD_LABELS, KIND_TITLES, TRANSLATED_VALUES
from kbase.library import models as m
from ui import tasks
from ui.i18n import date_label, language, timestamp, tr, tr_message, tr_n

# Field names as shown (English; translated on display): kbase.labels, which the CLI reads too.
LABELS = FIELD_LABELS
# shown in the heading or not at all
SKIP = {"kind", "title", "name", "year", "month", "month_end", "day", "series_id", "publisher_id", "programme_id",
        "parent_id", "organiser_id", "project_id", "subtitle"}
# fields shown first, in this order; the rest follow; META go to a small footer line
FIRST = ["date", "type", "contributors", "short_name", "acronym", "kind", "role", "level", "parent", "series", "number",
         "publisher", "place", "container", "pages", "programme", "start", "end", "end_date", "organiser",
         "organisers", "hosts", "project", "partners", "funders", "supporters", "assignments", "parts", "roles",
         "period_start", "period_end", "projects", "organisations", "regions", "children", "subjects",
         "people", "events", "publications", "abstract", "summary", "description", "aliases", "name_fr",
         "name_local", "country", "title", "email", "language", "url", "isbn", "doi", "citekey", "visibility"]
META = ("id", "version", "created", "updated")


CSS = """
h2 { font-size: 17px; margin: 2px 0 4px 0; color: #14283c; }
h3 { font-size: 13px; margin: 12px 0 4px 0; color: #33475b; }
p.kind { color: #6b7785; font-size: 11px; margin: 0; text-transform: uppercase; }
p.subtitle { color: #33475b; font-style: italic; margin: 0 0 6px 0; }
p.empty { color: #6b7785; }
p.meta { color: #8a95a3; font-size: 11px; margin-top: 14px; }
table.fields th { text-align: left; vertical-align: top; color: #5a6674; font-weight: normal; padding-right: 10px;
                  white-space: nowrap; }
table.fields td { vertical-align: top; }
a { color: #1f5f96; text-decoration: none; }
span.role, span.message { color: #6b7785; }
span.status-ok { color: #2f7d32; }
span.status-damaged, span.status-encrypted, span.status-not-a-pdf, span.status-too-large { color: #a01c12; }
"""


def link_url(kind: str, record_id: int) -> str:
    return f"kbase:{kind}/{record_id}"


def parse_link(url: QUrl | str) -> tuple[str, int] | None:
    text = url.toString() if isinstance(url, QUrl) else url
    if not text.startswith("kbase:"):
        return None
    kind, _, rid = text[6:].partition("/")
    return (kind, int(rid)) if rid.isdigit() else None


class DetailsPane(QTextBrowser):
    """Shows one record; link clicks navigate inside the pane and are remembered for Back/Forward."""

    navigated = Signal(str, int)  # kind, id now shown
    history_changed = Signal()
    open_attachment = Signal(int)  # attachment id

    def __init__(self, catalogue: Catalogue, parent: QWidget | None = None):
        super().__init__(parent)
        self.catalogue = catalogue
        self.setObjectName("details")
        self.setOpenLinks(False)
        self.document().setDefaultStyleSheet(CSS)
        self.anchorClicked.connect(self._on_anchor)
        self.history: list[tuple[str, int]] = []
        self.position = -1
        self.current: tuple[str, int] | None = None
        self._drawing: set[str] = set()  # first-page pictures asked for (each once a session)
        self.show_empty()

    # -- navigation ----------------------------------------------------------------------------
    def show_record(self, kind: str, record_id: int, remember: bool = True) -> None:
        if remember and (kind, record_id) != self.current:
            del self.history[self.position + 1:]
            self.history.append((kind, record_id))
            self.position = len(self.history) - 1
        self.current = (kind, record_id)
        self._render()
        self.history_changed.emit()
        self.navigated.emit(kind, record_id)

    def can_go_back(self) -> bool:
        return self.position > 0

    def can_go_forward(self) -> bool:
        return self.position < len(self.history) - 1

    def back(self) -> None:  # type: ignore[override]
        if self.can_go_back():
            self.position -= 1
            self.show_record(*self.history[self.position], remember=False)

    def forward(self) -> None:  # type: ignore[override]
        if self.can_go_forward():
            self.position += 1
            self.show_record(*self.history[self.position], remember=False)

    def show_empty(self, message: str = "") -> None:
        self.current = None
        text = message or tr("Select a record to see its details.")
        self.setHtml(f"<p class='empty'>{html.escape(text)}</p>")

    def refresh(self) -> None:
        if self.current:
            self._render()

    def retranslate(self) -> None:
        if self.current:
            self._render()
        else:
            self.show_empty()

    def _on_anchor(self, url: QUrl) -> None:
        from ui.notes_panel import handle_link

        if handle_link(self, url):  # notes, links and files that are not PDFs
            return
        target = parse_link(url)
        if target is None:
            from PySide6.QtGui import QDesktopServices

            QDesktopServices.openUrl(url)
            return
        if target[0] == "attachment":
            self.open_attachment.emit(target[1])
            return
        self.show_record(*target)

    # -- rendering -----------------------------------------------------------------------------------
    def _render(self) -> None:
        assert self.current
        kind, record_id = self.current
        try:
            data = views.describe(self.catalogue, kind, record_id)
            from ui.notes_panel import extra_data

            data["around"] = extra_data(self.catalogue, kind, record_id)
        except KbaseError as exc:
            self.setHtml(f"<p class='empty'>{html.escape(str(exc))}</p>")
            return
        self.setHtml(self.to_html(kind, data))

    def to_html(self, kind: str, data: dict[str, Any]) -> str:
        title = data.get("title") or data.get("name") or ""
        parts = [f"<p class='kind'>{html.escape(tr(KIND_TITLES.get(kind, kind)))}</p>",
                 f"<h2>{html.escape(str(title))}</h2>"]
        if data.get("subtitle"):
            parts.append(f"<p class='subtitle'>{html.escape(data['subtitle'])}</p>")
        if kind == "publication":
            data = {**data, "date": date_label(data.get("year"), data.get("month"), data.get("month_end"))}
        rows = []
        ordered = [k for k in FIRST if k in data] + [k for k in data if k not in FIRST]
        for key in ordered:
            value = data[key]
            shown_anyway = (key == "title" and kind == "person") or (key == "kind" and value != kind)
            if (key in SKIP and not shown_anyway) or key in META:
                continue
            if value in (None, "", [], {}) or value is False or key in ("attachments", "around"):
                continue  # (a flag that is off says nothing)
            if key == "extra":  # what an import kept, by name; its bookkeeping stays out (views.extra_rows)
                rows += [f"<tr><th>{html.escape(tr(label))}</th><td>{html.escape(text)}</td></tr>"
                         for label, text in views.extra_rows(value if isinstance(value, dict) else None)]
                continue
            label = ("Position" if (key == "title" and kind == "person")
                     else LABELS.get(key, key.replace("_", " ").capitalize()))
            rows.append(f"<tr><th>{html.escape(tr(label))}</th>"
                        f"<td>{self._value(key, value)}</td></tr>")
        parts.append("<table class='fields' cellspacing='0' cellpadding='3'>" + "".join(rows) + "</table>")
        if data.get("attachments"):
            parts.append(f"<h3>{html.escape(tr('Attachments'))}</h3>")
            parts.extend(self._attachment(a) for a in data["attachments"])
        if data.get("around") is not None:
            from ui.notes_panel import around_html

            parts.append(around_html(kind, data["around"], link_url))
        footer = [f"{tr('ID')} {data.get('id')}"]
        if data.get("version"):
            footer.append(f"{tr('Version')} {data['version']}")
        if data.get("created"):
            footer.append(f"{tr('Created')} {timestamp(data['created'])}")
        if data.get("updated"):
            footer.append(f"{tr('Modified')} {timestamp(data['updated'])}")
        parts.append(f"<p class='meta'>{html.escape(' · '.join(footer))}</p>")
        return "".join(parts)

    def _draw_thumbnail(self, sha256: str) -> None:
        """The importer leaves first-page pictures to be drawn when first shown: draw this one off
        the GUI thread, then show the record again, where the reader left it."""
        if sha256 in self._drawing:
            return
        self._drawing.add(sha256)
        shown = self.current

        def drawn(path: Any) -> None:
            if path is not None and self.current == shown:
                scrolled = self.verticalScrollBar().value()
                self._render()
                self.verticalScrollBar().setValue(scrolled)

        tasks.run(ensure_thumbnail, self.catalogue.library, sha256, on_result=drawn, on_error=lambda msg: None,
                  parent=self)

    def _value(self, key: str, value: Any) -> str:
        if isinstance(value, dict) and "kind" in value and "id" in value:
            return _ref(value)
        if isinstance(value, list):
            if key == "contributors":
                return "<br>".join(_ref(c) + (f" <span class='role'>({html.escape(tr(c['role']))})</span>"
                                              if c.get("role") and c["role"] != "author" else "") for c in value)
            if key == "assignments":
                return "<br>".join(_assignment(a) for a in value)
            if key == "roles":
                return "<br>".join(_role(r) for r in value)
            return "<br>".join(_ref(v) if isinstance(v, dict) and "id" in v else html.escape(str(v)) for v in value)
        if isinstance(value, dict):  # e.g. an organisation's projects by role, extra fields
            lines = []
            for sub, inner in value.items():
                label = html.escape(tr(LABELS.get(sub, sub)))
                lines.append(f"<i>{label}</i>: {self._value(sub, inner)}")
            return "<br>".join(lines)
        text = str(value)
        if key == "url" and text.startswith(("http://", "https://")):
            return f"<a href='{html.escape(text, quote=True)}'>{html.escape(text)}</a>"
        if key in TRANSLATED_VALUES:
            text = tr(text)
        return html.escape(text).replace("\n", "<br>")

    def _attachment(self, a: dict[str, Any]) -> str:
        thumb = ""
        try:
            att = self.catalogue.get(m.Attachment, a["id"])
        except KbaseError:
            att = None
        if att is not None and att.has_thumbnail:
            path = thumbnail_path(self.catalogue, att)
            if path:
                thumb = (f"<a href='{link_url('attachment', a['id'])}'>"
                         f"<img src='{QUrl.fromLocalFile(path).toString()}' width='96'></a>")
            else:
                self._draw_thumbnail(att.sha256)
        status = a.get("status") or ""
        pages = a.get("pages") or 0
        info = html.escape(tr(status)) if status else ""
        if pages:
            info += " · " + html.escape(tr_n("{n} page", "{n} pages", pages).format(n=pages))
        if a.get("message"):  # stored in English ("text from OCR: …"): read back in the interface's language
            info += "<br><span class='message'>" + html.escape(tr_message(a["message"])) + "</span>"
        name = f"<a href='{link_url('attachment', a['id'])}'>{html.escape(a.get('label') or '')}</a>"
        return (f"<table class='attachment'><tr><td>{thumb}</td>"
                f"<td valign='top'>{name}<br><span class='status status-{html.escape(status.replace(' ', '-'))}'>"
                f"{info}</span></td></tr></table>")


def thumbnail_path(catalogue: Catalogue, att: m.Attachment) -> str | None:
    """The first-page image the importer wrote for this attachment, if any."""
    folder = catalogue.library.thumbs_dir
    for name in (f"{att.sha256}.png", f"{att.sha256}.jpg", f"{att.id}.png"):
        if (folder / name).exists():
            return str(folder / name)
    return None


def _ref(ref: dict[str, Any]) -> str:
    label = (language() == "fr" and ref.get("label_fr")) or ref.get("label") or ref["id"]
    return f"<a href='{link_url(ref['kind'], ref['id'])}'>{html.escape(str(label))}</a>"


def _assignment(a: dict[str, Any]) -> str:
    if "clients" in a:
        clients = ", ".join(_ref(c) for c in a["clients"])
        title = f" <i>{html.escape(a['title'])}</i>" if a.get("title") else ""
        return f"{a['year']}:{title} {clients}".rstrip() if clients or title else str(a["year"])
    return f"{a.get('year')}: {_ref(a)}"


def _role(r: dict[str, Any]) -> str:
    """'board (Chair), 2019 – 2021'."""
    text = html.escape(tr(r["role"])) + (f" ({html.escape(r['title'])})" if r.get("title") else "")
    if r.get("start") or r.get("end"):
        text += f", {(r.get('start') or '')[:10]} – {(r.get('end') or '')[:10]}"
    return text


__all__ = ["DetailsPane", "link_url", "parse_link", "thumbnail_path"]
