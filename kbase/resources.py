"""The one helper that finds plain-file resources (templates, demo data, styles, icons)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return ROOT.joinpath(*parts)
