"""The `kbase` command line: one module per group of commands (records, links, search, imports,
report, team…), each adding its sub-commands to the parser built in `app`. `main` is the program.

This file stays small on purpose: a shell's `kbase search` is answered by the warm search process
(kbase.search.ask) before the parser, the ORM or anything else is imported; every other command, and
a search no warm process can answer, goes to `app.main`. The rest of `app` is reachable from here
(`kbase.cli.build_parser`, `emit`, `guarded`…)."""

from __future__ import annotations

import sys
from importlib import import_module

from kbase.cli.argv import command_of, option_value

TYPE_CHECKING = False  # typing itself takes milliseconds to import: a shell's search does without it
if TYPE_CHECKING:
    from typing import Any, Sequence

__all__ = ["main", "command_of"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; argv None: this process is the `kbase` program, whose search may be answered
    by the warm search process; else a caller's own arguments, run in the caller's process."""
    if argv is None:
        words = sys.argv[1:]
        if command_of(words) == "search" and not {"-h", "--help"} & set(words):
            try:
                from kbase.search.ask import shell_search

                code = shell_search(words, option_value(words, "--library", "-L"))
            except KeyboardInterrupt:
                from kbase.i18n import gettext as _

                code = 130
                print(_("kbase: interrupted"), file=sys.stderr)
            except Exception:  # the warm path failed in a way nobody foresaw: the search runs here instead
                code = None
            if code is not None:
                return code
        elif command_of(words) == "import" and not {"-h", "--help", "--dry-run"} & set(words):
            from kbase.imports.early import start_extraction_server

            start_extraction_server()  # it loads PyMuPDF while this process loads the rest
    run = import_module("kbase.cli.app").main
    code = int(run(argv))
    if argv is None:
        _leave(code)
    return code


def _leave(code: int) -> None:
    """End the `kbase` program's process without tearing the interpreter down: freeing every module
    and object took 0.1-0.25 s after an import, with one core idle and the work done. What a normal
    exit does first still happens: other threads finish, the exit handlers run (multiprocessing's,
    temporary files), output is flushed; libraries were closed by the command (WAL checkpointed)."""
    import atexit
    import os
    import threading

    shutdown = getattr(threading, "_shutdown", None)  # CPython's wait for the other threads
    if shutdown is None:
        return  # an interpreter without it exits the usual way
    shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):  # a reader that went away, a closed stream
            pass
    os._exit(code)


def __getattr__(name: str) -> Any:
    # the parser, emit(), guarded()… live in kbase.cli.app, imported when first asked for
    if name.startswith("__"):
        raise AttributeError(name)
    return getattr(import_module("kbase.cli.app"), name)
