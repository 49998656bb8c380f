# cittasmart — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install migrate demo run test test-fast browser-deps bench lint format messages check-messages deploy-check clean

help:
	@echo "make run    set everything up and serve the Prato demo on http://$(HOST):$(PORT)"
	@echo "make test   set everything up and run the whole suite (browser tests included)"
	@echo "make lint   ruff check + ruff format --check"
	@echo "make bench  the load benchmark on PostgreSQL (bench/README.md)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

migrate: install
	mkdir -p var
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) load_demo

# The task worker (imports, e-mails, exports) runs in the background and stops with the server.
run: demo
	@export DEBUG=$${DEBUG:-1}; \
	$(MANAGE) db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	$(MANAGE) runserver $(HOST):$(PORT)

# Browser tests drive Debian's Chromium. Install it when it is missing and apt-get is usable;
# otherwise the browser tests skip themselves with a loud message (CI sets REQUIRE_BROWSER=1).
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "!!! Could not install chromium: browser tests will be skipped."; \
	  else \
	    echo "!!! /usr/bin/chromium is missing and apt-get is not usable: browser tests will be skipped."; \
	  fi; \
	fi

test: install browser-deps
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: install
	$(BIN)/pytest -m "not browser" $(PYTEST_ARGS)

# The load benchmark on PostgreSQL and Redis (see bench/README.md); not part of `make test`.
bench: install
	@command -v wrk >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = "0" ]; then \
	    apt-get install -y -qq wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null); \
	  else echo "!!! wrk is missing: install it (Debian package wrk)"; exit 1; fi; }
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Regenerate the catalogues after changing user-facing strings (needs GNU gettext),
# then fill in the Italian msgstr and run `make messages` again to compile.
messages: install
	cd src/cittasmart && ../../$(BIN)/python ../../manage.py makemessages -l it -l en --no-obsolete --no-location
	cd src/cittasmart && ../../$(BIN)/python ../../manage.py compilemessages

deploy-check: install
	PRODUCTION=1 SECRET_KEY=$${SECRET_KEY:-$$(head -c 48 /dev/urandom | base64)} ALLOWED_HOSTS=example.org \
	  $(MANAGE) check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
