"""The reproducible pipeline: a DVC project scaffold and a runner for machines without DVC."""
