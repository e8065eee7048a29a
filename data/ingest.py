"""Ingest driving segments (comma2k19 layout) or plain videos into HDF5 shards.

Input: a folder searched recursively for
- segment folders: a video (video.hevc, .mp4 or .mkv) with `global_pose/{frame_times,
  frame_positions,frame_orientations}` and optionally the signals of data/layout.py (CAN speed and
  steering, action, lead, lane, disengage, driver.json: what data.record writes);
- plain video files (.mp4 .hevc .h265 .h264 .mkv .mov .ts .avi .webm .m4v) outside segment folders, without pose. Their frames
  keep the container's timestamps (gaps of a variable rate are said on stderr); --fps must agree
  with them (it relabels, it does not resample). A raw stream (.hevc/.h265/.h264) has no timing of
  its own: pass --fps.
  A folder is a segment folder when it has global_pose/, or a video.* file and no other video (with no sub-folders
  at all, it is ingested as a plain video; with logs but no global_pose/, it is refused).
Symbolic links are followed (each folder once).

Output: one shard per input, `<out>/<id>.h5`, laid out as data/layout.py's SHARD says. The id is
a segment folder's path under the source folder (a plain video's file name) with characters other than
[A-Za-z0-9._-] replaced by '_', then '-' and 8 hex digits of a hash of its absolute path, so no two
inputs share a shard and a video ingested from another folder is the same shard.
Attributes: source, segment (id), route, fps, frame_count, checksum ("sha256:<hex>" of the
video), source_hash (of every input file), video_height/video_width, has_* flags (signals a
segment lacks are zeros), causes, driver (JSON or ""), version, and complete (written last).

A shard is written to a hidden temporary file and renamed, so it exists whole or not at all.
A re-run skips inputs whose shard is complete, of this version, of the same source hash, made
with the same --height, --width and --fps and reads back through its checksums, and redoes the rest
(truncated or damaged: said on stderr; stale, from an older version or another --fps); it deletes
temp files a killed run left. A --height/--width other than the frame size of the shards already in --out is refused
(they were replaced, or two sizes mixed in one folder). A bad input is reported as `error: <path>: <reason>` and skipped; the exit code is then 1.
On Ray (local by default, --ray-address for a cluster) one task per input, at most --max-in-flight queued at once.

    python -m data.ingest runs/data/raw --out runs/data/shards
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import time
import traceback
from pathlib import Path

import numpy as np

from data.layout import (BAR_DRIVE, DRIVE, token_shard, drive_route, CAUSES, DISCRETE, DISENGAGE_CAUSES, FPS, HAS, POSE, SEGMENT_VIDEOS, SHARD, SHARD_VERSION, SIGNALS,
                         files_under, remove_stale_temps, temp_name, not_being_written, writable_folder, inside)
from data.pose import relative_poses, rot_from_quat
from data.ray_tasks import as_completed, ray_session, said, show
from data.video import VideoError, decode_frames

VIDEO_SUFFIXES = {".mp4", ".hevc", ".h265", ".h264", ".mkv", ".mov", ".ts", ".avi", ".webm", ".m4v", ".wmv", ".asf", ".mpg", ".mpeg", ".flv", ".3gp"}  # (.ts: comma's qcamera)
DISK_MARGIN = 32 << 20  # bytes left free while a shard is written: its last writes (signals, attributes, HDF5's own) fit
CHUNK_FRAMES = 4  # a 16-frame window touches 5 chunks; smaller chunks cost more per-chunk overhead
TEMP = re.compile(r"^\..*\.tmp-")  # our own temp files and folders (data.layout.temp_name)
MAX_SIGNAL_GAP = 0.5  # seconds of video frames a signal may lack (at either end or between two samples) before ingest refuses it


class IngestError(Exception):
    """An input that cannot be ingested; the message names the file and the problem."""


def find_segments(src: Path) -> list[Path]:
    """Segment folders and plain video files under src (or src itself), sorted; temp leftovers are skipped."""
    src = Path(src)
    if not src.exists():
        raise FileNotFoundError(f"{src}: no such file or folder")
    if src.is_file():
        return [src]
    not_being_written(src)  # (record still writing it)
    found, seen = [], set()
    for root, dirs, files in os.walk(src, followlinks=True):
        root = Path(root)
        if (real := os.path.realpath(root)) in seen:  # a link back up the tree, or a second link to one folder
            dirs[:] = []
            continue
        seen.add(real)
        dirs[:] = sorted(d for d in dirs if not TEMP.match(d))
        videos = [f for f in files if Path(f).suffix.lower() in VIDEO_SUFFIXES and not TEMP.match(f)]
        # a segment folder: its pose, or its video.* alone (a folder of clips with a video.mp4 among them is clips);
        # the folders under one without a pose are searched on (if it is no segment, they are not lost with it)
        if "global_pose" in dirs or (any(v in files for v in SEGMENT_VIDEOS) and len(videos) == 1):
            found.append(root)
            if "global_pose" in dirs:
                dirs[:] = []  # a segment's own files are not separate inputs; other videos in it are said (they were dropped silently)
                used = next((v for v in SEGMENT_VIDEOS if v in files), None)
                if other := sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.suffix.lower() in VIDEO_SUFFIXES and p.name != used):
                    print(f"note: {root}: a segment folder (global_pose/): its {used or 'video'} is ingested, not {', '.join(other[:3])}"
                          f"{' ...' if len(other) > 3 else ''}", file=sys.stderr)
            continue
        for v in sorted(videos, key=lambda v: ((root / v).is_symlink(), v)):  # a file reached twice (a link beside it) is one input, named as itself (two Ray tasks wrote its shard at once)
            if (real := os.path.realpath(root / v)) not in seen:
                seen.add(real)
                found.append(root / v)
    return sorted(found)


def _under(path: Path, src: Path) -> Path:
    """path relative to src (its name where src is the input itself): resolved where it lies under src, else as
    reached (through a link to a folder elsewhere)."""
    path, src = Path(path), Path(src)
    if not src.is_dir() or path.resolve() == src.resolve():
        return Path(path.resolve().name)
    try:
        return path.resolve().relative_to(src.resolve())
    except ValueError:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(src))


def segment_id(path: Path, src: Path) -> str:
    """A file-name-safe id for an input: a segment folder's path under src, a plain video's file name (not its path under
    src: the same video ingested from another folder was a second shard), and a hash of its absolute path that keeps ids
    unique."""
    real = Path(path).resolve()
    rel = Path(Path(os.path.abspath(path)).name) if real.is_file() else _under(path, src)  # (a link's own name, not its target's)
    name = re.sub(r"[^A-Za-z0-9._-]", "_", "_".join(rel.parts))
    name = name if len(name) <= 200 else f"{name[:100]}~{name[-99:]}"  # a file name holds 255 bytes (a deep path stopped the run)
    return f"{name}-{hashlib.sha256(str(real).encode()).hexdigest()[:8]}"


def route_of(path: Path, src: Path) -> str:
    """The drive an input belongs to: the `dongle|time` folder it is in (comma2k19's `dongle|time/N`, openpilot's
    `dongle|time--N`), looked for in the whole path, so a segment folder ingested on its own keeps its drive; else, for a
    file, its name without a `--N` segment number (`drive--0.mp4` and `drive--1.mp4`: one drive), or its folder's
    (openpilot's `route--N/fcamera.hevc`), else its own name. Not its path under src: one drive ingested from two folders
    was two routes, one possibly in train, the other in val. Two drives of one name in two folders share a route, so they land on the same
    side of the split (never a leak), and a dataset splits the same wherever it lies. For a segment folder, the route
    its driver.json names (data.record's), else its path under src (a shard of the input already in the output keeps the route it has: ingest_segment)."""
    # the path as reached first, then its target: a dataset of links (git-annex, DVC, a folder of links by hand) took its
    # routes from the targets' names (`drive--0.mp4` -> SHA256E-s1--aaa.mp4: one drive on both sides of the split)
    given, real = Path(os.path.abspath(path)), Path(path).resolve()
    if real.is_dir() and (named := recorded_route(real)):  # data.record's segment: the drive it names (its path under src
        return named                                         # was `highway-seed0/3` given raw/, `3` given raw/highway-seed0/)
    # a file's name without its suffix; commaVQ 2.0's `<key>.token.npy` without `.token` too (each segment was a route of its own)
    def stem(p): return p.name[:-len(".token.npy")] if p.name.endswith(".token.npy") else p.stem
    for p in (given, real):
        for part in reversed(p.parts[:-1] + ((stem(p) if real.is_file() else p.name),)):
            if BAR_DRIVE.fullmatch(part):  # (any `|`: every input under a `vids|2024` folder was one route, none held out)
                return re.sub(r"--\d+$", "", part)
            if DRIVE.fullmatch(part):  # `dongle_time`: comma2k19 unpacked where `|` can't be in a name (each segment was a
                return drive_route(part)  # route of its own, one drive on both sides of the split)
    if real.is_file():
        # a numbered name (`drive--0.mp4`); openpilot's cameras take their numbered segment folder's (`<route>--<N>/fcamera.hevc`:
        # every drive's fcamera.hevc was one route and its qcamera.ts, the same frames smaller, another). The link's name
        # first, then its target's (`clip_0.mp4 -> drive--0.mp4`), then the link's name as it is
        for p in (given, real):
            if p.stem in ("fcamera", "qcamera", "ecamera", "dcamera") and re.search(r"--\d+$", p.parent.name):  # (only these: any
                return re.sub(r"--\d+$", "", p.parent.name)                                                 # video in a `trip--2` folder took it)
            if re.search(r"--\d+$", stem(p)):
                return re.sub(r"--\d+$", "", stem(p))
            # a GoPro's chapters of one recording: GH01xxxx, GH02xxxx (GX: HEVC; older cameras GOPRxxxx, then GP01xxxx),
            # each its own route until a leakage review (chapter 1 held out, its continuation chapter 2 trained on)
            if m := re.fullmatch(r"(?:G[HX]\d\d|GOPR|GP\d\d)(\d{4})", stem(p), re.IGNORECASE):
                return f"GoPro-{m[1]}"
        return stem(given)
    return re.sub(r"--\d+$", "", "/".join(_under(path, src).parts))


def recorded_route(seg: Path) -> str:
    """The route a data.record segment's driver.json names, or "" (another layout, an older recording, unreadable)."""
    try: route = json.loads((Path(seg) / "driver.json").read_text()).get("route")
    except (OSError, ValueError, AttributeError): return ""
    return route if isinstance(route, str) else ""


def shards_of(out_dir: Path, path: Path, src: Path, index: dict | None = None) -> list[Path]:
    """out_dir's shards of an input: <segment_id>.h5 first, then any other of the same input (the same hash of its
    absolute path ends its name, and its `source` is the input: eight hex digits alone collide within ~77k inputs) that a
    run handed another folder named otherwise (ingesting segment 2 of a drive folder on its own made a second shard of it,
    route "2" beside "drive/0", which the loader kept: the split moved). index: out_dir's shard names by that hash
    (shard_index), so a run over many inputs lists the folder once."""
    own, out_dir = Path(out_dir) / f"{segment_id(path, src)}.h5", Path(out_dir)
    key, source = own.stem.rsplit("-", 1)[1], str(Path(path).resolve())
    names = (index if index is not None else shard_index(out_dir)).get(key, [])
    others = sorted(out_dir / n for n in names if n != own.name and _attr(out_dir / n, "source") == source)
    return ([own] if own.exists() else []) + others


def shard_index(out_dir: Path) -> dict[str, list[str]]:
    """out_dir's shard names by the path hash that ends them."""
    index: dict[str, list[str]] = {}
    for p in (Path(out_dir).glob("*.h5") if Path(out_dir).is_dir() else []):
        index.setdefault(p.stem.rsplit("-", 1)[-1], []).append(p.name)
    return index


def _attr(shard: Path, key: str) -> str:
    """A shard's attribute as text (`source`: the input it was made from; `route`), or "" if it can't be read."""
    import h5py
    try:
        with h5py.File(shard, "r") as f:
            return str(f.attrs.get(key, ""))
    except Exception:
        return ""


def _where(e: BaseException) -> str:
    """file:line (function) where e was raised, in the innermost frame of this project's code ("unexpected AttributeError:
    'Type' object has no attribute 'type'" for every recorded segment, under a new PyAV, said nothing of where)."""
    frames, root = traceback.extract_tb(e.__traceback__), Path(__file__).resolve().parents[1]
    if not frames:
        return "?"
    f = next((f for f in reversed(frames) if not f.filename.startswith("<") and Path(f.filename).resolve().is_relative_to(root)), frames[-1])
    name = Path(f.filename).resolve()
    return f"{name.relative_to(root) if name.is_relative_to(root) else name}:{f.lineno} ({f.name})"


def _drop_extra(shards: list[Path], keep: Path) -> None:
    """Remove the shards of one input other than keep (one input, one shard), each said on stderr."""
    for extra in [p for p in shards if p != keep and p.exists()]:
        extra.unlink()
        print(f"warning: removed {extra}: a second shard of the input of {keep.name}", file=sys.stderr)


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
    if arr.dtype.kind == "f" and arr.dtype.itemsize < 8 and name.endswith(("frame_positions", "frame_times", "/t")) and arr.size \
            and np.isfinite(top := float(np.abs(arr).max())) and float(np.spacing(arr.dtype.type(top))) > 1e-3:
        # ECEF positions (~6e6 m) in float32 are 0.5 m apart: motions of 0.4 m a frame came out 0.28, 0.46, 0.47
        raise IngestError(f"{path}: {arr.dtype} values up to {top:.6g} are {float(np.spacing(arr.dtype.type(top))):.3g} apart "
                          f"(positions and times need millimetres and milliseconds): save them as float64")
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
    if not len(t):  # (its values would be made up over the whole video)
        raise IngestError(f"{seg / name}: no samples (an empty signal folder: delete it, or log the signal)")
    order = np.argsort(t, kind="stable")
    if len(t) > 1 and (same := np.diff(t[order]) == 0).any():  # interpolation would read whichever sorted last
        raise IngestError(f"{seg / name}/t: time {t[order][1:][same][0]:g} s appears twice")
    return t[order], value[order]


def read_signals(seg: Path) -> dict:
    """Read and check a segment folder's pose and the signals of data/layout.py it has."""
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
    out = {"frame_times": times, "positions": positions, "quats": quats, "disengage": None}
    for name, (folder, cols, _) in SIGNALS.items():
        out[name] = _load_timed(seg, folder, (-1,) if cols <= 1 else (-1, cols))
    if (seg / "disengage").is_dir():
        t = _load(seg, "disengage/t", (-1,))
        cause = _load(seg, "disengage/cause", (-1,))
        lead = _load(seg, "disengage/lead_time", (-1,), required=False)
        lead = np.zeros(len(t)) if lead is None else lead
        if not len(t) == len(cause) == len(lead) or cause.ndim != 1:
            raise IngestError(f"{seg}: length mismatch: disengage/t has {len(t)} rows, disengage/cause {cause.shape}, "
                              f"disengage/lead_time {lead.shape}")
        unknown = sorted(set(map(str, cause)) - set(DISENGAGE_CAUSES))
        if unknown:
            raise IngestError(f"{seg / 'disengage/cause'}: unknown causes {unknown}, expected some of {DISENGAGE_CAUSES}")
        out["disengage"] = (t, cause, lead)
    driver = seg / "driver.json"
    out["driver"] = driver.read_text() if driver.is_file() else ""
    return out


def _sha256(path: Path) -> str:
    """sha256 of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return "sha256:" + h.hexdigest()


def source_hashes(path: Path, video: Path) -> tuple[str, str]:
    """sha256 of the video, and of every file of the input (names and contents), to notice a changed source."""
    files = files_under(Path(path)) if Path(path).is_dir() else [Path(path)]  # through linked folders (rglob skipped them)
    per_file = {p: _sha256(p) for p in files}
    whole = hashlib.sha256("".join(f"{p.relative_to(path) if p != path else p.name}:{h}\n" for p, h in per_file.items()).encode())
    return per_file.get(video) or _sha256(video), "sha256:" + whole.hexdigest()


def shard_is_current(shard: Path, source_hash: str, height: int, width: int, fps: float | None, say: bool = False) -> bool:
    """A shard that opens, was completed, is of this version, comes from the same source, was made with the same
    options (a re-run with another --fps or frame size kept the old shards) and reads back whole: each chunk of each
    dataset through its fletcher32 checksum (a bit flipped on disk was kept as current; only the loader named it).
    say: one that is there but damaged is said on stderr."""
    import h5py
    if not Path(shard).exists():
        return False
    try:
        with h5py.File(shard, "r") as f:
            a = f.attrs
            if not (bool(a.get("complete", False)) and a.get("version") == SHARD_VERSION and a.get("source_hash") == source_hash
                    and f["frames"].shape[1:3] == (height, width) and float(a.get("fps_option", 0.0)) == float(fps or 0.0)):
                return False
            for ds in f.values():
                for i in range(0, len(ds), 256):
                    ds[i:i + 256]
            return True
    except Exception as e:  # truncated, not HDF5, unreadable, a chunk failing its checksum: redo it
        if say:
            print(f"warning: {shard}: damaged shard ({type(e).__name__}: {e}); ingesting it again", file=sys.stderr)
        return False


def _frame_size(folder: Path) -> tuple[Path, tuple] | None:
    """The first readable complete frame shard in folder and its frames' (height, width), or None."""
    import h5py
    for p in sorted(folder.glob("*.h5")):
        try:
            with h5py.File(p, "r") as f:
                if "frames" in f and f.attrs.get("complete", False):
                    return p, tuple(int(n) for n in f["frames"].shape[1:3])
        except Exception:  # unreadable: ingested again, or named, as before
            continue
    return None


def _shard_frames(shard: Path) -> int:
    """The number of frames in a complete shard."""
    import h5py
    with h5py.File(shard, "r") as f:
        return len(f["frames"])


def _nearest_frames(frame_times: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Index of the frame nearest each time in t."""
    i = np.clip(np.searchsorted(frame_times, t), 1, len(frame_times) - 1)
    return np.where(np.abs(frame_times[i - 1] - t) <= np.abs(frame_times[i] - t), i - 1, i)


def _video_of(path: Path) -> Path:
    if not path.is_dir():
        return path
    video = next((path / v for v in SEGMENT_VIDEOS if (path / v).is_file()), None)
    if video is None:
        raise IngestError(f"{path}: missing video ({' or '.join(SEGMENT_VIDEOS)})")
    return video


def ingest_segment(path: Path, out_dir: Path, src: Path, height: int = 128, width: int = 256, fps: float | None = None,
                   index: dict | None = None) -> dict:
    """Ingest one segment folder or video file into out_dir/<id>.h5 unless it is current; returns {path, status, ...}."""
    import h5py
    import hdf5plugin
    path, out_dir = Path(path), Path(out_dir)
    result, tmp, old = {"path": str(path), "id": "", "status": "done", "reason": "", "frames": 0}, None, None
    try:
        result["id"], olds = segment_id(path, src), shards_of(out_dir, path, src, index)
        old = olds[0] if olds else None
        shard = out_dir / f"{result['id']}.h5"
        tmp = out_dir / temp_name(shard.name)
        video = _video_of(path)
        checksum, source_hash = source_hashes(path, video)
        if old is not None and shard_is_current(old, source_hash, height, width, fps):
            result.update(status="skipped", id=old.stem, frames=_shard_frames(old))  # (0 undercounted "frames")
            _drop_extra(olds, old)
            return result
        route = route_of(path, src)
        if old is not None and path.is_dir() and "|" not in route:  # a segment folder's shard redone keeps its route (handed
            route = _attr(old, "route") or route  # another folder, ingest names it otherwise; damaged: as named now); a
            # video's or a `dongle|time` route never depends on the folder
        # a folder holding its video alone is a plain video (no pose needed); one with logs but no pose is refused
        alone = path.is_dir() and not any(p.is_dir() for p in path.iterdir() if not TEMP.match(p.name))
        signals = read_signals(path) if path.is_dir() and not alone else None
        out_dir.mkdir(parents=True, exist_ok=True)
        n_pose = len(signals["frame_times"]) if signals else None
        frames = decode_frames(video, height, width)
        stream_fps = next(frames)
        n = 0
        with h5py.File(tmp, "w") as f:
            ds = f.create_dataset("frames", shape=(0, height, width, 3), maxshape=(None, height, width, 3),
                                  dtype=np.uint8, chunks=(CHUNK_FRAMES, height, width, 3), fletcher32=True,
                                  **hdf5plugin.LZ4())  # decompresses ~7x faster than lzf at a similar size
            video_size, pts = (0, 0), []
            for batch, batch_times, video_size in frames:
                pts.append(batch_times)
                if n_pose is not None and n + len(batch) > n_pose:
                    raise IngestError(f"{video}: video has more frames (at least {n_pose + 1}: decoding stops there) than global_pose/frame_times has times ({n_pose})")
                # HDF5 failing a write on a full disk crashes the process (a segfault at exit: no summary, the other
                # segments never tried), so the space is checked first. A failure this can't see (a quota, another
                # writer filling the disk) still can: README. (A shard is streamed: built in memory, a 20-minute
                # video's took 2.4 GB.)
                if (free := shutil.disk_usage(out_dir).free) < batch.nbytes + DISK_MARGIN:
                    raise IngestError(f"{shard}: no space left on the device: {free / 2**20:.0f} MiB free in {out_dir}, where the next "
                                      f"{batch.nbytes / 2**20:.1f} MiB of frames need {DISK_MARGIN // 2**20} MiB to spare beside them: "
                                      "free some and ingest again")
                ds.resize(n + len(batch), axis=0)
                ds[n:n + len(batch)] = batch
                n += len(batch)
            if n == 0:
                raise IngestError(f"{video}: no decodable frames")
            if n_pose is not None and n != n_pose:
                raise IngestError(f"{video}: video has {n} frames but global_pose/frame_times has {n_pose} "
                                  f"(truncated or inconsistent video)")
            if signals:  # the segment's own clock, never the decoder's; one frame time gives no rate: the layout's (was 0)
                times = signals["frame_times"]
                _check_frame_times(times - times[0], path / "global_pose/frame_times")  # (its gaps were not said)
                if n > 1 and not 1e-3 <= (step := float(np.median(np.diff(times)))) <= 1:  # (in ms: a 0.02 fps shard, silently)
                    raise IngestError(f"{path / 'global_pose/frame_times'}: frames {step:g} apart: times must be in seconds (1 to 1000 fps)")
                # a video with timestamps must keep step with them: a 10 fps video under 20 Hz poses, or a hole in it,
                # paired each frame with another moment's pose and CAN. A camera drop (a step in frame_times the video's
                # own steps don't show: below) lets it fall one frame further behind, and only loosens the check (the
                # 11th drop of a 10-hour drive refused it; a late stamp counted as a drop for good refused a good video;
                # a drop the video shows too, credited, let a 21 fps video pass). kept: both clocks' steps rounded to
                # frames, for the drift below (a late stamp's long step and the short one after it cancel)
                # the video's own times in display order (an AVI's B-frame times come in decode order: a complete one was
                # refused as "frames are missing", the same file accepted as a plain video)
                vt = _display_order(np.concatenate(pts)) if all(t is not None for t in pts) else None
                if n > 1 and vt is not None:
                    raw = (p := vt) - (times - times[0])
                    steps, vsteps = np.diff(times, prepend=times[0]), np.diff(p, prepend=p[0])
                    med, vmed = np.median(steps[1:]), np.median(vsteps[1:]) or 1.0
                    unshown = np.cumsum(np.where((steps > 1.5 * med) & (vsteps < 1.5 * vmed), np.round(steps / med) - 1, 0)) * med
                    kept, bad = raw + np.cumsum(np.round(steps / med) - np.round(vsteps / vmed)) * med, np.maximum(raw, -(raw + unshown))
                    if bad.max() > MAX_SIGNAL_GAP:
                        k = int(np.argmax(bad > MAX_SIGNAL_GAP))  # the first frame off by more (every one after a hole is: its max named one far on)
                        raise IngestError(f"{video}: frame {k} is at {p[k]:.2f} s in the video but at {times[k] - times[0]:.2f} s "
                                          f"in global_pose/frame_times: the video does not match the poses (another rate, or frames missing)")
                # a hole in the video made up by as many frames more at the end stays under that (a 0.45 s hole paired every
                # later frame with the pose and CAN 9 frames earlier, without a word): the video's offset from the poses'
                # times jumps ahead by half a frame and stays there (medians of 5 frames either side: timestamp jitter
                # passes). The other way, a step in frame_times the video's steady timestamps don't show, is the camera's
                # dropped frame, which the video lacks too: frame k is still pose k
                if n > 2 and vt is not None:
                    off = vt - (times - times[0])
                    w = np.lib.stride_tricks.sliding_window_view(np.pad(off, 5, mode="edge"), 5)  # w[i]: off[i-5 .. i-1]
                    jump = np.median(w[6:n + 5], 1) - np.median(w[1:n], 1)  # after frame k (k+1..k+5) minus up to it (k-4..k)
                    # a steady drift under the 0.5 s above (a 20.1 fps video under 20 Hz poses: 0.3 s by its end): said
                    if abs(drift := np.polyfit(np.arange(n), kept, 1)[0] * (n - 1)) > 2 * np.median(np.diff(times)):
                        print(f"warning: {video}: its timestamps drift {drift:+.2f} s from global_pose/frame_times over the segment (another frame "
                              f"rate, or two clocks apart: {(n - 1) / np.ptp(vt):.4g} against {(n - 1) / np.ptp(times):.4g} fps); "
                              "frame k is paired with pose k", file=sys.stderr)
                    if jump.max() > np.median(np.diff(times)) / 2:
                        # the frame it follows: within the medians' plateau (2 frames either side of the hole; its argmax named
                        # a hole after 9 "after 7"), the one step that best splits all the offsets in two (jitter passes)
                        ks = np.arange(max(int(jump.argmax()) - 4, 0), min(int(jump.argmax()) + 5, n - 1))
                        c = np.cumsum(off)
                        k = int(ks[np.argmax(((c[-1] - c[ks]) / (n - ks - 1) - c[ks] / (ks + 1)) * np.sqrt((ks + 1) * (n - ks - 1)))])
                        raise IngestError(f"{video}: after frame {k} the video's timestamps run {jump.max():.3f} s ahead of global_pose/frame_times: "
                                          "frames are missing from the video, so every later frame would be paired with another moment's pose")
                rate = frame_rate(times) if n > 1 else fps or stream_fps or FPS
            elif not fps and all(t is not None for t in pts):  # the container's timestamps: a variable rate is kept
                times = _display_order(np.concatenate(pts))
                _check_frame_times(times, video)
                # the rate the frames' times run at: the header's can differ (30 fps frames under a 20 fps header were
                # labelled 20 and trained on as 20 fps)
                rate = frame_rate(times) if n > 1 else stream_fps or 0.0
                if stream_fps and n > 2 and abs(rate / stream_fps - 1) > 0.01:
                    print(f"warning: {video}: its header says {stream_fps:.4g} fps, its frames' timestamps run at {rate:.4g} "
                          "fps: the timestamps' rate is kept", file=sys.stderr)
            else:
                rate = fps or stream_fps
                if fps and n > 2 and all(t is not None for t in pts) and abs((n - 1) / np.concatenate(pts).max() / fps - 1) > 0.01:
                    own = (n - 1) / np.concatenate(pts).max()  # relabelled, its time would run fps / own times too slow
                    raise IngestError(f"{video}: --fps {fps:g}, but its timestamps run at {own:.3g} fps: --fps gives a raw stream "
                                      f"its timing, it does not resample; leave it out, or convert the video to {fps:g} fps first")
                # at that rate on average, but not frame by frame (a variable rate, a hole made up by faster frames): each
                # frame was relabelled to another moment, without a word. Measured against the even grid of the video's
                # own average rate (within 1% of fps, above): a steady 29.97 fps video drifts 0.06 s from k/30 in a minute
                if fps and n > 2 and all(t is not None for t in pts):
                    own = np.sort(np.concatenate(pts))
                    if (off := np.abs(own - np.arange(n) * own[-1] / (n - 1))).max() > 1.5 * own[-1] / (n - 1):
                        raise IngestError(f"{video}: --fps {fps:g}, but frame {int(np.argmax(off))} is at {own[np.argmax(off)]:.3f} s, {off.max():.3f} s "
                                          f"from its place at an even rate: its rate varies (or it has a hole); leave --fps out to keep its own times")
                if not rate:
                    raise IngestError(f"{video}: raw video stream without timing: pass --fps (comma2k19 video is 20)")
                times = np.arange(n) / rate
            _write_signals(f, signals, times, n, path)
            f.attrs.update({
                "source": str(path.resolve()), "segment": result["id"], "route": route, "fps": float(rate),
                "frame_count": n, "checksum": checksum, "source_hash": source_hash, "video_height": video_size[0],
                "video_width": video_size[1], "causes": list(CAUSES), "version": SHARD_VERSION,
                "driver": signals["driver"] if signals else "", "fps_option": float(fps or 0.0),
            })
            f.attrs["complete"] = True  # last: a shard without it was cut short
        with open(tmp, "rb") as g: os.fsync(g.fileno())  # on disk before the rename: a power cut leaves no empty shard named done
        os.replace(tmp, shard)  # atomic: the shard appears whole or not at all
        _drop_extra(olds, shard)  # the same input's shards under other names: replaced by this one
        result["frames"] = n
    except (IngestError, VideoError) as e:
        result.update(status="error", reason=str(e))
    except Exception as e:  # a bug or an odd file must not stop the other segments
        broken = Path(path).is_symlink() and not Path(path).exists()   # (it said "unexpected FileNotFoundError")
        result.update(status="error", reason=f"{path}: a broken link: its target {os.readlink(path)} does not exist" if broken else
                      f"{path}: {e}" if isinstance(e, OSError) and e.filename else f"{path}: unexpected {type(e).__name__}: {e} "
                      f"(at {_where(e)}: a bug, or a file or library this was not made for; please report it)")  # (a full disk: the shard named)
    finally:
        if result["status"] == "error" and old is not None and old.exists():  # it looked current, from contents now gone
            result["reason"] += f" (its shard from before, {old}, is kept as it was: delete it to leave it out of training)"
        if tmp is not None and tmp.exists():
            tmp.unlink()
    return result


def _display_order(times: np.ndarray) -> np.ndarray:
    """A video's frame times, sorted where they come in decode order (an AVI's B-frames: the frames come out in display
    order, each with another frame's time; such a valid file was refused, "timestamps do not increase") and no time is
    more than 16 frames from its place; otherwise as they are, for _check_frame_times to judge."""
    if len(times) < 2 or (np.diff(times) > 0).all() or not (np.diff(s := np.sort(times)) > 0).all(): return times
    return s if np.abs(np.argsort(np.argsort(times, kind="stable")) - np.arange(len(times))).max() <= 16 else times


def frame_rate(times: np.ndarray) -> float:
    """Frames a second of increasing frame times: the frames the time held, dropped ones counted (an interval of k usual
    ones, k >= 2, is k frames), over the time, where at most 1% of them were dropped; else the frames there are over the
    time. A few dropped frames are holes in the clock, not a slower camera (one in a 60 s segment read 19.98 fps, and
    every stage that counts 20 fps frames refused the shard); a video that lost more single frames runs at the rate its
    frames do, and is refused there. Gaps of over 2.5 frames are left out, their frames and their time. Jitter counts
    as it is: an interval under 1.9 usual ones is one (8 ms of jitter read 20.2 fps where long intervals were left out)."""
    step = np.diff(times)
    # the gaps of over 2.5 frames are left out, their time and their frames: the stages read the frames either side as
    # pieces (a 3 s hole in a 9 s segment read 13.3 fps, and every stage refused the shard as recorded at another rate),
    # and a camera resumes at any phase (a hole of 3.025 s counted as 60 frames read 19.96)
    med = np.median(step)   # (the whole clip's: the one the gaps were judged by)
    step = step[step <= 2.5 * med]
    slots = np.where(step >= 1.9 * med, np.round(step / med), 1)
    return float((slots.sum() if slots.sum() - len(step) <= 0.01 * (slots.sum() + 1) else len(step)) / step.sum())


def _check_frame_times(times: np.ndarray, video: Path) -> None:
    """Timestamps must increase; frames further apart than 1.5x the usual interval (dropped frames, a variable rate)
    are kept at their times, and said on stderr: a model reading consecutive frames sees the jump."""
    step = np.diff(times)
    if (step <= 0).any():
        raise IngestError(f"{video}: frame timestamps do not increase at frame {int(np.argmax(step <= 0)) + 1}")
    if len(step) > 1 and (gaps := step > 1.5 * np.median(step)).any():
        print(f"warning: {video}: {int(gaps.sum())} gaps between frames (up to {step.max():.3f} s against the usual "
              f"{np.median(step):.3f} s): the frames keep their own times", file=sys.stderr)


def _write_signals(f, signals: dict | None, times: np.ndarray, n: int, where: Path) -> None:
    """Write the per-frame signal datasets of SHARD and their has_* attributes into shard f (of the input where).
    A signal is interpolated at the frame times; one that leaves more than MAX_SIGNAL_GAP s of the video uncovered is
    refused (its values there would be made up: a speed held constant for the last 6 s). A takeover outside the video
    is left out and one on a frame that already has one merged (the earliest one's cause kept), each said on stderr."""
    s = signals or {}
    data = {"frame_times": times, "pose": relative_poses(s["positions"], s["quats"]) if signals else None}
    for name in SIGNALS:
        sig = s.get(name)
        if sig is not None:
            # each frame's distance to its nearest sample, doubled between two samples (the gap it lies in): over the frames,
            # not the video's whole span (a pause of the camera and the CAN log together was "3.05 s of the video uncovered")
            d = np.abs(sig[0][_nearest_frames(sig[0], times)] - times) if len(sig[0]) > 1 else np.abs(sig[0][:1] - times)
            if n and len(sig[0]) and (gap := np.where((times < sig[0][0]) | (times > sig[0][-1]), d, 2 * d).max()) > MAX_SIGNAL_GAP:
                # both ends off the same way: another clock's offset, most likely (a review: the message named no cause)
                lag = (sig[0][0] - times[0], sig[0][-1] - times[-1])
                clock = f"; both ends {lag[0]:+.2f} / {lag[1]:+.2f} s off: is {name} on another clock than the video?" if lag[0] * lag[1] > 0 else ""
                raise IngestError(f"{where}: {name} leaves {gap:.2f} s of the video uncovered (video t {times[0]:.2f}..{times[-1]:.2f} s, "
                                  f"{name} t {sig[0][0]:.2f}..{sig[0][-1]:.2f} s{clock})")
            value = sig[1].reshape(len(sig[1]), -1)
            data[name] = np.stack([np.interp(times, sig[0], value[:, j]) for j in range(value.shape[1])], 1)
            if (cols := DISCRETE.get(name)) and len(sig[0]) > 1:  # between samples that differ in an on/off column
                hi = np.clip(np.searchsorted(sig[0], times), 1, len(sig[0]) - 1)
                flip = (value[hi - 1][:, cols] != value[hi][:, cols]).any(1)
                data[name][flip] = value[_nearest_frames(sig[0], times[flip])]   # the nearer sample's row
    if data["pose"] is not None and n > 1:  # a cheap look at the poses' frame
        # pose[k] is the motion from frame k to k + 1: over times[k + 1] - times[k], at about speed[k]; without CAN, the
        # poses' own speed says which frames move (a pose-only segment's quaternions went unchecked)
        can = data.get("speed") is not None
        moving = (v := data["speed"][:-1, 0] if can else np.linalg.norm(data["pose"][:-1, :3], axis=1) / np.maximum(np.diff(times), 1e-9)) > 3.0
        ratio = np.median(data["pose"][:-1, 0][moving] / np.diff(times)[moving] / data["speed"][:-1, 0][moving]) if can and moving.sum() >= 10 else 1.0
        unit = next((f" (1/{u:g}: is CAN speed in {name}? comma2k19's is m/s)" for u, name in ((3.6, "km/h"), (2.237, "mph"))
                     if abs(ratio * u - 1) < 0.1), "")
        if not 0.5 < ratio < 2.0:  # (scalar-last [x, y, z, w] quaternions pass the unit-norm check)
            raise IngestError(f"{where}: the poses' forward motion is {ratio:.2f}x the CAN speed{unit}: are frame_orientations "
                              f"quaternions [w, x, y, z] (scalar first), from the device frame to ECEF?")
        # quaternions read the other way (ECEF to the device, comma2k19's own wording) pass the ratio (0.86 on the real
        # segment) but turn each frame's motion: 45% of it sideways, 27% up. A car moves along its forward axis.
        fwd = data["pose"][:-1, 0][moving] / np.maximum(np.linalg.norm(data["pose"][:-1, :3][moving], axis=1), 1e-9)
        along = np.median(np.abs(fwd)) if moving.sum() >= 10 else 1.0
        if along < 0.95:
            raise IngestError(f"{where}: the poses move the car {np.degrees(np.arccos(min(along, 1.0))):.0f} degrees off its forward axis "
                              f"(median of the moving frames): are frame_orientations quaternions from the device frame to ECEF "
                              f"(camera to ECEF, not ECEF to camera: conjugate them), [w, x, y, z]?")
        # a device frame the other way round passes these checks without CAN: facing backwards (the car reversing at
        # speed all drive), or rolled 180 degrees ([forward, left, up], ROS's: sideways, up, pitch and yaw all flipped).
        # The car drives forwards, and the frame's z axis points down, towards the Earth's centre (from an ECEF position)
        if moving.sum() >= 10 and np.median(fwd) < 0:
            raise IngestError(f"{where}: the poses move the car backwards (median of the moving frames; a drive mostly "
                              "reversing?): does the device frame's x axis point forwards? comma2k19's frame is [forward, right, down]")
        pos = np.asarray(s["positions"], np.float64)
        ecef = (6.3e6 < (r := np.linalg.norm(pos, axis=1))) & (r < 6.4e6)   # (a row at 0, 0, 0 made the median NaN: no check)
        if ecef.mean() > 0.5 and (down := np.median(np.einsum("nji,nj->ni", rot_from_quat(np.asarray(s["quats"], np.float64)[ecef]),
                                                                 -pos[ecef] / r[ecef, None])[:, 2])) < 0.5:   # (60 degrees: a car's tilts are 20)
            raise IngestError(f"{where}: the device frame's z axis points {np.degrees(np.arccos(np.clip(down, -1, 1))):.0f} degrees "
                              "from down: are frame_orientations of a [forward, left, up] frame? comma2k19's is [forward, right, down] (device to ECEF)")
        # CAN steering against the poses' yaw: + = left turns the car left (rz < 0, about the down axis), by a steering-wheel
        # angle / (steering ratio x wheelbase): 1/78 rad/m on the real comma2k19 segment, 1/75 in the recorder's. Steering
        # logged + = right, or in radians (57x that), was stored without a word; a clear relation (|correlation| > 0.5)
        # decides, as drives that barely turn say nothing either way
        if moving.sum() >= 100 and data.get("steering") is not None:
            yaw, x = data["pose"][:-1, 5][moving] / np.diff(times)[moving], v[moving] * np.radians(data["steering"][:-1, 0][moving])
            c = np.corrcoef(yaw, x)[0, 1] if yaw.std() > 0 and x.std() > 0 else 0.0
            if c > 0.5 or (c < -0.5 and -(x @ yaw) / (x @ x) > 0.3):
                raise IngestError(f"{where}: CAN steering_angle " + (f"turns the car against its poses' yaw (correlation {c:+.2f} over {moving.sum()} moving "
                                  "frames): is it + = right? comma2k19's is + = left" if c > 0.5 else f"turns the car {-(x @ yaw) / (x @ x) * 78:.0f}x as much "
                                  "per unit as comma2k19's steering-wheel degrees: is it in radians?"))
        # CAN on another clock than the video's: the poses show the lag (0.1-0.4 s passed without a word, each frame
        # paired with the speed and steering of another moment); said, as the lag can't be told from a drive that lags.
        # Compared after the best scale of each (a CAN speed 3% off the poses', as cars' are, hid a 0.45 s lag)
        if moving.sum() >= 40 and (sp := s.get("speed")) is not None:
            mid, vp, step = (times[1:] + times[:-1]) / 2, data["pose"][:-1, 0] / np.diff(times), float(np.median(np.diff(times)))
            def misfit(c, v): return float(np.mean((c * (c @ v) / max(c @ c, 1e-9) - v) ** 2))
            err = {k: misfit(np.interp(mid + k * step, sp[0], sp[1].reshape(len(sp[1]), -1)[:, 0])[12:-12], vp[12:-12]) for k in range(-12, 13)}
            if abs(k := min(err, key=err.get)) >= 2 and err[k] < 0.5 * err[0]:
                print(f"warning: {where}: CAN speed matches the poses' motion best read {k * step:+.2f} s from the frame times "
                      f"(squared error {err[k]:.3g} against {err[0]:.3g} as logged): is CAN on another clock? Used as logged", file=sys.stderr)
    if s.get("disengage") is not None:
        t, cause, lead = s["disengage"]
        data["disengage"], data["disengage_cause"], data["disengage_lead"] = (np.zeros(n) for _ in range(3))
        half = 0.5 * float(np.median(np.diff(times))) if n > 1 else 0.0   # (the mean step: a 100 s hole made it 1.29 s, and a
        # takeover 1.2 s after the last frame was kept on it)
        outside = (t < times[0] - half) | (t > times[-1] + half) if n else np.ones(len(t), bool)
        if n and len(t) and outside.all() and (np.minimum(abs(t - times[0]), abs(t - times[-1])) > 1.0).all():
            raise IngestError(f"{where}: every takeover (disengage/t {np.round(t, 2).tolist()} s) is outside the video (t "
                              f"{times[0]:.2f}..{times[-1]:.2f} s): logged on another clock? (a segment with none would read as takeover-free)")
        if outside.any():
            print(f"warning: {where}: takeovers at t {np.round(t[outside], 2).tolist()} s are outside the video "
                  f"(t {times[0]:.2f}..{times[-1]:.2f} s); left out", file=sys.stderr)
            t, cause, lead = t[~outside], np.asarray(cause)[~outside], np.asarray(lead)[~outside]
        if len(t):
            order = np.argsort(t, kind="stable")  # the earliest, not the first in the file, is a frame's takeover
            t, cause, lead = t[order], np.asarray(cause)[order], np.asarray(lead)[order]
            idx = _nearest_frames(times, t)
            if n > 1 and (off := np.abs(times[idx] - t) > 1.5 * np.median(np.diff(times))).any():  # (put there unsaid, 1.45 s early)
                print(f"warning: {where}: takeovers at t {np.round(t[off], 2).tolist()} s fall in gaps of the frame times: each is put "
                      f"on its nearest frame, up to {np.abs(times[idx] - t).max():.2f} s from when it happened", file=sys.stderr)
            if len(first := np.unique(idx, return_index=True)[1]) < len(idx):
                merged = np.isin(idx, idx[np.setdiff1d(np.arange(len(idx)), first)])
                print(f"warning: {where}: takeovers at t {np.round(t[merged], 2).tolist()} s fall on {len(np.unique(idx[merged]))} "
                      "frame(s); each frame keeps its earliest one's cause", file=sys.stderr)
                idx, cause, lead = idx[first], np.asarray(cause)[first], np.asarray(lead)[first]
            data["disengage"][idx] = 1
            data["disengage_cause"][idx] = [CAUSES.index(str(c)) for c in cause]
            data["disengage_lead"][idx] = lead
    for name, (dtype, shape, _) in SHARD.items():
        if name != "frames":
            value = data.get(name)
            value = np.zeros((n,) + shape) if value is None else value.reshape((n,) + shape)
            with np.errstate(over="ignore"):
                stored = value.astype(dtype)
            if np.issubdtype(stored.dtype, np.floating) and not np.isfinite(stored).all():  # finite in float64, not as stored
                row = int(np.argwhere(~np.isfinite(stored))[0][0])
                raise IngestError(f"{where}: {name} at frame {row} is {stored.reshape(n, -1)[row].tolist()} as {stored.dtype} "
                                  f"(from {value.reshape(n, -1)[row].tolist()}): out of range")
            f.create_dataset(name, data=stored, fletcher32=True, chunks=True)
    for flag, keys in HAS.items():  # (a segment with CAN speed but no steering_angle had its speed read as absent, unsaid)
        if (have := [k for k in keys if data.get(k) is not None]) and len(have) < len(keys):
            print(f"warning: {where}: {', '.join(have)} without {', '.join(k for k in keys if k not in have)}: {flag} needs "
                  f"all of {', '.join(keys)}, so the stages read this shard's {', '.join(have)} as absent", file=sys.stderr)
    f.attrs.update({flag: all(data.get(k) is not None for k in keys) for flag, keys in HAS.items()})


def ingest(src: str | Path, out_dir: str | Path, height: int = 128, width: int = 256, use_ray: bool = True,
           ray_address: str | None = None, progress: bool = True, fps: float | None = None,
           max_in_flight: int | None = None) -> list[dict]:
    """Ingest every input under src into out_dir, in parallel on Ray with at most max_in_flight segments queued (default
    twice the CPUs); returns one small result per input."""
    src, out_dir = Path(src), Path(out_dir)
    segments = find_segments(src)
    if not segments:
        raise IngestError(f"{src}: no segment folders or videos found ({', '.join(sorted(VIDEO_SUFFIXES))})")
    # (inside a segment folder, its own shard and lock file entered the segment's hash: re-ingested on every run)
    if seg := next((g for g in segments if Path(g).is_dir() and inside(out_dir, g)), None):
        raise IngestError(f"--out {out_dir} is inside the segment folder {seg}: give a folder outside it")
    writable_folder(out_dir, IngestError)
    from drivegpt.nn.state import holding
    with holding(out_dir):  # a stage reading the folder meanwhile trained on the shards written so far, without a word
        return _ingest(src, out_dir, segments, height, width, use_ray, ray_address, progress, fps, max_in_flight)


def _ingest(src: Path, out_dir: Path, segments: list, height: int, width: int, use_ray: bool, ray_address, progress: bool,
            fps, max_in_flight) -> list[dict]:
    from tqdm import tqdm
    remove_stale_temps(out_dir)
    # a token folder (a shard of the same name was taken for a damaged frame shard and overwritten; frame shards of other
    # names were written beside the tokens): its first readable shard tells, each folder holds one kind
    if first := next((p for p in sorted(out_dir.glob("*.h5")) if (kind := token_shard(p)) is not None), None):  # (readable)
        if kind: raise IngestError(f"--out {out_dir} holds token shards ({first.name}, made by tokenize): frame shards go into a folder of their own")
    if (old := _frame_size(out_dir)) and old[1] != (height, width):  # (they were replaced, or kept beside these: two sizes)
        raise IngestError(f"--out {out_dir} holds frame shards of {old[1][0]}x{old[1][1]} ({old[0].name}): --height {height} --width "
                          f"{width} would replace them or mix two frame sizes in one folder; give a folder of its own, or their size")
    index = shard_index(out_dir)  # listed once: each input's other shards are found in it
    def own(seg):  # the part of the index an input's task needs
        key = segment_id(seg, src).rsplit("-", 1)[1]
        return {key: index.get(key, [])}
    bar = tqdm(total=len(segments), unit="segment", desc="ingest", disable=not progress)
    results, todo = [], []
    for seg in segments:  # current shards are skipped here, without starting Ray
        shards = shards_of(out_dir, seg, src, index)
        shard = shards[0] if shards else out_dir / f"{segment_id(seg, src)}.h5"
        try:  # hashing reads the whole input: only for those with a shard, so a fresh run's driver reads no video
            current = shard.exists() and shard_is_current(shard, source_hashes(seg, _video_of(seg))[1], height, width, fps, say=True)
        except (IngestError, OSError):
            current = False  # the worker reports the problem
        if current:
            _drop_extra(shards, shard)
            # its frames, not 0: a re-run of finished work reported "frames": 0, as if nothing were there
            results.append({"path": str(seg), "id": shard.stem, "status": "skipped", "reason": "",
                            "frames": _shard_frames(shard)})
            bar.update(1)
        else:
            todo.append(seg)
    if fps and any((Path(s) / "global_pose").is_dir() for s in todo):  # (the shards were rewritten with it as an option, nothing said)
        print(f"note: --fps {fps:g} times plain videos (and a segment of one frame): segment folders are timed by their "
              "global_pose/frame_times", file=sys.stderr)
    if use_ray and ray_address and len(todo) <= 1:  # (the cluster was never contacted, without a word)
        print(f"note: --ray-address {ray_address} not used: {len(todo)} segment(s) to ingest, done in this process", file=sys.stderr)
    if use_ray and len(todo) > 1:
        import ray
        with ray_session(ray_address):
            task = ray.remote(num_cpus=1)(said(ingest_segment))
            # at most max_in_flight segments queued or running: the driver's memory does not grow with the segment count
            # absolute, not resolved: a src given through a link, with a linked folder inside it, gave the segment a path
            # under the link and src the link's target, and the whole run a ValueError
            for seg, r in as_completed(lambda seg: task.remote(Path(os.path.abspath(seg)), out_dir.resolve(), Path(os.path.abspath(src)),
                                                             height, width, fps, own(seg)),
                                  todo, max_in_flight, keep_going=True):
                r = show(r)
                if isinstance(r, Exception):  # its worker died past Ray's retries (a traceback ended the run, the rest not tried)
                    r = {"path": str(seg), "id": segment_id(seg, src), "status": "error", "frames": 0,
                         "reason": f"{seg}: its Ray task failed ({type(r).__name__}: {str(r).strip().splitlines()[0][:200]})"}
                results.append(r)
                bar.update(1)
    else:
        for seg in todo:
            results.append(ingest_segment(seg, out_dir, src, height, width, fps, own(seg)))
            bar.update(1)
    bar.close()
    remove_stale_temps(out_dir)  # a Ray worker killed mid-write, its task retried: its shard-sized temp file was left
    for r in results:
        if r["status"] == "error":
            print(f"error: {r['reason']}", file=sys.stderr)
    _warn_same_videos(out_dir, {r["id"] for r in results if r["status"] == "done"})
    for shard, source in orphan_shards(out_dir, src, segments):
        print(f"warning: {shard}: made from {source}, which is no longer in {src}; the shard is kept (delete it to leave it "
              "out of training)", file=sys.stderr)
    return sorted(results, key=lambda r: r["path"])


def _warn_same_videos(out_dir: Path, made: set) -> None:
    """Say where a shard just made (ids in made) has the video of another shard in out_dir made from another input (a
    copy of the logs, fixed, ingested beside the old one): the loaders keep the first by name, stale or not."""
    from data.dataset import shard_paths, shard_routes
    try: dups = shard_routes(shard_paths(out_dir))[2]  # (the loaders' own rule: the first of each checksum by name)
    except ValueError: return  # a shard that can't be read: the loader names it
    for dup, first in dups:
        if dup.stem in made or first.stem in made:
            print(f"warning: {out_dir}: 2 shards of one video, from {_attr(first, 'source')} and {_attr(dup, 'source')}: "
                  f"training reads only {first.name}; delete the one you don't want", file=sys.stderr)


def orphan_shards(out_dir: Path, src: Path, inputs: list) -> list[tuple[Path, str]]:
    """Shards in out_dir made from an input under src that is not among inputs any more (deleted or moved): training
    would still read them. Shards of other folders ingested into out_dir are not looked at."""
    import h5py
    root, have = Path(src).resolve(), {str(Path(p).resolve()) for p in inputs}
    found = []
    for shard in sorted(Path(out_dir).glob("*.h5")):
        try:
            with h5py.File(shard, "r") as f:
                source = str(f.attrs.get("source", ""))
        except Exception:  # not a shard we can read: the loader names it
            continue
        if source and source not in have and (Path(source) == root or root in Path(source).parents):
            found.append((shard, source))
    return found


def main(argv: list[str] | None = None) -> int:
    from drivegpt.cli import HelpFormatter, json_line, path_arg  # here, not at the top: the Ray workers that import this module need no engine
    parser = argparse.ArgumentParser(prog="drivegpt ingest", description=__doc__.split("\n\n")[0],
                                     formatter_class=HelpFormatter)
    parser.add_argument("src", type=lambda t: Path(path_arg(t)), help="folder of segments / videos, or one of them")
    parser.add_argument("--out", type=lambda t: Path(path_arg(t)), default=Path("runs/data/shards"), help="folder for the HDF5 shards")
    parser.add_argument("--height", type=int, default=128, help="frame height after crop/resize")
    parser.add_argument("--width", type=int, default=256, help="frame width after crop/resize")
    parser.add_argument("--fps", type=float, default=None, help="frame rate of raw .hevc/.h264 streams, which carry no timing (required there); a container video keeps its own timestamps (refused at another rate)")
    parser.add_argument("--ray-address", default=None, help="Ray cluster to join; None: $RAY_ADDRESS if set, else start a local one")
    parser.add_argument("--no-ray", action="store_true", help="ingest in this process, one segment at a time")
    parser.add_argument("--max-in-flight", type=int, default=None,
                        help="segments queued or running on Ray at once; None: twice the CPUs")
    args = parser.parse_args(argv)
    if args.height < 2 or args.width < 2 or args.height % 2 or args.width % 2:
        parser.error("--height and --width must be even and at least 2")
    if args.fps is not None and not (np.isfinite(args.fps) and args.fps > 0):
        parser.error("--fps must be a positive number")
    if args.max_in_flight is not None and args.max_in_flight < 1:
        parser.error("--max-in-flight must be at least 1")
    if args.no_ray and args.max_in_flight is not None:  # (ignored without a word)
        parser.error("--max-in-flight limits Ray's queue: it has no effect with --no-ray")
    if args.no_ray and args.ray_address:  # (the cluster was never contacted, without a word)
        parser.error("--ray-address has no effect with --no-ray: give one of them")
    t0 = time.perf_counter()
    try:
        results = ingest(args.src, args.out, args.height, args.width, not args.no_ray, args.ray_address, fps=args.fps,
                         max_in_flight=args.max_in_flight)
    except FileNotFoundError as e:
        parser.error(str(e))
    except IngestError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    counts = {s: sum(r["status"] == s for r in results) for s in ("done", "skipped", "error")}
    print(f"{counts['done']} ingested, {counts['skipped']} already done, {counts['error']} failed -> {args.out}", file=sys.stderr)
    print(json_line({"ingested": counts["done"], "skipped": counts["skipped"], "failed": counts["error"],
                      "frames": sum(r["frames"] for r in results), "out": str(args.out), "wall_seconds": round(time.perf_counter() - t0, 1)}))
    return 1 if counts["error"] else 0


if __name__ == "__main__":
    sys.exit(main())
