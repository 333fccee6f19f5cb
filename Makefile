# Parley — the README's two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

PG_URL    ?= postgresql+asyncpg://postgres@127.0.0.1:5432
REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: install run test test-sqlite test-postgres test-js build-js schema lint browser node services bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/.installed

## Install, then serve the demo shop (http://$(HOST):$(PORT)/demo) and the console (/console).
run: install
	$(BIN)/parley serve --demo --host $(HOST) --port $(PORT)

## Install everything (Python packages, Chromium, node, PostgreSQL, Redis), lint, type-check, run
## the JavaScript checks, then the whole suite on SQLite + in-process broker, and again, less what
## does not touch the database or the broker, on PostgreSQL + Redis.
test: install browser services lint test-js test-sqlite test-postgres

test-sqlite: install node_modules/.package-lock.json
	$(BIN)/pytest

# The PostgreSQL + Redis pass runs what a database or a broker is under: the server-backed tests,
# the migrations, the broker contract, the benchmarks' smoke tests and the one service test with a
# PostgreSQL case. It leaves out the browser tests (they assert what a page shows; every server
# path under them is also driven over the protocol here), the rest of tests/unit (on SQLite by
# design) and the checks that only read files (catalogues, layers, frames, OpenAPI, documents).
POSTGRES_TESTS = tests/e2e tests/test_migrations.py tests/test_migrate_concurrently.py \
	tests/test_broker_contract.py tests/test_bench_smoke.py tests/unit/test_faq_suggest.py

test-postgres: install node_modules/.package-lock.json
	PARLEY_TEST_POSTGRES=$(PG_URL) PARLEY_TEST_BROKER=$(REDIS_URL) PARLEY_TEST_REDIS=$(REDIS_URL) \
		$(BIN)/pytest -m "not browser" $(POSTGRES_TESTS)

## The browser code: eslint, the JSDoc types (tsc, nothing emitted), the shared client's and the widget's unit tests
## (node --test), and that the committed bundles (widget/widget.js, widget/panel.js, console/static/parley-protocol.js)
## equal a fresh build.
test-js: node_modules/.package-lock.json
	npx --no-install eslint .
	npx --no-install tsc -p tsconfig.json
	node --test client/test/ widget/test/
	node scripts/build-js.mjs --check
	@mkdir -p build && $(JSON2TS) -o build/frames.d.ts && cmp -s build/frames.d.ts client/src/frames.d.ts \
		|| { echo "client/src/frames.d.ts is not generated from docs/frames.schema.json: run make schema"; exit 1; }

JSON2TS = npx --no-install json2ts -i docs/frames.schema.json --no-additionalProperties \
	--unreachableDefinitions --maxItems=-1

## After changing a frame model: publish the frames' JSON Schema (docs/frames.schema.json) and
## generate the browser client's types from it (client/src/frames.d.ts); then `make build-js`.
schema: install node_modules/.package-lock.json
	$(BIN)/python -m app.web.wire_schema > docs/frames.schema.json
	$(JSON2TS) -o client/src/frames.d.ts

## Rebuild the committed bundles after editing client/src or widget/src (see client/README.md).
build-js: node_modules/.package-lock.json
	node scripts/build-js.mjs

# npm ci again when node_modules is missing or package-lock.json changed (npm ci rewrites
# node_modules/.package-lock.json, so it is newer than the lock file after every install).
node_modules/.package-lock.json: package-lock.json | node
	npm ci --no-audit --no-fund

## Node and npm from Debian's packages when the machine has none (only the JS checks need them;
## `make run` does not: the built widget is committed).
node:
	@command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || { \
		echo "installing Debian's nodejs and npm for the JavaScript checks"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq nodejs npm; }

services:
	@scripts/services.sh

## Every benchmark scenario against Parley and the bare relay (about 12 minutes); the table is
## printed and bench/results/<date>-<scenario>.json written. See docs/performance.md.
bench: install services
	$(BIN)/python -m bench.run

lint: install
	$(BIN)/ruff check app tests migrations bench
	$(BIN)/ruff format --check app tests bench
	$(BIN)/mypy

## Headless Chromium from Debian's packages (never `playwright install`: it downloads a browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian's chromium for the browser tests"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

clean:
	rm -rf $(VENV) node_modules .mypy_cache .ruff_cache .pytest_cache test-artifacts build dist *.egg-info
