"""The interface strings that reach tr() through a variable (column titles, action tables, form
labels, record kinds and field values): the extraction step (scripts/translations.py) adds them to
the catalog template, since pybabel only sees literals written inside tr(…)."""

from __future__ import annotations

from kbase.catalogue import views
from kbase.formats import spreadsheet
from kbase.imports import pipeline
from kbase.library import models as m


def _forms() -> list[str]:
    from ui.editors import forms

    out: list[str] = list(forms.LANGUAGE_NAMES.values())
    for tabs in forms.TABS.values():
        for title, specs in tabs:
            out.append(title)
            for spec in specs:
                out.append(spec.label)
                out.extend(spec.labels.values())
    return out


def plural_pairs() -> list[tuple[str, str]]:
    from ui import main_window

    return list(main_window.KIND_PLURALS.values())


def table_strings() -> list[str]:
    from ui import details, first_run, i18n, navigator, search_models, table_model, window_actions
    from ui.dialogs import import_history, import_results, import_review, merge, report_dialog, report_texts

    return ([a[1] for a in window_actions.ACTIONS] + [a[4] for a in window_actions.ACTIONS if a[4]]
            + [c.title for cols in table_model.COLUMNS.values() for c in cols]
            + list(details.LABELS.values()) + list(details.KIND_TITLES.values())
            + list(views.EXTRA_LABELS.values()) + list(views.FIELD_LABELS.values())
            + list(search_models.FACET_TITLES.values()) + [t for _k, t in navigator.KINDS]
            + [g[1] for g in navigator.GROUPS]
            + [t for pair in import_review._CHOICE_LABELS.values() for t in pair] + [r[1] for r in import_review.ROWS]
            + list(import_history.ImportHistoryModel.HEADERS) + list(import_history._STATUS.values())
            + list(import_results.ImportResultsModel.HEADERS) + list(import_results.NOTICE)
            + list(merge._LINK_LABELS.values()) + list(merge.DEDUPE_KINDS)
            + list(report_dialog.FORMAT_LABELS.values()) + list(report_dialog._GAPS)
            + list(report_dialog.STYLE_LABELS.values()) + [t for t in report_texts.GROUP_LABELS.values() if t]
            + [name for name, _patterns in first_run.SOURCES]
            + list(i18n.MONTHS) + _forms()
            + list(spreadsheet.FIELDS.values()) + sorted(pipeline.REFUSED) + list(pipeline.BIBLIOGRAPHIES)
            + list(m.RECORD_TYPES) + list(m.CONTRIBUTOR_ROLES + m.ORG_ROLES)
            + list(m.PUBLICATION_TYPES + m.VISIBILITIES + m.ORG_KINDS + m.ORG_PART_KINDS + m.PERSON_ROLES
                   + m.REGION_LEVELS + m.EVENT_KINDS + m.ATTACHMENT_STATUSES))
