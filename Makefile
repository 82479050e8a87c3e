# Two entry points for a newcomer: `make demo` and `make test`.
# Both create .venv on first use; `demo` installs only the package, `test` and `lint` add the
# test tools (a separate stamp, so `make test` after `make demo` still installs them).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENV_STAMP := $(VENV)/.created
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# Tests run in parallel, one process per core; a test file stays on one worker (loadfile), so
# its module-scoped fixtures are built once. (`--dist loadgroup` no longer groups anything
# under pytest 9: xdist 3.8 renames `item._nodeid`, which pytest 9 no longer reads.)
PYTEST_ARGS ?= -n auto --dist loadfile --durations=20

.PHONY: demo test lint bench clean

$(VENV_STAMP):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	touch $(VENV_STAMP)

$(STAMP): pyproject.toml $(VENV_STAMP)
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

$(TEST_STAMP): pyproject.toml $(VENV_STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP) $(TEST_STAMP)

demo: $(STAMP)
	$(BIN)/celltrace demo --fresh

lint: $(TEST_STAMP)
	$(BIN)/ruff check ledger label_printing tests bench
	$(BIN)/ruff format --check ledger label_printing tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

# The tests start many `celltrace` processes: let Python keep their compiled modules (some CI
# images set PYTHONDONTWRITEBYTECODE), compiled once before the workers start.
test: lint
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m compileall -q ledger label_printing tests
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest $(PYTEST_ARGS)

bench: $(TEST_STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) celltrace-data .pytest_cache .mypy_cache .ruff_cache
