"""The two on-disk layouts of the data stage, written in one place: the comma2k19 segment folder
that data.record writes and data.ingest reads, and the HDF5 shard that data.ingest writes and
data.dataset reads.

A segment folder holds numpy files without an extension, as comma2k19 does:

    video.hevc                      HEVC, 20 fps (raw stream: its timing is global_pose/frame_times)
    global_pose/frame_times         (N,) float64 seconds
    global_pose/frame_positions     (N, 3) float64 ECEF metres
    global_pose/frame_velocities    (N, 3) float64 ECEF m/s
    global_pose/frame_orientations  (N, 4) float64 quaternion [w, x, y, z], camera [forward, right,
                                    down] -> ECEF (pitch and roll of the car body included)
    <signal>/t, <signal>/value      for each signal in SIGNALS below, (K,) seconds and (K, ...) values
    disengage/t, cause, lead_time   (K,) takeover time s, (K,) cause name, (K,) s the situation had
                                    been visibly unsafe (past 70% of a takeover limit) before it
    driver.json                     the driver's style, supervisor limits and scene (data.record only)
"""

import json
import os
import re
import shutil
from pathlib import Path

import numpy as np

FPS = 20
VIDEO = "video.hevc"
# a segment's video, any of ingest's suffixes (a video.mov beside a segment's logs, with only three named here, went in as
# a plain video without a word: its logs dropped)
SEGMENT_VIDEOS = ("video.hevc", "video.mp4", "video.mkv", "video.h265", "video.h264", "video.mov", "video.ts", "video.avi", "video.webm", "video.m4v",
                  "video.wmv", "video.asf", "video.mpg", "video.mpeg", "video.flv", "video.3gp")
POSE = ("frame_times", "frame_positions", "frame_velocities", "frame_orientations")  # under global_pose/
DISENGAGE_CAUSES = ("ttc", "time_gap", "lane_departure", "heading", "hard_brake", "lateral_accel", "crash", "off_road")
CAUSES = ("none",) + DISENGAGE_CAUSES  # shard index 0 = no takeover

# signal -> (folder in the segment, columns of value, meaning); all interpolated to frame times in a shard, except
# between two samples that differ in a DISCRETE column: there the frame takes the nearer sample's whole row (a lead car
# present 0.5 at half its gap never existed)
SIGNALS = {
    "speed": ("processed_log/CAN/speed", 1, "m/s (stored (K, 1), as comma2k19 does)"),
    "steering": ("processed_log/CAN/steering_angle", 0, "steering-wheel degrees, + = left"),
    "action": ("action", 2, "applied [acceleration m/s^2, front-wheel angle rad + = left]"),
    "lead": ("lead", 4, "[lead car present 0/1, bumper gap m, closing speed m/s, clearance to the nearest car m]"),
    "lane": ("lane", 5, "[offset from lane centre m + = right, heading error rad + = right, road curvature "
                        "1/m + = right, margin to the road edge m (< 0 off road), blinker -1/0/+1]"),
}
DISCRETE = {"lead": (0,), "lane": (4,)}  # on/off and -1/0/+1 columns
# has_* attribute of a shard -> the signals it covers
HAS = {"has_pose": ("pose",), "has_can": ("speed", "steering"), "has_action": ("action",),
       "has_lead": ("lead",), "has_lane": ("lane",), "has_disengage": ("disengage", "disengage_cause", "disengage_lead")}

# shard dataset -> (dtype, shape after N, meaning); every dataset is chunked with fletcher32 checksums
SHARD = {
    "frames": (np.uint8, "(H, W, 3)", "RGB, centre crop + resize; chunks of 4 frames, LZ4 (filter 32004)"),
    "frame_times": (np.float64, (), "seconds"),
    "pose": (np.float32, (6,), "motion to the next frame in this camera frame: translation m, axis-angle rad"),
    "speed": (np.float32, (), SIGNALS["speed"][2]),
    "steering": (np.float32, (), SIGNALS["steering"][2]),
    "action": (np.float32, (2,), SIGNALS["action"][2]),
    "lead": (np.float32, (4,), SIGNALS["lead"][2]),
    "lane": (np.float32, (5,), SIGNALS["lane"][2]),
    "disengage": (np.uint8, (), "1 on the frame a human took over"),
    "disengage_cause": (np.uint8, (), "index into attrs['causes']"),
    "disengage_lead": (np.float32, (), "lead time of the takeover on its frame, seconds"),
}
SHARD_VERSION = 2


DRIVE = re.compile(r"([0-9a-f]{16})_(\d{4}-\d\d-\d\d--\d\d-\d\d-\d\d)(?:--\d+)?")  # comma's drive name with `_` for `|`
# `dongle|time` (2018-07-27--06-03-57) or openpilot's newer `dongle|counter--hash` (00000008--0e8e8ff7e7): a `--` after
# the `|`, so that a `vids|2024` folder above the data is none
BAR_DRIVE = re.compile(r"[^|]+\|[^|]*--[^|]*")

def attr_text(v) -> str:
    """A shard's text attribute: one stored as bytes (h5py's fixed-length strings) is its text (str() made it "b'...'");
    bytes that are not UTF-8 keep a replacement character, not a crash naming no file."""
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)


def flag(attrs, key: str, default: bool, where) -> bool:
    """A shard's true/false attribute: a bool or 0/1; text ('false', which bool() read as True: a plain video's zero poses
    trained as a stopped car) is an error naming the file."""
    v = attrs.get(key, default)
    if isinstance(v, (bool, np.bool_)) or (isinstance(v, (int, np.integer)) and v in (0, 1)):
        return bool(v)
    raise ValueError(f"{where}: attribute {key}={v!r} must be true or false")


def drive_route(route) -> str:
    """A route as this version names it: one with a `dongle_time` part (comma2k19 or openpilot unpacked where `|` can't
    be in a name) is its drive's, `dongle|time`. Shards and checkpoints written before the 29th session hold each such
    segment as a route of its own (one drive on both sides of the split): read through this, they name the drive. An
    attribute stored as bytes (h5py's fixed-length strings) is its text: str() made it "b'dongle|time'", another drive."""
    route = attr_text(route)
    for part in reversed(route.split("/")):
        if m := DRIVE.fullmatch(part): return f"{m[1]}|{m[2]}"
    return route


def save_array(path: Path, arr: np.ndarray) -> None:
    """np.save without the .npy suffix that np.save would add to a bare name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        np.save(f, arr, allow_pickle=False)


def token_shard(shard: Path) -> bool | None:
    """A shard tokenize or import-commavq made (tokens, no frames)? False for a frame shard (ingest's), None if it can't
    be read. Each folder holds one kind: a loader reads all of a folder's shards as one."""
    import h5py
    try:
        with h5py.File(shard, "r") as f:
            return "tokens" in f and "frames" not in f
    except Exception:
        return None


def frame_shards_in(folder) -> Path | None:
    """The first frame shard in folder, if it holds any: token shards must not go in beside them."""
    return next((p for p in sorted(Path(folder).glob("*.h5")) if token_shard(p) is False), None)


def not_being_written(folder, inside: bool = True) -> None:
    """Refuse a folder another process still writes into or trains in (record, ingest, tokenize and the stages hold its
    .lock), or one around it, or (inside: a reader that searches subfolders) one inside it: a stage reading it would
    take the part written so far, without a word."""
    from drivegpt.nn.state import folder_in_use
    p = Path(folder)
    if not p.is_dir():
        return
    locked, seen = ([], set()) if inside else ([p], None)
    for d, dirs, files in os.walk(p, followlinks=True) if inside else ():  # through linked folders, each once
        if (real := os.path.realpath(d)) in seen:
            dirs[:] = []
            continue
        seen.add(real)
        locked += [Path(d)] if ".lock" in files else []
    for d in [*locked, *Path(os.path.realpath(p)).parents]:
        if who := folder_in_use(d):
            raise ValueError(f"{d}: {who} is still writing into this folder (record, ingest or tokenize?) or training in it: "
                             "wait for it to finish")


def files_under(root: Path, suffixes: tuple = (), name: str = "") -> list[Path]:
    """Files under root (root itself if it is a file) with one of the suffixes (or that exact name; neither: all), sorted, following
    symbolic links to folders (each folder once: Path.rglob skipped linked folders) and skipping hidden names (temp
    files, hidden folders)."""
    root = Path(root)
    if root.is_file():
        return [root]
    found, seen = [], set()
    for folder, dirs, files in os.walk(root, followlinks=True):
        if (real := os.path.realpath(folder)) in seen:
            dirs[:] = []
            continue
        seen.add(real)
        dirs[:] = [d for d in dirs if not d.startswith(".")]  # (rollout's .earlier: a finished run's files set aside)
        found += [Path(folder) / f for f in files if not f.startswith(".") and (f == name or (suffixes and f.endswith(suffixes)) or not (suffixes or name))]
    return sorted(found)


def inside(path, folder) -> bool:
    """Whether path is folder or somewhere under it (links resolved): an output there would be read back as input."""
    p, f = Path(path).resolve(), Path(folder).resolve()
    return p == f or f in p.parents


def writable_folder(out_dir: Path, error=ValueError) -> None:
    """Create out_dir and prove it is writable, so a bad folder is one message, not one error per input (tokenize encoded
    every shard first, then called each "not a readable shard")."""
    try:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        probe = Path(out_dir) / temp_name("probe")
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        raise error(f"{out_dir}: cannot write to the output folder ({e.strerror or e})") from None


def temp_name(name: str) -> str:
    """A hidden temporary name for `name` owned by this process (ingest and record skip and clean these)."""
    return f".{name}.tmp-{os.uname().nodename}-{os.getpid()}"


def remove_stale_temps(folder: Path) -> list[Path]:
    """Delete this host's temporary files/folders in folder whose process is gone (killed runs); returns them."""
    removed = []
    if not folder.is_dir():
        return removed
    host = os.uname().nodename
    for p in folder.glob(".*.tmp-*"):
        owner_host, _, pid = p.name.rpartition(".tmp-")[2].rpartition("-")
        if owner_host != host or not pid.isdigit() or _alive(int(pid)):
            continue  # another machine's or a live run's: leave it alone
        try: shutil.rmtree(p) if p.is_dir() else p.unlink()
        except OSError: continue  # (a read-only folder's stay: nothing is written there)
        removed.append(p)
    return removed


def _alive(pid: int) -> bool:
    """Whether a process runs: a killed one nobody has reaped (a zombie, common in containers) does not."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True  # no /proc: trust the signal


def write_segment_files(out: Path, times: np.ndarray, positions: np.ndarray, velocities: np.ndarray,
                        quats: np.ndarray, signals: dict[str, np.ndarray], disengage: dict[str, np.ndarray],
                        driver: dict, frames) -> None:
    """Write one segment folder atomically: a hidden temp folder, then a rename."""
    from data.video import write_video
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / temp_name(out.name)
    tmp.mkdir()
    try:
        for name, arr in zip(POSE, (times, positions, velocities, quats)):
            save_array(tmp / "global_pose" / name, arr)
        for name, (folder, _, _) in SIGNALS.items():
            save_array(tmp / folder / "t", times)
            save_array(tmp / folder / "value", signals[name])
        for name in ("t", "cause", "lead_time"):
            save_array(tmp / "disengage" / name, disengage[name])
        (tmp / "driver.json").write_text(json.dumps(driver, indent=1))
        write_video(tmp / VIDEO, frames)
        if out.exists():
            raise FileExistsError(f"{out}: segment folder already exists")
        tmp.rename(out)  # the segment appears whole or not at all
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
