"""`package_model`: a model as a Docker build context that bakes it into the serving image."""

from __future__ import annotations

import shutil
from pathlib import Path

from unetops.deploy.dockerfile import DEFAULT_BASE, DOCKERFILE, MODEL_DIR
from unetops.fileio import atomic_directory, dump_json, sha256_file
from unetops.model.backends import load_model


def package_model(reference: str, out: Path, *, base_image: str = DEFAULT_BASE, overwrite: bool = False) -> Path:
    """Write `out/` with `model/model.onnx`, `model/metadata.json` and a `Dockerfile` FROM the serving image.

    The ONNX model is loaded first, so a package always holds a model the service can serve.
    """
    model = load_model(reference)
    name = out.name.lower().replace("_", "-") or "model"
    with atomic_directory(out, overwrite=overwrite) as staging:
        (staging / "model").mkdir()
        shutil.copyfile(model.path, staging / "model" / "model.onnx")
        metadata = dump_json(model.metadata.model_dump(mode="json"))
        (staging / "model" / "metadata.json").write_text(metadata, encoding="utf-8")
        (staging / "Dockerfile").write_text(
            DOCKERFILE.format(
                base=base_image,
                tag=f"unetops-model-{name}",
                model_dir=MODEL_DIR,
                name=name,
                reference=reference,
                sha256=sha256_file(model.path),
                dataset_version=model.metadata.dataset_version,
            ),
            encoding="utf-8",
        )
    return out
