# The two commands of the README, and a few more for developers.
#
#   make run     set up the virtual environment if needed, then start the app
#   make test    set up, install the test peers (n8n, an OpenID provider,
#                PostgreSQL), lint, type-check and run the whole test suite
#   make bench   run the benchmarks and print each figure beside its floor
#   make deb     build the Debian package (see docs/packaging.md)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Outer limits: a hang in the Qt event loop escapes pytest-timeout.
PEERS_TIMEOUT ?= 2400
TEST_TIMEOUT ?= 3000

.PHONY: run test lint bench deb

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,package]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m mantra_desktop

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: $(STAMP) lint
	timeout $(PEERS_TIMEOUT) $(BIN)/python -m tests.peers install
	timeout --kill-after=30 $(TEST_TIMEOUT) $(BIN)/python -m pytest

bench: $(STAMP)
	timeout $(PEERS_TIMEOUT) $(BIN)/python -m tests.peers install
	$(BIN)/python -m tests.benchmarks

deb: $(STAMP)
	packaging/build-deb.sh
