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

lint: $(STAMP)
	$(BIN)/ruff check schemadoc tests
	$(BIN)/ruff format --check schemadoc tests

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis .schemadoc_cache
