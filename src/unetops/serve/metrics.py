"""Prometheus metrics of one app (its own registry, so several apps in one process do not collide)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)


@dataclass
class ServiceMetrics:
    registry: CollectorRegistry
    requests: Counter
    latency: Histogram
    inference: Histogram
    cancelled: Counter
    nuclei: Histogram
    ki67: Histogram
    model: Gauge
    reloads: Counter
    drift: Gauge
    drift_component: Gauge


def service_metrics() -> ServiceMetrics:
    """A fresh registry with every metric the service exports."""
    registry = CollectorRegistry()
    return ServiceMetrics(
        registry=registry,
        requests=Counter(
            "unetops_http_requests",
            "HTTP requests by route and status",
            ["method", "endpoint", "status"],
            registry=registry,
        ),
        latency=Histogram(
            "unetops_http_request_duration_seconds",
            "HTTP request latency by route and status",
            ["method", "endpoint", "status"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        ),
        inference=Histogram(
            "unetops_inference_duration_seconds",
            "Model inference time per image (tiled)",
            ["endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        ),
        cancelled=Counter(
            "unetops_inference_cancelled",
            "Inferences stopped before the end: the request timed out or its client went away",
            ["reason"],
            registry=registry,
        ),
        nuclei=Histogram(
            "unetops_nuclei_per_image",
            "Nuclei found per quantified image",
            buckets=(0, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000),
            registry=registry,
        ),
        ki67=Histogram(
            "unetops_ki67_index_percent",
            "Ki-67 (positive-nucleus) index per quantified image, percent",
            buckets=(1, 2.5, 5, 10, 14, 20, 30, 40, 50, 60, 70, 80, 90, 100),
            registry=registry,
        ),
        model=Gauge(
            "unetops_model_info",
            "The served model (value 1)",
            ["reference", "sha256", "dataset_version"],
            registry=registry,
        ),
        reloads=Counter(
            "unetops_model_reloads",
            "Switches to the version an alias points at: loaded, or failed (the old version kept serving)",
            ["outcome"],
            registry=registry,
        ),
        drift=Gauge(
            "unetops_input_drift_score", "Input drift score over recent images (0 = training-like)", registry=registry
        ),
        drift_component=Gauge(
            "unetops_input_drift_component", "Input drift by descriptor", ["descriptor"], registry=registry
        ),
    )
