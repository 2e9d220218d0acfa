"""The record editor dialog: a form built from a field spec, with inline validation and undoable saves."""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date
from functools import partial
from typing import Any, Callable

from PySide6.QtCore import QDate, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kbase.catalogue.editing import RecordState, changed, empty_state, read_state
from kbase.errors import ConflictError, InvalidInput, KbaseError
from ui.editors.pickers import AliasEditor, ContributorEditor, LinkListEditor, RecordPicker
from ui.i18n import tr
from ui.undo import context_for, push_edit

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
NO_DATE = QDate(1900, 1, 1)  # the date edit's minimum, shown blank: "no date"


@dataclass
class FieldSpec:
    """One row of a form: a field (or "links.<name>") with its label and kind of widget."""

    key: str
    label: str
    widget: str  # text, long, enum, year, month, date, ref:<kind>, refs:<kind>, contributors, aliases, custom
    choices: tuple[str, ...] = ()
    optional: bool = True
    labels: dict[str, str] = dc_field(default_factory=dict)  # shown instead of the stored value
    make: Callable[["RecordEditor"], QWidget] | None = dc_field(default=None, repr=False)


Validator = Callable[[RecordState], list[tuple[str, str]]]


class RecordEditor(QDialog):
    """Edits one record of any kind (or a new one); Save goes through the window's undo stack."""

    def __init__(self, window: Any, kind: str, record_id: int | None, tabs: list[tuple[str, list[FieldSpec]]],
                 validate: Validator, parent: QWidget | None = None):
        super().__init__(parent if parent is not None else (window if isinstance(window, QWidget) else None))
        self.window_ref, self.cat, self.kind, self.record_id = window, window.catalogue, kind, record_id
        self.validate = validate
        self.setObjectName(f"{kind}_editor")
        self.before: RecordState | None = read_state(self.cat, kind, record_id) if record_id else None
        self.widgets: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.setWindowTitle((tr("Edit {kind}") if record_id else tr("New {kind}")).format(kind=tr(kind)))
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        for title, specs in tabs:
            self.tabs.addTab(self._build_page(specs), tr(title))
        layout.addWidget(self.tabs)
        if len(tabs) == 1:
            self.tabs.tabBar().hide()
            self.tabs.setDocumentMode(True)
        self.message = QLabel(self)
        self.message.setObjectName("editor_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.message.hide()
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.load(self.before or empty_state(kind))
        # an explicit minimum keeps the layout from changing it later (offscreen Qt warns about that)
        self.setMinimumSize(520, 360)
        self.resize(660, {"publication": 600, "project": 600, "event": 560, "person": 520}.get(kind, 480))

    # -- building -------------------------------------------------------------------------
    def _build_page(self, specs: list[FieldSpec]) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for spec in specs:
            widget = self._make(spec)
            widget.setObjectName(spec.key.replace(".", "_"))
            self.widgets[spec.key] = widget
            error = QLabel()
            error.setStyleSheet("color: #b00020;")
            error.setWordWrap(True)
            error.hide()
            self.errors[spec.key.split(".")[-1]] = error
            cell = QWidget()
            box = QVBoxLayout(cell)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(2)
            box.addWidget(widget)
            box.addWidget(error)
            label = tr(spec.label) + ("" if spec.optional else " *")
            form.addRow(label, cell)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(page)
        return scroll

    def _make(self, spec: FieldSpec) -> QWidget:
        kind, _, target = spec.widget.partition(":")
        if spec.make is not None:
            return spec.make(self)
        if kind == "text":
            return QLineEdit()
        if kind == "long":
            w = QPlainTextEdit()
            w.setTabChangesFocus(True)
            w.setMinimumHeight(80)
            return w
        if kind == "enum" or kind == "month":
            w = QComboBox()
            if spec.optional:
                w.addItem("", None)
            if kind == "month":
                for i, name in enumerate(MONTHS, 1):
                    w.addItem(tr(name), i)
            else:
                for choice in spec.choices:
                    w.addItem(tr(spec.labels.get(choice, choice)), choice)
            return w
        if kind == "year":
            w = QSpinBox()
            w.setRange(0, 2999)
            w.setSpecialValueText(" ")
            return w
        if kind == "date":
            w = QDateEdit()
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd")
            w.setMinimumDate(NO_DATE)
            w.setSpecialValueText(" ")
            return w
        if kind == "ref":
            return RecordPicker(self.cat, target)
        if kind == "refs":
            return LinkListEditor(self.cat, target)
        if kind == "contributors":
            return ContributorEditor(self.cat)
        if kind == "aliases":
            return AliasEditor()
        raise ValueError(f"unknown widget kind {spec.widget!r}")

    # -- state <-> widgets ------------------------------------------------------------------
    def load(self, state: RecordState) -> None:
        for key, w in self.widgets.items():
            value = state.links.get(key[6:]) if key.startswith("links.") else state.fields.get(key)
            set_value(w, value)

    def collect(self) -> RecordState:
        state = (self.before or empty_state(self.kind)).copy()
        for key, w in self.widgets.items():
            value = get_value(w)
            if key.startswith("links."):
                state.links[key[6:]] = value
            else:
                state.fields[key] = value
        doi = state.fields.get("doi")
        if doi:  # the same DOI pasted as a link or with a prefix is stored one way
            state.fields["doi"] = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", doi, flags=re.I)
        return state

    # -- saving -----------------------------------------------------------------------------
    def show_errors(self, problems: list[tuple[str, str]]) -> None:
        for label in self.errors.values():
            label.hide()
        general = []
        revealed = False
        for key, text in problems:
            label = self.errors.get(key)
            if label is None:
                general.append(text)
                continue
            label.setText(text)
            label.show()
            if not revealed:  # the tab of the first problem comes to the front
                self._reveal(key)
                revealed = True
        self.message.setText("\n".join(general) or tr("Please correct the marked fields."))
        self.message.setVisible(bool(problems))

    def _unresolved(self) -> list[tuple[str, str]]:
        # a name typed in a picker but never matched to a record would otherwise be dropped silently
        out = []
        for key, w in self.widgets.items():
            picker = w.picker if isinstance(w, LinkListEditor) else w  # a list's own picker too
            if isinstance(picker, RecordPicker) and picker.edit.text().strip() and picker.value() is None:
                message = tr("“{name}” is not in the catalogue: pick a suggestion, or press Enter to create it.")
                out.append((key.split(".")[-1], message.format(name=picker.edit.text().strip())))
        return out

    def _reveal(self, key: str) -> None:
        for full, w in self.widgets.items():
            if full.split(".")[-1] == key:
                for i in range(self.tabs.count()):
                    page = self.tabs.widget(i)
                    if page.isAncestorOf(w):
                        self.tabs.setCurrentIndex(i)
                        if isinstance(page, QScrollArea):  # a long page: bring its message into view
                            target = self.errors.get(key) or w  # once the page is laid out with it shown
                            QTimer.singleShot(0, page, partial(page.ensureWidgetVisible, target))
                        return

    def save(self) -> bool:
        """Validate, write and push on the undo stack; the dialog stays open on a problem."""
        after = self.collect()
        problems = self.validate(after) + self._unresolved()
        if problems:
            self.show_errors(problems)
            return False
        if self.before is not None and not changed(self.before, after):
            self.accept()
            return True
        version = self.before.fields.get("version") if self.before else None
        try:
            self.record_id = push_edit(self.window_ref.undo_stack, context_for(self.window_ref), self.kind,
                                       self.record_id, self.before, after, expected_version=version)
        except ConflictError as exc:
            answer = QMessageBox.question(self, tr("Saved by someone else"), str(exc) + "\n\n" + tr(
                "Save your version over theirs?"))
            if answer != QMessageBox.StandardButton.Yes:
                return False
            self.before = read_state(self.cat, self.kind, self.record_id)  # type: ignore[arg-type]
            return self.save()
        except InvalidInput as exc:
            text = str(exc)
            key = text.split(":")[0].split(" ")[0]
            self.show_errors([(key if key in self.errors else "", text)])
            return False
        except KbaseError as exc:
            self.show_errors([("", str(exc))])
            return False
        refresh = getattr(self.window_ref, "refresh", None)
        if refresh:
            refresh()
        self.accept()
        return True


def set_value(w: QWidget, value: Any) -> None:
    if isinstance(w, QLineEdit):
        w.setText("" if value is None else str(value))
        w.setCursorPosition(0)  # long titles show their beginning
    elif isinstance(w, QPlainTextEdit):
        w.setPlainText(value or "")
    elif isinstance(w, QComboBox):
        i = w.findData(value)
        if i < 0 and value is not None:
            w.addItem(str(value), value)  # a value outside the list stays as it is
            i = w.count() - 1
        w.setCurrentIndex(max(i, 0))
    elif isinstance(w, QDateEdit):
        w.setDate(QDate(value.year, value.month, value.day) if value else NO_DATE)
    elif isinstance(w, QSpinBox):
        w.setValue(int(value or 0))
    elif isinstance(w, RecordPicker):
        w.set_value(value)
        w.edit.setCursorPosition(0)
    elif isinstance(w, LinkListEditor):
        w.set_ids(list(value or []))
    elif isinstance(w, AliasEditor):
        w.set_values(list(value or []))
    elif hasattr(w, "set_state"):
        w.set_state(value)


def get_value(w: QWidget) -> Any:
    if isinstance(w, QLineEdit):
        return w.text().strip() or None
    if isinstance(w, QPlainTextEdit):
        return w.toPlainText().strip() or None
    if isinstance(w, QComboBox):
        return w.currentData()
    if isinstance(w, QDateEdit):
        d = w.date()
        return None if d == NO_DATE else date(d.year(), d.month(), d.day())
    if isinstance(w, QSpinBox):
        return w.value() or None
    if isinstance(w, RecordPicker):
        return w.value()
    if isinstance(w, LinkListEditor):
        return w.ids()
    if isinstance(w, AliasEditor):
        return w.values()
    if hasattr(w, "state"):
        return w.state()
    raise TypeError(type(w).__name__)


__all__ = ["RecordEditor", "FieldSpec", "MONTHS"]
