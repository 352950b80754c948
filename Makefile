# Two commands do everything on a fresh machine (Python 3.11 and pip):
#   make run    create .venv, install, build the default knowledge graph and its outputs under build/
#   make test   the same install, then the whole test suite (real servers, Virtuoso and a real browser included)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install browser owlapi virtuoso bench bench-quick docs lint typecheck clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/kg build --out build

# Debian's Chromium and ChromeDriver for the browser test, installed where missing.
browser:
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || ./scripts/install-browser.sh

# Debian's OWL API for the OWL 2 DL profile test of the ontology, installed where missing.
owlapi:
	@test -f /usr/share/java/owlapi-distribution.jar || ./scripts/install-owlapi.sh

# Debian's Virtuoso 7.2 (binaries only) for the Virtuoso tests, installed where missing.
virtuoso:
	@./scripts/install-virtuoso.sh

test: $(STAMP) browser owlapi virtuoso
	$(BIN)/python -m pytest

docs: $(STAMP)
	$(BIN)/kg docs --out build/docs

bench: $(STAMP) virtuoso
	$(BIN)/python -m bench
	$(BIN)/python -m bench.virtuoso

bench-quick: $(STAMP)
	$(BIN)/python -m bench --quick

lint: $(STAMP)
	$(BIN)/ruff check kg tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

clean:
	rm -rf build .pytest_cache
