#!/usr/bin/env bash
# Fetch a corpus of public, real-world CSV publication lists for bench/spreadsheet_corpus.py (issue 13).
#
#   scripts/fetch-spreadsheet-corpus.sh [OUT]
#
# OUT defaults to ${KBASE_CORPUS:-$HOME/.cache/kbase/corpus}; the files go to OUT/spreadsheets with a SOURCES.tsv
# naming where every file came from and what wrote it.
#
# The files are fixtures that packages on PyPI ship, each an export of the program named: two Scopus CSV exports
# of different years (bibx 0.9.2's sdist, bibexpy 2.3.0's wheel), two Embase CSV exports (asreview 3.0.8's sdist),
# ASReview's own CSV/TSV layout with comma, semicolon and tab delimiters (asreview 3.0.8), and a list that
# asreview-datatools wrote from OpenAlex (asreview-datatools 1.4). No package in the registries this machine
# reaches ships a Zotero, Mendeley or EndNote CSV, nor any bibliographic XLSX: the one workbook here is written by
# openpyxl (the project's own dependency, as pandas' to_excel uses it) from the Scopus CSV of bibx, digits-only
# cells as numbers, as a spreadsheet program types them when it opens the CSV.
#
# Packages are downloaded with pinned versions (pip download) into OUT/.sources/pypi and unpacked under
# OUT/.sources/x, removed at the end; the archives stay, so a later run works offline. A file already in
# OUT/spreadsheets is kept. Exit status is 0 unless nothing at all could be collected. Nothing here goes into git.
set -euo pipefail

OUT="${1:-${KBASE_CORPUS:-$HOME/.cache/kbase/corpus}}"
SRC="$OUT/.sources"
mkdir -p "$OUT/spreadsheets" "$SRC/pypi" "$SRC/x"

ASR=asreview-3.0.8/tests/demo_data
# name in OUT/spreadsheets | package | pinned version | archive kind (sdist, wheel) | path inside | program that wrote it
MANIFEST=$(cat <<EOF2
scopus-bibx.csv|bibx|0.9.2|sdist|bibx-0.9.2/docs/examples/scopus.csv|Scopus (CSV export, UTF-8 with BOM)
scopus-bibexpy.csv|bibexpy|2.3.0|wheel|bibexpy/_samples/simple_project/scopus.csv|Scopus (CSV export, 2024 columns)
embase.csv|asreview|3.0.8|sdist|$ASR/embase.csv|Embase (CSV export)
embase-newpage.csv|asreview|3.0.8|sdist|$ASR/embase_newpage.csv|Embase (CSV export, line breaks in cells)
asreview-generic.csv|asreview|3.0.8|sdist|$ASR/generic_labels.csv|ASReview (its CSV layout, RIS-style columns)
asreview-semicolon.csv|asreview|3.0.8|sdist|$ASR/generic_semicolon.csv|ASReview (semicolon-delimited)
asreview-tab.tsv|asreview|3.0.8|sdist|$ASR/generic_tab.tsv|ASReview (tab-delimited)
openalex-datatools.csv|asreview-datatools|1.4|sdist|asreview_datatools-1.4/tests/demo_data/snowballing_openalex.csv|asreview-datatools (pandas, from OpenAlex)
EOF2
)

PIP_PY=""
for py in "$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/python" python3; do
    if "$py" -m pip --version >/dev/null 2>&1; then PIP_PY=$py; break; fi
done

failed=()
note() { printf '%s\n' "$*" >&2; }

archive_of() {  # package version kind → the archive's path, or nothing
    local pkg=$1 ver=$2 kind=$3 base f
    base=$(printf '%s' "$pkg" | tr - _)
    if [[ $kind == wheel ]]; then
        f=$(ls "$SRC/pypi/$base-$ver-"*.whl 2>/dev/null | head -1 || true)
    else
        f=$(ls "$SRC/pypi/$base-$ver.tar.gz" "$SRC/pypi/$pkg-$ver.tar.gz" 2>/dev/null | head -1 || true)
    fi
    if [[ -z $f && -n $PIP_PY ]]; then
        note "downloading $pkg==$ver (PyPI $kind)"
        if [[ $kind == wheel ]]; then
            "$PIP_PY" -m pip download -q --no-deps --only-binary :all: -d "$SRC/pypi" "$pkg==$ver" >/dev/null 2>&1 || true
            f=$(ls "$SRC/pypi/$base-$ver-"*.whl 2>/dev/null | head -1 || true)
        else
            "$PIP_PY" -m pip download -q --no-deps --no-binary :all: -d "$SRC/pypi" "$pkg==$ver" >/dev/null 2>&1 || true
            f=$(ls "$SRC/pypi/$base-$ver.tar.gz" "$SRC/pypi/$pkg-$ver.tar.gz" 2>/dev/null | head -1 || true)
        fi
    fi
    printf '%s' "$f"
}

declare -A dir_of=()
file_in() {  # package version kind path → the file's path once unpacked (empty on failure)
    local pkg=$1 ver=$2 kind=$3 path=$4 id=$1-$2-$3 archive dir
    if [[ -z ${dir_of[$id]+x} ]]; then
        dir_of[$id]=""
        archive=$(archive_of "$pkg" "$ver" "$kind")
        if [[ -n $archive ]]; then
            dir="$SRC/x/$id"
            rm -rf "$dir"; mkdir -p "$dir"
            if [[ $kind == wheel ]]; then
                python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$archive" "$dir" && dir_of[$id]=$dir
            else
                tar -xzf "$archive" -C "$dir" && dir_of[$id]=$dir
            fi
        fi
    fi
    dir=${dir_of[$id]}
    if [[ -n $dir && -f "$dir/$path" ]]; then printf '%s' "$dir/$path"; fi
}

count_rows() {  # data rows by Python's csv reader (cells may hold line breaks)
    python3 - "$1" <<'PY' 2>/dev/null || echo "?"
import csv, sys
text = open(sys.argv[1], encoding="utf-8-sig", newline="").read()
delim = "\t" if sys.argv[1].endswith(".tsv") else csv.Sniffer().sniff(text.splitlines()[0], ",;\t").delimiter
print(sum(1 for r in list(csv.reader(text.splitlines(True), delimiter=delim))[1:] if any(c.strip() for c in r)))
PY
}

rows=()
while IFS='|' read -r name pkg ver kind path program; do
    [[ -z $name ]] && continue
    target="$OUT/spreadsheets/$name"
    if [[ ! -s $target ]]; then
        from=$(file_in "$pkg" "$ver" "$kind" "$path")
        if [[ -z $from ]]; then failed+=("$name"); note "skipped $name: $pkg $ver not available"; continue; fi
        cp "$from" "$target"
        note "added spreadsheets/$name"
    fi
    rows+=("$name	pypi:$pkg=$ver ($kind)	$path	$program	$(count_rows "$target")	$(sha256sum "$target" | cut -d' ' -f1)")
done <<< "$MANIFEST"
# --- the workbook, written from a CSV above ---
xlsx=scopus-bibx.xlsx
if [[ ! -s $OUT/spreadsheets/$xlsx && -s $OUT/spreadsheets/scopus-bibx.csv && -n $PIP_PY ]]; then
    "$PIP_PY" - "$OUT/spreadsheets/scopus-bibx.csv" "$OUT/spreadsheets/$xlsx.part" <<'PY' && mv "$OUT/spreadsheets/$xlsx.part" "$OUT/spreadsheets/$xlsx" && note "added spreadsheets/$xlsx"
import csv, sys
import openpyxl
wb = openpyxl.Workbook(write_only=True)
ws = wb.create_sheet("scopus")
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    for row in csv.reader(f):
        ws.append([int(c) if c.isdigit() and len(c) < 10 else c for c in row])
wb.save(sys.argv[2])
PY
    rm -f "$OUT/spreadsheets/$xlsx.part"
fi
if [[ -s $OUT/spreadsheets/$xlsx ]]; then
    ver=$("$PIP_PY" -c 'import openpyxl; print(openpyxl.__version__)')
    rows+=("$xlsx	written here from scopus-bibx.csv	-	openpyxl $ver from a Scopus CSV export	$(count_rows "$OUT/spreadsheets/scopus-bibx.csv")	$(sha256sum "$OUT/spreadsheets/$xlsx" | cut -d' ' -f1)")
else
    failed+=("$xlsx")
fi
{
    printf 'file\torigin\tpath\tprogram\trows\tsha256\n'
    for row in "${rows[@]}"; do printf '%s\n' "$row"; done
} > "$OUT/spreadsheets/SOURCES.tsv"

rm -rf "$SRC/x"
note "${#rows[@]} files in $OUT/spreadsheets (SOURCES.tsv beside them)"
if (( ${#failed[@]} )); then note "missing: ${failed[*]}"; fi
(( ${#rows[@]} > 0 ))
