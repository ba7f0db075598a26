# syntax=docker/dockerfile:1
# The training image: unetops with PyTorch, MONAI and MLflow; runs any `unetops` command.
#   docker build -f deploy/docker/train.Dockerfile -t unetops-train .                              # CPU
#   docker build -f deploy/docker/train.Dockerfile --build-arg TORCH_VARIANT=cu124 -t unetops-train:cuda .   # CUDA 12.4
# The CUDA wheels carry the CUDA runtime; the host needs the NVIDIA driver and container toolkit (docker run --gpus all).
ARG PYTHON_IMAGE=python:3.12.7-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ARG TORCH_VARIANT=cpu
ARG TORCH_VERSION=2.5.1
ARG UNETOPS_VERSION=0.0.0
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 SETUPTOOLS_SCM_PRETEND_VERSION=${UNETOPS_VERSION}
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN python -m venv /opt/unetops \
    && /opt/unetops/bin/pip install "torch==${TORCH_VERSION}" --index-url "https://download.pytorch.org/whl/${TORCH_VARIANT}" \
    && /opt/unetops/bin/pip install ".[train,serve]" "psycopg2-binary==2.9.10" "boto3==1.35.54"

FROM ${PYTHON_IMAGE}
ENV PATH=/opt/unetops/bin:$PATH PYTHONUNBUFFERED=1
RUN groupadd --system --gid 10001 unetops \
    && useradd --system --uid 10001 --gid unetops --home-dir /work --create-home unetops
COPY --from=build /opt/unetops /opt/unetops
USER 10001:10001
WORKDIR /work
HEALTHCHECK NONE
ENTRYPOINT ["unetops"]
CMD ["--help"]
