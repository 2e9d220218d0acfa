#!/usr/bin/env bash
# Saves PNGs of the app's main views (English and French) to docs/screenshots/, on a virtual X screen,
# then pictures of the reports' pages (PDF, and DOCX as LibreOffice renders it) to docs/screenshots/report-pages/.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/screenshots}"
# LibreOffice turns the DOCX reports into pages to look at; Liberation Sans is the reports' house font
need=()
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui)
fc-list 2>/dev/null | grep -qi "Liberation Sans" || need+=(fonts-liberation2)
if [ ${#need[@]} -gt 0 ]; then
    echo "Installing for the report pages: ${need[*]}"
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y --no-install-recommends "${need[@]}"
fi
xvfb-run -a -s "-screen 0 1600x1000x24" env -u QT_QPA_PLATFORM .venv/bin/python -m ui.screenshots "$out"
.venv/bin/python scripts/report_pages.py "$out/report-pages"
