"""Deployment helpers: a model packaged as a ready Docker build context for the serving image."""
