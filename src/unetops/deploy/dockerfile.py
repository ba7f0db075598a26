"""The Dockerfile `unetops package` writes: the serving image with one model baked in (no third-party imports, so
the offline Dockerfile check can render it without the package's dependencies)."""

from __future__ import annotations

from unetops import __version__

DEFAULT_BASE = f"ghcr.io/unetops/unetops-serve:{__version__}"
MODEL_DIR = "/models/model"

DOCKERFILE = """\
# A unetops model baked into the serving image (written by `unetops package`).
# Build: docker build -t {tag} .      Run: docker run -p 8000:8000 -e UNETOPS_API_TOKENS=... {tag}
ARG BASE_IMAGE={base}
FROM ${{BASE_IMAGE}}
COPY --chown=root:root model/ {model_dir}/
ENV UNETOPS_MODEL={model_dir}
LABEL org.opencontainers.image.title="unetops model {name}" \\
      org.unetops.model.reference="{reference}" \\
      org.unetops.model.sha256="{sha256}" \\
      org.unetops.model.dataset_version="{dataset_version}"
"""
