# `make demo` runs the main job on generated sample data; `make test` runs the test suite.
# Both create a local virtual environment (.venv) and install what they need on first use.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UNETOPS := $(VENV)/bin/unetops
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
DEMO ?= data/demo

.PHONY: install demo test lint bench clean

# torch first and pinned, so that pip never resolves it to a multi-GB CUDA build; on a machine without
# this wheel nearby, add the CPU index: make TORCH_INDEX=--extra-index-url=https://download.pytorch.org/whl/cpu
TORCH ?= torch==2.13.0
TORCH_INDEX ?=
PIP := $(PY) -m pip install --quiet --disable-pip-version-check

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) $(TORCH_INDEX) '$(TORCH)'
	$(PIP) -e '.[train,serve,test]'
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

demo: $(STAMP)
	rm -rf $(DEMO)
	$(UNETOPS) init $(DEMO)
	$(UNETOPS) pipeline run $(DEMO)
	@echo "demo finished in $(DEMO): dataset data/dataset, model runs/train/model, report reports/evaluation/report.html, MLflow store mlflow.db (browse: cd $(DEMO) && $(CURDIR)/$(VENV)/bin/mlflow ui --backend-store-uri sqlite:///mlflow.db)"

lint: $(STAMP)
	$(PY) -m ruff check src tests benchmarks
	$(PY) -m ruff format --check src tests benchmarks

test: lint
	$(PY) -m pytest -n 2 -q

bench: $(STAMP)
	$(PY) benchmarks/dataset_build.py
	$(PY) benchmarks/train_throughput.py
	$(PY) benchmarks/predict_throughput.py
	$(PY) benchmarks/quantify_throughput.py

clean:
	rm -rf $(VENV) data .pytest_cache
