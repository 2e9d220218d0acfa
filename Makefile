# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint deps system-deps screenshots bench clean

run: deps  # make run ARGS='--library /path/to/library'
	@scripts/run-app.sh $(ARGS)

# the suite in TEST_WORKERS pytest-xdist processes, each with its own PostgreSQL server: one more than
# the cores here, since some tests wait (on child processes, the server, timers) rather than compute
# (5 min 14 s with 3, 5 min 30 s with 4);
# worksteal: a worker that runs dry takes tests from the other, so one slow file does not finish alone;
# the 15 slowest tests are listed at the end, to see where the time goes
TEST_WORKERS ?= 3

test: deps lint
	@KBASE_TEST_PG_SERVERS=$(TEST_WORKERS) scripts/with-postgres.sh \
	  $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal --durations=15 $(PYTEST_ARGS)

# the guard rails: ruff (style, import order, complexity) over the whole tree, mypy strict over kbase/
lint: deps
	@$(BIN)/ruff check .
	@$(BIN)/mypy

MO     := $(patsubst %.po,%.mo,$(wildcard resources/locale/*/LC_MESSAGES/kbase.po))

deps: system-deps $(STAMP) $(MO)

# the programs read compiled catalogs; kbase.i18n compiles a stale one in memory, slower
resources/locale/%/LC_MESSAGES/kbase.mo: resources/locale/%/LC_MESSAGES/kbase.po $(STAMP)
	@$(BIN)/python scripts/translations.py compile

system-deps:
	@scripts/system-deps.sh

# compat editable mode: the checkout on sys.path through a plain .pth; the default's finder hook costs
# every kbase process ~10 ms
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]' --config-settings editable_mode=compat \
		|| $(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

screenshots: deps
	@scripts/screenshots.sh

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
