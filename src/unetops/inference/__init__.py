"""Batch prediction: masks, probability maps and overlays for files, folders and globs."""
