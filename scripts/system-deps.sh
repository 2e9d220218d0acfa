#!/usr/bin/env bash
# Installs the Debian packages Kbase needs (Qt's libraries, Xvfb, PostgreSQL, poppler) unless present.
set -euo pipefail
need=()
libs="$(ldconfig -p 2>/dev/null || true)"   # read once: `ldconfig | grep -q` dies of SIGPIPE under pipefail
have_lib() { [[ "$libs" == *"$1 "* ]]; }
have_lib libEGL.so.1        || need+=(libegl1)
have_lib libGL.so.1         || need+=(libgl1)
have_lib libxkbcommon.so.0  || need+=(libxkbcommon0)
have_lib libxkbcommon-x11.so.0 || need+=(libxkbcommon-x11-0)
have_lib libfontconfig.so.1 || need+=(libfontconfig1)
have_lib libdbus-1.so.3     || need+=(libdbus-1-3)
have_lib libxcb-cursor.so.0 || need+=(libxcb-cursor0)
have_lib libxcb-icccm.so.4  || need+=(libxcb-icccm4)
have_lib libxcb-keysyms.so.1 || need+=(libxcb-keysyms1)
have_lib libxcb-image.so.0  || need+=(libxcb-image0)
have_lib libxcb-render-util.so.0 || need+=(libxcb-render-util0)
have_lib libxcb-shape.so.0  || need+=(libxcb-shape0)
have_lib libxcb-xinerama.so.0 || need+=(libxcb-xinerama0)
have_lib libxcb-randr.so.0  || need+=(libxcb-randr0)
have_lib libxcb-xkb.so.1    || need+=(libxcb-xkb1)
have_lib libnss3.so         || need+=(libnss3)
have_lib libasound.so.2     || need+=(libasound2)
command -v Xvfb >/dev/null      || need+=(xvfb)
command -v xvfb-run >/dev/null  || need+=(xvfb)
command -v pdftoppm >/dev/null  || need+=(poppler-utils)
command -v xdotool >/dev/null   || need+=(xdotool)
# OCR of scanned pages (kbase.imports.ocr): Tesseract with its English and French data; ocrmypdf is
# only the bench's yardstick (bench/ocr_bench.py)
command -v tesseract >/dev/null || need+=(tesseract-ocr)
tessdata="$(ls -d /usr/share/tesseract-ocr/*/tessdata 2>/dev/null | head -n1 || true)"
[ -f "$tessdata/eng.traineddata" ] || need+=(tesseract-ocr-eng)
[ -f "$tessdata/fra.traineddata" ] || need+=(tesseract-ocr-fra)
command -v ocrmypdf >/dev/null  || need+=(ocrmypdf)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || need+=(postgresql)
fonts="$(fc-list 2>/dev/null || true)"
[[ "${fonts,,}" == *dejavu* ]] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
echo "Installing system packages: ${need[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
lock=(-o DPkg::Lock::Timeout=600)   # another apt run may hold the lock for a while
$SUDO apt-get "${lock[@]}" update -qq
$SUDO apt-get "${lock[@]}" install -y -qq --no-install-recommends "${need[@]}" >/dev/null
