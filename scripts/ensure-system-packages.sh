#!/usr/bin/env bash
# Debian packages Essor needs beside Python: Pango and fonts for WeasyPrint (PDF documents), and
# with the argument `chromium`, Debian's chromium for the browser tests (Playwright's own browser
# download does not work here); with `wrk`, the HTTP load generator of bench/public_pages.py.
# Installs what is missing when run as root; otherwise says what to do.
set -euo pipefail
packages=()
if ! /sbin/ldconfig -p 2>/dev/null | grep "libpangoft2-1.0.so.0" >/dev/null; then
  packages+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
fi
if [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
  packages+=(fonts-dejavu-core)
fi
if [ "${1:-}" = "chromium" ] && ! command -v chromium >/dev/null 2>&1; then
  packages+=(chromium)
fi
if [ "${1:-}" = "wrk" ] && ! command -v wrk >/dev/null 2>&1; then
  packages+=(wrk)
fi
if [ ${#packages[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = "0" ]; then
  echo "Installation des paquets Debian : ${packages[*]}…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
else
  echo "Paquets Debian manquants : ${packages[*]} (sudo apt-get install ${packages[*]})." >&2
  exit 1
fi
