# `make demo` runs the main job on generated sample data; `make test` runs the test suite.
# Both create a local virtual environment (.venv) and install what they need on first use.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UNETOPS := $(VENV)/bin/unetops
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
DEMO ?= data/demo
GROUPS := '(slide\d+)'

.PHONY: install demo test lint bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

demo: $(STAMP)
	rm -rf $(DEMO)
	$(UNETOPS) sample $(DEMO)/sample
	$(UNETOPS) dataset check $(DEMO)/sample/source --group-pattern $(GROUPS) --json $(DEMO)/check.json --fail-on never
	$(UNETOPS) spec init --width 256 --height 256 --group-pattern $(GROUPS) -o $(DEMO)/spec.json
	$(UNETOPS) dataset build $(DEMO)/sample/source --spec $(DEMO)/spec.json --out $(DEMO)/dataset
	$(UNETOPS) dataset export $(DEMO)/dataset --format nnunet --out $(DEMO)/nnunet_raw
	@echo "demo finished: dataset in $(DEMO)/dataset (manifest $(DEMO)/dataset/dataset.json), health report $(DEMO)/check.json"

lint: $(STAMP)
	$(PY) -m ruff check src tests benchmarks
	$(PY) -m ruff format --check src tests benchmarks

test: lint
	$(PY) -m pytest -n 2 -q

bench: $(STAMP)
	$(PY) benchmarks/dataset_build.py

clean:
	rm -rf $(VENV) data .pytest_cache
