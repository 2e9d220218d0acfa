"""The asking side of the warm search process (kbase.search.service): what a shell's `kbase search` runs
before anything else of Kbase is imported.

A warm answer costs the interpreter's start, this module and one exchange on a Unix socket. So this
module imports only what is built in: `_socket` and `marshal`, not `socket` (enum, selectors) or `json`
(re), nor pathlib — together about 20 ms a process, as much as a query. The serving side takes its
names from here, so both ends agree on the socket, the list of loaded code and the messages.

The request is the command line itself (with the library's canonical location, the asker's language
variables and whether its output is a terminal); the process parses it with the same parser a cold
search uses. Both ends run the same interpreter (it is part of the socket's name), so marshal suits.
"""

from __future__ import annotations

import _socket
import marshal
import os
import sys
import time
import zlib

from kbase.library.location import canonical, default_location, is_url

IDLE = 120.0  # seconds without a request before the process exits
START_WAIT = 60.0  # the most a first search waits for the process to come up (it opens the index)
ANSWER_WAIT = 120.0  # the most an asker waits for an answer
SERVER_MODULE = "kbase.cli.warm"  # the process's entry point: it opens the library, then serves
ENV_SOCKET, ENV_LOCATION, ENV_IDLE = "KBASE_SERVICE_SOCKET", "KBASE_SERVICE_LOCATION", "KBASE_SERVICE_IDLE"
STOP = marshal.dumps({"stop": True})
REFUSED = {"refused": True}  # not a search the process answers (a bad request, --help): search cold


def enabled() -> bool:
    return hasattr(_socket, "AF_UNIX") and hasattr(os, "fork") and os.environ.get("KBASE_SEARCH_SERVICE", "1") != "0"


def socket_path(location: str) -> str | None:
    """The socket of the process serving location; None when the folder for it is not private
    (another user could answer in its place)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR") or os.environ.get("TMPDIR") or "/tmp"
    base = os.path.join(runtime, f"kbase-{os.getuid()}")
    try:
        os.mkdir(base, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return None
    try:
        st = os.stat(base)
    except OSError:
        return None
    if st.st_uid != os.getuid() or st.st_mode & 0o077:
        return None
    name = f"{location}\0{sys.executable}".encode()  # two checksums: a clash is checked by the process too
    return os.path.join(base, f"search-{zlib.crc32(name):08x}{zlib.adler32(name):08x}.sock")


def manifest_path(path: str) -> str:
    """Beside the socket: the Kbase modules its process runs, "size mtime_ns file" a line."""
    return path.removesuffix(".sock") + ".code"


def code_changed(path: str) -> bool:
    """True when the process at path runs a Kbase module that changed on disk since it loaded it
    (or its list cannot be read)."""
    try:
        with open(manifest_path(path), encoding="utf-8") as fh:
            lines = fh.read().splitlines()
        for line in lines[1:]:
            size, mtime, where = line.split(" ", 2)
            st = os.stat(where)
            if (st.st_size, st.st_mtime_ns) != (int(size), int(mtime)):
                return True
    except (OSError, ValueError):
        return True
    return len(lines) < 2


def request(location: str, argv: list[str], tty: bool, library: str | None,
            env: dict[str, str] | None = None) -> dict[str, object] | None:
    """{code, out, err} of `kbase search` with argv (a whole command line, whose --library says
    library) from the warm process for location, started first if none is up; None when there is
    none to ask or it refused. env: the language variables (by default this process's)."""
    path = socket_path(location)
    if path is None:
        return None
    if env is None:
        # what may say the asker's language (kbase.i18n.language_from_environment reads it)
        env = {k: v for k, v in os.environ.items() if k == "KBASE_LANG" or k.startswith(("LANG", "LC_"))}
    asked = marshal.dumps({"argv": argv, "location": location, "library": library, "env": env,
                          "tty": tty})
    answer = None
    try:
        if os.path.exists(path):
            if code_changed(path):
                _exchange(path, STOP)  # it runs old code: a new one starts below, once it has gone
                for _tick in range(200):
                    if not os.path.exists(path):
                        break
                    time.sleep(0.01)
            else:
                answer = _exchange(path, asked)
        if answer is None and _start(location, path):
            answer = _exchange(path, asked)
    except TimeoutError:  # a process that listens but does not answer: no new one can take its place
        return None
    return None if answer is None or answer.get("refused") else answer


def shell_search(argv: list[str], library: str | None) -> int | None:
    """Run a shell's `kbase search` (argv: its arguments) through the warm process and print the
    answer; None when no process can answer: the caller searches in its own process."""
    if not enabled():
        return None
    location = canonical(library or default_location())
    if not is_url(location) and not os.path.isfile(os.path.join(location, "catalogue.sqlite")):
        return None  # no library there: the cold path says so
    answer = request(location, argv, sys.stdout.isatty(), library)
    if answer is None or not isinstance(answer["code"], int):
        return None
    try:
        sys.stdout.write(str(answer["out"]))
        sys.stdout.flush()
    except BrokenPipeError:  # `kbase search … | head`
        sys.stderr.close()
        return 0
    sys.stderr.write(str(answer["err"]))
    return answer["code"]


def stop(location: str) -> bool:
    """Ask the process serving location to exit; False if none was listening."""
    path = socket_path(canonical(location))
    return path is not None and _exchange(path, STOP) is not None


def _exchange(path: str, asked: bytes) -> dict[str, object] | None:
    conn = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    conn.settimeout(ANSWER_WAIT)  # a process stopped or stuck: search cold rather than wait for ever
    try:
        conn.connect(path)
        conn.sendall(asked)
        conn.shutdown(_socket.SHUT_WR)
        chunks = []
        while chunk := conn.recv(1 << 16):
            chunks.append(chunk)
    except TimeoutError:
        raise
    except OSError:  # none listening (or it went away mid-answer): search cold
        return None
    finally:
        conn.close()
    try:
        answer = marshal.loads(b"".join(chunks))
    except (ValueError, EOFError, TypeError):
        return None
    if isinstance(answer, dict) and (answer.get("refused") or {"code", "out", "err"} <= answer.keys()):
        return answer
    return None


def _start(location: str, path: str) -> bool:
    """Start the process and wait until it listens (it forks away once ready); False if it could not."""
    import subprocess  # only the first search of a library starts a process

    env = {**os.environ, ENV_SOCKET: path, ENV_LOCATION: location}
    try:
        done = subprocess.run([sys.executable, "-m", SERVER_MODULE], env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=START_WAIT,
                              start_new_session=True, cwd="/")
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


__all__ = ["enabled", "socket_path", "manifest_path", "code_changed", "request", "shell_search", "stop"]
