# syntax=docker/dockerfile:1
# The serving image: unetops[serve,registry,slide] on ONNX Runtime, CPU, no PyTorch (MLflow's client only, for
# models:/NAME@ALIAS and /v1/models; the slide extra for slide jobs and the viewer, whose OpenSeadragon comes
# from npm, pinned by web/package-lock.json). Build from the repository root:
#   docker build -f deploy/docker/serve.Dockerfile -t unetops-serve .
# Bake a model in with `unetops package MODEL -o DIR` (a build context FROM this image), or mount one at /models/model.
ARG PYTHON_IMAGE=python:3.12.7-slim-bookworm
ARG NODE_IMAGE=node:20.18.0-bookworm-slim

FROM ${NODE_IMAGE} AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM ${PYTHON_IMAGE} AS build
ARG UNETOPS_VERSION=0.0.0
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 SETUPTOOLS_SCM_PRETEND_VERSION=${UNETOPS_VERSION}
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
COPY --from=web /web/node_modules/openseadragon/build/openseadragon/openseadragon.min.js src/unetops/serve/ui/vendor/openseadragon/
COPY --from=web /web/node_modules/openseadragon/build/openseadragon/images src/unetops/serve/ui/vendor/openseadragon/images
RUN python -m venv /opt/unetops \
    && /opt/unetops/bin/pip install ".[serve,registry,slide]" \
    && /opt/unetops/bin/python -c "import unetops.serve.app"

FROM ${PYTHON_IMAGE}
# registry models are downloaded to /tmp (the compose stack's root file system is read-only, /tmp a tmpfs)
ENV PATH=/opt/unetops/bin:$PATH PYTHONUNBUFFERED=1 UNETOPS_HOST=0.0.0.0 UNETOPS_PORT=8000 UNETOPS_MODEL=/models/model \
    UNETOPS_CACHE_DIR=/tmp/unetops-cache
RUN groupadd --system --gid 10001 unetops \
    && useradd --system --uid 10001 --gid unetops --home-dir /home/unetops --create-home unetops \
    && mkdir -p /models \
    && chown unetops:unetops /models
COPY --from=build /opt/unetops /opt/unetops
USER 10001:10001
WORKDIR /home/unetops
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
ENTRYPOINT ["unetops"]
CMD ["serve"]
