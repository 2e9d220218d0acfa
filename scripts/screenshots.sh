#!/usr/bin/env bash
# Saves PNGs of the app's main views (English and French) to docs/screenshots/, on a virtual X screen.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/screenshots}"
exec xvfb-run -a -s "-screen 0 1600x1000x24" env -u QT_QPA_PLATFORM .venv/bin/python -m ui.screenshots "$out"
