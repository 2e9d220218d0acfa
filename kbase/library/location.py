"""Where a library is, worked out without SQLAlchemy or pathlib (a shell's `kbase search` needs it before
anything else is imported: see kbase.search.ask)."""

from __future__ import annotations

import os


def default_location() -> str:
    """KBASE_LIBRARY, else the platform's user data folder."""
    env = os.environ.get("KBASE_LIBRARY")
    if env:
        return env
    from platformdirs import user_data_dir

    return os.path.join(user_data_dir("kbase", appauthor=False), "library")


def is_url(location: str) -> bool:
    return "://" in location


def canonical(location: str) -> str:
    """One spelling per library: a folder as an absolute path, a URL as given."""
    return location if is_url(location) else os.path.realpath(os.path.expanduser(location))


__all__ = ["default_location", "is_url", "canonical"]
