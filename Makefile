# Two commands set up everything on a fresh machine with Python 3.11+:
#   make demo   - virtual environment, install, console on the demo coalition
#   make test   - test dependencies and the whole suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)

.PHONY: install demo test lint migrations-check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Muster needs Python 3.11+") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/muster console --demo

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# The migrations must produce exactly the schema the models describe.
migrations-check: $(STAMP)
	$(BIN)/python -m tests.migrations_check

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis

bench: $(STAMP)
	$(BIN)/python -m benchmarks.bench_commands
	$(BIN)/python -m benchmarks.bench_burst sqlite
