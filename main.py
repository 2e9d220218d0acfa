"""Launches the Kbase desktop app."""

import sys


def run() -> int:
    from ui.app import main

    return main(sys.argv)


if __name__ == "__main__":
    sys.exit(run())
