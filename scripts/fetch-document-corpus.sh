#!/usr/bin/env bash
# Fetch real documents of every format Kbase reads besides PDF, for bench/document_corpus.py (issue 18): the test
# fixtures of the parsers' own packages (PyPI sdists), calibre's quick-start EPUBs (Debian), a real web page (npm),
# password-protected Word, PowerPoint and Excel files (oletools' test data) and PDF (Paperwork's), and RTF and
# damaged files made from those fixtures.
#
#   scripts/fetch-document-corpus.sh [OUT]
#
# OUT defaults to ${KBASE_CORPUS:-$HOME/.cache/kbase/corpus}/documents. Versions and SHA-256 are pinned; a
# package that cannot be fetched is reported and skipped. OUT/SOURCES.tsv says where each file came from.
# The RTF is LibreOffice's export of a fixture (when soffice is installed; scripts/screenshots.sh installs it).
# Nothing here goes into git.
set -euo pipefail

OUT="${1:-${KBASE_CORPUS:-$HOME/.cache/kbase/corpus}/documents}"
SRC="$OUT/.sources"
PYTHON="${PYTHON:-$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/python}"  # absolute: the script changes folder
[ -x "$PYTHON" ] || PYTHON=python3
mkdir -p "$SRC"
cd "$SRC"

# file in OUT | source | package==version | sha256 of the package | path inside it
MANIFEST=$(cat <<'LIST'
docx-coreprops.docx|pypi|python-docx==1.2.0|7bc9d7b7d8a69c9c02ca09216118c86552704edc23bac179283f2e38f86220ce|python_docx-1.2.0/features/steps/test_files/doc-coreprops.docx
docx-tables.docx|pypi|python-docx==1.2.0|7bc9d7b7d8a69c9c02ca09216118c86552704edc23bac179283f2e38f86220ce|python_docx-1.2.0/features/steps/test_files/blk-paras-and-tables.docx
docx-comments.docx|pypi|python-docx==1.2.0|7bc9d7b7d8a69c9c02ca09216118c86552704edc23bac179283f2e38f86220ce|python_docx-1.2.0/features/steps/test_files/comments-rich-para.docx
pptx-text.pptx|pypi|python-pptx==1.0.2|479a8af0eaf0f0d76b6f00b0887732874ad2e3188230315290cd1f9dd9cc7095|python_pptx-1.0.2/features/steps/test_files/txt-text.pptx
pptx-notes.pptx|pypi|python-pptx==1.0.2|479a8af0eaf0f0d76b6f00b0887732874ad2e3188230315290cd1f9dd9cc7095|python_pptx-1.0.2/features/steps/test_files/prs-notes.pptx
xlsx-embedded.xlsx|pypi|python-pptx==1.0.2|479a8af0eaf0f0d76b6f00b0887732874ad2e3188230315290cd1f9dd9cc7095|python_pptx-1.0.2/features/steps/test_files/shp-embedded-xlsx.xlsx
odt-serious-poem.odt|pypi|odfpy==1.4.1|db766a6e59c5103212f3cc92ec8dd50a0f3a02790233ed0b52148b70d3c438ec|odfpy-1.4.1/tests/examples/serious_poem.odt
odt-simpletable.odt|pypi|odfpy==1.4.1|db766a6e59c5103212f3cc92ec8dd50a0f3a02790233ed0b52148b70d3c438ec|odfpy-1.4.1/tests/examples/simpletable.odt
ods-pythagoras.ods|pypi|odfpy==1.4.1|db766a6e59c5103212f3cc92ec8dd50a0f3a02790233ed0b52148b70d3c438ec|odfpy-1.4.1/tests/examples/pythagoras.ods
ods-chinese.ods|pypi|odfpy==1.4.1|db766a6e59c5103212f3cc92ec8dd50a0f3a02790233ed0b52148b70d3c438ec|odfpy-1.4.1/tests/examples/chinese_spreadsheet.ods
ods-empty.ods|pypi|odfpy==1.4.1|db766a6e59c5103212f3cc92ec8dd50a0f3a02790233ed0b52148b70d3c438ec|odfpy-1.4.1/tests/examples/empty.ods
odp-cols.odp|pypi|odfpy==1.4.1|db766a6e59c5103212f3cc92ec8dd50a0f3a02790233ed0b52148b70d3c438ec|odfpy-1.4.1/tests/examples/cols.odp
epub-calibre-quick-start-en.epub|deb|calibre=6.13.0+repack-2+deb12u10|2147531d04a2db377d4a16e23e49fe99f7ac878c8f0c61e77311d71eecfd87d4|usr/share/calibre/quick_start/eng.epub
epub-calibre-quick-start-fr.epub|deb|calibre=6.13.0+repack-2+deb12u10|2147531d04a2db377d4a16e23e49fe99f7ac878c8f0c61e77311d71eecfd87d4|usr/share/calibre/quick_start/fra.epub
html-epubjs-docs.html|npm|epubjs@0.4.2|140fa4db8e6d8191e399b0782aae3695c47145502c33ffef5bfd13fddd9e606c|package/documentation/html/index.html
password-word.docx|pypi|oletools==0.60.2|ad452099f4695ffd8855113f453348200d195ee9fa341a09e197d66ee7e0b2c3|oletools-0.60.2/tests/test-data/encrypted/encrypted.docx
password-powerpoint.pptx|pypi|oletools==0.60.2|ad452099f4695ffd8855113f453348200d195ee9fa341a09e197d66ee7e0b2c3|oletools-0.60.2/tests/test-data/encrypted/encrypted.pptx
password-excel.xlsx|pypi|oletools==0.60.2|ad452099f4695ffd8855113f453348200d195ee9fa341a09e197d66ee7e0b2c3|oletools-0.60.2/tests/test-data/encrypted/encrypted.xlsx
password-paperwork.pdf|pypi|paperwork-backend==2.2.5|e38a5f960d0e0dac9da2792dc80aec703a32f31857dc58c5dbae7edec47e9ee1|paperwork_backend-2.2.5/tests/model/test_password.pdf
LIST
)

fetch() {  # source, package → the archive's file name in SRC (empty when it cannot be had)
    local source="$1" package="$2" name="" before
    case "$source" in
        pypi) before="${package%%==*}"; before="${before//-/_}-${package##*==}"  # the sdist's file name
              name="$(ls "$before".tar.gz "$before".zip 2>/dev/null | head -n1 || true)"
              [ -n "$name" ] || { "$PYTHON" -m pip download --quiet --no-deps --no-binary :all: "$package" -d . >/dev/null 2>&1 || true
                                  name="$(ls "$before".tar.gz "$before".zip 2>/dev/null | head -n1 || true)"; } ;;
        deb)  name="$(ls "${package%%=*}"_*.deb 2>/dev/null | head -n1 || true)"
              [ -n "$name" ] || { apt-get download "$package" >/dev/null 2>&1 || true; name="$(ls "${package%%=*}"_*.deb 2>/dev/null | head -n1 || true)"; } ;;
        npm)  before="$(echo "${package%@*}" | sed 's#^@##; s#/#-#')"; name="$(ls "$before"-*.tgz 2>/dev/null | head -n1 || true)"
              [ -n "$name" ] || { npm pack --silent "$package" >/dev/null 2>&1 || true; name="$(ls "$before"-*.tgz 2>/dev/null | head -n1 || true)"; } ;;
    esac
    echo "$name"
}

printf 'file\tsource\n' > "$OUT/SOURCES.tsv"
got=0
while IFS='|' read -r file source package sha inner; do
    [ -n "$file" ] || continue
    if [ ! -s "$OUT/$file" ]; then
        archive="$(fetch "$source" "$package")"
        if [ -z "$archive" ]; then echo "skipped $file: cannot fetch $package ($source)" >&2; continue; fi
        if ! echo "$sha  $archive" | sha256sum --check --quiet; then echo "skipped $file: $archive's SHA-256 differs" >&2; continue; fi
        rm -rf x && mkdir x
        case "$archive" in
            *.deb) dpkg-deb -x "$archive" x ;;
            *.zip) unzip -q "$archive" "$inner" -d x ;;
            *) tar -xzf "$archive" -C x "$inner" ;;
        esac
        cp "x/$inner" "$OUT/$file"
        rm -rf x
    fi
    printf '%s\t%s %s: %s\n' "$file" "$source" "$package" "$inner" >> "$OUT/SOURCES.tsv"
    got=$((got + 1))
done <<< "$MANIFEST"

# RTF as LibreOffice writes it, from the poem above; and a Word file cut short, as a broken download leaves it
if [ -s "$OUT/odt-serious-poem.odt" ] && [ ! -s "$OUT/rtf-serious-poem.rtf" ] && command -v soffice >/dev/null; then
    tmp="$(mktemp -d)"
    soffice --headless -env:UserInstallation=file://"$tmp"/profile --convert-to rtf --outdir "$tmp" \
        "$OUT/odt-serious-poem.odt" >/dev/null 2>&1 || true
    [ -s "$tmp/odt-serious-poem.rtf" ] && cp "$tmp/odt-serious-poem.rtf" "$OUT/rtf-serious-poem.rtf"
    rm -rf "$tmp"
fi
[ -s "$OUT/rtf-serious-poem.rtf" ] && printf 'rtf-serious-poem.rtf\tLibreOffice export of odt-serious-poem.odt\n' >> "$OUT/SOURCES.tsv"
if [ -s "$OUT/docx-tables.docx" ]; then
    head -c 2000 "$OUT/docx-tables.docx" > "$OUT/damaged-cut-short.docx"
    printf 'damaged-cut-short.docx\tthe first 2,000 bytes of docx-tables.docx\n' >> "$OUT/SOURCES.tsv"
fi
echo "$got documents in $OUT (see SOURCES.tsv)"
[ "$got" -gt 0 ]
