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

SHARED ?= ../shared/corpora
RESULTS := bench/results

.PHONY: install demo test lint docs snapshots benchmarks benchmarks-doc
install: $(VENV)/.installed

demo: $(VENV)/.installed
	$(VENV)/bin/fronts run --sample --db data/fronts.duckdb

test: $(VENV)/.installed
	$(PY) -m pytest

# ruff, and import-linter's contracts (the layers in pyproject.toml [tool.importlinter]).
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check fronts flows tests bench
	$(VENV)/bin/ruff format --check fronts flows tests bench
	$(VENV)/bin/lint-imports --no-cache

docs: $(VENV)/.installed
	$(PY) -m fronts.schemas > docs/warehouse.md

snapshots: $(VENV)/.installed
	FRONTS_UPDATE_SNAPSHOTS=1 $(PY) -m pytest tests/report/test_snapshot.py

# Every number of docs/benchmarks.md, measured anew on this machine (about four hours on 2 cores),
# then the page itself. Each step writes its JSON to bench/results/; benchmarks-doc re-renders
# the page from those files alone.
benchmarks: $(VENV)/.installed
	$(PY) bench/ingest.py $(SHARED)/control-quantum-wos-30k --json $(RESULTS)/ingest.json
	rm -rf bench/out/planted bench/out/planted-large
	$(VENV)/bin/fronts bench planted --sizes 5000,20000 --seeds 5 --subsamples 5 \
		--out bench/out/planted --json $(RESULTS)/planted.json
	# the largest size the shared corpora fill; its warehouse's cache already holds most texts
	$(VENV)/bin/fronts bench planted --sizes 35000 --seeds 3 --subsamples 3 \
		--db bench/out/planted/warehouse.duckdb --out bench/out/planted-large \
		--json $(RESULTS)/planted-large.json
	rm -f bench/out/backtest-bci.duckdb
	$(VENV)/bin/fronts backtest $(SHARED)/control-bci-eeg-wos --db bench/out/backtest-bci.duckdb \
		--prereg bench/preregistration-v2.toml --out $(RESULTS)/backtest-bci.json --no-progress
	$(PY) bench/run.py planted:5000 planted:20000 planted:35000 planted:60000 \
		--json $(RESULTS)/run.json
	$(PY) bench/errors.py --json $(RESULTS)/errors.json
	$(VENV)/bin/fronts bench lineage --scenarios 20 --out bench/out/lineage \
		--json $(RESULTS)/lineage.json
	$(PY) bench/incremental.py --json $(RESULTS)/incremental.json
	rm -rf bench/out/planted-grain
	$(VENV)/bin/fronts bench planted --sizes 1000,5000,20000 --seeds 3 --subsamples 3 \
		--out bench/out/planted-grain --json $(RESULTS)/planted-grain.json
	$(PY) bench/grain.py --json $(RESULTS)/grain.json
	$(PY) bench/forecast.py --max-works 12000 --json $(RESULTS)/forecast.json
	rm -rf bench/out/planted-refs-text bench/out/planted-refs-hybrid
	$(VENV)/bin/fronts bench planted --sizes 1000,5000 --seeds 3 --subsamples 3 \
		--reference-signal 0.4 --out bench/out/planted-refs-text \
		--json $(RESULTS)/planted-refs-text.json
	$(VENV)/bin/fronts bench planted --sizes 1000,5000 --seeds 3 --subsamples 3 \
		--reference-signal 0.4 --config bench/hybrid.toml \
		--db bench/out/planted-refs-text/warehouse.duckdb --out bench/out/planted-refs-hybrid \
		--json $(RESULTS)/planted-refs-hybrid.json
	rm -f bench/out/backtest-v3-bci.duckdb bench/out/backtest-v3-aimed.duckdb
	for c in text hybrid; do \
		cfg=$$( [ $$c = hybrid ] && echo "--config bench/hybrid.toml" ); \
		$(VENV)/bin/fronts backtest $(SHARED)/control-bci-eeg-wos $$cfg \
			--db bench/out/backtest-v3-bci.duckdb --out $(RESULTS)/backtest-v3-bci-$$c.json \
			--no-progress || exit 1; \
		$(VENV)/bin/fronts backtest $(SHARED)/control-ai-medical-diagnosis-wos $$cfg \
			--db bench/out/backtest-v3-aimed.duckdb --out $(RESULTS)/backtest-v3-aimed-$$c.json \
			--no-progress || exit 1; \
	done
	$(MAKE) benchmarks-doc

benchmarks-doc: $(VENV)/.installed
	$(PY) bench/report.py > docs/benchmarks.md
