# syntax=docker/dockerfile:1
# MLflow tracking server with the PostgreSQL driver and S3 (MinIO) client the compose stack needs; the MLflow
# and driver the team-mode tests run against a real PostgreSQL (tests/team_server.py).
FROM python:3.12.7-slim-bookworm
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip install "mlflow==3.17.2" "psycopg[binary]==3.3.9" "boto3==1.35.54" \
    && useradd --system --uid 10001 --create-home mlflow
USER 10001
EXPOSE 5000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5000/health', timeout=4)"]
ENTRYPOINT ["mlflow", "server"]
