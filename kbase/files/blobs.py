"""The store's files on disk, with no database: hashing, atomic copies, final names (used by workers)."""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

__all__ = ["TMP_DIR", "CHUNK", "blob_path", "file_sha256", "copy_hashing", "commit_temp", "write_atomic"]

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


def copy_hashing(src: Path, files_dir: Path, tmp_name: str | None = None) -> tuple[str, int, Path]:
    """Copy src into files/tmp/ while hashing it; returns (sha256, size, temp path)."""
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
