#!/usr/bin/env bash
# Fetch a corpus of public, real-world RIS and CSL-JSON files for bench/ris_csl_corpus.py (issue "More ways in").
#
#   scripts/fetch-ris-csl-corpus.sh [OUT]
#
# OUT defaults to ${KBASE_CORPUS:-$HOME/.cache/kbase/corpus}; the files go to OUT/ris and OUT/csl, each with a
# SOURCES.tsv naming where every file came from and what wrote it.
#
# RIS: the export fixtures ASReview ships in its PyPI sdist, each saved by the program named (Embase, Ovid,
# ProQuest, Scopus, Web of Science, EndNote, Zotero, Rayyan).
# CSL-JSON: no package in the registries this machine reaches ships CSL-JSON that Zotero or Mendeley wrote, so
# the CSL-JSON files are written here by two real CSL-JSON writers from real bibliographies: pandoc 2.17
# (Debian's package, run from the unpacked .debs) from TeX Live's and Better BibTeX's .bib files, and citation.js
# 0.7.22 (npm) from the RIS exports above and from a Zotero .bib.
#
# Packages are downloaded with pinned versions (pip download of sdists, apt-get download, npm pack / npm install)
# into OUT/.sources and unpacked there; the unpacked trees are removed at the end, the archives stay, so a later
# run works offline. Anything already there is kept; a source that cannot be fetched or converted is reported and
# skipped. Exit status is 0 unless nothing at all could be collected. Nothing here goes into git.
set -euo pipefail

OUT="${1:-${KBASE_CORPUS:-$HOME/.cache/kbase/corpus}}"
SRC="$OUT/.sources"
mkdir -p "$OUT/ris" "$OUT/csl" "$SRC/deb" "$SRC/npm" "$SRC/pypi" "$SRC/x"

ASR=asreview-3.0.8
# name in OUT/ris | source | package | pinned version | path inside the package | program that wrote it
RIS_MANIFEST=$(cat <<EOF
embase.ris|pypi|asreview|3.0.8|$ASR/tests/demo_data/embase.ris|Embase
ovid-psycinfo.ris|pypi|asreview|3.0.8|$ASR/tests/demo_data/ovid_psycinfo.ris|Ovid (PsycINFO)
ovid-zotero.ris|pypi|asreview|3.0.8|$ASR/tests/demo_data/ovid_zotero.ris|Zotero (from Ovid)
proquest.ris|pypi|asreview|3.0.8|$ASR/tests/demo_data/proquest.ris|ProQuest
pubmed-endnote.txt|pypi|asreview|3.0.8|$ASR/tests/demo_data/pubmed_endnote.txt|EndNote (from PubMed)
pubmed-zotero.ris|pypi|asreview|3.0.8|$ASR/tests/demo_data/pubmed_zotero.ris|Zotero (from PubMed)
scopus.ris|pypi|asreview|3.0.8|$ASR/tests/demo_data/scopus.ris|Scopus
web-of-science.txt|pypi|asreview|3.0.8|$ASR/tests/demo_data/web_of_science.txt|Web of Science
rayyan-issue-992.txt|pypi|asreview|3.0.8|$ASR/tests/demo_data/ris_issue_992.txt|Rayyan
issue-1099.txt|pypi|asreview|3.0.8|$ASR/tests/demo_data/ris_issue_1099.txt|unknown (a user's export)
zotero-baseline.ris|pypi|asreview|3.0.8|$ASR/tests/demo_data/baseline_zotero.ris|Zotero
endnote-baseline.ris|pypi|asreview|3.0.8|$ASR/tests/demo_data/_baseline.ris|EndNote
reference-types.ris|pypi|asreview|3.0.8|$ASR/tests/demo_data/baseline_reference_types.ris|EndNote (60 reference types)
tag-notes.ris|pypi|asreview|3.0.8|$ASR/tests/demo_data/baseline_tag-notes.ris|EndNote (N1 notes)
empty-values.ris|pypi|asreview|3.0.8|$ASR/tests/demo_data/baseline_empty_values.ris|hand-made (empty values)
many-authors.ris|pypi|asreview|3.0.8|$ASR/asreview/webapp/tests/data/ris_many_authors.ris|hand-made (many authors)
EOF
)

# name in OUT/csl | writer (pandoc, citation-js) | source | package | version | path of the input | what the input is
CSL_MANIFEST=$(cat <<EOF
pandoc-biblatex-examples.json|pandoc|deb|texlive-bibtex-extra|2022.20230122-4|usr/share/texlive/texmf-dist/bibtex/bib/biblatex/biblatex/biblatex-examples.bib|biblatex's examples
pandoc-xampl.json|pandoc|deb|texlive-base|2022.20230122-3|usr/share/texlive/texmf-dist/bibtex/bib/base/xampl.bib|BibTeX's xampl.bib
pandoc-tugboat.json|pandoc|deb|texlive-bibtex-extra|2022.20230122-4|usr/share/texlive/texmf-dist/bibtex/bib/beebe/tugboat.bib|TUGboat bibliography (large)
pandoc-dtk-bibliography.json|pandoc|deb|texlive-lang-german|2022.20230122-1|usr/share/texlive/texmf-dist/bibtex/bib/dtk-bibliography/dtk-bibliography.bib|a JabRef bibliography (DTK)
citationjs-scopus.json|citation-js|pypi|asreview|3.0.8|$ASR/tests/demo_data/scopus.ris|Scopus RIS
citationjs-embase.json|citation-js|pypi|asreview|3.0.8|$ASR/tests/demo_data/embase.ris|Embase RIS
citationjs-zotero-baseline.json|citation-js|pypi|asreview|3.0.8|$ASR/tests/demo_data/baseline_zotero.ris|Zotero RIS
citationjs-pubmed-endnote.json|citation-js|pypi|asreview|3.0.8|$ASR/tests/demo_data/pubmed_endnote.txt|EndNote RIS
citationjs-orcid-paglione.json|citation-js|npm|bibtex-parse|2.1.0|package/test/valid/orcid-PaglioneBibTeX.bib|an ORCID BibTeX export
citationjs-mendeley-large-library.json|citation-js|npm|bibtex-parse|2.1.0|package/test/valid/Better BibTeX Async import, large library #720.bib|a Mendeley library (Better BibTeX fixture, large)
EOF
)
PANDOC_VER=2.17.1.1-2~deb12u1
LUA_VER=5.3.6-2
CITATIONJS_VER=0.7.22

PIP_PY=""
for py in "$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/python" python3; do
    if "$py" -m pip --version >/dev/null 2>&1; then PIP_PY=$py; break; fi
done

failed=()
note() { printf '%s\n' "$*" >&2; }

apt_updated=0
fetch_deb() {  # package version → the .deb's path, or nothing
    local pkg=$1 ver=$2 f
    f=$(ls "$SRC/deb/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -1 || true)
    if [[ -z $f ]]; then
        note "downloading $pkg=$ver (Debian)"
        if ! (cd "$SRC/deb" && apt-get download -q "$pkg=$ver" >/dev/null 2>&1); then
            if [[ $apt_updated == 0 ]]; then
                apt_updated=1
                apt-get update -qq >/dev/null 2>&1 || note "apt-get update failed"
                (cd "$SRC/deb" && apt-get download -q "$pkg=$ver" >/dev/null 2>&1) || true
            fi
        fi
        f=$(ls "$SRC/deb/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -1 || true)
    fi
    printf '%s' "$f"
}

fetch_npm() {
    local pkg=$1 ver=$2 f
    f="$SRC/npm/$(printf '%s' "${pkg#@}" | tr / -)-$ver.tgz"
    if [[ ! -s $f ]]; then
        note "downloading $pkg@$ver (npm)"
        (cd "$SRC/npm" && npm pack -q "$pkg@$ver" >/dev/null 2>&1) || true
    fi
    if [[ -s $f ]]; then printf '%s' "$f"; fi
}

fetch_pypi() {
    local pkg=$1 ver=$2 f pat
    pat="$(printf '%s' "$pkg" | tr - _)-$ver.tar.gz"
    f=$(ls "$SRC/pypi/$pat" "$SRC/pypi/$pkg-$ver.tar.gz" 2>/dev/null | head -1 || true)
    if [[ -z $f ]]; then
        note "downloading $pkg==$ver (PyPI sdist)"
        if [[ -n $PIP_PY ]]; then
            "$PIP_PY" -m pip download -q --no-deps --no-binary :all: -d "$SRC/pypi" "$pkg==$ver" >/dev/null 2>&1 || true
        fi
        f=$(ls "$SRC/pypi/$pat" "$SRC/pypi/$pkg-$ver.tar.gz" 2>/dev/null | head -1 || true)
    fi
    printf '%s' "$f"
}

unpack() {  # source package version archive → the unpacked folder
    local dir
    dir="$SRC/x/$(printf '%s' "$1-${2#@}-$3" | tr / _)"
    if [[ ! -e $dir/.unpacked ]]; then
        rm -rf "$dir"; mkdir -p "$dir"
        case $1 in
            deb) dpkg-deb -x "$4" "$dir" || return 1 ;;
            *) tar -xzf "$4" -C "$dir" || return 1 ;;
        esac
        touch "$dir/.unpacked"
    fi
    printf '%s' "$dir"
}

# the path of one file inside a package, fetched and unpacked as needed (empty on failure)
declare -A dir_of=()
file_in() {  # source package version path
    local src=$1 pkg=$2 ver=$3 path=$4 id archive dir
    id="$src $pkg $ver"
    if [[ -z ${dir_of[$id]+x} ]]; then
        case $src in
            deb) archive=$(fetch_deb "$pkg" "$ver") ;;
            npm) archive=$(fetch_npm "$pkg" "$ver") ;;
            pypi) archive=$(fetch_pypi "$pkg" "$ver") ;;
        esac
        dir_of[$id]=""
        if [[ -n $archive ]]; then dir_of[$id]=$(unpack "$src" "$pkg" "$ver" "$archive" || true); fi
    fi
    dir=${dir_of[$id]}
    if [[ -n $dir && -f "$dir/$path" ]]; then printf '%s' "$dir/$path"; fi
}

count_ris() { sed '1s/^\xEF\xBB\xBF//' "$1" | LC_ALL=C grep -ca '^TY  \?-' || true; }  # TY lines, a BOM aside

# --- RIS: copied as they are ---
ris_rows=()
while IFS='|' read -r name src pkg ver path program; do
    [[ -z $name ]] && continue
    target="$OUT/ris/$name"
    if [[ ! -s $target ]]; then
        from=$(file_in "$src" "$pkg" "$ver" "$path")
        if [[ -z $from ]]; then failed+=("ris/$name"); note "skipped ris/$name: $src $pkg $ver not available"; continue; fi
        cp "$from" "$target"
        note "added ris/$name"
    fi
    ris_rows+=("$name	$src:$pkg=$ver	$path	$program	$(count_ris "$target")	$(sha256sum "$target" | cut -d' ' -f1)")
done <<< "$RIS_MANIFEST"
{
    printf 'file\torigin\tpath\tprogram\trecords\tsha256\n'
    for row in "${ris_rows[@]}"; do printf '%s\n' "$row"; done
} > "$OUT/ris/SOURCES.tsv"

# --- the two CSL-JSON writers ---
PANDOC=""
pandoc_ready() {
    [[ -n $PANDOC ]] && return 0
    local pdeb ddeb ldeb pdir ddir ldir
    pdeb=$(fetch_deb pandoc "$PANDOC_VER"); ddeb=$(fetch_deb pandoc-data "$PANDOC_VER"); ldeb=$(fetch_deb liblua5.3-0 "$LUA_VER")
    [[ -n $pdeb && -n $ddeb && -n $ldeb ]] || return 1
    pdir=$(unpack deb pandoc "$PANDOC_VER" "$pdeb") && ddir=$(unpack deb pandoc-data "$PANDOC_VER" "$ddeb") \
        && ldir=$(unpack deb liblua5.3-0 "$LUA_VER" "$ldeb") || return 1
    # not installed: run from the unpacked packages, with their Lua library and data folder
    PANDOC="env LD_LIBRARY_PATH=$ldir/usr/lib/x86_64-linux-gnu $pdir/usr/bin/pandoc --data-dir=$ddir/usr/share/pandoc/data"
    $PANDOC --version >/dev/null 2>&1 || { PANDOC=""; return 1; }
}
CJS="$SRC/citation-js-$CITATIONJS_VER"
citationjs_ready() {
    if [[ ! -e $CJS/node_modules/citation-js/package.json ]]; then
        command -v npm >/dev/null || return 1
        note "installing citation-js@$CITATIONJS_VER (npm) into $CJS"
        mkdir -p "$CJS"
        (cd "$CJS" && npm install -q --no-audit --no-fund --prefix . "citation-js@$CITATIONJS_VER" >/dev/null 2>&1) || return 1
    fi
    cat > "$CJS/to-csl.js" <<'JS'
const Cite = require('citation-js');
const fs = require('fs');
const data = new Cite(fs.readFileSync(process.argv[2], 'utf8')).format('data', {format: 'object'});
fs.writeFileSync(process.argv[3], JSON.stringify(data, null, 2) + '\n');
JS
}

csl_rows=()
while IFS='|' read -r name writer src pkg ver path what; do
    [[ -z $name ]] && continue
    target="$OUT/csl/$name"
    if [[ ! -s $target ]]; then
        from=$(file_in "$src" "$pkg" "$ver" "$path")
        if [[ -z $from ]]; then failed+=("csl/$name"); note "skipped csl/$name: $src $pkg $ver not available"; continue; fi
        case $writer in
            pandoc)
                if pandoc_ready && $PANDOC -f biblatex -t csljson -o "$target.part" "$from" 2>/dev/null; then
                    mv "$target.part" "$target"
                fi ;;
            citation-js)
                if citationjs_ready && node "$CJS/to-csl.js" "$from" "$target.part" 2>/dev/null; then
                    mv "$target.part" "$target"
                fi ;;
        esac
        rm -f "$target.part"
        if [[ ! -s $target ]]; then failed+=("csl/$name"); note "skipped csl/$name: $writer could not convert it"; continue; fi
        note "added csl/$name"
    fi
    version=$([[ $writer == pandoc ]] && echo "pandoc $PANDOC_VER (Debian)" || echo "citation-js $CITATIONJS_VER (npm)")
    items=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["items"] if isinstance(d, dict) else d))' "$target" 2>/dev/null || echo "?")
    csl_rows+=("$name	$src:$pkg=$ver	$path	$version from $what	$items	$(sha256sum "$target" | cut -d' ' -f1)")
done <<< "$CSL_MANIFEST"
{
    printf 'file\torigin\tpath\tprogram\trecords\tsha256\n'
    for row in "${csl_rows[@]}"; do printf '%s\n' "$row"; done
} > "$OUT/csl/SOURCES.tsv"

rm -rf "$SRC/x"
note "${#ris_rows[@]} RIS files in $OUT/ris, ${#csl_rows[@]} CSL-JSON files in $OUT/csl (SOURCES.tsv beside them)"
if (( ${#failed[@]} )); then note "missing: ${failed[*]}"; fi
(( ${#ris_rows[@]} + ${#csl_rows[@]} > 0 ))
