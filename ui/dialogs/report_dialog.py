"""Report dialog: the annual report, a project sheet or a bibliography of the selection, previewed before saving."""

from __future__ import annotations

import re
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from kbase.catalogue.query import publications_per_year
from kbase.report import report_language
from kbase.report.i18n import translator
from kbase.report.output import write_file
from ui import tasks
from ui.editors.pickers import RecordPicker
from ui.i18n import language, tr, tr_n

KINDS = ("annual", "project", "bibliography")
KIND_LABELS = {"annual": "Annual report", "project": "Project sheet", "bibliography": "Bibliography of the selection"}
FORMAT_LABELS = {"html": "HTML", "pdf": "PDF", "md": "Markdown", "docx": "Word (DOCX)"}
GROUPINGS = ("year", "type", "series", "project")
STYLE_LABELS = {"house": "House style", "apa": "APA", "chicago-author-date": "Chicago (author-date)",
                "harvard": "Harvard", "iso690": "ISO 690"}


def build(cat_library: Any, params: dict[str, Any]) -> tuple[str | bytes, list[str]]:
    """Runs in a worker: one report from params (kind, fmt and the kind's own choices)."""
    from kbase.catalogue.query import Filter
    from kbase.catalogue.records import Catalogue
    from kbase.report import build_annual, build_bibliography, build_project

    cat = Catalogue(cat_library)
    kind, fmt = params["kind"], params["fmt"]
    internal = params.get("include_internal", False)
    lang, style = params.get("lang"), params.get("style")
    if kind == "annual":
        return build_annual(cat, params["year"], fmt, params["sections"], internal, lang=lang, style=style)
    if kind == "project":
        return build_project(cat, params["project"], fmt, internal, lang=lang, style=style)
    return build_bibliography(cat, Filter(ids=list(params["ids"])), params.get("group_by", "year"), fmt, internal,
                              params.get("title"), lang=lang, style=style)


def default_year(cat: Any, this_year: int | None = None) -> int:
    """The newest year with publications, or the year before it when that one still looks unfinished (not
    half as many publications as the year before: a year being catalogued, or a stray early entry); years
    after this one (a typo, a forthcoming title) are left out. A library's busiest year may be long ago:
    it is no guide to the report wanted now."""
    from datetime import date

    this_year = this_year or date.today().year
    counts = {y: n for y, n in publications_per_year(cat).items() if y <= this_year}
    if not counts:
        return this_year - 1
    newest = max(counts)
    before = counts.get(newest - 1, 0)
    return newest - 1 if counts[newest] * 2 < before else newest


class ReportDialog(QDialog):
    """Choose a report and its format, preview it (HTML or PDF), then save it."""

    def __init__(self, window: Any, kind: str = "annual", parent: QWidget | None = None):
        super().__init__(parent if parent is not None else (window if isinstance(window, QWidget) else None))
        self.window_ref, self.cat = window, window.catalogue
        self.output: str | bytes | None = None
        self.output_params: dict[str, Any] | None = None
        self.task: tasks.Task | None = None
        self._save_after = False
        # removed when the dialog is done, or when it is collected if its window was closed under it
        # (TemporaryDirectory would warn then); mkdtemp plus a finalizer says nothing
        self._tmp_dir = tempfile.mkdtemp(prefix="kbase-report-")
        self._remove_tmp = weakref.finalize(self, shutil.rmtree, self._tmp_dir, ignore_errors=True)
        self.setObjectName("report_dialog")
        self.setWindowTitle(tr("Reports"))
        self.setMinimumSize(860, 560)
        self.resize(1080, 720)
        self.selection = list(window.selected_ids()) if window.current_kind() == "publication" else []

        self.kind = QComboBox(self)
        for k in KINDS:
            self.kind.addItem(tr(KIND_LABELS[k]), k)
        self.format = QComboBox(self)
        for f in ("html", "pdf", "docx", "md"):
            self.format.addItem(tr(FORMAT_LABELS[f]), f)
        self.lang = QComboBox(self)
        self.lang.setObjectName("report_language")
        for code, label in (("en", "English"), ("fr", "Français")):
            self.lang.addItem(label, code)
        self.lang.setCurrentIndex(max(0, self.lang.findData(report_language(self.cat, interface=language()))))
        self.style = QComboBox(self)  # kbase.report.csl: the house style or a bundled CSL style
        self.style.setObjectName("report_style")
        for code, label in STYLE_LABELS.items():
            self.style.addItem(tr(label), code)
        self.include_internal = QCheckBox(tr("Include internal records"), self)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._annual_page())
        self.pages.addWidget(self._project_page(window))
        self.pages.addWidget(self._bibliography_page())
        self.kind.currentIndexChanged.connect(self._kind_changed)

        form = QFormLayout()
        form.addRow(tr("Report"), self.kind)
        form.addRow(tr("Format"), self.format)
        form.addRow(tr("Language"), self.lang)
        form.addRow(tr("Citation style"), self.style)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.pages, 1)
        left.addWidget(self.include_internal)
        self.preview_button = QPushButton(tr("Preview"), self)
        self.preview_button.setDefault(True)
        self.preview_button.clicked.connect(self.preview)
        left.addWidget(self.preview_button)
        left_box = QWidget(self)
        left_box.setLayout(left)

        self.browser = QTextBrowser(self)
        self.browser.setObjectName("report_preview_html")
        self.browser.setOpenExternalLinks(True)
        self.pdf = QPdfDocument(self)
        self.pdf_view = QPdfView(self)
        self.pdf_view.setObjectName("report_preview_pdf")
        self.pdf_view.setPageMode(QPdfView.PageMode.MultiPage)
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.pdf_view.setDocument(self.pdf)
        self.preview_stack = QStackedWidget(self)
        self.preview_stack.addWidget(self.browser)
        self.preview_stack.addWidget(self.pdf_view)
        self.status = QLabel(tr("Choose a report and press Preview."), self)
        self.status.setObjectName("report_status")
        self.status.setWordWrap(True)
        self.warnings = QListWidget(self)
        self.warnings.setObjectName("report_warnings")
        self.warnings.setMaximumHeight(110)
        self.warnings.setWordWrap(True)
        self.warnings.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.warnings.hide()
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.status)
        right.addWidget(self.preview_stack, 1)
        right.addWidget(self.warnings)
        right_box = QWidget(self)
        right_box.setLayout(right)

        splitter = QSplitter(self)
        splitter.addWidget(left_box)
        splitter.addWidget(right_box)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([320, 760])
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close,
                                        self)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(tr("Save…"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.buttons)
        self.kind.setCurrentIndex(KINDS.index(kind))
        self._kind_changed()

    # -- the three kinds of report ------------------------------------------------------------
    def _annual_page(self) -> QWidget:
        from kbase.report import SECTIONS

        page = QGroupBox(tr("Annual report"))
        self.year = QSpinBox(page)
        self.year.setRange(1990, 2100)
        self.year.setValue(default_year(self.cat))
        self.sections: dict[str, QCheckBox] = {}
        grid = QGridLayout()
        for i, (sid, _title) in enumerate(SECTIONS):
            box = QCheckBox(page)
            box.setChecked(True)
            self.sections[sid] = box
            grid.addWidget(box, i, 0)
        self.texts_button = QPushButton(tr("Texts of the report…"), page)
        self.texts_button.setObjectName("report_texts_button")
        self.texts_button.setToolTip(tr("The chair's word, preface, mission, introductions and narratives, "
                                        "in English and French"))
        self.texts_button.clicked.connect(self.edit_texts)
        layout = QFormLayout(page)
        layout.addRow(tr("Year"), self.year)
        layout.addRow(tr("Sections"), grid)
        layout.addRow("", self.texts_button)
        self.year.valueChanged.connect(self._retitle_sections)
        self._retitle_sections()
        return page

    def edit_texts(self) -> Any:
        from ui.dialogs.report_texts import open_report_texts

        return open_report_texts(self.window_ref, self.year.value(), self.lang.currentData(), parent=self)

    def _retitle_sections(self) -> None:
        from kbase.report import SECTIONS

        year = self.year.value()
        said = translator(language())  # the section titles as the report writes them
        for sid, title in SECTIONS:
            self.sections[sid].setText(said(title, year=year, first=year - 2, last=year))

    def _project_page(self, window: Any) -> QWidget:
        page = QGroupBox(tr("Project sheet"))
        self.project = RecordPicker(self.cat, "project", page)
        if window.current_kind() == "project" and window.selected_ids():
            self.project.set_value(window.selected_ids()[0])
        layout = QFormLayout(page)
        layout.addRow(tr("Project"), self.project)
        return page

    def _bibliography_page(self) -> QWidget:
        page = QGroupBox(tr("Bibliography of the selection"))
        self.group_by = QComboBox(page)
        said = translator(language())  # the words the bibliography's sections use ("par collection")
        for g in GROUPINGS:
            self.group_by.addItem(said(g), g)
        chosen = len(self.selection)
        self.selection_label = QLabel(tr_n("{n} selected publication", "{n} selected publications", chosen).format(
            n=chosen), page)
        layout = QFormLayout(page)
        layout.addRow(tr("Publications"), self.selection_label)
        layout.addRow(tr("Sections by"), self.group_by)
        return page

    def _kind_changed(self) -> None:
        self.pages.setCurrentIndex(self.kind.currentIndex())

    def params(self) -> dict[str, Any]:
        """What to build, as plain values (so the worker never touches a widget)."""
        kind = self.kind.currentData()
        p: dict[str, Any] = {"kind": kind, "fmt": self.format.currentData(), "lang": self.lang.currentData(),
                             "style": self.style.currentData(), "include_internal": self.include_internal.isChecked()}
        if kind == "annual":
            p.update(year=self.year.value(), sections=[s for s, box in self.sections.items() if box.isChecked()])
        elif kind == "project":
            p["project"] = self.project.value()
        else:
            p.update(ids=list(self.selection), group_by=self.group_by.currentData())
        return p

    def _problem(self, p: dict[str, Any]) -> str | None:
        if p["kind"] == "annual" and not p["sections"]:
            return tr("Choose at least one section.")
        if p["kind"] == "project" and not p["project"]:
            return tr("Choose a project.")
        if p["kind"] == "bibliography" and not p["ids"]:
            return tr("Select publications in the list first.")
        return None

    # -- building, preview and saving ----------------------------------------------------------
    def preview(self) -> None:
        self._start(save_after=False)

    def _start(self, save_after: bool) -> None:
        p = self.params()
        problem = self._problem(p)
        if problem:
            self.status.setText(problem)
            return
        if self.task is not None and not self.task.done:
            return
        self._save_after = save_after
        self.preview_button.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(False)
        self.status.setText(tr("Building the report…"))
        self.task = tasks.Task(build, self.cat.library, p, parent=self)
        self.task.result.connect(lambda value, params=p: self._built(params, value))
        self.task.error.connect(self._failed)
        self.task.finished.connect(self._idle)
        track = getattr(self.window_ref, "track", None)
        if track is not None:
            track(self.task, tr("Building a report"))
        tasks.start(self.task)

    def _idle(self) -> None:
        self.preview_button.setEnabled(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(True)

    def _failed(self, message: str) -> None:
        self.status.setText(tr("The report could not be built."))
        QMessageBox.warning(self, tr("Reports"), message)

    def _built(self, params: dict[str, Any], value: tuple[str | bytes, list[str]]) -> None:
        self.output, warnings = value
        self.output_params = params
        self.warnings.clear()
        self.warnings.addItems([_warning_text(w) for w in warnings])
        self.warnings.setVisible(bool(warnings))
        self._show(params["fmt"], self.output)
        self.status.setText(tr_n("Preview ({fmt}); {n} warning about missing data.",
                                 "Preview ({fmt}); {n} warnings about missing data.", len(warnings)).format(
            fmt=tr(FORMAT_LABELS[params["fmt"]]), n=len(warnings)))
        if self._save_after:
            self._save_after = False
            self._write()

    def _show(self, fmt: str, output: str | bytes) -> None:
        if fmt == "pdf":
            path = Path(self._tmp_dir) / "preview.pdf"
            self.pdf.close()
            path.write_bytes(output if isinstance(output, bytes) else output.encode())
            self.pdf.load(str(path))
            self.preview_stack.setCurrentWidget(self.pdf_view)
            return
        self.preview_stack.setCurrentWidget(self.browser)
        if fmt == "html":
            self.browser.setHtml(output if isinstance(output, str) else output.decode("utf-8"))
        elif fmt == "md":
            self.browser.setMarkdown(output if isinstance(output, str) else output.decode("utf-8"))
        else:
            self.browser.setPlainText(tr("A Word document cannot be previewed here; save it and open it in "
                                         "your word processor, or preview the HTML or PDF format."))

    def save(self) -> None:
        """Save the previewed report, building it first when the choices changed since the preview."""
        if self.output is None or self.output_params != self.params():
            self._start(save_after=True)
            return
        self._write()

    def suggested_name(self, p: dict[str, Any]) -> str:
        if p["kind"] == "annual":
            stem = f"annual-report-{p['year']}" + ("-fr" if p.get("lang") == "fr" else "")
        elif p["kind"] == "project":
            stem = f"project-{p['project']}"
        else:
            stem = "bibliography"
        return f"{stem}.{p['fmt']}"

    def _write(self, path: str | None = None) -> Path | None:
        assert self.output_params is not None and self.output is not None
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, tr("Save report"), self.suggested_name(self.output_params))
            if not path:
                return None
        target = Path(path)
        try:  # whole or not at all, with the umask's permissions
            write_file(target, self.output if isinstance(self.output, bytes) else self.output.encode("utf-8"))
        except OSError as exc:
            QMessageBox.warning(self, tr("Save report"), tasks.user_message(exc))
            return None
        self.status.setText(tr("Saved to {path}").format(path=str(target)))
        return target

    def done(self, result: int) -> None:
        self.pdf.close()
        self._remove_tmp()
        super().done(result)


def open_report_dialog(window: Any, kind: str | None = None) -> ReportDialog:
    """Open the report dialog; with publications selected it starts on their bibliography."""
    if kind is None:
        current = window.current_kind()
        chosen = window.selected_ids()
        kind = "project" if current == "project" and chosen else (
            "bibliography" if current == "publication" and len(chosen) > 1 else "annual")
    dialog = ReportDialog(window, kind)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


def show_report(window: Any) -> ReportDialog:
    """Hook for the window's Report action."""
    return open_report_dialog(window)


# what the core's missing-data warnings list after the record's name (kbase.report.missing)
_GAPS = ("no author", "no year", "no month", "no link", "no summary", "no project page",
         "no funder (Supported by)", "no programme", "nobody named")


def _warning_text(warning: str) -> str:
    """A missing-data warning of the core ('project 5 “…”: no funder, no link') in the interface's language."""
    if language() == "en":
        return warning
    text = re.fullmatch(r"report text “(.+?)”: (none for (\d{4}).*|.*)", warning)
    if text:  # kbase.report.missing.text_warnings: missing, or taken from another language or year
        key = text.group(1)
        if text.group(3):
            return tr("report text “{key}”: none for {year}").format(key=key, year=text.group(3))
        return tr("report text “{key}”: taken from another language or year").format(key=key)
    found = re.fullmatch(r"(\w+) (\d+) “(.*)”: (.+)", warning)
    if found is None:
        return warning
    kind, rid, label, gaps = found.groups()
    said = []
    for gap in gaps.split(", "):
        year = re.fullmatch(r"no client for (\d{4})", gap)
        said.append(tr("no client for {year}").format(year=year.group(1)) if year else tr(gap) if gap in _GAPS else gap)
    return f"{tr(kind)} {rid} « {label} » : {', '.join(said)}"


__all__ = ["ReportDialog", "open_report_dialog", "show_report", "build"]
