"""The CLI starts without the ORM or Whoosh: `kbase --help` lists every command from kbase.cli.COMMANDS,
and a command imports its own module only."""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys

import pytest

from kbase import cli
from kbase.cli import app as cli_app
from tests.cli_runner import run_cli

HEAVY = ("sqlalchemy", "sqlmodel", "whoosh")

# runs argv through kbase.cli.main in a fresh interpreter, then prints which heavy packages got imported
PROBE = """
import contextlib, io, json, sys
from kbase.cli import main
argv = json.loads(sys.argv[1])
with contextlib.redirect_stdout(io.StringIO()) as out:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
loaded = sorted({name.split(".")[0] for name in sys.modules} & set(json.loads(sys.argv[2])))
print(json.dumps({"code": code, "loaded": loaded, "out": out.getvalue()}))
"""


def probe(argv: list[str]) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(argv), json.dumps(HEAVY)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_help_imports_neither_the_orm_nor_whoosh():
    found = probe(["--help"])
    assert found["code"] == 0
    assert found["loaded"] == []
    for name in cli.COMMANDS:
        assert f"    {name} " in found["out"]


def test_search_help_imports_neither_the_orm_nor_whoosh():
    found = probe(["search", "--help"])
    assert found["code"] == 0
    assert "--no-snippets" in found["out"]
    assert found["loaded"] == []


def test_a_wrong_command_is_named_without_the_orm():
    found = probe(["-L", "/nowhere", "serch", "x"])
    assert found["code"] == 2
    assert found["loaded"] == []


@pytest.mark.parametrize("module", cli.COMMAND_MODULES)
def test_the_table_lists_each_modules_commands_with_their_help(module):
    """COMMANDS says what register() builds: the same names, the same help lines."""
    parser = cli.Parser(prog="kbase")
    subs = parser.add_subparsers(dest="command", parser_class=cli.Parser)
    importlib.import_module(module).register(subs, cli.common_options())
    built = {action.dest: action.help for action in subs._choices_actions}
    listed = {name: help_text for name, (mod, help_text) in cli.COMMANDS.items() if mod == module}
    assert built == listed


def test_every_command_module_is_in_the_table():
    assert cli.unlisted_modules() == []
    assert {module for module, _help in cli.COMMANDS.values()} <= set(cli.COMMAND_MODULES)


@pytest.mark.parametrize(("argv", "command"), [
    (["search", "x"], "search"), (["-L", "lib", "list", "publication"], "list"),
    (["--library", "search", "check"], "check"), (["--library=lib", "import", "a.pdf"], "import"),
    (["--help"], None), ([], None), (["--", "search"], None),
])
def test_the_command_word_is_found_before_parsing(argv, command):
    assert cli.command_of(argv) == command


def test_a_command_parses_as_before_with_only_its_module(tmp_path):
    parser = cli.build_parser("search")
    args = parser.parse_args(["-L", str(tmp_path), "search", "font", "size", "--limit", "5"])
    assert (args.command, args.query, args.limit, args.library) == ("search", ["font", "size"], 5, str(tmp_path))
    with pytest.raises(cli.UsageError, match="invalid choice: 'list'"):
        parser.parse_args(["list", "publication"])


def test_help_and_a_wrong_command_in_process():
    shown = run_cli(["--help"])
    assert shown.returncode == 0 and "full-text search" in shown.stdout
    wrong = run_cli(["serch", "x"])
    assert wrong.returncode == 2
    assert "invalid choice: 'serch'" in wrong.stderr
    assert wrong.stdout == ""


def test_a_module_not_yet_in_the_table_still_works(monkeypatch):
    """A command module added to COMMAND_MODULES without table entries is imported for every parser."""
    monkeypatch.setattr(cli_app, "COMMAND_MODULES", [*cli_app.COMMAND_MODULES, "tests.cli.extra_commands"])
    parser = cli.build_parser(cli.command_of(["hello", "--name", "Ada"]))
    args = parser.parse_args(["hello", "--name", "Ada"])
    assert args.run(args) == "hello Ada"
    assert isinstance(cli.build_parser("search").parse_args(["hello"]), argparse.Namespace)


# the `kbase` program: main() with no arguments of its own, as the console script calls it
PROGRAM = """
import atexit, sys, threading, time
atexit.register(lambda: print("exit handlers ran"))
def late():  # still running when the command returns: it starts counting once the command is loaded
    while "kbase.cli.app" not in sys.modules:
        time.sleep(0.01)
    time.sleep(0.5)
    print("a thread still running finished")
threading.Thread(target=late).start()
from kbase.cli import main
sys.argv = ["kbase"] + sys.argv[1:]
sys.exit(main())
"""


@pytest.mark.parametrize("argv, code", [(["--library", "{lib}", "list", "publications"], 0),
                                        (["--library", "{lib}", "bogus"], 2),
                                        (["--library", "{lib}", "show", "publication", "999"], 1)])
def test_the_program_leaves_quickly_as_a_normal_exit_would(tmp_path, argv, code) -> None:
    """The program ends with os._exit, past the interpreter's teardown: the exit code, output
    sent to a pipe, other threads and exit handlers all come out as with a normal exit."""
    lib = tmp_path / "lib"
    assert run_cli(["init", str(lib)]).returncode == 0
    done = subprocess.run([sys.executable, "-c", PROGRAM, *[a.format(lib=lib) for a in argv]],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == code, done.stderr
    assert "a thread still running finished\n" in done.stdout
    assert done.stdout.endswith("exit handlers ran\n")
    assert not (lib / "catalogue.sqlite-wal").exists()  # the command closed its library
