"""The report dialog starts on the year a report is wanted for: the newest one with publications, or the one
before while the newest is still being catalogued, not the library's busiest (often oldest) year."""

from __future__ import annotations

import pytest

from kbase.catalogue.records import Catalogue
from kbase.library import models as m


def _publications(cat: Catalogue, per_year: dict[int, int]) -> None:
    for year, n in per_year.items():
        for i in range(n):
            cat.add(m.Publication, title=f"Report {year}-{i}", type="report", year=year)


@pytest.mark.parametrize("per_year, expected", [
    ({2005: 12, 2019: 2, 2020: 3}, 2020),  # a big back catalogue: still the newest year
    ({2024: 20, 2025: 18, 2026: 2}, 2025),  # 2026 has just begun
    ({2024: 3, 2025: 4, 2026: 2}, 2026),  # a small library: two is half of four
    ({2021: 5, 2031: 1}, 2021),  # a year ahead is a typo or a forthcoming title
    ({}, 2025),
])
def test_the_default_year_is_the_newest_finished_one(cat: Catalogue, per_year: dict[int, int], expected: int) -> None:
    from ui.dialogs.report_dialog import default_year

    _publications(cat, per_year)
    assert default_year(cat, this_year=2026) == expected


def test_the_dialog_opens_on_the_demos_year(window) -> None:
    from ui.dialogs.report_dialog import open_report_dialog

    dialog = open_report_dialog(window, "annual")
    try:
        assert dialog.year.value() == 2021  # 55 publications; 2022 has one so far
    finally:
        dialog.close()
