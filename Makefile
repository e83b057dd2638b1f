# Two commands on a fresh machine: `make run` (the app, with a sample session) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PORT ?= 8501

.PHONY: run test install lint check train evaluate bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Start the app on http://localhost:$(PORT) with the journal migrated and a sample session in it.
run: install
	$(PY) -m journal init --with-sample
	$(VENV)/bin/streamlit run streamlit_app.py --server.port $(PORT)

## Lint, type-check and run the whole test suite (what CI runs).
test: install lint
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

train: install
	$(PY) -m ml.train

evaluate: install
	$(PY) -m ml.evaluate all

bench: install
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis artifacts
