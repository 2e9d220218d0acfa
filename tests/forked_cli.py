"""The kbase command in processes of their own, forked from a server that has it loaded.

A test that starts `python -c "from kbase.cli import main; ..."` many times (the kill tests start ~30)
pays ~1 CPU-s each for Python to import SQLAlchemy, the models and the parser again. A CliServer is one
such interpreter, started once; each run() forks it. The fork is a process as real as the command: its
own session and process group (os.killpg reaches it, its import workers and their fork server), the
test's environment, folder and language as they are when it starts, stdin from /dev/null, stdout and
stderr to files, the same main() and the same exit codes (130 after Ctrl-C; -9 when killed by SIGKILL).
The server itself runs nothing but forks, one at a time, so it has no threads to fork with.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)


class CliServer:
    """Start it once (a session fixture), run() each command, close() at the end."""

    def __init__(self) -> None:
        boot = f"import sys; sys.path.insert(0, {_HERE!r}); from forked_cli import serve; serve()"
        self._proc = subprocess.Popen([sys.executable, "-c", boot], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      text=True, bufsize=1, start_new_session=True)
        self._running: Forked | None = None
        self._expect("ready", 120)

    def run(self, args: list[str], stdout: Path | None = None, stderr: Path | None = None) -> Forked:
        """Start `kbase ARGS` (without waiting); stdout/stderr go to those files, else nowhere."""
        assert self._proc.stdin is not None
        if self._running is not None:  # a test that failed left it running: end it first
            if self._running.returncode is None:
                _kill_group(self._running.pid)
                self._running.wait(60)
        request = {"args": args, "env": dict(os.environ), "cwd": os.getcwd(),
                   "out": str(stdout) if stdout else None, "err": str(stderr) if stderr else None}
        self._proc.stdin.write(json.dumps(request) + "\n")
        self._running = Forked(self, int(self._expect("pid", 60)))
        return self._running

    def _expect(self, word: str, timeout: float) -> str:
        assert self._proc.stdout is not None
        ready, _, _ = select.select([self._proc.stdout], [], [], timeout)
        line = self._proc.stdout.readline() if ready else ""
        kind, _, value = line.strip().partition(" ")
        if kind != word:
            raise RuntimeError(f"the kbase fork server said {line!r} where {word!r} was due "
                               f"(exit code {self._proc.poll()})")
        return value

    def close(self) -> None:
        assert self._proc.stdin is not None
        if self._running is not None and self._running.returncode is None:
            _kill_group(self._running.pid)
        self._proc.stdin.close()  # the server's loop ends
        self._proc.wait(60)
        if self._proc.stdout is not None:
            self._proc.stdout.close()


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


class Forked:
    """One run of the command: pid, wait(timeout) -> exit code, returncode (None while it runs)."""

    def __init__(self, server: CliServer, pid: int):
        self._server, self.pid = server, pid
        self.returncode: int | None = None

    def wait(self, timeout: float) -> int:
        if self.returncode is None:
            self.returncode = int(self._server._expect("exit", timeout))
        return self.returncode

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self._server._proc.stdout], [], [], 0)[0]:
            self.wait(0)
        return self.returncode


def serve() -> None:
    """In the server: load the command, then fork one run per request line and report its exit."""
    import kbase.cli.app  # noqa: F401  (the parser and every command's module)
    import kbase.imports.pipeline  # noqa: F401

    print("ready", flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)  # never returns
        print(f"pid {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"exit {os.waitstatus_to_exitcode(status)}", flush=True)


def _child(request: dict[str, object]) -> None:
    code = 1
    try:
        os.setsid()
        for fd, path in ((0, None), (1, request["out"]), (2, request["err"])):
            flags = os.O_RDONLY if fd == 0 else os.O_WRONLY | os.O_CREAT | os.O_TRUNC
            target = os.open(str(path) if path else os.devnull, flags)
            os.dup2(target, fd)
            os.close(target)
        os.environ.clear()
        os.environ.update(request["env"])  # type: ignore[arg-type]
        os.chdir(str(request["cwd"]))
        from kbase.cli import main
        from kbase.i18n import language_from_environment, set_language

        set_language(language_from_environment())
        args = [str(a) for a in request["args"]]  # type: ignore[attr-defined]
        sys.argv = ["-c", *args]
        try:
            code = main(args)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # the fork must never go back to the server's loop
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)

