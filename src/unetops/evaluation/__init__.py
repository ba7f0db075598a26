"""Evaluation: pixel and object metrics, the papers' contour comparators, reports."""
