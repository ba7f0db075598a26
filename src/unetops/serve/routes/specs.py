"""`/v1/specs/validate`: a dataset spec checked as `unetops spec validate` checks it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from unetops.serve.problems import Problem
from unetops.serve.routes import AUTHORISED, ERRORS
from unetops.spec import spec_problems

router = APIRouter(prefix="/v1", dependencies=AUTHORISED, tags=["datasets"])


@router.post("/specs/validate", responses=ERRORS)
async def validate_spec(
    spec: Annotated[dict[str, Any], Body(description="a dataset spec, or the original form's JSON")],
) -> dict[str, Any]:
    """Validate a dataset spec: the normalised spec, or 422 with every problem."""
    parsed, problems = spec_problems(spec)
    if parsed is None:
        raise Problem(422, "Invalid dataset spec", f"{len(problems)} problem(s)", problems=problems)
    return {"valid": True, "spec": parsed.model_dump(mode="json")}
