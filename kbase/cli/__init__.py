"""The `kbase` command: parses arguments, runs one command, turns errors into one clear line."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any, Callable, Sequence

from kbase.errors import KbaseError

# each module adds its sub-commands through register(subparsers, common)
COMMAND_MODULES = [
    "kbase.cli.records",
    "kbase.cli.search",
    "kbase.cli.imports",
    "kbase.cli.report",
    "kbase.cli.bibtex",
    "kbase.cli.team",
]


class UsageError(KbaseError):
    """Bad command-line usage."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, never the whole usage dump
        raise UsageError(f"{self.prog}: {message} (see `{self.prog} --help`)")


def common_options() -> argparse.ArgumentParser:
    common = Parser(add_help=False)
    common.add_argument("--library", "-L", default=argparse.SUPPRESS, metavar="PATH-or-URL",
                        help="library folder or postgresql+psycopg:// URL (default: $KBASE_LIBRARY or the user data folder)")
    return common


def build_parser() -> Parser:
    common = common_options()
    parser = Parser(prog="kbase", description="Kbase: the knowledge base and publication manager.", parents=[common])
    subs = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subs, common)
    return parser


def emit(args: argparse.Namespace, data: Any, human: Callable[[Any], None]) -> None:
    """Print data as JSON with --json, else through the human formatter."""
    if getattr(args, "json", False):
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        human(data)


def _log_crash() -> Path | None:
    try:
        from platformdirs import user_log_dir

        folder = Path(user_log_dir("kbase", appauthor=False))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "crash.log"
        with path.open("a", encoding="utf-8") as fh:
            fh.write(traceback.format_exc())
        return path
    except OSError:
        return None


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "command", None):
            parser.print_help()
            return 2
        try:
            return int(args.run(args) or 0)
        finally:
            from kbase.cli.common import close_opened

            close_opened()
    except UsageError as exc:
        print(f"kbase: {str(exc).removeprefix('kbase: ')}", file=sys.stderr)
        return 2
    except KbaseError as exc:
        print(f"kbase: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("kbase: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 0
    except Exception as exc:  # a bug: one line for the user, the traceback to the log
        where = _log_crash()
        detail = f" (details in {where})" if where else ""
        print(f"kbase: internal error: {exc.__class__.__name__}: {exc}{detail}", file=sys.stderr)
        if os.environ.get("KBASE_DEBUG"):
            traceback.print_exc()
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
