"""The warm search process (`python -m kbase.cli.warm`, started by kbase.search.ask for a shell's
`kbase search`): opens the library and its index once, then answers each command line as a cold
`kbase search` would, with the same parser and search_in."""

from __future__ import annotations

import argparse
import io
import os
import sys
from contextlib import redirect_stderr, redirect_stdout
from typing import Any

from kbase import i18n
from kbase.cli.app import build_parser, guarded
from kbase.cli.argv import command_of, language_of
from kbase.cli.common import close_opened, open_catalogue
from kbase.cli.search import search_in
from kbase.search import ask, service


class _Output(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:  # the asker's terminal decides the bold marks
        return self.tty


def asker_language(argv: list[str], env: dict[str, str]) -> str:
    """The language the asking command speaks: its --lang, else its environment's."""
    chosen = language_of(argv)
    return chosen if chosen in i18n.LANGUAGES else i18n.language_from_environment(env)


_PARSERS: dict[str, argparse.ArgumentParser] = {}  # by language: its help texts are translated when built


def _parser(lang: str) -> argparse.ArgumentParser:
    if lang not in _PARSERS:
        _PARSERS[lang] = build_parser("search")
    return _PARSERS[lang]


def answer(cat: Any, request: dict[str, Any]) -> dict[str, Any]:
    """{code, out, err} of the request's `kbase search` command line, or ask.REFUSED."""
    argv = [str(word) for word in request["argv"]]
    if command_of(argv) != "search":
        return ask.REFUSED
    tty = bool(request.get("tty"))
    out, err = _Output(tty), _Output(False)
    before = i18n.language()
    i18n.set_language(asker_language(argv, dict(request.get("env") or {})))

    refused = []

    def run() -> int:
        args = _parser(i18n.language()).parse_args(argv)
        # the asker read --library itself; a spelling it did not read (`--lib`) names another library
        if args.command != "search" or getattr(args, "library", None) != request.get("library"):
            refused.append(True)
            return 0
        return search_in(cat, args, tty)

    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = guarded(run)
    except SystemExit:  # argparse's --help after `--`
        return ask.REFUSED
    finally:
        i18n.set_language(before)
    return ask.REFUSED if refused else {"code": code, "out": out.getvalue(), "err": err.getvalue()}


def main() -> int:
    location, path = os.environ.get(ask.ENV_LOCATION), os.environ.get(ask.ENV_SOCKET)
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
        idle = float(os.environ.get(ask.ENV_IDLE) or ask.IDLE)
        return service.serve(location, path, idle, lambda request: answer(cat, request))
    finally:
        close_opened()


if __name__ == "__main__":
    sys.exit(main())
