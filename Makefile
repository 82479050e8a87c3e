# Two entry points for a newcomer: `make demo` and `make test`.
# Both create .venv and install the project on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Tests run in parallel, one process per core; a test file stays on one worker.
PYTEST_ARGS ?= -n auto --dist loadgroup --durations=20

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/celltrace demo --fresh

lint: $(STAMP)
	$(BIN)/ruff check ledger label_printing tests bench
	$(BIN)/ruff format --check ledger label_printing tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) celltrace-data .pytest_cache .mypy_cache .ruff_cache
