# The two commands a new user needs: `make run` and `make test`. Everything else is a step of them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# The MongoDB-mode pass compiles querysets without a server unless MONGODB_URI names a real one.
MONGODB_TEST_URI ?= $(or $(MONGODB_URI),mongodb://127.0.0.1:9/ecommerce_analytics_test)

.PHONY: run test install migrate seed index login browser serve bench clean check-python

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s); set PYTHON=python3.x" % sys.version.split()[0])'

$(VENV)/.installed: requirements.txt | check-python
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(MANAGE) migrate --no-input -v 0

seed: migrate
	$(MANAGE) seed_data --size medium --if-empty

index: seed
	$(MANAGE) search_index --rebuild --if-missing -f

login: migrate
	@echo "Logins:"
	@$(MANAGE) local_login

run: index
	@echo ""
	@echo "  E-commerce Analytics on http://$(HOST):$(PORT)/   (Ctrl-C stops it)"
	@$(MANAGE) local_login
	@echo ""
	$(MANAGE) runserver --noreload $(HOST):$(PORT)

# Debian's Chromium for the browser tests (Playwright cannot download its own browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests..."; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: install browser
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest
	MONGODB_URI=$(MONGODB_TEST_URI) $(PY) -m pytest

bench: install
	for b in bench/*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache
