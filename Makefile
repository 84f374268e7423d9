# Two commands a newcomer needs: `make demo` (the main job on the embedded sample corpus) and
# `make test` (the test suite). Both create the virtual environment on first use.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	# torch first, pinned: this takes the CPU build; an unpinned torch pulls a multi-GB CUDA one.
	$(VENV)/bin/pip install -qq torch==2.13.0
	$(VENV)/bin/pip install -qq -e '.[sample,dev]'
	touch $@

.PHONY: install demo test lint docs snapshots
install: $(VENV)/.installed

demo: $(VENV)/.installed
	$(VENV)/bin/fronts run --sample --db data/fronts.duckdb

test: $(VENV)/.installed
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check fronts flows tests bench
	$(VENV)/bin/ruff format --check fronts flows tests bench

docs: $(VENV)/.installed
	$(PY) -m fronts.schemas > docs/warehouse.md

snapshots: $(VENV)/.installed
	FRONTS_UPDATE_SNAPSHOTS=1 $(PY) -m pytest tests/report/test_snapshot.py
