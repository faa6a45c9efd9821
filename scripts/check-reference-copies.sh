#!/usr/bin/env bash
# Compares the repository's copies of official reference files with the files distributed to the
# project in ../shared/reference/ (when that folder exists). The test suite never reads it.
set -euo pipefail
cd "$(dirname "$0")/.."
# The copies must still be what the manifest says was copied.
(cd reference && sha256sum --quiet -c SHA256SUMS)
official=${1:-../shared/reference}
if [ ! -d "$official" ]; then
  echo "Pas de dossier $official : comparaison des fichiers de référence ignorée."
  exit 0
fi
status=0
compare() {
  if cmp -s "$1" "$official/$2"; then
    echo "identique : $1"
  else
    echo "DIFFÉRENT : $1 ≠ $official/$2" >&2
    status=1
  fi
}
for copy in reference/*; do
  name=$(basename "$copy")
  # README.md and SHA256SUMS are the repository's own notes on its copies, not copies.
  case "$name" in README.md | SHA256SUMS) continue ;; esac
  compare "$copy" "$name"
done
compare essor/territory/data/cud-communes.csv cud-communes.csv
compare essor/territory/data/cud-former-communes.csv cud-former-communes.csv
compare essor/directory/data/insee-categories-juridiques.tsv insee-categories-juridiques.tsv
exit $status
