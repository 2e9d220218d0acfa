"""The GUI's layering: ui/ gets its rows and lookups from kbase's public functions, never from SQLAlchemy itself."""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "ui"
DATABASE_PACKAGES = ("sqlalchemy", "sqlmodel")


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, names) of every import in the file, under `if TYPE_CHECKING:` and in functions too."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.append((node.lineno, node.module, [alias.name for alias in node.names]))
    return out


def _ui_files() -> list[Path]:
    files = sorted(UI.rglob("*.py"))
    assert len(files) > 20  # the walk found the package
    return files


def test_ui_does_not_import_sqlalchemy_or_sqlmodel() -> None:
    found = [f"{path.relative_to(UI.parent)}:{line}: {module}"
             for path in _ui_files() for line, module, _names in _imports(path)
             if module.split(".")[0] in DATABASE_PACKAGES]
    assert not found, ("ui/ asks the core (kbase.catalogue.views, query, lookup…) for its rows instead:\n"
                       + "\n".join(found))


def test_ui_imports_only_public_names_of_kbase() -> None:
    found = []
    for path in _ui_files():
        for line, module, names in _imports(path):
            if module.split(".")[0] != "kbase":
                continue
            private = [part for part in module.split(".") if part.startswith("_")]
            private += [name for name in names if name.startswith("_")]
            if private:
                found.append(f"{path.relative_to(UI.parent)}:{line}: {module} {', '.join(private)}")
    assert not found, "ui/ uses kbase's public functions only:\n" + "\n".join(found)


def test_the_checks_see_what_they_look_for(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sqlmodel import Session\n"
                      "def f():\n    import sqlalchemy.orm\n    from kbase.catalogue.records import _coerce\n",
                      encoding="utf-8")
    found = _imports(sample)
    assert (3, "sqlmodel", ["Session"]) in found
    assert (5, "sqlalchemy.orm", []) in found
    assert (6, "kbase.catalogue.records", ["_coerce"]) in found
