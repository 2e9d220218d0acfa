"""Content-addressed file store: files/ab/cdef… named by SHA-256, written atomically."""

from __future__ import annotations

import hashlib
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import portalocker
from sqlalchemy import select
from sqlmodel import col

from kbase.errors import LibraryError, NotFound
from kbase.files.blobs import TMP_DIR, blob_path, commit_temp, copy_hashing, file_sha256, write_atomic
from kbase.i18n import N_
from kbase.library import models as m
from kbase.library.db import Library

__all__ = [
    "blob_path", "path_for", "thumbnail_path", "copy_hashing", "commit_temp", "put_file",
    "ensure_local", "ensure_thumbnail", "orphans", "remove_orphans", "verify", "StoreProblem",
    "TMP_DIR", "file_sha256", "stored_file_row", "importing", "import_running",
]

IMPORT_LOCK = "import.lock"  # in the library folder: shared by every import running, see importing()


@dataclass(frozen=True)
class StoreProblem:
    """One thing wrong between the catalogue's StoredFile rows and the files on disk."""

    sha256: str
    kind: str  # missing | size | hash | no content
    message: str

    def __str__(self) -> str:
        return self.message


def path_for(lib: Library, sha256: str) -> Path:
    """Where the file with this hash lives (or would live) in the local store."""
    return blob_path(lib.files_dir, sha256)


def thumbnail_path(lib: Library, sha256: str) -> Path:
    return lib.thumbs_dir / f"{sha256}.png"


def put_file(lib: Library, path: Path | str) -> tuple[str, int, bool]:
    """Store a copy of path; returns (sha256, size, created_new).

    Only the file system is touched: the StoredFile row (with the bytes, for a shared
    library) is written by the caller in the same transaction as the attachment.
    """
    try:
        sha, size, tmp = copy_hashing(Path(path), lib.files_dir)
        return sha, size, commit_temp(lib.files_dir, tmp, sha)
    except OSError as exc:
        raise LibraryError(N_("cannot store {path}: {reason}").format(path=path, reason=exc.strerror or exc)) from exc


def stored_file_row(lib: Library, sha256: str, size: int) -> m.StoredFile:
    """The row for a newly stored file; a shared library keeps the bytes in it too."""
    content = path_for(lib, sha256).read_bytes() if lib.is_shared else None
    return m.StoredFile(sha256=sha256, size=size, content=content)


def ensure_local(lib: Library, sha256: str) -> Path:
    """A local path to the file, fetched from the shared database into the cache if needed."""
    target = path_for(lib, sha256)
    if target.exists():
        return target
    with lib.session() as s:
        row = s.get(m.StoredFile, sha256)
        if row is None:
            raise NotFound(N_("no stored file {sha256}").format(sha256=sha256))
        if row.content is None:
            raise NotFound(N_("file {sha256} is missing from the store {folder}").format(
                sha256=sha256, folder=lib.files_dir))
        data = row.content
    if hashlib.sha256(data).hexdigest() != sha256:
        raise LibraryError(N_("the database copy of file {sha256} is corrupt").format(sha256=sha256))
    write_atomic(target, data)
    return target


def ensure_thumbnail(lib: Library, sha256: str) -> Path | None:
    """The first-page thumbnail, rendered again from the file when this desktop lacks it."""
    target = thumbnail_path(lib, sha256)
    if target.exists():
        return target
    from kbase.imports.extract import thumbnail_png

    try:
        png = thumbnail_png(ensure_local(lib, sha256))
    except (NotFound, OSError):
        return None
    if png is None:
        return None
    write_atomic(target, png)
    return target


def _known_hashes(lib: Library) -> set[str]:
    with lib.session() as s:
        return set(s.scalars(select(col(m.StoredFile.sha256))))


@contextmanager
def importing(lib: Library) -> Iterator[None]:
    """Marks an import in progress with a shared lock on the library's import.lock.

    Its workers put files in the store before the catalogue has their rows: `kbase check
    --repair` would take them for orphans and delete them. A library whose folder cannot be
    written marks nothing (it imports nothing anyway)."""
    try:
        fh = open(lib.folder / IMPORT_LOCK, "a+b")
    except OSError:  # a read-only library imports nothing anyway
        yield
        return
    with fh:
        portalocker.lock(fh, portalocker.LockFlags.SHARED)  # waits only while import_running looks
        try:
            yield
        finally:
            portalocker.unlock(fh)


def import_running(lib: Library) -> bool:
    """Whether an import (in any process on this machine) holds the library's import lock."""
    try:
        fh = open(lib.folder / IMPORT_LOCK, "rb")
    except OSError:
        return False  # no import ever ran here
    with fh:
        try:
            portalocker.lock(fh, portalocker.LockFlags.EXCLUSIVE | portalocker.LockFlags.NON_BLOCKING)
        except portalocker.LockException:  # AlreadyLocked: an import holds it shared
            return True
        portalocker.unlock(fh)
        return False


def orphans(lib: Library, min_age: float = 0.0) -> list[str]:
    """Files in the store with no StoredFile row, left-over partial copies and stale thumbnails.

    Paths are relative to the library folder. An import in progress has files that are
    not yet in the catalogue: pass min_age (seconds) to leave recent files alone.
    """
    known = _known_hashes(lib)
    cutoff = time.time() - min_age
    found: list[str] = []

    def old_enough(p: Path) -> bool:
        try:
            return p.stat().st_mtime <= cutoff
        except OSError:
            return False

    if lib.files_dir.is_dir():
        for sub in sorted(lib.files_dir.iterdir()):
            if not sub.is_dir():
                continue
            for f in sorted(sub.iterdir()):
                if sub.name == TMP_DIR:
                    orphan = True
                else:
                    orphan = (sub.name + f.name) not in known or f.name.startswith(".")
                if orphan and old_enough(f):
                    found.append(str(f.relative_to(lib.folder)))
    if lib.thumbs_dir.is_dir():
        for f in sorted(lib.thumbs_dir.iterdir()):
            if f.is_file() and (f.suffix != ".png" or f.stem not in known) and old_enough(f):
                found.append(str(f.relative_to(lib.folder)))
    return found


def remove_orphans(lib: Library, paths: list[str] | None = None) -> int:
    """Delete the given orphans (default: all of them now); returns how many went."""
    removed = 0
    for rel in orphans(lib) if paths is None else paths:
        target = (lib.folder / rel).resolve()
        if lib.folder.resolve() not in target.parents:
            continue  # never delete outside the library
        try:
            target.unlink()
            removed += 1
        except FileNotFoundError:
            pass
        except IsADirectoryError:
            continue
    return removed


def verify(lib: Library, deep: bool = False) -> list[StoreProblem]:
    """StoredFile rows whose file is missing or differs (deep=True re-hashes every file)."""
    problems: list[StoreProblem] = []
    with lib.session() as s:
        rows = s.execute(select(col(m.StoredFile.sha256), col(m.StoredFile.size),
                                col(m.StoredFile.content).is_(None))).all()
    for sha, size, no_content in rows:
        path = path_for(lib, sha)
        if lib.is_shared:
            if no_content:
                said = N_("file {file}… has no copy in the shared database")
                problems.append(StoreProblem(sha, "no content", said.format(file=sha[:12])))
            if not path.exists():
                continue  # the local folder is only a cache
        elif not path.exists():
            problems.append(StoreProblem(sha, "missing", N_("file {file}… is missing from {folder}").format(
                file=sha[:12], folder=lib.files_dir)))
            continue
        actual = path.stat().st_size
        if actual != size:
            said = N_("file {path} has {got} bytes, the catalogue says {size}")
            problems.append(StoreProblem(sha, "size", said.format(path=path, got=actual, size=size)))
        elif deep and file_sha256(path) != sha:
            said = N_("file {path} does not match its SHA-256 (corrupt copy)")
            problems.append(StoreProblem(sha, "hash", said.format(path=path)))
    return problems
