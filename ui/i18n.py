"""Interface language: tr("English text") looks the text up in the gettext catalogs the core uses too
(kbase.i18n, resources/locale/); switching re-translates live."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, QTranslator, Signal

from kbase import i18n as core
from kbase.i18n import MONTHS, date_label  # the interface's dates ("juin 2021"), as the CLI prints them

LANGUAGES = core.LANGUAGES

_language = "en"
_qt_translator: QTranslator | None = None
_notifier: "_Notifier | None" = None


class _Notifier(QObject):
    changed = Signal(str)


def notifier() -> _Notifier:
    """The object whose `changed(lang)` signal tells widgets to call their retranslate()."""
    global _notifier
    if _notifier is None:
        _notifier = _Notifier()
    return _notifier


def tr(text: str) -> str:
    """The text in the current language; English (the key itself) when no translation exists."""
    if _language == "en" or not text:
        return text
    return core.gettext(text)


def tr_n(singular: str, plural: str, n: int) -> str:
    """The plural form for n in the current language (French: 0 and 1 are singular)."""
    return core.ngettext(singular, plural, n)


def language() -> str:
    return _language




def tr_message(text: str) -> str:
    """A message from the core (English, with names and numbers in it) in the current language: the
    catalogs' templates read it back ("damaged PDF: none of its {n} pages…", kbase.i18n.translate); a
    message nobody knows stays as the core wrote it."""
    if _language == "en" or not text:
        return text
    return core.translate(text)


def load_catalogue(lang: str) -> dict[str, str]:
    """The flat English→lang mapping of lang's catalog (empty for English or a missing catalog)."""
    if lang == "en":
        return {}
    from babel.messages.pofile import read_po

    out: dict[str, str] = {}
    po = core.catalog_path(lang)
    if po.exists():
        with po.open("rb") as fh:
            out.update({m.id: m.string for m in read_po(fh, locale=lang)
                        if isinstance(m.id, str) and m.id and m.string})
    return out


def system_language() -> str:
    name = QLocale.system().name().split("_")[0]
    return name if name in LANGUAGES else "en"


def set_language(lang: str) -> None:
    """Switch the interface language now: our strings, Qt's standard buttons, then every listener."""
    global _language, _qt_translator
    if lang not in LANGUAGES:
        lang = "en"
    _language = core.set_language(lang)
    app = QCoreApplication.instance()
    if app is not None:
        if _qt_translator is not None:
            app.removeTranslator(_qt_translator)
            _qt_translator = None
        if lang != "en":
            translator = QTranslator(app)
            if translator.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
                app.installTranslator(translator)
                _qt_translator = translator
    QLocale.setDefault(QLocale(lang))
    notifier().changed.emit(lang)


def timestamp(value: object) -> str:
    """A stored date-time as 'YYYY-MM-DD HH:MM' (ISO text or datetime)."""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value or "")
    return text[:16].replace("T", " ")


def on_change(callback: Callable[[str], object]) -> None:
    """Call callback(lang) after every language switch."""
    notifier().changed.connect(callback)


__all__ = ["tr", "tr_n", "tr_message", "date_label", "MONTHS", "timestamp", "set_language", "language", "on_change",
           "notifier", "LANGUAGES", "system_language", "load_catalogue"]
