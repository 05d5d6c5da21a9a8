# socialpub — the two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test lint typecheck unit bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

## demo: install, preview the example posts, and show what publish would send (nothing is sent)
demo: $(STAMP)
	$(BIN)/socialpub validate --config config.example.yaml
	$(BIN)/socialpub preview --config config.example.yaml
	$(BIN)/socialpub publish --dry-run --now 2026-11-27T16:30 --config config.example.yaml

## test: install test dependencies, then ruff, mypy --strict and the whole pytest suite
test: $(TEST_STAMP) lint typecheck unit

lint: $(TEST_STAMP)
	$(BIN)/ruff check socialpub tests bench
	$(BIN)/ruff format --check socialpub tests bench

typecheck: $(TEST_STAMP)
	$(BIN)/mypy

unit: $(TEST_STAMP)
	$(BIN)/pytest

## bench: benchmarks, printed as ratios against baselines measured in the same run
bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .socialpub/cache bench/.corpus
