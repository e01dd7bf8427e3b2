# Two commands set up everything on a fresh machine with Python 3.11+:
#   make demo   - virtual environment, install, console on the demo coalition
#   make test   - test dependencies and the whole suite (PostgreSQL half too when a
#                 server answers at 127.0.0.1:5432); make test-fast - the unit tier only
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
LOCK    = requirements/dev.lock
STAMP   = $(VENV)/.installed-$(shell cat pyproject.toml $(LOCK) | cksum | cut -d' ' -f1)
UV     ?= uv==0.13.9

PG_HOST ?= 127.0.0.1
PG_PORT ?= 5432
# pytest-xdist workers for `make test`; PYTEST_ARGS come last and win (e.g. -n 0).
TEST_WORKERS ?= auto

.PHONY: install lock demo test test-fast lint typecheck migrations-check bench bench-large clean report-picture

# Installs exactly the pinned, hashed versions of requirements/dev.lock, then Muster
# itself without dependencies; `pip check` fails when the lock misses a requirement.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -c 'import sys; sys.exit("Muster needs Python 3.11+") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# Regenerates both locks from pyproject.toml (Python 3.11, linux, with hashes); run it
# after changing a dependency and commit the result. Existing pins are kept unless
# asked otherwise: `make lock LOCK_ARGS=--upgrade` (or --upgrade-package NAME).
# runtime.lock (the Docker image) is constrained by dev.lock, so the tests run on
# exactly the versions production gets.
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --quiet --python-version 3.11 \
	--python-platform linux --generate-hashes --custom-compile-command "make lock" $(LOCK_ARGS)
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet '$(UV)'
	$(UV_COMPILE) --extra test -o requirements/dev.lock
	$(UV_COMPILE) -c requirements/dev.lock -o requirements/runtime.lock

demo: $(STAMP)
	$(BIN)/muster console --demo

# Everything this machine can run: without TEST_POSTGRES_URL, the PostgreSQL half runs
# against the local server when one answers (pg_isready, else a 1-second connect).
test: $(STAMP)
	@if [ -z "$$TEST_POSTGRES_URL" ]; then \
	  if command -v pg_isready >/dev/null 2>&1; then \
	    pg_isready -q -h $(PG_HOST) -p $(PG_PORT); \
	  else \
	    $(BIN)/python -c 'import psycopg; psycopg.connect(host="$(PG_HOST)", port=$(PG_PORT), user="postgres", dbname="postgres", connect_timeout=1).close()' 2>/dev/null; \
	  fi \
	  && export TEST_POSTGRES_URL=postgresql+psycopg://postgres@$(PG_HOST):$(PG_PORT)/postgres \
	  && echo "PostgreSQL answers at $(PG_HOST):$(PG_PORT); the PostgreSQL half runs there" \
	  || echo "No PostgreSQL at $(PG_HOST):$(PG_PORT) and TEST_POSTGRES_URL unset: the PostgreSQL half is skipped"; \
	fi; \
	set -x; $(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The unit tier only (tests/unit): fast, no database server.
test-fast: $(STAMP)
	$(BIN)/pytest tests/unit $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# mypy alone (make lint runs it too); its configuration is [tool.mypy] in pyproject.toml.
typecheck: $(STAMP)
	$(BIN)/mypy

# The migrations must produce exactly the schema the models describe.
migrations-check: $(STAMP)
	$(BIN)/python -m tests.migrations_check

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis

# The README's picture of the co-chairs' report: the demo coalition's coalition edition
# written as DOCX by `muster report`, its first two pages rendered by LibreOffice and
# poppler (Debian: apt-get install libreoffice-writer-nogui poppler-utils
# fonts-crosextra-carlito, the last for Calibri's metrics). Only this target needs
# them; CI does not. The pictures are committed under docs/.
DEMO_MARKING   ?= NATO UNCLASSIFIED // REL COALITION (FICTIONAL DEMO)
DEMO_COALITION ?= Coalition for the host nation (fictional)
report-picture: $(STAMP)
	@command -v soffice >/dev/null && command -v pdftoppm >/dev/null || { echo "report-picture needs LibreOffice and poppler: apt-get install libreoffice-writer-nogui poppler-utils fonts-crosextra-carlito"; exit 1; }
	@set -e; dir=$$(mktemp -d); trap 'rm -rf "$$dir"' EXIT; \
	export DATABASE_URL="sqlite:///$$dir/demo.db" MUSTER_MARKING="$(DEMO_MARKING)" MUSTER_COALITION_NAME="$(DEMO_COALITION)"; \
	set -x; \
	$(BIN)/muster db upgrade; \
	$(BIN)/muster seed-demo; \
	$(BIN)/muster report --edition coalition --format docx -o "$$dir/demo-report.docx"; \
	soffice --headless --norestore "-env:UserInstallation=file://$$dir/lo" --convert-to pdf --outdir "$$dir" "$$dir/demo-report.docx" >/dev/null; \
	mkdir -p docs; \
	for page in 1 2; do \
	  pdftoppm -png -r 80 -f $$page -l $$page -singlefile "$$dir/demo-report.pdf" "docs/demo-report-page-$$page"; \
	done

# Benchmarks (README, "Performance"): Muster's replies against two bare Bolt apps served
# the same way, at coalition scale; `muster tick` and the exports as processes; then 30
# simultaneous pledges through two replicas (python -m benchmarks.bench_burst alone too).
# PostgreSQL as for `make test` (TEST_POSTGRES_URL, else the local server if it answers),
# otherwise SQLite alone. Tables on the terminal and as Markdown in benchmarks/last-run*.md.
#   make bench        - small coalition, 1k and 10k pledges, no exports (a few minutes)
#   make bench-large  - 1k and 200k pledges, exports at 200k (about 20 minutes)
define BENCH_PG
PG="$$TEST_POSTGRES_URL"; \
if [ -z "$$PG" ] && $(BIN)/python -c 'import psycopg; psycopg.connect(host="$(PG_HOST)", port=$(PG_PORT), user="postgres", dbname="postgres", connect_timeout=1).close()' 2>/dev/null; then \
  PG=postgresql+psycopg://postgres@$(PG_HOST):$(PG_PORT)/postgres; \
fi; \
if [ -n "$$PG" ]; then echo "PostgreSQL: $$PG"; else echo "No PostgreSQL at $(PG_HOST):$(PG_PORT) and TEST_POSTGRES_URL unset: SQLite only"; fi;
endef

bench: $(STAMP)
	@$(BENCH_PG) set -x; \
	$(BIN)/python -m benchmarks.bench_commands --sizes 1000,10000 --no-exports --burst 3 --burst-at 1000 \
	  --postgres "$$PG" --out benchmarks/last-run.md

bench-large: $(STAMP)
	@$(BENCH_PG) set -x; \
	$(BIN)/python -m benchmarks.bench_commands --large --no-small --sizes 1000,200000 --burst 3 \
	  --postgres "$$PG" --out benchmarks/last-run-large.md
