# Small verbs. `make docs` and `make test` are the two commands a newcomer needs;
# both create .venv and install the pinned dependencies on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

export NO_MKDOCS_2_WARNING := 1

.PHONY: docs test test-fast figures regen slides serve bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[docs,test]'
	touch $@

figures: $(STAMP)
	$(BIN)/convdocs build

docs: figures
	$(BIN)/mkdocs build --strict

test: $(STAMP)
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not browser"

regen: $(STAMP)
	$(BIN)/convdocs build --force

slides: $(STAMP)
	$(BIN)/convdocs slides

serve: figures
	$(BIN)/mkdocs serve

bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/playground.py
	$(BIN)/python bench/player.py

clean:
	rm -rf site .pytest_cache .hypothesis

.PHONY: lighthouse screenshots
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

lighthouse: docs node_modules/.package-lock.json
	$(BIN)/python bench/lighthouse.py

screenshots: docs
	$(BIN)/python scripts/screenshots.py
