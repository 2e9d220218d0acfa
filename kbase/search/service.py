"""The warm search process: a shell's `kbase search` asks it instead of starting cold.

A cold `kbase search` spends most of a second importing the ORM and Whoosh, opening the library and
building the index's maps; the query itself takes tens of milliseconds. The first search of a
library from a shell starts this process; later ones send it their command line over a Unix socket
(kbase.search.ask, the asking side) and print its answer. It parses the line and runs the same
function as a cold search (kbase.cli.search.search_in, through kbase.cli.warm; the index synced from
the change log first), so the answers are the same.

One library per process, one request at a time. It exits after IDLE seconds without a request, when
the library's catalogue file goes away, or when a Kbase module it runs changed on disk: beside its
socket it keeps a list of those files with their sizes and times, which an asker checks first (a
changed one: that process is told to stop and a new one starts). The socket lives in a folder only
its user can enter. KBASE_SEARCH_SERVICE=0 turns it off (every search starts cold).
"""

from __future__ import annotations

import marshal
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any, Callable

from kbase.library.location import is_url
from kbase.search.ask import REFUSED, code_changed, manifest_path

TICK = 5.0  # how often an idle process looks at its catalogue file and its code
DONE = {"code": 0, "out": "", "err": ""}


def loaded_code() -> dict[str, tuple[int, int]]:
    """{file: (size, modification time)} of the Kbase modules this process has imported."""
    files: dict[str, tuple[int, int]] = {}
    for name, module in list(sys.modules.items()):
        where = getattr(module, "__file__", None)
        if (name == "kbase" or name.startswith("kbase.")) and where:
            try:
                st = os.stat(where)
            except OSError:
                continue
            files[where] = (st.st_size, st.st_mtime_ns)
    return files


def write_manifest(path: str, files: dict[str, tuple[int, int]]) -> None:
    target = manifest_path(path)
    tmp = f"{target}.{os.getpid()}.tmp"
    lines = [str(os.getpid()), *(f"{size} {mtime} {where}" for where, (size, mtime) in files.items())]
    Path(tmp).write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, target)


def serve(location: str, path: str, idle: float, answer: Callable[[dict[str, Any]], dict[str, Any]]) -> int:
    """Listen on path, fork: the parent returns 0 (the asker's signal that the socket is ready), the
    child answers each request with answer(request) until it has been idle for `idle` seconds (or its
    library or code went away), then returns 0. The caller has opened the library already."""
    listener = _listen(path)
    if listener is None:
        return 0  # another process listens there already
    code = loaded_code()
    write_manifest(path, code)
    if os.fork():
        os._exit(0)  # the parent: tell the asker the socket is ready
    os.setsid()
    mine = os.stat(path).st_ino
    write_manifest(path, code)  # under this process's own id
    listener.settimeout(min(TICK, idle))
    last = time.monotonic()
    try:
        while True:
            try:
                conn, _addr = listener.accept()
            except socket.timeout:
                if time.monotonic() - last > idle or _stale(location, path, mine):
                    break
                continue
            with conn:
                if not _answer(conn, location, answer):
                    break
            if len(code) != len(loaded := loaded_code()):  # a query imported more of Kbase
                code = loaded
                write_manifest(path, code)
            last = time.monotonic()
    finally:
        listener.close()
        if _inode(path) == mine:  # not a newer process's socket
            for stale in (path, manifest_path(path)):
                Path(stale).unlink(missing_ok=True)
    return 0


def _listen(path: str) -> socket.socket | None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    for _attempt in range(2):
        try:
            listener.bind(path)
            listener.listen(16)
            return listener
        except OSError:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                try:
                    probe.connect(path)
                    listener.close()
                    return None  # alive: that one serves
                except OSError:
                    Path(path).unlink(missing_ok=True)  # left by a process that died
    listener.close()
    return None


def _inode(path: str) -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def _stale(location: str, path: str, inode: int) -> bool:
    """True when the catalogue went away, another process took the socket, or the code changed."""
    if not is_url(location) and not os.path.exists(os.path.join(location, "catalogue.sqlite")):
        return True
    return _inode(path) != inode or code_changed(path)


def _answer(conn: socket.socket, location: str, answer: Callable[[dict[str, Any]], dict[str, Any]]) -> bool:
    """Answer one request; False when it asks the process to stop."""
    conn.settimeout(30)
    chunks = []
    try:
        while chunk := conn.recv(1 << 16):
            chunks.append(chunk)
        request = marshal.loads(b"".join(chunks))
        if request.get("stop"):
            conn.sendall(marshal.dumps(DONE))
            return False
        # another library whose socket name clashed with this one's: the asker searches cold
        reply = answer(request) if request.get("location") == location else REFUSED
    except (OSError, ValueError, EOFError, KeyError, TypeError, AttributeError):
        return True  # not a request: the asker searches cold
    try:
        conn.sendall(marshal.dumps(reply))
    except OSError:
        pass  # the asker went away (interrupted)
    return True


__all__ = ["loaded_code", "write_manifest", "serve"]
