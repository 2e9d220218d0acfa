"""The History tab beside the details pane: who changed which fields of the record and when, and
"Restore this version" (through the optimistic version check: refused if someone saved meanwhile)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kbase.catalogue import history
from kbase.catalogue.records import Catalogue
from kbase.errors import ConflictError, KbaseError
from kbase.labels import FIELD_LABELS, HISTORY_OPS, changed_field
from ui.i18n import notifier, timestamp, tr


def _short(value: Any) -> str:
    text = tr("(empty)") if value in (None, "") else str(value)
    text = " ".join(text.split())
    return text if len(text) <= 80 else text[:79] + "…"


class HistoryPanel(QWidget):
    """A record's changes, newest first; a change's fields below it (old → new)."""

    changed = Signal()  # fired from the catalogue's listener (any thread): reload when shown
    restored = Signal(str, int)  # kind, id

    def __init__(self, catalogue: Catalogue, parent: QWidget | None = None):
        super().__init__(parent)
        self.catalogue = catalogue
        self.setObjectName("history_panel")
        self.current: tuple[str, int] | None = None
        self.shown_version: int | None = None  # the record's version when the list was read
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("history_tree")
        self.tree.setColumnCount(3)
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setWordWrap(False)
        self.restore_button = QPushButton(self)
        self.restore_button.setObjectName("restore_version")
        self.restore_button.setEnabled(False)
        self.message = QLabel(self)
        self.message.setObjectName("history_message")
        self.message.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.tree, 1)
        lay.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.restore_button)
        lay.addLayout(row)
        self.tree.currentItemChanged.connect(lambda *_: self._update_button())
        self.restore_button.clicked.connect(self.restore_selected)
        self.changed.connect(self._on_changed, Qt.ConnectionType.QueuedConnection)
        listener = self._listener
        catalogue.listeners.append(listener)
        self.destroyed.connect(lambda *_: listener in catalogue.listeners and catalogue.listeners.remove(listener))
        notifier().changed.connect(self.retranslate)
        self.retranslate()

    def _listener(self, kind: str, record_id: int, _op: str) -> None:
        if self.current == (kind, record_id):
            self.changed.emit()

    def _on_changed(self) -> None:
        if self.isVisible():
            self.reload()

    def retranslate(self, *_: Any) -> None:
        self.tree.setHeaderLabels([tr("When"), tr("Who"), tr("What")])
        self.restore_button.setText(tr("Restore this version"))
        self.reload()

    # -- contents --------------------------------------------------------------------------------
    def show_record(self, kind: str, record_id: int) -> None:
        self.current = (kind, record_id)
        self.message.clear()
        self.reload()

    def reload(self) -> None:
        self.tree.clear()
        if self.current is None:
            self._update_button()
            return
        kind, rid = self.current
        try:
            steps = history.history(self.catalogue, kind, rid)
            record = self.catalogue.get(self.catalogue_model(kind), rid)
            self.shown_version = getattr(record, "version", None)
        except KbaseError as exc:
            self.shown_version = None
            self.message.setText(str(exc))
            self._update_button()
            return
        for h in reversed(steps):
            who = h["user"] or "?"
            if h["db_user"] and h["db_user"] != who:
                who += f" ({h['db_user']})"
            if h["op"] == "update" and not h["fields"]:
                what = tr("links changed")
            else:
                what = tr(HISTORY_OPS.get(h["op"], h["op"]))
            if h["version"]:
                what += " · " + tr("version {n}").format(n=h["version"])
            item = QTreeWidgetItem([timestamp(h["at"]), who, what])
            item.setData(0, Qt.ItemDataRole.UserRole, h["version"])
            for name, (old, new) in sorted(h["fields"].items()):
                key = changed_field(name)  # publisher_id: Publisher
                label = tr(FIELD_LABELS.get(key, key.replace("_", " ").capitalize()))
                child = QTreeWidgetItem(["", "", f"{label}: {_short(old)} → {_short(new)}"])
                child.setToolTip(2, f"{old}\n→\n{new}")
                item.addChild(child)
            self.tree.addTopLevelItem(item)
        if not steps:
            self.message.setText(tr("No change of this record is recorded."))
        for col in range(2):
            self.tree.resizeColumnToContents(col)
        self._update_button()

    @staticmethod
    def catalogue_model(kind: str) -> Any:
        from kbase.catalogue.records import record_type

        return record_type(kind)

    def selected_version(self) -> int | None:
        item = self.tree.currentItem()
        while item is not None and item.parent() is not None:
            item = item.parent()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def _update_button(self) -> None:
        version = self.selected_version()
        self.restore_button.setEnabled(bool(version) and self.shown_version is not None
                                       and version != self.shown_version and not self.catalogue.library.read_only)

    def restore_selected(self) -> None:
        version = self.selected_version()
        if self.current is None or not version:
            return
        kind, rid = self.current
        try:
            obj = history.restore_version(self.catalogue, kind, rid, version, expected_version=self.shown_version)
        except ConflictError:
            self.message.setText(tr("Someone saved this record in the meantime: look at the newest change, "
                                    "then restore again if you still want to."))
            self.reload()
            return
        except KbaseError as exc:
            self.message.setText(str(exc))
            return
        self.reload()
        self.message.setText(tr("Restored the fields of version {old} (now version {new}).")
                             .format(old=version, new=obj.version))
        self.restored.emit(kind, rid)


class DetailsTabs(QTabWidget):
    """The details pane in a tab, beside a History tab that follows the record it shows."""

    def __init__(self, details: Any, catalogue: Catalogue, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("details_tabs")
        self.setDocumentMode(True)
        self.details = details
        self.history_panel = HistoryPanel(catalogue, self)
        self.addTab(details, "")
        self.addTab(self.history_panel, "")
        details.navigated.connect(self.follow)
        self.currentChanged.connect(self.follow)
        self.history_panel.restored.connect(lambda *_: details.refresh())
        notifier().changed.connect(self.retranslate)  # a bound slot goes with the widget
        self.retranslate()

    def follow(self, *_: Any) -> None:
        if self.currentWidget() is self.history_panel and self.details.current is not None:
            self.history_panel.show_record(*self.details.current)

    def retranslate(self, *_: Any) -> None:
        self.setTabText(0, tr("Details"))
        self.setTabText(1, tr("History"))


def with_history_tab(details: Any, catalogue: Catalogue) -> DetailsTabs:
    return DetailsTabs(details, catalogue, details.parentWidget())


__all__ = ["HistoryPanel", "DetailsTabs", "with_history_tab"]


def shoot_history(app: Any, window: Any, cat: Catalogue, lang: str, out: Any) -> None:
    """history-LANG.png for ui/screenshots.py: a publication edited twice, its History tab open."""
    from kbase.library import models as m
    from ui.screenshots import save, settle, wait

    pub = min(cat.all(m.Publication), key=lambda p: p.id)
    if not any(h["op"] == "update" and h["fields"] for h in history.history(cat, "publication", pub.id)):
        cat.update(m.Publication, pub.id, expected_version=pub.version, title=pub.title + " (revised edition)",
                   year=(pub.year or 2020) + 1)
        pub = cat.get(m.Publication, pub.id)
        cat.update(m.Publication, pub.id, expected_version=pub.version,
                   abstract="Where the gold of eastern Congo goes, and who profits from it on the way.")
    window.details.show_record("publication", pub.id)
    tabs = window.details_tabs
    tabs.setCurrentWidget(tabs.history_panel)
    panel = tabs.history_panel
    wait(app, lambda: panel.tree.topLevelItemCount() > 0)
    panel.tree.expandAll()
    panel.tree.setCurrentItem(panel.tree.topLevelItem(1))
    settle(app, 0.6)
    save(window, out / f"history-{lang}.png")
    tabs.setCurrentIndex(0)
