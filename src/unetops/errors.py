"""One exception hierarchy. Every message names the file, the problem and the fix."""

from __future__ import annotations

from pathlib import Path


class UnetopsError(Exception):
    """Base of every error unetops raises on purpose; the CLI prints it without a traceback."""

    exit_code = 1

    def __init__(self, problem: str, *, path: Path | str | None = None, fix: str | None = None) -> None:
        self.problem = problem
        self.path = Path(path) if path is not None else None
        self.fix = fix
        super().__init__(self.render())

    def render(self) -> str:
        """The message as a user reads it: `file: problem (fix: ...)`."""
        text = f"{self.path}: {self.problem}" if self.path is not None else self.problem
        if self.fix:
            text += f"\n  fix: {self.fix}"
        return text


class SpecError(UnetopsError):
    """A dataset spec (ours or the web form's JSON) is missing, unreadable or invalid."""

    exit_code = 2


class SourceLayoutError(UnetopsError):
    """A source folder matches no known layout, or not the one that was forced."""

    exit_code = 2


class ImageReadError(UnetopsError):
    """An image or mask file cannot be decoded."""


class OutputError(UnetopsError):
    """An output folder cannot be written: another process writes it, it exists, or the system refuses."""


class DatasetError(UnetopsError):
    """A dataset cannot be built, read or exported."""


class ModelError(UnetopsError):
    """A model file or registry reference cannot be found or used."""


class InferenceCancelled(UnetopsError):
    """A prediction was stopped between two window batches (a timed-out or abandoned request)."""

    def __init__(self) -> None:
        super().__init__("the inference was cancelled")


class MissingExtraError(UnetopsError):
    """An optional dependency is not installed; the message names the extra that brings it."""


EXTRA_OF_MODULE = {
    **dict.fromkeys(("torch", "monai", "lightning_fabric", "onnx"), "train"),
    "mlflow": "train] or unetops[registry",
    **dict.fromkeys(("onnxruntime", "fastapi", "uvicorn", "starlette", "prometheus_client", "multipart"), "serve"),
    **dict.fromkeys(("dask", "distributed"), "cluster"),
    **dict.fromkeys(("pyarrow", "openslide", "zarr", "imagecodecs"), "slide"),
}


def missing_extra(exc: ModuleNotFoundError) -> MissingExtraError | None:
    """The error to show for an optional module that is not installed; None for any other missing module."""
    module = (exc.name or "").split(".")[0]
    extra = EXTRA_OF_MODULE.get(module)
    if extra is None:
        return None
    return MissingExtraError(f"this needs {module}, which is not installed", fix=f"pip install 'unetops[{extra}]'")
