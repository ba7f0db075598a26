"""`/v1/segment` and `/v1/quantify`: one uploaded image segmented, or segmented and measured."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from unetops.quantify.config import PROFILES
from unetops.quantify.run import table_csv
from unetops.serve import analysis
from unetops.serve.routes import AUTHORISED, ERRORS, PNG
from unetops.serve.state import State
from unetops.serve.uploads import upload_name

router = APIRouter(prefix="/v1", dependencies=AUTHORISED, tags=["inference"])
Profile = Enum("Profile", {name: name for name in PROFILES}, type=str)  # type: ignore[misc]
Upload = Annotated[UploadFile, File(description="PNG, JPEG, BMP or TIFF image")]


WARNING_HEADER = "X-Input-Warnings"


def warning_header(warnings: list[str]) -> dict[str, str]:
    """The input's warnings for responses without a JSON body to carry them (PNG, CSV)."""
    return {WARNING_HEADER: " | ".join(warnings)} if warnings else {}


class SegmentOutput(str, Enum):
    mask = "mask"
    instances = "instances"
    overlay = "overlay"
    json = "json"


class TableFormat(str, Enum):
    json = "json"
    csv = "csv"


@router.post("/segment", responses={200: PNG, **ERRORS})
async def segment(
    file: Upload,
    state: State,
    request: Request,
    output: Annotated[
        SegmentOutput, Query(description="mask PNG, instances (16-bit label PNG), overlay PNG, or JSON")
    ] = SegmentOutput.mask,
    tta: Annotated[bool, Query(description="average over flips (4x slower)")] = False,
) -> Response:
    """Segment nuclei: the binary mask (PNG, 255 = nucleus), the nuclei as a 16-bit label PNG (an instance model's
    own, else the mask's connected objects), the outline overlay, or JSON with one outline per nucleus."""
    result = await state.segmented(file, request, "/v1/segment", tta)
    headers = warning_header(result.warnings)
    if output is SegmentOutput.mask:
        return Response(result.mask_png(), media_type="image/png", headers=headers)
    if output is SegmentOutput.instances:
        return Response(result.instances_png(), media_type="image/png", headers=headers)
    if output is SegmentOutput.overlay:
        return Response(result.overlay_png(), media_type="image/png", headers=headers)
    return JSONResponse(
        {
            "image": upload_name(file.filename),
            "width": int(result.mask.shape[1]),
            "height": int(result.mask.shape[0]),
            "objects": int(result.labels().max()),
            "foreground_fraction": round(float(result.mask.mean()), 6),
            "contours": result.outlines(),
            "model": state.info["reference"],
            "warnings": result.warnings,
        },
        headers=headers,
    )


@router.post("/quantify", responses=ERRORS)
async def quantify(
    file: Upload,
    state: State,
    request: Request,
    profile: Annotated[Profile, Query(description="marker profile")] = Profile.ki67,  # type: ignore[valid-type]
    pixel_size: Annotated[float | None, Query(gt=0, le=100, description="micrometres per pixel")] = None,
    images: Annotated[bool, Query(description="include mask and QC overlay as base64 PNG")] = False,
    format: Annotated[TableFormat, Query(description="json, or csv of the nuclei")] = TableFormat.json,
) -> Response:
    """Segment and measure nuclei: per-nucleus features and the image summary (count, Ki-67 index, H-score)."""
    config = state.profiles[profile.value]
    result = await state.segmented(file, request, "/v1/quantify", False)
    name = upload_name(file.filename)
    measured = await state.in_worker(
        lambda cancel: analysis.quantify(result, config, name, pixel_size, images), request
    )
    summary = measured["summary"]
    state.metrics.nuclei.observe(summary["nuclei"])
    if isinstance(summary.get("ki67_index"), float):
        state.metrics.ki67.observe(summary["ki67_index"])
    headers = warning_header(result.warnings)
    if format is TableFormat.csv:
        return PlainTextResponse(table_csv(measured["nuclei"]), media_type="text/csv", headers=headers)
    return JSONResponse({"image": name, "model": state.info["reference"], **measured}, headers=headers)
