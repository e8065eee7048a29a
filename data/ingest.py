"""Ingest driving segments (comma2k19 layout) or plain videos into HDF5 shards.

Input: a folder searched recursively for
- segment folders: `video.hevc` (or video.mp4/.mkv) with `global_pose/{frame_times,
  frame_positions,frame_orientations}` and optionally `processed_log/CAN/{speed,steering_angle}/
  {t,value}`, `action/{t,value}`, `disengage/{t,cause}`, `driver.json` (what data.record writes);
- plain video files (.mp4 .hevc .h265 .mkv .mov) outside segment folders, without pose.

Output: one shard per segment, `<out>/<segment id>.h5`, where the id is the segment's path
under the input folder with characters other than [A-Za-z0-9._-] replaced by '_'
(comma2k19 route names contain '|'). Each shard holds N frames:

    frames           uint8   (N, H, W, 3)  RGB, centre crop + resize to HxW (default 128x256),
                                           chunks of (4, H, W, 3), LZ4-compressed (HDF5 filter
                                           32004: `import data` or `import hdf5plugin` registers it)
    frame_times      float64 (N,)          seconds (frame index / fps without pose)
    pose             float32 (N, 6)        motion to the next frame in this frame's camera frame
                                           [forward, right, down]: translation metres (0:3),
                                           axis-angle radians (3:6); a left turn has rz < 0;
                                           the last row repeats the one before it
    speed            float32 (N,)          m/s, CAN speed interpolated to frame times
    steering         float32 (N,)          steering-wheel degrees, + = left, interpolated
    action           float32 (N, 2)        [acceleration m/s^2, front-wheel angle rad + = left]
    disengage        uint8   (N,)          1 on the frame where a human took over
    disengage_cause  uint8   (N,)          index into attrs["causes"]; 0 = "none"

Signals a segment lacks are zeros, and attrs say so. Attributes: source (input path), segment
(id), fps, frame_count, checksum ("sha256:<hex>" of the video file), video_height/video_width,
has_pose, has_can, has_action, has_disengage, causes (names), driver (JSON text or ""), version.

Shards are written to a temporary file and renamed, so a shard exists whole or not at all;
re-running skips segments whose shard exists. A bad segment is reported with its path and
reason and skipped; nothing already written is touched.

    python -m data.ingest runs/data/raw --out runs/data/shards
"""

import argparse
import hashlib
import os
import re
import sys
from pathlib import Path

import numpy as np

from data.pose import relative_poses
from data.record import DISENGAGE_CAUSES

VERSION = 1
VIDEO_SUFFIXES = {".mp4", ".hevc", ".h265", ".mkv", ".mov"}
SEGMENT_VIDEOS = ("video.hevc", "video.mp4", "video.mkv")
CAUSES = ("none",) + DISENGAGE_CAUSES
CHUNK_FRAMES = 4  # a 16-frame window touches 5 chunks; smaller chunks cost more per-chunk overhead


class IngestError(Exception):
    """A segment that cannot be ingested; the message names the file and the problem."""


def find_segments(src: Path) -> list[Path]:
    """Segment folders and plain video files under src (or src itself), sorted."""
    src = Path(src)
    if not src.exists():
        raise FileNotFoundError(f"{src}: no such file or folder")
    if src.is_file():
        return [src]
    found = []
    for root, dirs, files in os.walk(src):
        root = Path(root)
        if "global_pose" in dirs or any(v in files for v in SEGMENT_VIDEOS):
            found.append(root)
            dirs[:] = []  # a segment's own files are not separate inputs
            continue
        found += [root / f for f in files if Path(f).suffix.lower() in VIDEO_SUFFIXES]
        dirs.sort()
    return sorted(found)


def segment_id(path: Path, src: Path) -> str:
    """A file-name-safe id for a segment from its path under src."""
    rel = Path(path).resolve().relative_to(Path(src).resolve()) if Path(src).is_dir() else Path(Path(path).name)
    name = "_".join(rel.parts) or Path(path).resolve().name
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


def _load(seg: Path, name: str, shape: tuple, required: bool = True) -> np.ndarray | None:
    """Load seg/name as a float64 array and check it has the shape; -1 in shape matches any size."""
    path = seg / name
    if not path.is_file():
        if required:
            raise IngestError(f"{seg}: missing {name}")
        return None
    try:
        arr = np.load(path, allow_pickle=False)
    except Exception as e:  # not a numpy file, truncated, or an object array
        raise IngestError(f"{path}: cannot read as a numpy array ({e})") from None
    if name.endswith("cause"):
        return arr
    if arr.ndim == 2 and len(shape) == 1 and arr.shape[1] == 1:
        arr = arr[:, 0]  # comma2k19 stores speed as (N, 1)
    if arr.ndim != len(shape) or any(s != -1 and s != a for s, a in zip(shape, arr.shape)):
        want = "x".join("N" if s == -1 else str(s) for s in shape)
        raise IngestError(f"{path}: expected shape ({want}), got {arr.shape}")
    arr = arr.astype(np.float64)
    bad = ~np.isfinite(arr)
    if bad.any():
        raise IngestError(f"{path}: NaN or infinite value at row {int(np.argwhere(bad)[0][0])}")
    return arr


def _load_timed(seg: Path, name: str, shape: tuple) -> tuple[np.ndarray, np.ndarray] | None:
    """Load a signal folder name/{t,value}, checking both exist and agree in length."""
    if not (seg / name).is_dir():
        return None
    t = _load(seg, f"{name}/t", (-1,))
    value = _load(seg, f"{name}/value", shape)
    if len(t) != len(value):
        raise IngestError(f"{seg}: length mismatch: {name}/t has {len(t)} rows, {name}/value has {len(value)}")
    order = np.argsort(t, kind="stable")
    return t[order], value[order]


def read_signals(seg: Path) -> dict:
    """Read and check a segment folder's pose, CAN, action and disengage arrays."""
    out = {}
    times = _load(seg, "global_pose/frame_times", (-1,))
    positions = _load(seg, "global_pose/frame_positions", (-1, 3))
    quats = _load(seg, "global_pose/frame_orientations", (-1, 4))
    if not len(times) == len(positions) == len(quats):
        raise IngestError(f"{seg}: length mismatch: global_pose/frame_times has {len(times)} rows, "
                          f"frame_positions {len(positions)}, frame_orientations {len(quats)}")
    if len(times) > 1 and not (np.diff(times) > 0).all():
        raise IngestError(f"{seg / 'global_pose/frame_times'}: times must increase")
    norms = np.linalg.norm(quats, axis=1)
    if (np.abs(norms - 1) > 1e-3).any():
        raise IngestError(f"{seg / 'global_pose/frame_orientations'}: quaternion at row "
                          f"{int(np.argmax(np.abs(norms - 1) > 1e-3))} is not unit length")
    out["frame_times"], out["positions"], out["quats"] = times, positions, quats
    out["speed"] = _load_timed(seg, "processed_log/CAN/speed", (-1,))
    out["steering"] = _load_timed(seg, "processed_log/CAN/steering_angle", (-1,))
    out["action"] = _load_timed(seg, "action", (-1, 2))
    out["disengage"] = None
    if (seg / "disengage").is_dir():
        t = _load(seg, "disengage/t", (-1,))
        cause = _load(seg, "disengage/cause", (-1,))
        if len(t) != len(cause) or cause.ndim != 1:
            raise IngestError(f"{seg}: length mismatch: disengage/t has {len(t)} rows, disengage/cause {cause.shape}")
        unknown = sorted(set(map(str, cause)) - set(DISENGAGE_CAUSES))
        if unknown:
            raise IngestError(f"{seg / 'disengage/cause'}: unknown causes {unknown}, expected some of {DISENGAGE_CAUSES}")
        out["disengage"] = (t, cause)
    driver = seg / "driver.json"
    out["driver"] = driver.read_text() if driver.is_file() else ""
    return out


def _crop_box(in_h: int, in_w: int, height: int, width: int) -> tuple[int, int, int, int]:
    """Scaled size (h, w) that covers height x width with the input's aspect, and the crop offsets."""
    scale = max(height / in_h, width / in_w)
    h, w = max(height, round(in_h * scale)), max(width, round(in_w * scale))
    h, w = h + h % 2, w + w % 2
    return h, w, (h - height) // 2, (w - width) // 2


def decode_frames(path: Path, height: int, width: int, batch: int = 32):
    """Yield the fps, then batches (B, height, width, 3) uint8 of a video, centre-cropped and resized."""
    import av
    from av.video.reformatter import VideoReformatter
    try:
        container = av.open(str(path))
    except Exception as e:
        raise IngestError(f"{path}: unreadable video ({e})") from None
    with container:
        if not container.streams.video:
            raise IngestError(f"{path}: no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"  # frame + slice threads: decoding is most of the work
        yield float(stream.average_rate or 0) or None
        buf, box = [], None
        # one reformatter for all frames: frame.to_ndarray(width=...) would set up swscale anew each frame
        reformatter = VideoReformatter()
        try:
            for frame in container.decode(stream):
                if box is None:
                    box = _crop_box(frame.height, frame.width, height, width)
                h, w, top, left = box
                rgb = reformatter.reformat(frame, width=w, height=h, format="rgb24", interpolation="AREA").to_ndarray()
                buf.append(rgb[top:top + height, left:left + width])
                if len(buf) == batch:
                    yield np.stack(buf), (frame.height, frame.width)
                    buf = []
        except av.error.FFmpegError as e:
            raise IngestError(f"{path}: unreadable video ({e})") from None
        if buf:
            yield np.stack(buf), (frame.height, frame.width)


def _sha256(path: Path) -> str:
    """sha256 of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return "sha256:" + h.hexdigest()


def _nearest_frames(frame_times: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Index of the frame nearest each time in t."""
    i = np.clip(np.searchsorted(frame_times, t), 1, len(frame_times) - 1)
    return np.where(np.abs(frame_times[i - 1] - t) <= np.abs(frame_times[i] - t), i - 1, i)


def ingest_segment(path: Path, out_dir: Path, src: Path, height: int = 128, width: int = 256) -> dict:
    """Ingest one segment folder or video file into out_dir/<id>.h5; returns {path, status, ...}."""
    import h5py
    import hdf5plugin
    path, out_dir = Path(path), Path(out_dir)
    result = {"path": str(path), "id": segment_id(path, src), "status": "done", "reason": "", "frames": 0}
    shard = out_dir / f"{result['id']}.h5"
    if shard.exists():
        result["status"] = "skipped"
        return result
    tmp = out_dir / f".{result['id']}.h5.tmp{os.getpid()}"
    try:
        if path.is_dir():
            video = next((path / v for v in SEGMENT_VIDEOS if (path / v).is_file()), None)
            if video is None:
                raise IngestError(f"{path}: missing video ({' or '.join(SEGMENT_VIDEOS)})")
            signals = read_signals(path)
        else:
            video, signals = path, None
        n_pose = len(signals["frame_times"]) if signals else None

        out_dir.mkdir(parents=True, exist_ok=True)
        frames = decode_frames(video, height, width)
        fps = next(frames)
        n = 0
        with h5py.File(tmp, "w") as f:
            ds = f.create_dataset("frames", shape=(0, height, width, 3), maxshape=(None, height, width, 3),
                                  dtype=np.uint8, chunks=(CHUNK_FRAMES, height, width, 3),
                                  **hdf5plugin.LZ4())  # decompresses ~7x faster than lzf at a similar size
            video_size = (0, 0)
            for batch, video_size in frames:
                if n_pose is not None and n + len(batch) > n_pose:
                    raise IngestError(f"{video}: video has more frames than global_pose/frame_times ({n_pose})")
                ds.resize(n + len(batch), axis=0)
                ds[n:n + len(batch)] = batch
                n += len(batch)
            if n == 0:
                raise IngestError(f"{video}: no decodable frames")
            if n_pose is not None and n != n_pose:
                raise IngestError(f"{video}: video has {n} frames but global_pose/frame_times has {n_pose} "
                                  f"(truncated or inconsistent video)")
            if signals:
                times = signals["frame_times"]
                fps = (n - 1) / (times[-1] - times[0]) if n > 1 else fps
            else:
                fps = fps or 20.0
                times = np.arange(n) / fps
            _write_signals(f, signals, times, n)
            f.attrs.update({
                "source": str(path), "segment": result["id"], "fps": float(fps), "frame_count": n,
                "checksum": _sha256(video), "video_height": video_size[0], "video_width": video_size[1],
                "causes": list(CAUSES), "version": VERSION,
                "driver": signals["driver"] if signals else "",
            })
        os.replace(tmp, shard)  # atomic: the shard appears whole or not at all
        result["frames"] = n
    except IngestError as e:
        result.update(status="error", reason=str(e))
    except Exception as e:  # a bug or an odd file must not stop the other segments
        result.update(status="error", reason=f"{path}: unexpected {type(e).__name__}: {e}")
    finally:
        if tmp.exists():
            tmp.unlink()
    return result


def _write_signals(f, signals: dict | None, times: np.ndarray, n: int) -> None:
    """Write the per-frame signal datasets and their has_* attributes into shard f."""
    s = signals or {}
    pose = relative_poses(s["positions"], s["quats"]) if signals else np.zeros((n, 6))
    interp = lambda sig: np.interp(times, sig[0], sig[1]) if sig is not None else np.zeros(n)  # noqa: E731
    action = np.zeros((n, 2))
    if s.get("action") is not None:
        action = np.stack([np.interp(times, s["action"][0], s["action"][1][:, j]) for j in range(2)], 1)
    disengage, cause = np.zeros(n, np.uint8), np.zeros(n, np.uint8)
    if s.get("disengage") is not None and len(s["disengage"][0]):
        idx = _nearest_frames(times, s["disengage"][0])
        disengage[idx] = 1
        cause[idx] = [CAUSES.index(str(c)) for c in s["disengage"][1]]
    f.create_dataset("frame_times", data=times.astype(np.float64))
    f.create_dataset("pose", data=pose.astype(np.float32))
    f.create_dataset("speed", data=interp(s.get("speed")).astype(np.float32))
    f.create_dataset("steering", data=interp(s.get("steering")).astype(np.float32))
    f.create_dataset("action", data=action.astype(np.float32))
    f.create_dataset("disengage", data=disengage)
    f.create_dataset("disengage_cause", data=cause)
    f.attrs.update({"has_pose": signals is not None, "has_can": s.get("speed") is not None,
                    "has_action": s.get("action") is not None, "has_disengage": s.get("disengage") is not None})


def ingest(src: str | Path, out_dir: str | Path, height: int = 128, width: int = 256,
           use_ray: bool = True, ray_address: str | None = None, progress: bool = True) -> list[dict]:
    """Ingest every segment under src into out_dir, in parallel on Ray; returns one result per segment."""
    from tqdm import tqdm
    src, out_dir = Path(src), Path(out_dir)
    segments = find_segments(src)
    out_dir.mkdir(parents=True, exist_ok=True)
    bar = tqdm(total=len(segments), unit="segment", desc="ingest", disable=not progress)
    results = []
    todo = []
    for seg in segments:  # finished shards are skipped here, without starting a worker
        if (out_dir / f"{segment_id(seg, src)}.h5").exists():
            results.append({"path": str(seg), "id": segment_id(seg, src), "status": "skipped", "reason": "", "frames": 0})
            bar.update(1)
        else:
            todo.append(seg)
    if use_ray and todo:
        import ray
        started_ray = not ray.is_initialized()
        if started_ray:  # workers must import this package even when it is not pip-installed
            path = os.pathsep.join(p for p in (_repo_root(), os.environ.get("PYTHONPATH", "")) if p)
            ray.init(address=ray_address, include_dashboard=False, log_to_driver=False,
                     configure_logging=False, runtime_env={"env_vars": {"PYTHONPATH": path}})
        try:
            task = ray.remote(num_cpus=1)(ingest_segment)
            pending = [task.remote(seg, out_dir.resolve(), src.resolve(), height, width) for seg in todo]
            while pending:
                ready, pending = ray.wait(pending, num_returns=1)
                results.append(ray.get(ready[0]))
                bar.update(1)
        finally:
            if started_ray:  # free its workers' memory and cores for whatever runs next
                ray.shutdown()
    else:
        for seg in todo:
            results.append(ingest_segment(seg, out_dir, src, height, width))
            bar.update(1)
    bar.close()
    for r in results:
        if r["status"] == "error":
            print(f"error: {r['reason']}", file=sys.stderr)
    return sorted(results, key=lambda r: r["path"])


def _repo_root() -> str:
    """The folder holding the data package, so Ray workers can import it without an install."""
    return str(Path(__file__).resolve().parents[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.ingest", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("src", type=Path, help="folder of segments / videos, or one of them")
    parser.add_argument("--out", type=Path, default=Path("runs/data/shards"), help="folder for the HDF5 shards")
    parser.add_argument("--height", type=int, default=128, help="frame height after crop/resize")
    parser.add_argument("--width", type=int, default=256, help="frame width after crop/resize")
    parser.add_argument("--ray-address", default=None, help="Ray cluster to join (default: start a local one)")
    parser.add_argument("--no-ray", action="store_true", help="ingest in this process, one segment at a time")
    args = parser.parse_args(argv)
    if args.height < 2 or args.width < 2 or args.height % 2 or args.width % 2:
        parser.error("--height and --width must be even and at least 2")
    try:
        results = ingest(args.src, args.out, args.height, args.width, not args.no_ray, args.ray_address)
    except FileNotFoundError as e:
        parser.error(str(e))
    counts = {s: sum(r["status"] == s for r in results) for s in ("done", "skipped", "error")}
    print(f"{counts['done']} ingested, {counts['skipped']} already done, {counts['error']} failed -> {args.out}")
    return 1 if counts["error"] else 0


if __name__ == "__main__":
    sys.exit(main())
