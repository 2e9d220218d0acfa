#!/usr/bin/env bash
# Fetch the Zotero database schemas the Zotero import tests build their zotero.sqlite from, at pinned commits,
# into tests/data/zotero/ (AGPL-3.0 data files for tests; see tests/data/zotero/README.md).
set -euo pipefail
cd "$(dirname "$0")/../tests/data/zotero"
# userdata 107: Zotero 5.0's layout (item types and fields in system.sql, no annotations)
OLD="https://raw.githubusercontent.com/zotero/zotero/f7d895ab52ce0e2ebaca37d40925578a912ace39/resource/schema"
# userdata 124: the layout Zotero 6 and 7 use (the global schema's tables in userdata.sql, itemAnnotations)
NEW="https://raw.githubusercontent.com/alexbrainer73/zotero/d848996f9079d33f17c66c3d6d0764d3d4fd7be7/resource/schema"
fetch() {  # url file: only when missing, so a fetched copy is never replaced by a different one
    if [ -s "$2" ]; then echo "have $2"; return; fi
    curl -fsSL "$1" -o "$2.part" && mv "$2.part" "$2" && echo "fetched $2"
}
fetch "$OLD/userdata.sql" userdata-107.sql
fetch "$NEW/userdata.sql" userdata-124.sql
