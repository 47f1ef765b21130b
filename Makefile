# Fresh-machine entry points: `make schema-docs` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: schema-docs check-docs test lint fuzz bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## Regenerate the documentation of the bundled example (settings in pyproject.toml).
schema-docs: $(STAMP)
	$(BIN)/schemadoc generate

## Fail with a diff when the committed documentation is stale.
check-docs: $(STAMP)
	$(BIN)/schemadoc check

## Run the test suite.
test: $(STAMP)
	$(BIN)/python -m pytest

## Long fuzzing run (CI runs a few hundred examples as part of `make test`).
fuzz: $(STAMP)
	SCHEMADOC_FUZZ_EXAMPLES=$${SCHEMADOC_FUZZ_EXAMPLES:-20000} $(BIN)/python -m pytest tests/test_fuzz.py -q -p no:cacheprovider

## Speed against grep on the standard library plus the venv's packages plus generated DDL.
bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check schemadoc tests bench
	$(BIN)/ruff format --check schemadoc tests bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis .schemadoc_cache bench/.corpus bench/results.json
