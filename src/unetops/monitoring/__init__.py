"""Monitoring of a served model: input descriptors and drift from the training data."""
