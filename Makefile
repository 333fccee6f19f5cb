# Parley — the README's two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install run test lint browser clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/.installed

## Install, then serve the demo shop (http://$(HOST):$(PORT)/demo) and the console (/console).
run: install
	$(BIN)/parley serve --demo --host $(HOST) --port $(PORT)

## Install everything (Python packages, Debian's chromium for browser tests), lint, type-check, test.
test: install browser lint
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check app tests migrations
	$(BIN)/ruff format --check app tests
	$(BIN)/mypy

## Headless Chromium from Debian's packages (never `playwright install`: it downloads a browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian's chromium for the browser tests"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache test-artifacts
