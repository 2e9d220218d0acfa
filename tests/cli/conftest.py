"""What the command-line tests share: each starts in English, and libraries made from the templates."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from kbase import i18n
from tests.conftest import make_location


@pytest.fixture(autouse=True)
def english_process() -> Iterator[None]:
    """Each test starts in English whatever the machine's locale, and leaves the process as it found it."""
    before = i18n.language()
    i18n.set_language("en")
    yield
    i18n.set_language(before)


@pytest.fixture
def sqlite_location(templates: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty SQLite library."""
    monkeypatch.setenv("KBASE_LOCAL_DIR", str(tmp_path / "local"))
    return make_location("sqlite", templates, tmp_path, demo=False)


@pytest.fixture
def sqlite_demo_location(templates: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The demo library on SQLite."""
    monkeypatch.setenv("KBASE_LOCAL_DIR", str(tmp_path / "local"))
    return make_location("sqlite", templates, tmp_path, demo=True)
