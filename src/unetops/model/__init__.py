"""Trained models: their metadata, checkpoint files, and loading by path or registry reference."""
