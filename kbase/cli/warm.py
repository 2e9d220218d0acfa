"""The warm search process (`python -m kbase.cli.warm`, started by kbase.search.service for a shell's
`kbase search`): opens the library and its index once, then answers each search as search_in does."""

from __future__ import annotations

import argparse
import io
import os
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

from kbase import i18n
from kbase.cli import guarded
from kbase.cli.common import close_opened, open_catalogue
from kbase.cli.search import search_in
from kbase.search import service


class _Output(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:  # the asker's terminal decides the bold marks
        return self.tty


def answer(cat: Any, request: dict[str, Any]) -> dict[str, Any]:
    """{code, out, err} of `kbase search` with the request's parsed arguments."""
    args = argparse.Namespace(**request["args"])
    tty = bool(request.get("tty"))
    out, err = _Output(tty), _Output(False)
    before = i18n.language()
    i18n.set_language(str(request["args"].get("lang") or before))  # the asker's language
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = guarded(lambda: search_in(cat, args, tty))
    finally:
        i18n.set_language(before)
    return {"code": code, "out": out.getvalue(), "err": err.getvalue()}


def main() -> int:
    location, path = os.environ.get(service.ENV_LOCATION), os.environ.get(service.ENV_SOCKET)
    if not location or not path:
        print("kbase.cli.warm is started by `kbase search`", file=sys.stderr)
        return 2
    try:
        cat = open_catalogue(argparse.Namespace(library=location))
    except Exception:
        return 1  # the asker searches cold, and says what is wrong
    try:  # the index's maps are built now, before the first answer is waited for
        from kbase.search.api import prepare

        prepare(cat)
    except Exception:
        pass  # no index yet: each search says so, as a cold one does
    try:
        idle = float(os.environ.get(service.ENV_IDLE) or service.IDLE)
        return service.serve(location, Path(path), idle, lambda request: answer(cat, request))
    finally:
        close_opened()


if __name__ == "__main__":
    sys.exit(main())
