#!/usr/bin/env bash
# Starts Essor for a local demo: the background worker (with its sign of life for /healthz) and the
# web server, then prints how to log in.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
# A local demo: development mode, unless the caller chose otherwise (see the Makefile).
export DEBUG="${DEBUG:-1}"
export SITE_URL="${SITE_URL:-http://127.0.0.1:${PORT}}"
.venv/bin/python manage.py essor_worker >var/worker.log 2>&1 &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM
.venv/bin/python manage.py demo_accounts
echo
echo "Essor est démarré : http://127.0.0.1:${PORT}/"
echo "Ctrl+C arrête Essor et son processus de tâches de fond (journal : var/worker.log)."
echo
.venv/bin/python manage.py runserver "127.0.0.1:${PORT}" --noreload
