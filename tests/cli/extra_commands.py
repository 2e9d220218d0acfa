"""A command module that kbase.cli.COMMANDS does not list (tests/cli/test_startup.py)."""

from __future__ import annotations

import argparse


def register(subs: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = subs.add_parser("hello", parents=[common], help="say hello")
    p.add_argument("--name", default="world")
    p.set_defaults(run=lambda args: f"hello {args.name}")
