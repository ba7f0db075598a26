"""Trained models: network, metadata, checkpoints, export, backends, tiled inference and the segmenter."""
