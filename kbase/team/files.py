"""Stored file bytes wherever a library keeps them: the database (team) or the files/ folder (SQLite)."""

from __future__ import annotations

import hashlib
import os
import uuid
from typing import Iterator

from sqlalchemy import select, text
from sqlalchemy.engine import Connection
from sqlmodel import col

from kbase.errors import LibraryError
from kbase.files.store import path_for
from kbase.i18n import N_
from kbase.library import models as m
from kbase.library.db import Library


def read_bytes(lib: Library, conn: Connection, sha256: str) -> bytes:
    """The file's bytes: from the database when it holds them, else from the local store."""
    content = conn.execute(text("SELECT content FROM stored_file WHERE sha256 = :s"), {"s": sha256}).scalar()
    if content is not None:
        return bytes(content)
    path = path_for(lib, sha256)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise LibraryError(N_("file {file}… is missing from {folder}: {reason}").format(
            file=sha256[:12], folder=lib.files_dir, reason=exc.strerror or exc)) from exc


def write_local(lib: Library, sha256: str, data: bytes) -> None:
    """Put bytes into a library's files/ folder under their hash (atomically, once)."""
    target = path_for(lib, sha256)
    if target.exists() and target.stat().st_size == len(data):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise LibraryError(N_("cannot write {target}: {reason}").format(
            target=target, reason=exc.strerror or exc)) from exc


def stored_rows(conn: Connection) -> Iterator[tuple[str, int]]:
    sha256, size_ = col(m.StoredFile.sha256), col(m.StoredFile.size)
    for sha, size in conn.execute(select(sha256, size_).order_by(sha256)):
        yield sha, size


def check_files(lib: Library) -> tuple[int, int, list[str]]:
    """Re-hash every stored file of a library: (files, bytes, problems)."""
    problems: list[str] = []
    count = total = 0
    with lib.engine.connect() as conn:
        for sha, size in list(stored_rows(conn)):
            try:
                data = read_bytes(lib, conn, sha)
            except LibraryError as exc:
                problems.append(str(exc))
                continue
            count += 1
            total += len(data)
            if len(data) != size:
                problems.append(N_("file {file}… has {got} bytes, the catalogue says {size}").format(
                    file=sha[:12], got=len(data), size=size))
            elif hashlib.sha256(data).hexdigest() != sha:
                problems.append(N_("file {file}… does not match its SHA-256").format(file=sha[:12]))
    return count, total, problems
