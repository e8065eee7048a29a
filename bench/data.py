"""Data-stage throughput: ingestion frames/s against raw PyAV decode of the same video, and loader windows/s.

    python bench/data.py                 # 300 frames of 1164x874 HEVC (comma2k19's camera size)
    python bench/data.py --frames 600 --repeats 5

The video is comma2k19's preview frame (from ../shared when present, else a rendered dashcam
frame), panned a little each frame. Targets (issue 6): ingestion >= 80% of raw decode
throughput, loader > 200 windows/s for batches of 8 windows of 16 frames.
"""

import argparse
import sys
import tempfile
import time
from statistics import median
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere without an install

from data.dataset import WindowLoader  # noqa: E402
from drivegpt.cli import HelpFormatter, at_least  # noqa: E402
from data.ingest import ingest_segment  # noqa: E402
from data.pose import ecef_from_geodetic, ecef_from_ned, quat_from_rot  # noqa: E402
from data.render import Camera, render_dashcam  # noqa: E402
from data.road import Road  # noqa: E402
from data.video import write_video  # noqa: E402

PREVIEW = Path(__file__).resolve().parents[2] / "shared/data/comma2k19-example/Example_1"


def still_frame(height: int, width: int) -> np.ndarray:
    """One (height, width, 3) camera frame: comma2k19's preview if it is here, else a rendered one."""
    pngs = sorted(PREVIEW.glob("*/*/preview.png")) if PREVIEW.is_dir() else []
    if pngs:
        from PIL import Image
        return np.asarray(Image.open(pngs[0]).convert("RGB").resize((width, height)))
    cam = Camera(height=height, width=width, focal=0.78 * width)
    cars = [(30.0, 4.0, 0.0, 1), (60.0, 0.0, 0.0, 2)]
    return render_dashcam((0.0, 4.0, 0.0), cars, Road([500.0], [0.0], 3), cam=cam, scale=1)


def make_segment(seg: Path, n: int, height: int, width: int, crf: int = 12) -> None:
    """A segment folder: n frames of HEVC video and a straight drive as its pose."""
    still = still_frame(height, width)
    rng = np.random.default_rng(0)
    # panning, with fresh sensor noise each frame, encoded at about comma2k19's bitrate (~37 KB/frame)
    frames = (np.clip(np.roll(still, 2 * i, axis=1) + rng.integers(-4, 5, still.shape, dtype=np.int16), 0, 255)
              .astype(np.uint8) for i in range(n))
    write_video(seg / "video.hevc", frames, crf=crf)
    t = np.arange(n) / 20.0
    ned = ecef_from_ned(37.0, -122.0)
    pos = ecef_from_geodetic(37.0, -122.0, 0.0) + np.stack([25 * t, 0 * t, 0 * t], 1) @ ned.T
    for name, arr in (("frame_times", t), ("frame_positions", pos), ("frame_orientations", np.tile(quat_from_rot(ned), (n, 1)))):
        (seg / "global_pose").mkdir(parents=True, exist_ok=True)
        with open(seg / "global_pose" / name, "wb") as f:
            np.save(f, arr)


def raw_decode(path: Path) -> int:
    """Decode every frame with PyAV (same threading as ingestion), keeping nothing; returns the count."""
    import av
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        return sum(1 for _ in container.decode(stream))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=HelpFormatter)
    parser.add_argument("--frames", type=at_least(16, int), default=300, help="frames in the benchmark video")
    parser.add_argument("--height", type=at_least(16, int), default=874, help="input video height")
    parser.add_argument("--width", type=at_least(16, int), default=1164, help="input video width")
    parser.add_argument("--repeats", type=at_least(1, int), default=5, help="runs of each, interleaved; medians are reported")
    parser.add_argument("--batches", type=at_least(1, int), default=100, help="loader batches to time")
    parser.add_argument("--crf", type=int, default=12, help="x265 quality of the video; 12 gives ~31 KB/frame, "
                        "near comma2k19's ~37 KB/frame; higher is smaller and cheaper to decode")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        print(f"encoding {args.frames} frames of {args.width}x{args.height} HEVC ...", flush=True)
        make_segment(tmp / "src/seg", args.frames, args.height, args.width, args.crf)
        size = (tmp / "src/seg/video.hevc").stat().st_size
        print(f"video: {size / args.frames / 1024:.1f} KB/frame")
        raw, ing = [], []
        for r in range(args.repeats):  # interleaved, so both see the same machine state
            t = time.perf_counter()
            n = raw_decode(tmp / "src/seg/video.hevc")
            raw.append(n / (time.perf_counter() - t))
            t = time.perf_counter()
            result = ingest_segment(tmp / "src/seg", tmp / f"out{r}", tmp / "src")
            ing.append(result["frames"] / (time.perf_counter() - t))
            assert result["status"] == "done" and result["frames"] == n == args.frames, result
        print(f"raw PyAV decode:  {median(raw):8.1f} frames/s median  (runs: {', '.join(f'{x:.1f}' for x in raw)})")
        print(f"ingestion:        {median(ing):8.1f} frames/s median  (runs: {', '.join(f'{x:.1f}' for x in ing)})")
        print(f"ingestion / raw decode: {median(ing) / median(raw):.1%}  (target >= 80%)")

        with WindowLoader(tmp / "out0", window=16, batch_size=8, split="all", seed=0) as loader:
            it = loader.batches(args.batches + 5)
            for _ in range(5):  # warm up: file caches, first chunks
                next(it)
            t = time.perf_counter()
            windows = sum(len(b["frames"]) for b in it)
            rate = windows / (time.perf_counter() - t)
        print(f"loader: {rate:.1f} windows/s of 16 frames at 128x256, batches of 8  (target > 200)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
