"""The warm search process: a shell's `kbase search` asks it instead of starting cold.

A cold `kbase search` spends most of a second importing the ORM and Whoosh, opening the library and
building the index's maps; the query itself takes tens of milliseconds. The first search of a
library from a shell starts this process; later ones send it their parsed arguments over a Unix
socket and print its answer. It runs the same function as a cold search (kbase.cli.search.search_in,
through kbase.cli.warm; the index synced from the change log first), so the answers are the same.

One library per process, one request at a time. It exits after IDLE seconds without a request, when
the library's catalogue file goes away, or when a Kbase module it runs changed on disk: beside its
socket it keeps a list of those files with their sizes and times, which an asker checks first (a
changed one: that process is told to stop and a new one starts). The socket lives in a folder only
its user can enter. KBASE_SEARCH_SERVICE=0 turns it off (every search starts cold).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any, Callable

from kbase.library.location import canonical, default_location, is_url

IDLE = 120.0  # seconds without a request before the process exits
START_WAIT = 60.0  # the most a first search waits for the process to come up (it opens the index)
TICK = 5.0  # how often an idle process looks at its catalogue file and its code
KBASE_DIR = Path(__file__).resolve().parent.parent
STOP = json.dumps({"stop": True}) + "\n"
SERVER_MODULE = "kbase.cli.warm"  # the process's entry point: it opens the library, then calls serve()
ENV_SOCKET, ENV_LOCATION, ENV_IDLE = "KBASE_SERVICE_SOCKET", "KBASE_SERVICE_LOCATION", "KBASE_SERVICE_IDLE"


def enabled() -> bool:
    return hasattr(socket, "AF_UNIX") and hasattr(os, "fork") and os.environ.get("KBASE_SEARCH_SERVICE", "1") != "0"


def socket_path(location: str) -> Path | None:
    """The socket of the process serving location; None when the folder for it is not private
    (another user could answer in its place)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if not runtime:
        import tempfile  # here: with XDG_RUNTIME_DIR set (most desktops) an asker does without it

        runtime = tempfile.gettempdir()
    base = Path(runtime) / f"kbase-{os.getuid()}"
    try:
        base.mkdir(mode=0o700, exist_ok=True)
        st = base.stat()
    except OSError:
        return None
    if st.st_uid != os.getuid() or st.st_mode & 0o077:
        return None
    key = hashlib.sha256(f"{location}\0{sys.executable}".encode()).hexdigest()[:24]
    return base / f"search-{key}.sock"


def _manifest_path(path: Path) -> Path:
    return path.with_suffix(".json")


def loaded_code() -> dict[str, list[int]]:
    """{file: [size, modification time]} of the Kbase modules this process has imported."""
    files: dict[str, list[int]] = {}
    for name, module in list(sys.modules.items()):
        where = getattr(module, "__file__", None)
        if (name == "kbase" or name.startswith("kbase.")) and where:
            try:
                st = os.stat(where)
            except OSError:
                continue
            files[where] = [st.st_size, st.st_mtime_ns]
    return files


def code_changed(path: Path) -> bool:
    """True when the process at path runs a Kbase module that changed on disk since it loaded it
    (or its list cannot be read)."""
    try:
        files = json.loads(_manifest_path(path).read_text(encoding="utf-8"))["files"]
        for where, (size, mtime) in files.items():
            st = os.stat(where)
            if (st.st_size, st.st_mtime_ns) != (size, mtime):
                return True
    except (OSError, ValueError, KeyError, TypeError):
        return True
    return False


def _write_manifest(path: Path, files: dict[str, list[int]]) -> None:
    target = _manifest_path(path)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"pid": os.getpid(), "files": files}), encoding="utf-8")
    os.replace(tmp, target)


# -- the asking side (the `kbase search` process) -----------------------------------------
def ask(args: argparse.Namespace, tty: bool) -> dict[str, Any] | None:
    """{code, out, err} of the search args asks for, from the warm process (started first if none
    is up); None when there is none to ask: the caller searches itself."""
    if not enabled():
        return None
    location = canonical(getattr(args, "library", None) or default_location())
    if not is_url(location) and not (Path(location) / "catalogue.sqlite").is_file():
        return None  # no library there: the cold path says so
    path = socket_path(location)
    if path is None:
        return None
    fields = {k: v for k, v in vars(args).items() if k not in ("run", "from_shell")}
    request = json.dumps({"args": {**fields, "library": location}, "tty": tty}) + "\n"
    answer = None
    if path.exists():
        if code_changed(path):
            _exchange(path, STOP)  # it runs old code: a new one starts below, once it has gone
            deadline = time.monotonic() + 2
            while path.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
        else:
            answer = _exchange(path, request)
    if answer is None and _start(location, path):
        answer = _exchange(path, request)
    return answer


def stop(location: str) -> bool:
    """Ask the process serving location to exit; False if none was listening."""
    path = socket_path(canonical(location))
    return path is not None and _exchange(path, STOP) is not None


def _exchange(path: Path, request: str) -> dict[str, Any] | None:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.connect(str(path))
            conn.sendall(request.encode("utf-8"))
            conn.shutdown(socket.SHUT_WR)
            chunks = []
            while chunk := conn.recv(1 << 16):
                chunks.append(chunk)
    except OSError:  # none listening (or it went away mid-answer): search cold
        return None
    try:
        answer = json.loads(b"".join(chunks))
    except ValueError:
        return None
    return answer if isinstance(answer, dict) and {"code", "out", "err"} <= answer.keys() else None


def _start(location: str, path: Path) -> bool:
    """Start the process and wait until it listens (it forks away once ready); False if it could not."""
    import subprocess  # only the first search of a library starts a process

    env = {**os.environ, ENV_SOCKET: str(path), ENV_LOCATION: location}
    try:
        done = subprocess.run([sys.executable, "-m", SERVER_MODULE], env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=START_WAIT,
                              start_new_session=True, cwd="/")
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


# -- the serving side ---------------------------------------------------------------------
def serve(location: str, path: Path, idle: float, answer: Callable[[dict[str, Any]], dict[str, Any]]) -> int:
    """Listen on path, fork: the parent returns 0 (the asker's signal that the socket is ready), the
    child answers each request with answer(request) until it has been idle for `idle` seconds (or its
    library or code went away), then returns 0. The caller has opened the library already."""
    listener = _listen(path)
    if listener is None:
        return 0  # another process listens there already
    code = loaded_code()
    _write_manifest(path, code)
    if os.fork():
        os._exit(0)  # the parent: tell the asker the socket is ready
    os.setsid()
    mine = path.stat().st_ino
    _write_manifest(path, code)  # under this process's own id
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
                if not _answer(conn, answer):
                    break
            if len(code) != len(loaded := loaded_code()):  # a query imported more of Kbase
                code = loaded
                _write_manifest(path, code)
            last = time.monotonic()
    finally:
        listener.close()
        if _inode(path) == mine:  # not a newer process's socket
            for stale in (path, _manifest_path(path)):
                stale.unlink(missing_ok=True)
    return 0


def _listen(path: Path) -> socket.socket | None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    for _attempt in range(2):
        try:
            listener.bind(str(path))
            listener.listen(16)
            return listener
        except OSError:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                try:
                    probe.connect(str(path))
                    listener.close()
                    return None  # alive: that one serves
                except OSError:
                    path.unlink(missing_ok=True)  # left by a process that died
    listener.close()
    return None


def _inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except OSError:
        return None


def _stale(location: str, path: Path, inode: int) -> bool:
    """True when the catalogue went away, another process took the socket, or the code changed."""
    if not is_url(location) and not (Path(location) / "catalogue.sqlite").exists():
        return True
    return _inode(path) != inode or code_changed(path)


def _answer(conn: socket.socket, answer: Callable[[dict[str, Any]], dict[str, Any]]) -> bool:
    """Answer one request; False when it asks the process to stop."""
    conn.settimeout(30)
    chunks = []
    try:
        while chunk := conn.recv(1 << 16):
            chunks.append(chunk)
        request = json.loads(b"".join(chunks))
        if request.get("stop"):
            conn.sendall(json.dumps({"code": 0, "out": "", "err": ""}).encode("utf-8"))
            return False
        reply = answer(request)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return True  # not a request: the asker searches cold
    try:
        conn.sendall(json.dumps(reply).encode("utf-8"))
    except OSError:
        pass  # the asker went away (interrupted)
    return True
