# Two commands on a fresh machine: `make run` (the app, with a sample session) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PORT ?= 8501
# Networks averaged in the activity model: unset, ml.activity_fit.NETWORKS (the shipped model's);
# ENSEMBLE=K trains and evaluates K (ml.train / ml.evaluate activity --ensemble K).
ENSEMBLE ?=
ENSEMBLE_FLAG := $(if $(ENSEMBLE),--ensemble $(ENSEMBLE))

.PHONY: run test install lint check train evaluate evaluate-activity bench clean

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
	$(PY) -m ml.train $(ENSEMBLE_FLAG)

evaluate: install
	$(PY) -m ml.evaluate all

REPLAY ?= reports/replay
EVAL := $(PY) -m ml.evaluate activity --replay $(REPLAY) $(ENSEMBLE_FLAG)
## The card's activity evaluation in about two hours on 2 cores (the shipped three networks per
## seed, 3 seeds per dataset, ~230 core-minutes of training): the folds train two at a time, one
## process per core (small convolutions use a second thread poorly), the work split evenly
## between the cores (--first-seed) and kept in $(REPLAY); then one run reads them all back into
## reports/activity_evaluation.json and the card. One thread rounds unlike two: figures differ
## from an unpinned run by a set or two.
evaluate-activity: install
	mkdir -p reports
	{ taskset -c 0 $(EVAL) --protocols applewatch-lodo --methods ours --applewatch-seeds 2 \
	     --out reports/part-1a.json \
	  && taskset -c 0 $(EVAL) --protocols barbell-lopo --methods sklearn,seed_network \
	     --out reports/part-1b.json \
	  && taskset -c 0 $(EVAL) --protocols barbell-lopo --methods ours --first-seed 2 --seeds 1 \
	     --out reports/part-1c.json; } > reports/part-1.log 2>&1 & one=$$!; \
	{ taskset -c 1 $(EVAL) --protocols applewatch-lodo --methods ours --first-seed 2 \
	     --applewatch-seeds 1 --out reports/part-2a.json \
	  && taskset -c 1 $(EVAL) --protocols applewatch-lodo --methods seed_network,sklearn \
	     --out reports/part-2b.json \
	  && taskset -c 1 $(EVAL) --protocols barbell-lopo --methods ours --seeds 2 \
	     --out reports/part-2c.json; } > reports/part-2.log 2>&1 & two=$$!; \
	wait $$one; first=$$?; wait $$two; second=$$?; \
	test $$first -eq 0 -a $$second -eq 0 || { echo "a part failed: see reports/part-*.log"; exit 1; }
	$(EVAL)

bench: install
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis artifacts
