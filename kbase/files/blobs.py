"""The store's files on disk, with no database: hashing, atomic copies, final names (used by workers)."""

from __future__ import annotations

import hashlib
import os
import queue
import threading
import uuid
from pathlib import Path

__all__ = ["TMP_DIR", "CHUNK", "blob_path", "file_sha256", "copy_hashing", "commit_temp", "write_atomic", "Syncing"]

TMP_DIR = "tmp"  # under files/: partial copies, renamed into place once complete
CHUNK = 1 << 20


def blob_path(files_dir: Path, sha256: str) -> Path:
    return files_dir / sha256[:2] / sha256[2:]


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not supported on this platform
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def copy_hashing(src: Path, files_dir: Path, tmp_name: str | None = None,
                 sync: bool = True) -> tuple[str, int, Path]:
    """Copy src into files/tmp/ while hashing it; returns (sha256, size, temp path).

    sync=False leaves the copy to the caller to put on disk (Syncing) before commit_temp."""
    tmp_dir = files_dir / TMP_DIR
    tmp_dir.mkdir(parents=True, exist_ok=True)
    tmp = tmp_dir / (tmp_name or f"{uuid.uuid4().hex}.part")
    digest = hashlib.sha256()
    size = 0
    try:
        with open(src, "rb") as fin, open(tmp, "wb") as fout:
            while chunk := fin.read(CHUNK):
                digest.update(chunk)
                fout.write(chunk)
                size += len(chunk)
            fout.flush()
            if sync:
                os.fsync(fout.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return digest.hexdigest(), size, tmp


def commit_temp(files_dir: Path, tmp: Path, sha256: str) -> bool:
    """Move a complete temp copy to its final name; False when the store had it already."""
    final = blob_path(files_dir, sha256)
    if final.exists():
        tmp.unlink(missing_ok=True)
        return False
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, final)  # atomic: a reader sees the whole file or none
    _fsync_dir(final.parent)
    return True


def write_atomic(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)


class Syncing:
    """fsync in a thread of its own, so the disk takes a copy while the worker reads it: a worker
    waiting on the disk leaves a processor idle, 1-3 ms a file (2.8 s of 8,254 pages of manuals
    in 600 files). One thread for the worker's life: starting one a file cost as much again."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Path] = queue.SimpleQueue()
        self._done: queue.SimpleQueue[OSError | None] = queue.SimpleQueue()
        self._pending = 0
        threading.Thread(target=self._run, name="kbase-fsync", daemon=True).start()

    def start(self, path: Path) -> None:
        """Put path on disk; wait() says when it is."""
        self._pending += 1
        self._jobs.put(path)

    def wait(self) -> None:
        """Returns once every file started is on disk; raises the first error fsync gave."""
        error = None
        while self._pending:
            found = self._done.get()
            self._pending -= 1
            error = error or found
        if error is not None:
            raise error

    def _run(self) -> None:
        while True:
            path = self._jobs.get()
            try:
                fd = os.open(path, os.O_RDWR)  # Windows flushes only a file open for writing
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except OSError as exc:
                self._done.put(exc)
            else:
                self._done.put(None)
