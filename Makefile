# Fresh-machine entry points: `make schema-docs` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Chromium and the npm packages that the tests rendering Mermaid diagrams use, installed in
# .cache/mermaid (not committed, and outside tests/; npm ci replaces node_modules, stamp
# included, when the lockfile changes).
BROWSER_STAMP := .cache/mermaid/node_modules/.installed-browser

.PHONY: schema-docs check-docs test lint fuzz bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Installed on the first `make test`, as the venv is. Where that fails (no Node.js, or no root
# for Chromium) the suite still runs: those tests are skipped saying what is missing (in CI,
# where CI is set, they fail), and the next `make test` tries again.
$(BROWSER_STAMP): tests/mermaid/package-lock.json .ci/install-browser.sh
	@if bash .ci/install-browser.sh; then touch $@; \
	else echo "make: could not install the browser (see above); running the tests without it" >&2; fi

## Regenerate the documentation of the bundled example (settings in pyproject.toml).
schema-docs: $(STAMP)
	$(BIN)/schemadoc generate

## Fail with a diff when the committed documentation is stale.
check-docs: $(STAMP)
	$(BIN)/schemadoc check

## Run the test suite (in parallel, one worker per core: see pyproject.toml).
test: $(STAMP) $(BROWSER_STAMP)
	$(BIN)/python -m pytest

## Long fuzzing run (CI runs a few hundred examples as part of `make test`): one process, no
## time limit.
fuzz: $(STAMP)
	SCHEMADOC_FUZZ_EXAMPLES=$${SCHEMADOC_FUZZ_EXAMPLES:-20000} $(BIN)/python -m pytest tests/test_fuzz.py -q -p no:cacheprovider -n 0 --timeout=0

## Speed and memory against a floor (discover, read, prefilter and parse in one process) on
## three trees: repository-sized, the standard library plus the venv's packages plus generated
## DDL, and a large one (30,000 files; its packages installed from PyPI once, into
## bench/.corpus). A subset or a smoke run: BENCH_ARGS="--quick --trees repo,bench".
bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check schemadoc tests bench
	$(BIN)/ruff format --check schemadoc tests bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis .schemadoc_cache bench/.corpus bench/results.json .cache
