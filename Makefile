# The two commands a new user needs: `make run` and `make test`. Everything else is a step of them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# The MongoDB pass runs on the server MONGODB_URI names, else on a throw-away SecantusDB server
# (GPL-2.0, so in a virtualenv of its own and only ever run as a separate process).
TEST_SERVER_VENV := .venv-secantus

.PHONY: run test install test-server migrate seed index login browser serve bench clean check-python

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s); set PYTHON=python3.x" % sys.version.split()[0])'

$(VENV)/.installed: requirements.txt | check-python
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

install: $(VENV)/.installed

$(TEST_SERVER_VENV)/.installed: requirements-testserver.txt | check-python
	@test -x $(TEST_SERVER_VENV)/bin/python || $(PYTHON) -m venv $(TEST_SERVER_VENV)
	$(TEST_SERVER_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(TEST_SERVER_VENV)/bin/python -m pip install --quiet -r requirements-testserver.txt
	@touch $@

test-server: $(TEST_SERVER_VENV)/.installed

migrate: install
	$(MANAGE) migrate --no-input -v 0

seed: migrate
	$(MANAGE) seed_data --size medium --if-empty
	$(MANAGE) trends_refit

index: seed
	$(MANAGE) search_index --rebuild --if-missing -f

login: migrate
	@echo "Logins:"
	@$(MANAGE) local_login

# gunicorn with DEBUG off (DEBUG=1 make run for tracebacks in the browser), its settings from
# gunicorn.conf.py (threaded workers, keep-alive); whitenoise serves the static files; the API
# throttles are counted in one file under CACHE_DIR, shared by the workers.
WORKERS ?= 2
run: index
	@echo ""
	@echo "  E-commerce Analytics on http://$(HOST):$(PORT)/   (Ctrl-C stops it)"
	@$(MANAGE) local_login
	@echo ""
	$(VENV)/bin/gunicorn -c gunicorn.conf.py ecommerce_analytics.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) \
		--access-logfile - --error-logfile - --log-level warning

# Debian's Chromium for the browser tests (Playwright cannot download its own browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests..."; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# First the embedded pass (SQLite, tantivy), then the whole suite again on a live MongoDB-protocol
# server: the one MONGODB_URI names, else one tools/with_mongodb.py starts and stops.
test: install test-server browser
	$(VENV)/bin/lint-imports --no-cache
	env -u MONGODB_URI $(PY) -m pytest
	$(PY) tools/with_mongodb.py -- $(PY) -m pytest

bench: install
	for b in bench/*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) $(TEST_SERVER_VENV) var .pytest_cache
