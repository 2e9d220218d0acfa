"""`python -m kbase.cli` runs the kbase command."""

import sys

from kbase.cli import main

sys.exit(main())
