"""Whole-slide images: readers for scanner formats and pyramidal TIFF, tissue detection, tiled quantification."""
