"""Quantitative characteristics of nuclei: instances, per-nucleus features, per-image summaries (Ki-67 index)."""
