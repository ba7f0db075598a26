"""Small images, pairs and spec files that tests write on the fly."""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import numpy as np

from unetops.imageio import encode_image, encode_mask
from unetops.sample import synthetic_ihc_tile
from unetops.spec import ImageType


def disc_mask(size: int = 32, radius: int = 8, centre: tuple[int, int] | None = None) -> np.ndarray:
    """A boolean disc."""
    yy, xx = np.mgrid[:size, :size]
    cy, cx = centre or (size // 2, size // 2)
    return (yy - cy) ** 2 + (xx - cx) ** 2 <= radius**2


def rgb_image(size: int = 32, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (size, size, 3), dtype=np.uint8)


def write_image(path: Path, array: np.ndarray, image_type: ImageType | None = None) -> Path:
    """Write an array by the path's suffix (or the given type)."""
    kind = image_type or ImageType(path.suffix.lstrip(".").replace("jpeg", "jpg").replace("tiff", "tif"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encode_image(array, kind))
    return path


def write_mask(path: Path, mask: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encode_mask(mask, ImageType.png))
    return path


def write_pair(root: Path, image_rel: str, mask_rel: str, seed: int = 0, size: int = 32) -> None:
    """An RGB image with a disc mask; images differ by seed."""
    write_image(root / image_rel, rgb_image(size, seed))
    write_mask(root / mask_rel, disc_mask(size, 4 + seed % 6))


def write_dsb_case(root: Path, case: str, nuclei: int) -> None:
    """A Kaggle DSB 2018 case folder with one mask file per nucleus."""
    write_image(root / case / "images" / f"{case}.png", rgb_image(16))
    for n in range(nuclei):
        mask = np.zeros((16, 16), bool)
        mask[n * 3 : n * 3 + 2, 1:4] = True
        write_mask(root / case / "masks" / f"m{n}.png", mask)


def write_annotated(root: Path, stem: str, squares: list[tuple[int, int, int]], suffix: str = ".geojson") -> None:
    """An RGB image and a QuPath-style annotation file of square nuclei (x, y, side)."""
    write_image(root / f"{stem}.png", rgb_image(32))
    features = [
        {"type": "Feature", "properties": {"objectType": "annotation"},
         "geometry": {"type": "Polygon", "coordinates": [[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]]}}
        for x, y, s in squares
    ]  # fmt: skip
    (root / f"{stem}{suffix}").write_text(json.dumps({"type": "FeatureCollection", "features": features}))


# The dataset-parameter web form's JSON, exactly as the form writes it.
# regions drawn by hand on scikit-image's real colon IHC (x0, y0, x1, y1 in pixels of the 512 x 512 image): glands
# where blue nuclei sit in brown cytoplasm, and stroma with blue nuclei only
BROWN_GLANDS = {"upper left gland": (160, 64, 240, 192), "upper right gland": (300, 100, 420, 230),
                "lower gland": (260, 320, 370, 470)}  # fmt: skip
STROMA = {"middle stroma": (190, 250, 290, 320), "right stroma": (440, 200, 512, 500)}


def in_region(features: dict[str, np.ndarray], box: tuple[int, int, int, int]) -> np.ndarray:
    """Whether each nucleus' centroid lies in the box."""
    x0, y0, x1, y1 = box
    x, y = features["centroid_x"], features["centroid_y"]
    return (x >= x0) & (x < x1) & (y >= y0) & (y < y1)


FORM_JSON = {
    "_token": "kJ2xq9d0cVnM",
    "height": "512",
    "width": "512",
    "image_type": "2",
    "color_model": "1",
    "separate_file_format": "on",
    "description": "_mask",
}


# A network and schedule small enough to train on the tiny dataset in about a second.
TINY_TRAIN = {
    "epochs": 2,
    "depth": 2,
    "base_width": 4,
    "patch_size": 32,
    "batch_size": 4,
    "steps_per_epoch": 2,
    "patience": 10,
}


def tiny_train_config(**overrides):
    """`TINY_TRAIN` as a `TrainConfig`, with overrides."""
    from unetops.train.config import TrainConfig

    return TrainConfig(**{**TINY_TRAIN, **overrides})


def example_metadata():
    """Metadata of a hypothetical RGB model, for checkpoint and export tests."""
    from unetops import __version__
    from unetops.model.metadata import ModelMetadata
    from unetops.spec import DatasetSpec
    from unetops.train.config import TrainConfig

    return ModelMetadata(
        unetops_version=__version__,
        in_channels=3,
        threshold=0.5,
        patch_size=64,
        divisor=8,
        dataset_version="ds-000000000000",
        dataset_spec=DatasetSpec(),
        train_config=TrainConfig(),
        reference_stats={"channel_mean": [0.5, 0.5, 0.5]},
    )


def tile_png(size: int = 96, seed: int = 0) -> tuple[np.ndarray, bytes]:
    image = synthetic_ihc_tile(np.random.default_rng(seed), height=size, width=size, nuclei=size // 6).image
    return image, encode_image(image, ImageType.png)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(side: int = 30000) -> bytes:
    """A valid 1-bit PNG of side x side black pixels: about 110 kB that decode to `side`^2 pixels."""
    row = b"\x00" + bytes((side + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DaskCluster:
    """A real Dask cluster on loopback: `dask scheduler` and `workers` single-threaded `dask worker` processes
    without nannies (a killed worker stays dead), all started as subprocesses."""

    def __init__(self, folder: Path, workers: int = 2) -> None:

        folder.mkdir(parents=True, exist_ok=True)
        self.log = (folder / "cluster.log").open("w")
        scheduler_file = folder / "scheduler.json"
        command = [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
                   "--no-dashboard", "--scheduler-file", str(scheduler_file)]  # fmt: skip
        self.scheduler = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while not scheduler_file.is_file() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.address = json.loads(scheduler_file.read_text())["address"]
        self.workers = [self._worker(folder, number) for number in range(workers)]
        with self.client() as client:
            client.wait_for_workers(workers, timeout=90)

    def _worker(self, folder: Path, number: int):
        command = [sys.executable, "-m", "distributed.cli.dask_worker", self.address, "--nthreads", "1", "--no-nanny",
                   "--no-dashboard", "--name", f"worker-{number}", "--local-directory", str(folder / f"worker-{number}")]  # fmt: skip
        return subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)

    def client(self):
        from distributed import Client

        return Client(self.address, timeout="30s")

    def kill_a_busy_worker(self, client, timeout: float = 60) -> int:
        """SIGKILL a worker process that is running a task (waits for one); returns its pid."""

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            busy = [address for address, tasks in client.processing().items() if tasks]
            if busy:
                name = client.scheduler_info()["workers"][busy[0]]["name"]
                pid = self.workers[int(str(name).rsplit("-", 1)[1])].pid
                os.kill(pid, signal.SIGKILL)
                return pid
            time.sleep(0.02)
        raise AssertionError("no worker became busy")

    def close(self) -> None:
        for process in [*self.workers, self.scheduler]:
            process.kill()
            process.wait()
        self.log.close()


def wait_until_healthy(url: str, process, log: Path, timeout: float = 120) -> None:
    """Wait for a server started as `process` to answer 200 at `url`; fail with its log if it ends or times out."""
    import httpx

    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer:\n{log.read_text()}")
        time.sleep(0.2)
