"""`SlideSettings`: how a slide is tiled and what is written about it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from unetops.slide.hotspot import HPF_AREA_MM2
from unetops.slide.tissue import MIN_TISSUE_UM2


class SlideSettings(BaseModel):
    """Tiling, tissue, hot spot and output settings of `quantify_slide`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tile_size: int = Field(512, ge=64, le=4096, description="tile core side in analysis pixels (multiple of 16)")
    margin: int = Field(48, ge=0, le=512, description="context read around each tile core, in analysis pixels")
    thumbnail_mpp: float = Field(
        4.0, gt=0, le=100, description="micrometres per thumbnail pixel (tissue detection, heatmap, overview)"
    )
    min_tissue_um2: float = Field(MIN_TISSUE_UM2, gt=0, description="smallest piece of tissue kept, in um^2")
    exclude_pen: bool = Field(
        True, description="leave pen marks (green, blue or black ink) and a margin around them out of the analysis"
    )
    hotspot_area_mm2: float = Field(HPF_AREA_MM2, gt=0, le=25, description="hot-spot field area in mm^2")
    hotspot_min_nuclei: int = Field(500, ge=1, description="nuclei a field must hold to count as a hot spot")
    geojson_nuclei: Literal["all", "hotspot", "none"] = Field(
        "all", description="which nuclei the GeoJSON holds (all of them can be millions: hotspot keeps it small)"
    )
    qc_fields: int = Field(3, ge=0, le=20, description="random tissue fields drawn as QC crops besides the hot spot")
    qc_side: int = Field(768, ge=64, le=4096, description="side of a QC crop in analysis pixels")
