"""Token segments for the world model: reading token shards and commaVQ .npy files, poses between strided frames, and
deterministic batches of windows."""
from __future__ import annotations
import errno, hashlib, itertools, json, math, mmap, os, re, sys, tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional
import numpy as np

MAX_SPEED = 100.0  # m/s (360 km/h): a speed past it is another unit, or damage
SPILL_AT = 1 << 30  # bytes of token files under a folder past which load_segments keeps their tokens in a Spill

class Spill:
  """Token arrays written one after another into an unlinked temp file and mapped back once, as views of one array: a
  folder of commaVQ's 100,000 files (~30 GB of tokens) is then held by the page cache (given back under memory
  pressure, where the folder is on a disk), where train-world held all of it in its own memory, and so did each of its
  Ray replicas (each process writes and maps a file of its own). One mapping: np.load(mmap_mode="r") of each file passed
  Linux's 65,530 mappings a process. The folder is DRIVEGPT_SPILL_DIR, else the system's temp folder (TMPDIR); the file
  is gone when the process ends, even killed, or when the load fails. need: the bytes of the token files, for errors."""
  def __init__(self, need: int):
    self.folder, self.size, self.need = os.environ.get("DRIVEGPT_SPILL_DIR") or tempfile.gettempdir(), 0, need
    try: self.file = tempfile.TemporaryFile(dir=self.folder, prefix="drivegpt-tokens-")
    except OSError as e: raise OSError(e.errno, f"can't hold token segments in {self.folder} ({e.strerror}): set DRIVEGPT_SPILL_DIR to a folder with room") from None
  def _io(self, write: Callable):
    try: write()
    except OSError as e:
      raise OSError(e.errno, f"{self.folder}: can't hold the token segments ({e.strerror} after {self.size:,} bytes; their files come to "
                             f"{self.need:,}): set DRIVEGPT_SPILL_DIR to a folder with room") from None
  def add(self, a: np.ndarray) -> tuple:
    """Write a (N, T) int16 array; returns where it is, for view()."""
    self._io(lambda: self.file.write(np.ascontiguousarray(a, np.int16).tobytes()))
    self.size += a.nbytes
    return self.size - a.nbytes, a.shape
  def view(self, at: tuple) -> np.ndarray:
    if not hasattr(self, "all"):
      self._io(self.file.flush)  # (a full disk can show only here: the last writes sat in the file's buffer)
      self.all = np.frombuffer(mmap.mmap(self.file.fileno(), self.size, access=mmap.ACCESS_READ), np.int16) if self.size else np.zeros(0, np.int16)
    (start, shape) = at
    return self.all[start // 2:start // 2 + math.prod(shape)].reshape(shape)

@dataclass
class Segment:
  name: str
  tokens: np.ndarray              # (N, 128) int16
  pose: Optional[np.ndarray]      # (N, 6) float32: motion from frame i to i+1 in frame i's camera frame, or None
  route: str = ""                 # the drive it belongs to (the data stage's route attribute; "": the segment alone)
  augmented: bool = False         # a yaw-augmented copy (tokenize --yaw-copies): trained on, never held out
  tokenizer: str = ""             # tokenizer_of its shard ("": not known)
  video: str = ""                 # its video's checksum (the shard's attribute; "": not known)
  speed: Optional[np.ndarray] = None  # (N,) float32 m/s, the recorded (CAN) speed where the shard has one: a rollout's start

def tokenizer_of(attrs, where="") -> str:
  """A token shard's tokenizer, one string to compare: its codebook's hash (tokenize stores it), in shards made before
  that its checkpoint path and model config, "commaVQ" for commaVQ's tokens; "" when the shard does not say. where:
  the file, for the error a damaged attribute gives (a JSONDecodeError naming none)."""
  from drivegpt.nn.state import strict_json
  try: t = strict_json(attrs.get("tokenizer") or "{}")   # (a "codebook" given twice: the last one was compared)
  except ValueError as e: t = str(e).replace("is not valid JSON", "not JSON", 1)
  if not isinstance(t, dict): raise ValueError(f"{where}: a damaged tokenizer attribute: {t}" if where else f"a damaged tokenizer attribute: {t}")
  if t.get("commavq"): return "commaVQ"
  if t.get("codebook"): return f"codebook {t['codebook']}"
  return json.dumps([t.get("ckpt"), t.get("model")], sort_keys=True) if t else ""

def check_codebook(segs: list, codebook: np.ndarray, vqvae: str, what: str = "tokens") -> None:
  """Raise if a segment's shard names another codebook than the VQVAE run's (vqvae=): its ids index that one."""
  from train.tokenize import codebook_hash
  want = f"codebook {codebook_hash(codebook)}"
  if bad := next((s for s in segs if (s.tokenizer.startswith("codebook ") and s.tokenizer != want) or s.tokenizer == "commaVQ"), None):
    raise ValueError(f"{what}: {bad.name} was tokenized with another codebook ({bad.tokenizer}) than vqvae={vqvae}'s ({want}): "
                     "give the VQVAE run that made the tokens")
  # (the RL stages checked ids against the codebook only batch by batch: an error naming no file after the run, or none)
  if bad := next((s for s in segs if len(t := getattr(s, "tokens", ())) and (t.min() < 0 or t.max() >= len(codebook))), None):
    raise ValueError(f"{what}: {bad.name}: token ids {bad.tokens.min()}..{bad.tokens.max()} are outside vqvae={vqvae}'s codebook "
                     f"[0, {len(codebook)}) (a damaged shard?)")

def flag(attrs, key: str, default: bool, where) -> bool:
  from data.layout import flag as layout_flag  # here, not at the top: with bench/ on the path, `data` is bench/data.py
  return layout_flag(attrs, key, default, where)

def stored_route(route) -> str:
  from data.layout import drive_route  # here, not at the top: with bench/ on the path, `data` is bench/data.py
  return drive_route(route)

def npy_sidecar(path: Path) -> dict:
  """export-commavq's sidecar <name>.tokenizer.json of a .npy token file: its tokenizer's keys, and the shard's route
  (drive), fps and video checksum, which a .npy can't hold ({} when there is none: commaVQ's own files)."""
  side = Path(path).with_suffix(".tokenizer.json")
  from drivegpt.nn.state import strict_json
  try: ret = strict_json(side.read_bytes())
  except (FileNotFoundError, NotADirectoryError): ret = {}
  except OSError as e:  # a .npy of a legal name whose sidecar's name is past 255 bytes has none (it failed naming the sidecar)
    if e.errno == errno.ENAMETOOLONG: ret = {}
    else: raise
  except ValueError as e: raise ValueError(f"{side}: not a tokenizer sidecar: its text {e}") from None  # (a second fps was taken)
  if not isinstance(ret, dict): raise ValueError(f"{side}: not a tokenizer sidecar (a JSON object), got {type(ret).__name__}")
  if "fps" in ret and not (isinstance(ret["fps"], (int, float)) and not isinstance(ret["fps"], bool) and math.isfinite(ret["fps"]) and ret["fps"] > 0):
    raise ValueError(f"{side}: fps must be a positive number, got {ret['fps']!r}")  # ("20": a TypeError traceback)
  return ret

def npy_tokenizer(path: Path, side: Optional[dict] = None) -> str:
  """A .npy token file's tokenizer attribute (JSON): from export-commavq's sidecar when there is one (our tokens sent out
  and back), else commaVQ's (the round trip relabelled ours as commaVQ's, mixing two codebooks). side: its npy_sidecar,
  where the caller has read it."""
  return json.dumps({k: v for k, v in (npy_sidecar(path) if side is None else side).items() if k not in ("route", "fps", "checksum")} or {"commavq": True})

def token_files(path: Path, suffixes: tuple = (".h5", ".npy"), rollouts: bool = False) -> list[Path]:
  """The token files under path: data.layout.files_under, without commaVQ's pose files (its 2.0 release puts a
  <key>.pose.npy beside each <key>.token.npy; read as token ids, it failed the whole command). Their units and frame are
  not documented upstream, so they are left out, said once, and the tokens are read as pose-less. A folder's rollout
  outputs (beside a rollouts.json, or their sidecar says `generated`) are left out too, said, unless rollouts (import-commavq
  reads them, named as a rollout's)."""
  from data.layout import files_under
  files = files_under(path, suffixes)
  if poses := [f for f in files if f.name.endswith(".pose.npy")]:
    print(f"note: {path}: {len(poses)} commaVQ pose file(s) ({poses[0].name}, ...) left out: their units are not documented; "
          "the tokens beside them are read without poses", file=sys.stderr)
  if ".npy" in suffixes and Path(path).is_dir() and (orphans := [s for s in files_under(path, (".tokenizer.json",)) if not s.with_name(s.name.removesuffix(".tokenizer.json") + ".npy").exists()]):
    print(f"warning: {path}: {len(orphans)} .tokenizer.json sidecar(s) without their .npy ({orphans[0]}, ...): an export-commavq or a "   # (a
          "rollout that stopped part way? Its other files were read as the whole of it", file=sys.stderr)   # failed export was imported as all of it, unsaid)
  # a rollout's generated tokens in a folder given as data: the model's own samples trained on as a drive, unsaid
  made = [f for f in files if re.fullmatch(r"rollout_\d+_tokens\.npy", f.name) and ((f.parent / "rollouts.json").exists() or npy_sidecar(f).get("generated"))] if Path(path).is_dir() and not rollouts else []
  if made:
    print(f"warning: {path}: {len(made)} rollout output(s) ({made[0]}, ...) left out: a world model's samples, not recordings "
          "(import-commavq reads them, at their own rate)", file=sys.stderr)
  return [f for f in files if not f.name.endswith(".pose.npy") and f not in made]

def npy_route(path: Path, src: Path, side: Optional[dict] = None) -> str:
  """A .npy's drive: the sidecar's (export-commavq kept the shard's; from the file name, the segments of one drive were
  routes of their own, on both sides of the split), else from its path (data.ingest.route_of). side: as npy_tokenizer's."""
  from data.ingest import route_of
  return stored_route(str((npy_sidecar(path) if side is None else side).get("route") or route_of(path, src)))

def npy_checksum(path: Path) -> str:
  """A commaVQ .npy's drive, by its token ids (int64, in order): the same tokens saved as (N, 8, 16) or (N, 128), int16 or
  int64, are one drive (by the file's bytes they were three, on both sides of the split). Other dtypes by their bytes."""
  from train.tokenize import load_npy
  a = load_npy(path)
  return token_sum(a) if np.issubdtype(a.dtype, np.integer) else "sha256:" + hashlib.sha256(Path(path).read_bytes()).hexdigest()

def token_sum(tokens: np.ndarray) -> str:
  """Token ids' checksum (as int64, in order): npy_checksum, and import-commavq's shard's checksum of a bare .npy."""
  return "sha256:" + hashlib.sha256(np.ascontiguousarray(tokens, "<i8")).hexdigest()  # (the array's own bytes: tobytes() was a second copy, 1 ms a commaVQ file)

def shard_video(attrs, tokens_sum: Callable[[], str]) -> str:
  """A token shard's video checksum; "" where it has none: import-commavq of a bare .npy keeps the tokens' checksum
  there (token_sum), which is no video's (matched as a video, a drive imported so and its original were two drives).
  tokens_sum() gives the shard's token_sum (called only for an import)."""
  video = str(attrs.get("checksum", "") or "")
  if video and str(attrs.get("source", "")).endswith(".npy") and video == tokens_sum(): return ""
  return video

def check_motion(f, pose: np.ndarray, pieces: list = ()) -> None:
  """Refuse a motion no car makes between two 20 fps frames (over 50 m, or a rotation component past pi): one such row
  (1e30 in a hand-made shard) made the pose statistics' std ~1e28, and every real motion normalised to about 0. The
  rows into a gap between pieces (gap_pieces), never read, are not checked (3 s at highway speed is 76 m)."""
  into_gap = np.zeros(len(pose), bool)
  into_gap[[k.stop - 1 for k in pieces[:-1]]] = True
  if len(bad := np.flatnonzero(((np.abs(pose[:, :3]) > 50).any(1) | (np.abs(pose[:, 3:6]) > np.pi).any(1)) & ~into_gap)):
    raise ValueError(f"{f}: pose at frame {bad[0]} is {pose[bad[0]].tolist()}: over 50 m or pi rad in one frame")

def check_fps(f: Path, fps, who: str = "the world model's frame strides and poses are") -> None:
  """Refuse a shard's fps attribute other than 20 (NaN passed: abs(nan - 20) > 0.01 is False), or one not a number."""
  from data.layout import FPS
  if fps is None: return
  try: v = float(fps)
  except (TypeError, ValueError): raise ValueError(f"{f}: attribute fps={fps!r} is not a number") from None
  if not abs(v - FPS) <= 0.01: raise ValueError(f"{f}: recorded at {v:g} fps; {who} in {FPS} fps frames")

def check_one_tokenizer(segs: list, path: str, what: str = "data.tokens") -> None:
  """Raise unless every segment whose tokenizer is known has the same one: ids of two codebooks mean different things,
  and a model trained on both (or scored on another's) learned noise without an error."""
  first = {}   # each tokenizer -> the first segment (by name) it made
  for s in sorted(segs, key=lambda s: s.name):
    if s.tokenizer: first.setdefault(s.tokenizer, s.name)
  # a shard from before the codebook hash (named by its checkpoint's path) can't be told from a hashed one: not compared
  kind = lambda t: t if t == "commaVQ" else t.startswith("codebook ")  # noqa: E731
  if clash := [(a, b) for a, b in itertools.combinations(first, 2) if kind(a) == kind(b) or "commaVQ" in (a, b)]:
    a, b = clash[0]
    raise ValueError(f"{what}: {path} mixes tokenizers: {first[a]} was made by {a[:60]}, {first[b]} by {b[:60]}; one folder must come from one VQVAE")

def rot_from_axis_angle(r: np.ndarray) -> np.ndarray:
  """Rotation matrices (..., 3, 3) from axis-angle vectors (..., 3) (Rodrigues' formula)."""
  r = np.asarray(r, np.float64)
  theta = np.linalg.norm(r, axis=-1)[..., None, None]
  k = r / np.maximum(theta[..., 0], 1e-12)
  K = np.zeros(r.shape[:-1] + (3, 3))
  K[..., 0, 1], K[..., 0, 2], K[..., 1, 2] = -k[..., 2], k[..., 1], -k[..., 0]
  K = K - np.swapaxes(K, -1, -2)
  return np.eye(3) + np.sin(theta) * K + (1 - np.cos(theta)) * K @ K

def axis_angle_from_rot(R: np.ndarray) -> np.ndarray:
  """Axis-angle vectors (..., 3) from rotation matrices (..., 3, 3), for angles below pi."""
  cos = np.clip((np.trace(R, axis1=-2, axis2=-1) - 1) / 2, -1, 1)
  theta = np.arccos(cos)[..., None]
  v = np.stack([R[..., 2, 1] - R[..., 1, 2], R[..., 0, 2] - R[..., 2, 0], R[..., 1, 0] - R[..., 0, 1]], -1)
  return v * np.where(theta > 1e-9, theta / (2 * np.sin(np.maximum(theta, 1e-9))), 0.5)

def gap_pieces(times, n: int, where) -> list[slice]:
  """The runs of a segment's n frames between gaps in its frame times of over 2.5 frames (frames missing: ingest keeps
  them in one shard and says so there): a window or context across a gap read frames seconds apart as 1/20 s apart, and
  the motion over the gap as one frame's. [0, n) without times. Each piece's last motion row (into the gap) is unused."""
  from data.layout import FPS
  if times is None or n < 2: return [slice(0, n)]
  if (times := np.asarray(times, np.float64).reshape(-1)).shape != (n,): raise ValueError(f"{where}: frame_times {times.shape} is not one per frame ({n})")
  if len(bad := np.flatnonzero(~np.isfinite(times))): raise ValueError(f"{where}: 'frame_times' is not finite at frame {bad[0]}")  # (a NaN hid a gap)
  if (step := np.diff(times)).min() <= 0:  # (two clocks joined: read as one run, windows across the jump)
    raise ValueError(f"{where}: 'frame_times' must increase, frame {int(np.argmin(step)) + 1} is at {float(times[np.argmin(step) + 1])!r} s")
  if not abs(np.median(step) * FPS - 1) <= 0.2:  # (5 fps times were 59 gaps, every frame a piece; 10 fps ones read as 20, unsaid)
    raise ValueError(f"{where}: its frame times are {np.median(step):.3g} s apart (median), ~{1 / np.median(step):.3g} fps; the "
                     f"world model's frame strides and poses are in {FPS} fps frames")
  if not (cut := (np.flatnonzero(step > 2.5 / FPS) + 1).tolist()): return [slice(0, n)]
  print(f"note: {where}: {len(cut)} gap(s) in its frame times (up to {step.max():.2f} s, frames missing): read as {len(cut) + 1} "
        "pieces of one drive, no window or context across a gap", file=sys.stderr)
  return [slice(a, b) for a, b in zip([0, *cut], [*cut, n])]

def strided_motion(pose: np.ndarray, stride: int) -> np.ndarray:
  """(N, 6) per-frame motions -> (N, 6): row i is the motion from frame i-stride to frame i (zeros for i < stride),
  composed as t = t_a + R_a t_b, R = R_a R_b."""
  n = len(pose)
  out = np.zeros((n, 6), np.float32)
  if n <= stride: return out
  t, R = np.zeros((n - stride, 3)), np.tile(np.eye(3), (n - stride, 1, 1))
  for k in range(stride):  # frames i-stride+k -> i-stride+k+1, for every i at once
    step = pose[k:n - stride + k].astype(np.float64)
    t, R = t + np.einsum("nij,nj->ni", R, step[:, :3]), R @ rot_from_axis_angle(step[:, 3:])
  out[stride:] = np.concatenate([t, axis_angle_from_rot(R)], 1)
  return out

def _as_tokens(a: np.ndarray, where: str) -> np.ndarray:
  if a.ndim == 3: a = a.reshape(a.shape[0], a.shape[1] * a.shape[2])  # (an empty file too: -1 can't be inferred from 0)
  if a.ndim != 2 or not np.issubdtype(a.dtype, np.integer): raise ValueError(f"{where}: expected integer tokens (N, 128) or (N, 8, 16), got {a.dtype} {a.shape}")
  if a.size and (a.min() < 0 or a.max() > np.iinfo(np.int16).max):  # int16 would wrap them into other, valid ids
    raise ValueError(f"{where}: token ids must be in [0, 32768), got {a.min()}..{a.max()}")
  return a.astype(np.int16)

def unique_videos(files: list[Path]) -> list[Path]:
  """files without the token shards of a video an earlier one holds too (a source ingested again from another folder
  gets a second shard: the same frames landed in train and in val), each one dropped named on stderr."""
  import h5py
  from data.dataset import shard_routes
  kept, _, dups = shard_routes([f for f in files if f.suffix == ".h5"])
  seen = {}
  for f in kept:  # import-commavq's shard keeps its .npy's checksum: the .npy beside it (imported into its own folder) is
    with h5py.File(f, "r") as h: seen.setdefault(str(h.attrs.get("checksum", "")), f)  # the same drive, counted twice
  for f in (f for f in files if f.suffix == ".npy"):  # commaVQ files carry no checksum: the same tokens are the same drive
    keys = (npy_checksum(f), "sha256:" + hashlib.sha256(f.read_bytes()).hexdigest(),  # (and the same bytes: shards imported before kept those)
            *[c for c in [npy_sidecar(f).get("checksum")] if c])   # (and the video of the shard it was exported from)
    if (first := next((seen[k] for k in keys if k in seen), None)) is not None: dups.append((f, first))
    else: seen.update(dict.fromkeys(keys, f))
  for dup, first in dups: print(f"warning: {dup}: the same video as {first}; left out", file=sys.stderr)
  drop = {d for d, _ in dups}
  return [f for f in files if f not in drop]

def _two_grids(f: Path, grid: tuple, grids: dict):
  other = next(g for g in grids if g != grid)
  raise ValueError(f"{f}: a {grid[0]}x{grid[1]} token grid, {grids[other]} a {other[0]}x{other[1]} one: one tokens folder must come from one tokenizer")

def load_segments(path: str, augmented: bool = True, vocab: Optional[int] = None, tokens_per_frame: Optional[int] = None,
                  what: str = "data.tokens") -> list[Segment]:
  """Every token segment under path: token shards from `drivegpt tokenize` (.h5 with 'tokens' and, when has_pose, 'pose')
  or commaVQ .npy files (1200 x 128 or 1200 x 8 x 16 token ids; its pose files are left out: token_files). A folder is searched recursively. augmented=False
  leaves out yaw-augmented copies (`tokenize --yaw-copies`): the stages that seed from or score recordings. With vocab,
  an id outside [0, vocab) is an error naming its file (the JIT's recorded gather read one as NaN), and so, with
  tokens_per_frame, is a file of another grid size (the model named neither file nor key). Shards recorded at another
  rate than 20 fps are refused: frame strides and the pose statistics count 20 fps frames. what: the option or key that named
  path, for errors (a rollout's --shards was called data.tokens)."""
  spill: list = []  # the Spill it makes, if any: its file closed if the load fails (a notebook's kept traceback held it)
  try: return _load_segments(path, augmented, vocab, tokens_per_frame, what, spill)
  except BaseException:
    for sp in spill: sp.file.close()
    raise

def _load_segments(path: str, augmented: bool, vocab: Optional[int], tokens_per_frame: Optional[int], what: str, spills: list) -> list[Segment]:
  from data.layout import not_being_written  # here: bench/ has a data.py of its own, first on a bench's path
  p = Path(path)
  if not p.exists(): raise FileNotFoundError(f"{what}: {path} does not exist")
  not_being_written(p)
  files = token_files(p)
  if not files: raise ValueError(f"{what}: no token files (.h5 token shards or commaVQ .npy) under {path}")
  # in the order of their import-commavq (flat) names: a/x.npy came before a0/y.npy, their imports a0_y.h5 before a_x.h5,
  # and eval-world's windows and lzma's bits, taken over the segments in order, differed between the two
  from train.tokenize import flat_name
  files = sorted(unique_videos(files), key=lambda f: flat_name(f, p))
  segs, grids, spill, faults = [], {}, None, []
  if (need := sum(f.stat().st_size for f in files)) > SPILL_AT: spills.append(spill := Spill(need))
  def keep(seg: Segment):  # (a segment's ids and grid are checked as it is read, before a spill; said after the folder's checks)
    where = p / seg.name if p.is_dir() else path
    if vocab is not None and len(seg.tokens) and not (0 <= seg.tokens.min() and seg.tokens.max() < vocab):
      faults.append(f"{where}: token ids {seg.tokens.min()}..{seg.tokens.max()} are outside the model's vocabulary [0, {vocab})")
    if tokens_per_frame is not None and seg.tokens.shape[1] != tokens_per_frame:
      faults.append(f"{where}: {seg.tokens.shape[1]} tokens a frame (its token grid, h x w), but the model's "
                    f"model.tokens_per_frame is {tokens_per_frame}: set model.tokens_per_frame={seg.tokens.shape[1]}, or use tokens of that grid")
    if spill is not None: seg.tokens = spill.add(seg.tokens)  # (where they are: views once all are read and checked)
    segs.append(seg)
  copies = 0  # yaw-augmented copies left out
  for f in files:
    name = str(f.relative_to(p)) if p.is_dir() else f.name
    if f.suffix == ".npy":  # commaVQ-sized (128 tokens a frame) checked as import-commavq does: a (N, 16, 8) grid or ids
      from train.tokenize import load_npy, read_commavq  # past 1024 were taken as they were
      a = load_npy(f)
      commavq = a.ndim > 1 and np.prod(a.shape[1:]) == 128  # (a user's own may have more codes than commaVQ's 1024)
      if a.ndim == 3 and grids.setdefault(a.shape[1:], f) and len(grids) > 1: _two_grids(f, a.shape[1:], grids)
      check_fps(f, (side := npy_sidecar(f)).get("fps"))   # (read once: it was four times a file)
      keep(Segment(name, _as_tokens(read_commavq(f, max(vocab or 0, 1024)) if commavq else a, str(f)), None, npy_route(f, p, side),
                   tokenizer=tokenizer_of({"tokenizer": npy_tokenizer(f, side)}, f), video=str(side.get("checksum", ""))))
      continue
    import h5py
    try:
      with h5py.File(f, "r") as h:
        if "tokens" not in h: raise ValueError(f"{f}: not a token shard (no 'tokens' dataset; found {sorted(h, key=str)})")
        is_copy = "augment" in h.attrs
        if is_copy and not augmented:  # (not read only to be dropped)
          copies += 1
          continue
        grid = h["tokens"].shape[1:] if h["tokens"].ndim == 3 else None
        if grid and grids.setdefault(grid, f) and len(grids) > 1: _two_grids(f, grid, grids)  # (16x8 and 8x16 rows of 128 were read alike)
        tokens = _as_tokens(h["tokens"][()], str(f))
        if (has_pose := flag(h.attrs, "has_pose", "pose" in h, f)) and "pose" not in h:  # (loaded pose-less, unsaid: a review)
          raise ValueError(f"{f}: has_pose is set but the shard has no 'pose' dataset (damaged, or made by hand?)")
        pose = h["pose"][()].astype(np.float32) if has_pose else None
        speed = h["speed"][()] if flag(h.attrs, "has_can", "speed" in h, f) and "speed" in h else None
        route, tokenizer, video = stored_route(h.attrs.get("route", "")), tokenizer_of(h.attrs, f), shard_video(h.attrs, lambda: token_sum(tokens))
        times = h["frame_times"][()] if "frame_times" in h else None
        check_fps(f, h.attrs.get("fps"))
    except (OSError, RuntimeError, KeyError) as e: raise ValueError(f"{f}: not a readable token shard ({e})") from None  # (h5py: damaged metadata is a RuntimeError or KeyError, a traceback naming no file)
    if pose is not None and (pose.shape != (len(tokens), 6) or not np.isfinite(pose).all()):
      raise ValueError(f"{f}: pose {pose.shape} must be finite and (N, 6) with N = {len(tokens)} frames")
    pieces = gap_pieces(times, len(tokens), f)
    if pose is not None: check_motion(f, pose, pieces)
    if speed is not None:  # (read: rollouts started at the pose's forward motion, up to 8% under the car's speed). Only
      # a rollout's start reads it: a damaged one is said and left out, not the folder refused (train-world reads none)
      if speed.shape not in ((len(tokens),), (len(tokens), 1)) or len(bad := np.flatnonzero(~(np.abs(speed.reshape(-1)) <= MAX_SPEED))):
        print(f"warning: {f}: speed " + (f"{speed.shape} is not one per frame ({len(tokens)})" if speed.shape not in ((len(tokens),), (len(tokens), 1))
              else f"at frame {bad[0]} is {speed.reshape(-1)[bad[0]]:g} m/s (not finite, or over {MAX_SPEED:g})") +
              ": not used (rollouts from it start at its poses' motion, or 0 m/s without them)", file=sys.stderr)
        speed = None
      else: speed = speed.reshape(-1).astype(np.float32)
    if len(pieces) == 1: keep(Segment(name, tokens, pose, route, is_copy, tokenizer, video, speed))
    for k in pieces if len(pieces) > 1 else ():  # (one drive: a route, so the split keeps its pieces together)
      keep(Segment(f"{name}@{k.start}", tokens[k], pose[k] if pose is not None else None, route or name, is_copy, tokenizer, video,
                   speed[k] if speed is not None else None))
  check_one_tokenizer(segs, path)
  if any(s.pose is None for s in segs) and any(s.pose is not None for s in segs):  # the model would be scored or
    bare = next(s.name for s in segs if s.pose is None)                           # trained without its poses
    raise ValueError(f"{what}: {path} mixes segments with poses and without ({bare} has none): a pose-conditioned model "
                     "needs them all, an unconditioned one none; put them in separate folders")
  if faults: raise ValueError(faults[0])
  if copies and not segs:  # (it said "no segments" later, as if the folder were empty)
    raise ValueError(f"{what}: {path} holds only yaw-augmented copies ({copies}, tokenize --yaw-copies): this reads recordings; give the folder of their recordings")
  for s in segs if spill is not None else (): s.tokens = spill.view(s.tokens)
  return segs

def split_segments(segs: list[Segment], split: str, val_fraction: float, seed: int = 0) -> list[Segment]:
  """Held-out segments by route, the data stage's seeded hash split (data.dataset.split_segments): a drive's segments
  stay on one side, and with the same val_fraction and seed the held-out drives are the VQVAE's too (by segment name,
  each drive was on both sides). A segment without a route is a route of its own. Held-out numbers are about recorded
  driving: an augmented copy of a held-out drive is in neither split (its drive is held out, it is not a recording)."""
  from data.dataset import split_segments as by_route
  picked = by_route(segs, split, val_fraction, seed, [s.route or s.name for s in segs])
  return [s for s in picked if not s.augmented] if split == "val" else picked

class Windows:
  """Windows of `frames` frames, `stride` apart, from token segments; batch(i) is a function of (seed, i) only, so a resumed
  run reads the same batches. Each window's pose[:, f] is the motion into its frame f (from the frame stride before)."""
  def __init__(self, segs: list[Segment], frames: int, stride: int, seed: int = 0, what: str = "data.tokens"):
    """what names the segments in errors (the held-out ones, say)."""
    self.frames, self.stride, self.seed = frames, stride, seed
    span = (frames - 1) * stride + 1
    self.segs = [s for s in segs if len(s.tokens) >= span + stride]
    if not segs: raise ValueError(f"{what}: no segments")
    if not self.segs: raise ValueError(f"{what}: none of the {len(segs)} segments (the longest {max(len(s.tokens) for s in segs)} frames, "
                                       f"{segs[0].name}...) has the {span + stride} frames a window of {frames} frames, stride {stride}, needs")
    if short := [s.name for s in segs if len(s.tokens) < span + stride]:  # (a crash ends a recording early)
      print(f"{what}: {len(short)} of {len(segs)} segments have fewer than the {span + stride} frames a window of {frames} frames, "
            f"stride {stride}, needs, and are left out: {', '.join(short[:5])}{', ...' if len(short) > 5 else ''}", file=sys.stderr)
    self.has_pose = all(s.pose is not None for s in self.segs)
    self.motion = [strided_motion(s.pose, stride) if s.pose is not None else None for s in self.segs]
    # a window starts at frame >= stride, so its first frame has a motion into it too
    self.starts = np.array([len(s.tokens) - span - stride + 1 for s in self.segs])
    self.cum = np.concatenate([[0], np.cumsum(self.starts)])

  def __len__(self) -> int: return int(self.cum[-1])

  def window(self, k: int) -> tuple[np.ndarray, Optional[np.ndarray]]:
    """Window k of all (in segment order): tokens (F, N) int16, pose (F, 6) float32 or None."""
    i = int(np.searchsorted(self.cum, k, side="right") - 1)
    idx = self.stride + (k - self.cum[i]) + self.stride * np.arange(self.frames)
    return self.segs[i].tokens[idx], (self.motion[i][idx] if self.has_pose else None)

  def batch(self, i: int, batch_size: int) -> tuple[np.ndarray, Optional[np.ndarray]]:
    """Batch i: tokens (B, F, N) int32, pose (B, F, 6) float32 or None."""
    ks = np.random.default_rng([self.seed, i]).integers(0, len(self), batch_size)
    return self.stack(ks)

  def stack(self, ks) -> tuple[np.ndarray, Optional[np.ndarray]]:
    ws = [self.window(int(k)) for k in ks]
    return np.stack([w[0] for w in ws]).astype(np.int32), (np.stack([w[1] for w in ws]) if self.has_pose else None)

  def pose_stats(self) -> tuple[list, list]:
    """Mean and std of the strided motions over all windows' frames: the model normalises poses with them."""
    m = np.concatenate([mo[self.stride:] for mo in self.motion]).astype(np.float64)
    names = ("forward motion", "sideways motion", "vertical motion", "roll", "pitch", "yaw")   # (data/pose.py's order)
    if flat := [name for name, sd in zip(names, m.std(0)) if not sd > 1e-6]:  # (its std floored at 1e-6: a motion fed later read 1e6x)
      print(f"warning: the poses' {', '.join(flat)} never change over the training frames: the model learns nothing of "
            "{} (a pose input fed later is read as far outside what it saw)".format("it" if len(flat) == 1 else "them"), file=sys.stderr)
    return m.mean(0).tolist(), np.maximum(m.std(0), 1e-6).tolist()

def describe(segs: list[Segment]) -> str:
  return json.dumps({"segments": len(segs), "frames": int(sum(len(s.tokens) for s in segs)),
                     "with_pose": int(sum(s.pose is not None for s in segs))})
