"""Reading a command line before it is parsed: the command word, --library's and --lang's values.
Kept apart from the parser so that a shell's `kbase search` can ask the warm process without it."""

from __future__ import annotations

TYPE_CHECKING = False  # typing itself takes milliseconds to import: a shell's search does without it
if TYPE_CHECKING:
    from typing import Sequence

VALUED = ("--library", "-L", "--lang")  # the program's own options that take a value


def command_of(argv: Sequence[str]) -> str | None:
    """The command word of argv: the first word that is not an option or an option's value."""
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word in VALUED:
            skip = True
        elif word == "--":
            return None
        elif not word.startswith("-"):
            return word
    return None


def option_value(argv: Sequence[str], *names: str) -> str | None:
    """The last value given to one of names (`--lang fr`, `--lang=fr`, `-L lib`), read up to `--`."""
    found = None
    for i, word in enumerate(argv):
        if word == "--":
            break
        for name in names:
            if word == name and i + 1 < len(argv):
                found = argv[i + 1]
            elif name.startswith("--") and word.startswith(name + "="):
                found = word.split("=", 1)[1]
            elif len(name) == 2 and word.startswith(name) and len(word) > 2:  # -Lpath
                found = word[2:]
    return found


def language_of(argv: Sequence[str]) -> str | None:
    """--lang's value, read before parsing so the parser and its errors speak it too."""
    return option_value(argv, "--lang")


__all__ = ["command_of", "option_value", "language_of"]
