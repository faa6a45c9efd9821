#!/usr/bin/env bash
# Compares the repository's copies of official reference files with the files distributed to the
# project in ../shared/reference/ (when that folder exists). The test suite never reads it.
set -euo pipefail
cd "$(dirname "$0")/.."
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
  [ "$name" = "README.md" ] && continue
  compare "$copy" "$name"
done
compare essor/territory/data/cud-communes.csv cud-communes.csv
compare essor/territory/data/cud-former-communes.csv cud-former-communes.csv
compare essor/directory/data/insee-categories-juridiques.tsv insee-categories-juridiques.tsv
exit $status
