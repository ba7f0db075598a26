"""The compose stack, Prometheus and Grafana files agree with each other and with what the service exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from prometheus_client.parser import text_string_to_metric_families

from unetops.serve.metrics import service_metrics

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_compose_has_every_service_and_every_variable_is_in_the_example_env() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert set(compose["services"]) == {"api", "postgres", "minio", "minio-bucket", "mlflow", "prometheus", "grafana"}
    used = set(re.findall(r"\$\{(\w+)", (DEPLOY / "compose.yaml").read_text()))
    example = {line.split("=")[0] for line in (DEPLOY / ".env.example").read_text().splitlines() if "=" in line}
    assert used - {"UNETOPS_MLFLOW_IMAGE"} <= example
    secrets = {"POSTGRES_PASSWORD", "MINIO_ROOT_PASSWORD", "GRAFANA_ADMIN_PASSWORD", "UNETOPS_API_TOKENS"}
    assert all(
        line.endswith("=")
        for line in (DEPLOY / ".env.example").read_text().splitlines()
        if line.split("=")[0] in secrets
    )
    assert ".env" in compose["services"]["api"]["env_file"]


def test_prometheus_scrapes_the_api() -> None:
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    [job] = config["scrape_configs"]
    assert job["metrics_path"] == "/metrics" and job["static_configs"][0]["targets"] == ["api:8000"]


def test_every_dashboard_query_uses_a_metric_the_service_exports() -> None:
    metrics = service_metrics()
    metrics.requests.labels("GET", "/healthz", "200").inc()
    metrics.latency.labels("GET", "/healthz", "200").observe(0.1)
    metrics.inference.labels("/v1/segment").observe(0.1)
    metrics.drift_component.labels("channel_0_mean_shift").set(0.1)
    from prometheus_client import generate_latest

    exported = {
        sample.name
        for family in text_string_to_metric_families(generate_latest(metrics.registry).decode())
        for sample in family.samples
    }
    dashboard = json.loads((DEPLOY / "grafana" / "dashboards" / "unetops.json").read_text())
    queried = {
        name
        for panel in dashboard["panels"]
        for t in panel["targets"]
        for name in re.findall(r"unetops_\w+", t["expr"])
    }
    assert queried and queried <= exported, queried - exported
    titles = " ".join(panel["title"].lower() for panel in dashboard["panels"])
    assert all(word in titles for word in ("latency", "error", "nuclei", "ki-67", "drift"))


def test_the_tests_run_mlflow_as_the_compose_stack_does() -> None:
    """The tracking server of the team-mode tests takes its options from the compose file; here: every option
    there is one the tests can run locally, the stores are PostgreSQL and a served artifact store, and the image
    pins the MLflow major version the tests run, with a PostgreSQL driver."""
    from importlib.metadata import version

    from team_server import LOCAL_VALUES, compose_server_options

    options = dict(option.partition("=")[::2] for option in compose_server_options())
    assert set(LOCAL_VALUES) <= set(options) and options["--backend-store-uri"].startswith("postgresql://")
    assert "--serve-artifacts" in options
    dockerfile = (DEPLOY / "docker" / "mlflow.Dockerfile").read_text()
    pinned = re.search(r'"mlflow==(\d+)\.', dockerfile)
    assert pinned and pinned.group(1) == version("mlflow").split(".")[0], "pin the MLflow the tests run"
    assert "psycopg" in dockerfile
