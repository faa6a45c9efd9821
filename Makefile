# Essor — the two commands: `make run` (demo on SQLite) and `make test` (whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Parallel test processes (pytest-xdist); 0 runs the suite in this process.
TEST_WORKERS ?= 2
export PORT

.PHONY: run test lint format system install install-dev frontend browser migrate demo worker clean

$(VENV)/.base: requirements/base.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements/base.txt
	touch $@

$(VENV)/.dev: requirements/dev.txt $(VENV)/.base
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

system:
	bash scripts/ensure-system-packages.sh

install: system $(VENV)/.base node_modules/.installed
install-dev: system $(VENV)/.dev node_modules/.installed

# The local demo runs in development mode: with DEBUG off, Essor refuses to start without a secret
# key of its own (set SECRET_KEY and DEBUG=0 in the environment to try the production behaviour).
run migrate worker: export DEBUG ?= 1

migrate: install
	mkdir -p var/static var/media
	$(PY) manage.py migrate --noinput

run: migrate
	$(PY) manage.py load_demo --if-empty --sans-comptes
	bash scripts/run.sh

worker: install
	$(PY) manage.py essor_worker

browser:
	bash scripts/ensure-system-packages.sh chromium

test: install-dev browser
	$(PY) -m pytest -p no:cacheprovider -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) node_modules var
