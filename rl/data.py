"""Driving samples for the RL stage's supervised models: token segments with the poses, speeds, actions and takeover labels
of their frames, and the (context, target) samples the disengagement model and behaviour cloning train on.

Token segments are HDF5 files holding `tokens` ((N, 8, 16) as `drivegpt tokenize` writes them, or (N, 128)) and the frame
shard's `pose`, `speed`, `action`, `disengage`, `disengage_cause` (what `drivegpt tokenize` writes).
"""
from __future__ import annotations
import json, math
from dataclasses import dataclass, field, replace
from typing import ClassVar, Optional
from pathlib import Path
import sys
import numpy as np
from drivegpt.models.policy import DrivingNetConfig
from train.stage import ConfigError
from train.world_data import MAX_SPEED, _as_tokens, check_fps, gap_pieces, check_motion, flag, stored_route, check_one_tokenizer, tokenizer_of, unique_videos

FPS = 20
WHEELBASE = 5.0          # m: highway-env's car length, the recorder's steering geometry (data/road.py CAR_LENGTH)
HUMAN_SECONDS = 4.0      # after a takeover the human drives for 2-4 s: those frames are not the system's driving
LABELS = ("tokens", "pose", "speed", "action", "disengage", "disengage_cause")

@dataclass
class DrivingSegment:
  name: str
  tokens: np.ndarray       # (N, 128) int: a file's (N, 8, 16) flattened
  pose: np.ndarray         # (N, 6) motion from frame i to i+1 (data stage layout)
  speed: np.ndarray        # (N,) m/s
  action: np.ndarray       # (N, 2) acceleration m/s^2, front-wheel angle rad (+ = left)
  disengage: np.ndarray    # (N,) 1 on a takeover frame
  cause: np.ndarray        # (N,) cause index of each takeover frame
  route: str = ""          # the drive it belongs to ("": the segment alone)
  grid: tuple = ()         # the token grid (h, w) the shard stored, () for flat token rows
  lane: np.ndarray = None  # (N, 2) [offset m from the centre of the lane the car is in, + = right; heading error rad], or
                           # None: a recorder's ground truth (`lane`), not a camera's: a training target, never an input
  tokenizer: str = ""      # train.world_data.tokenizer_of its shard
  times: np.ndarray = None # (N,) the frames' times, s (the shard's frame_times), or None: which segments follow on (drive_labels)
  ended: bool = False      # the drive ended before its recording's length (the recorder stops a drive at a crash): no censoring

def ended_early(driver, n: int) -> bool:
  """Did a recorder's segment of n frames end at a crash (its driver.json, kept in the shard's `driver` attribute, says
  human_crash), or before the --seconds it was asked for (a segment recorded before that key)? The recorder stops a
  drive at a crash. False where the shard does not say (a real drive's)."""
  try: d = json.loads(driver) if driver is not None else {}
  except (ValueError, TypeError, RecursionError): return False
  asked = d.get("seconds") if isinstance(d, dict) else None
  if isinstance(d, dict) and isinstance(d.get("human_crash"), bool): return d["human_crash"]  # (on the last frame too, where the length
  # can't tell; and a segment that lost frames, edited or dropped, did not end early)
  return isinstance(asked, (int, float)) and not isinstance(asked, bool) and n < round(asked * FPS)

def curvature_from_steer(angle: np.ndarray) -> np.ndarray:
  """Front-wheel angle (rad) -> path curvature (1/m) of the kinematic bicycle: tan(angle) / wheelbase."""
  return np.tan(angle) / WHEELBASE

def steer_from_curvature(curvature: np.ndarray) -> np.ndarray:
  """Path curvature (1/m) -> front-wheel angle (rad)."""
  return np.arctan(curvature * WHEELBASE)

def load_driving_segments(path: str) -> list[DrivingSegment]:
  """Every token segment with labels under path (a folder, searched recursively, or one .h5 file)."""
  import h5py
  p = Path(path)
  if not p.exists(): raise FileNotFoundError(f"tokens: {path} does not exist")
  from data.layout import SHARD, files_under, not_being_written
  not_being_written(p)
  files = files_under(p, (".h5",))
  if not files: raise ValueError(f"tokens: no .h5 token segments under {path}")
  files = unique_videos(files)
  segs = []
  for f in files:
    try:
      with h5py.File(f, "r") as h:
        if "augment" in h.attrs:  # its frames slid sideways; the takeovers and actions are the recording's
          print(f"note: {f}: a yaw-augmented copy (the world model's training data), left out", file=sys.stderr)
          continue
        if missing := [k for k in LABELS if k not in h]:
          raise ValueError(f"{f}: a token segment for the RL stage needs {list(LABELS)}; missing {missing} "
                           "(make token shards with `drivegpt tokenize --ckpt VQVAE_RUN --shards FRAME_SHARDS --out DIR`)")
        # a plain video's shard holds zeros in place of these: read, it was a stopped car that nobody ever took over from
        if absent := [k for k in ("has_pose", "has_can", "has_action", "has_disengage") if not flag(h.attrs, k, True, f)]:
          raise ValueError(f"{f}: the RL stage needs pose, speed, actions and takeovers; this segment has none of {absent} "
                           "(a plain video's): leave it out of the tokens folder")
        a, route, tokenizer = {k: h[k][()] for k in LABELS}, stored_route(h.attrs.get("route", "")), tokenizer_of(h.attrs, f)
        if "lane" in h and flag(h.attrs, "has_lane", True, f): a["lane"] = h["lane"][()]
        if "frame_times" in h: a["frame_times"] = h["frame_times"][()]
        check_fps(f, h.attrs.get("fps"), "the RL stage counts takeover horizons and the human's driving time")  # (in frames)
        driver = h.attrs.get("driver")
    except (OSError, RuntimeError, KeyError) as e: raise ValueError(f"{f}: not a readable token shard ({e})") from None  # (h5py: damaged metadata is a RuntimeError or KeyError, a traceback naming no file)
    n, grid = len(a["tokens"]), a["tokens"].shape[1:] if a["tokens"].ndim == 3 else ()
    if not n:  # ("cannot reshape array of size 0")
      print(f"note: {f}: no frames, left out", file=sys.stderr)
      continue
    a["tokens"] = a["tokens"].reshape(n, -1)
    if segs and (a["tokens"].shape[1], grid) != (segs[0].tokens.shape[1], segs[0].grid):  # a model reads one layout
      raise ValueError(f"{f}: token grid {grid or a['tokens'].shape[1:]} differs from {segs[0].name}'s "
                       f"{segs[0].grid or segs[0].tokens.shape[1:]}: one tokens folder must come from one tokenizer")
    if any(len(v) != n for v in a.values()): raise ValueError(f"{f}: arrays of different lengths {({k: len(v) for k, v in a.items()})}")
    # a pose of 3 columns was an IndexError naming no file; one of 8, or actions of 3, had their extra columns dropped
    if odd := [k for k in ("pose", "speed", "action", "disengage", "disengage_cause", "frame_times") if k in a and a[k].shape[1:] != SHARD[k][1]]:
      raise ValueError(f"{f}: '{odd[0]}' of shape {a[odd[0]].shape}: a shard holds {('N', *SHARD[odd[0]][1])} (a damaged shard?)".replace("'N'", "N"))
    if "lane" in a and (a["lane"].ndim != 2 or a["lane"].shape[1] < 4): raise ValueError(f"{f}: 'lane' {a['lane'].shape} must be (N, 5): [offset, heading error, curvature, edge margin, blinker]")
    for k in [k for k in ("pose", "speed", "action", "lane", "frame_times") if k in a]:  # one NaN made every loss NaN, and the metrics scored NaN as if it ranked
      if not np.isfinite(a[k]).all(): raise ValueError(f"{f}: '{k}' is not finite at frame {int(np.flatnonzero(~np.isfinite(a[k]).reshape(n, -1).all(1))[0])}")
    pieces = gap_pieces(a["frame_times"] if "frame_times" in a else None, n, f)   # (refuses times that don't increase: the
    check_motion(f, a["pose"].reshape(n, -1), pieces)                              # drive's segments are ordered by them)
    if len(fast := np.flatnonzero(np.abs(a["speed"].reshape(n)) > MAX_SPEED)):  # (1e30 trained, then Platt's fold gave NaN: "diverged?")
      raise ValueError(f"{f}: 'speed' at frame {fast[0]} is {a['speed'].reshape(n)[fast[0]].item():g} m/s: over {MAX_SPEED:g} (m/s is the unit)")
    # a takeover is 1: -1 (stored as int8: "unknown") became 255 and a takeover, 0.9 a 0 (no takeover), 2 was summed as two
    if bad := np.flatnonzero((a["disengage"] != 0) & (a["disengage"] != 1)).tolist():
      raise ValueError(f"{f}: 'disengage' must be 0 or 1 (a takeover), got {a['disengage'].reshape(-1)[bad[0]].item()!r} at frame {bad[0]}")
    a["tokens"] = _as_tokens(a["tokens"], str(f))   # (fractional ids were truncated: 781.7 read as 781; NaN as -2^31)
    seg = DrivingSegment(str(f.relative_to(p)) if p.is_dir() else f.name, a["tokens"].astype(np.int32), a["pose"].astype(np.float32),
                         a["speed"].astype(np.float32).reshape(n), a["action"].astype(np.float32), a["disengage"].astype(np.uint8),
                         a["disengage_cause"].astype(np.uint8), route, tuple(grid), visible_lane(a.get("lane")), tokenizer,
                         a["frame_times"].astype(np.float64).reshape(n) if "frame_times" in a else None, ended_early(driver, n))
    # (pieces: drive_labels reads them on as one drive's pieces, the human's seconds across a gap too)
    segs += [seg] if len(pieces) == 1 else [replace(seg, name=f"{seg.name}@{k.start}", route=route or seg.name, ended=seg.ended and k.stop == n,
                                                  **{x: getattr(seg, x)[k] for x in ("tokens", "pose", "speed", "action", "disengage", "cause", "lane", "times") if getattr(seg, x) is not None})
                                          for k in pieces]
  if not segs: raise ValueError(f"tokens: {path} holds only yaw-augmented copies; the RL stage reads recorded segments")
  check_one_tokenizer(segs, path, "tokens")
  return segs

def visible_lane(lane) -> np.ndarray:
  """The recorder's lane signal (N, 5) -> (N, 2) float32 [offset m, heading error rad], the offset as the camera sees it.
  The recorder logs the offset from the lane being kept, which jumps a lane width when a lane change begins, before the
  camera sees any of it (26% of recorded frames are over 1 m off the kept lane's centre): more than 3/4 of a lane away,
  the offset is taken from the nearest lane centre instead; off the road (edge margin < 0) it is from the outer lane's
  centre, half a lane plus the distance past the edge, on the side the car left by. That side is not the offset's sign
  when the kept lane is one beyond the edge (the exit fault steers for a lane the map lacks): the recorder's offset from
  lane k is lat - k W, past the left edge (lat = edge - W/2) edge - W/2 - k W and past the right one W/2 - edge + k' W,
  so the side is the one whose form the offset has. Lanes are the recorder's LANE_WIDTH wide."""
  if lane is None: return None
  from data.road import LANE_WIDTH as W
  raw, margin = lane[:, 0].astype(np.float64), lane[:, 3].astype(np.float64)
  wrap = lambda x: np.abs((x + W / 2) % W - W / 2)   # distance to the nearest whole number of lanes
  off = np.where(np.abs(raw) > 0.75 * W, (raw + W / 2) % W - W / 2, raw)
  left, right = wrap(raw - margin + W / 2), wrap(raw + margin - W / 2)
  side = np.where(np.isclose(left, right, atol=1e-3), np.sign(raw), np.where(left < right, -1.0, 1.0))
  off = np.where(margin < 0, side * (W / 2 - margin), off)
  return np.stack([off, lane[:, 1]], 1).astype(np.float32)

def token_layout(segs: list[DrivingSegment], given_grid: Optional[list] = None) -> dict:
  """The DrivingNetConfig keys the tokens fix: tokens_per_frame, and the grid when the shards stored one (a flat row of
  128 could be 8x16 or 16x8, and a conv over the wrong one would train without an error). given_grid, a model.grid the
  command gave, must then be that grid (it was replaced without a word)."""
  g = segs[0].grid
  if g and given_grid is not None and list(given_grid) != list(g):
    raise ConfigError(f"model.grid={list(given_grid)}: the token segments store a {list(g)} grid, which the stage reads; leave model.grid out")
  return {"tokens_per_frame": segs[0].tokens.shape[1], **({"grid": list(g)} if g else {})}

def takeover_labels(disengage: np.ndarray, horizons: list, fps: int = FPS, ended: bool = False) -> tuple[np.ndarray, np.ndarray]:
  """Per frame and horizon: labels (N, H), 1 when a takeover happens within (t, t + horizon]; and a mask (N, H) of the
  labels that are known on frames the system drove (not a takeover frame nor the human's HUMAN_SECONDS after it). A
  frame less than a horizon before the end of a segment the recording stopped (not one whose last frame is a takeover)
  is masked for that horizon, whatever its label: a takeover may have come after the end (they were labelled 0, so
  the last seconds of every segment taught "nobody takes over here"), and keeping only the positives there would bias
  the rate the other way. A drive that ended (a takeover on its last frame, or ended: a crash in the human's hands after
  one, where the recorder stops) is whole: its last frames' futures are known (a crash's positives were masked)."""
  n, events = len(disengage), np.flatnonzero(disengage)
  labels, drove = np.zeros((n, len(horizons)), np.float32), np.ones(n, bool)
  for e in events:
    for j, h in enumerate(horizons): labels[max(0, e - int(round(h * fps))):e, j] = 1
    drove[e:e + int(round(HUMAN_SECONDS * fps))] = False
  seen = np.arange(n)[:, None] + np.round(np.array(horizons) * fps)[None].astype(int) <= n - 1   # (N, H)
  return labels, drove[:, None] & (seen | bool(n and (disengage[-1] or ended)))

def drive_labels(segs: list[DrivingSegment], horizons: list, fps: int = FPS) -> list[tuple[np.ndarray, np.ndarray]]:
  """takeover_labels of each segment, read on through the segments that continue it: segments of one route whose frame
  times follow on within 2.5 frames (a drive cut into pieces, as comma2k19's 60 s segments; one frame dropped at the
  join, as ingest keeps inside a piece, split the drive: the human's seconds after a takeover read as the system's) are labelled as the one
  recording they are, so a segment's last seconds see the takeovers at the start of the next (labelled apart, they were
  censored as if the recording had stopped) and a takeover at its end makes the next one's first seconds the human's.
  Segments without frame times or of no route, and ones apart in time (the recorder's each start at t = 0), stand alone;
  but a piece of a route that starts less than HUMAN_SECONDS after a takeover in its route's earlier piece (a gap too
  long to join: frames missing) has those first frames masked as the human's (they were the system's, unsaid)."""
  timed = {i for i, g in enumerate(segs) if g.route and g.times is not None and len(g.times)}
  out, chains = [None] * len(segs), [[i] for i in range(len(segs)) if i not in timed]
  for i in sorted(timed, key=lambda i: (segs[i].route, segs[i].times[0])):
    prev = segs[chains[-1][-1]] if chains and chains[-1][-1] in timed else None
    if prev is not None and prev.route == segs[i].route and 0 < segs[i].times[0] - prev.times[-1] <= 2.5 / fps: chains[-1].append(i)
    else: chains.append([i])
  last = {}  # route -> (end time, time of the latest takeover or None) of its pieces so far (a route's chains come in time order)
  for chain in chains:
    labels, mask = takeover_labels(d := np.concatenate([segs[i].disengage for i in chain]), horizons, fps, segs[chain[-1]].ended)
    if chain[0] in timed:
      t, route = np.concatenate([segs[i].times for i in chain]), segs[chain[0]].route
      end, e = last.get(route, (None, None))
      if e is not None and t[0] > end: mask[(t >= e) & (t - e < HUMAN_SECONDS - 0.5 / fps)] = False  # (pieces whose clocks restart: apart)
      last[route] = (max(t[-1], end if end is not None else t[-1]), t[np.flatnonzero(d)[-1]] if d.any() else e)
    for i, lo in zip(chain, np.cumsum([0] + [len(segs[i].disengage) for i in chain])):
      out[i] = labels[lo:lo + len(segs[i].disengage)], mask[lo:lo + len(segs[i].disengage)]
  return out

@dataclass
class Samples:
  tokens: np.ndarray    # (M, K, N): frames t - stride*(K-1) .. t
  pose: np.ndarray      # (M, P, 6): the last P ego motions, each over stride frames, into frame t - stride*(P-1) .. t
  speed: np.ndarray     # (M,) at frame t
  action: np.ndarray    # (M, 2): [acceleration m/s^2, curvature 1/m] commanded at frame t
  labels: np.ndarray    # (M, H)
  mask: np.ndarray      # (M, H) the system was driving and the label is known (takeover_labels)
  segment: np.ndarray   # (M,) index of the segment
  lane: np.ndarray      # (M, 2) visible_lane at frame t, NaN where the segment has none

def make_samples(segs: list[DrivingSegment], frames: int, stride: int, horizons: list, motions: int) -> Samples:
  """Every frame t with a full context (t >= stride * max(frames, motions)) of every segment, as one sample."""
  from train.world_data import strided_motion
  out = {k: [] for k in Samples.__dataclass_fields__}
  for i, (s, (labels, mask)) in enumerate(zip(segs, drive_labels(segs, horizons))):
    t = np.arange(stride * max(frames, motions), len(s.tokens))
    if not len(t): continue
    ctx = t[:, None] - stride * np.arange(frames - 1, -1, -1)[None]           # (M, K)
    out["tokens"].append(s.tokens[ctx])
    out["pose"].append(strided_motion(s.pose, stride)[t[:, None] - stride * np.arange(motions - 1, -1, -1)[None]])
    out["speed"].append(s.speed[t])
    out["action"].append(np.stack([s.action[t, 0], curvature_from_steer(s.action[t, 1])], 1))
    out["labels"].append(labels[t])
    out["lane"].append(s.lane[t] if s.lane is not None else np.full((len(t), 2), np.nan, np.float32))
    out["mask"].append(mask[t])
    out["segment"].append(np.full(len(t), i))
  if not out["tokens"]: raise ValueError(f"no segment is longer than the {stride * max(frames, motions)} frames a context needs")
  return Samples(**{k: np.concatenate(v) for k, v in out.items()})

def encode_frames(vqvae, frames: np.ndarray) -> np.ndarray:
  """uint8 frames (B, H, W, 3) -> tokens (B, h*w) int32 from the VQVAE's encoder, without building a graph for gradients."""
  from drivegpt import Tensor
  from drivegpt.models.vqvae import to_input
  prev, Tensor.no_grad = Tensor.no_grad, True
  try: return vqvae.encode(Tensor(to_input(frames))).numpy().reshape(len(frames), -1).astype(np.int32)
  finally: Tensor.no_grad = prev

@dataclass
class TokenStageConfig:
  """What train-disengage and train-policy --algo bc share: labelled token segments, the model, the loop."""
  out: str = ""
  tokens: str = ""                 # token segments with labels (drivegpt tokenize of frame shards)
  vqvae: str = ""                  # the VQVAE run whose codebook the tokens index
  model: DrivingNetConfig = field(default_factory=DrivingNetConfig)
  stride: int = 2                  # recorded frames between context frames (the world model's frame_stride)
  steps: int = 1500
  epochs: float = 0.0              # with steps=0: train this many passes' worth of samples (batches drawn with replacement)
  batch_size: int = 128
  lr: float = 1e-3
  weight_decay: float = 0.05
  val_fraction: float = 0.25
  split_seed: int = 0
  eval_every: int = 250
  seed: int = 0
  # keys a command may not give, and why: the stage sets them itself, or its model never reads them (each trained
  # without a word as if unset)
  IGNORED: ClassVar[dict] = {"model.vocab_size": "set from the VQVAE run's codebook (vqvae=)",
                             "model.code_dim": "set from the VQVAE run's codebook (vqvae=)",
                             "model.tokens_per_frame": "set from the token segments (tokens=)"}

  def check(self) -> None:
    if not self.tokens: raise ConfigError("tokens is required: a folder of token segments with labels")
    if not self.vqvae: raise ConfigError("vqvae is required: the VQVAE run whose codebook the tokens index")
    for k in ("stride", "batch_size", "eval_every"):
      if getattr(self, k) < 1: raise ConfigError(f"{k} must be >= 1, got {getattr(self, k)}")
    if self.steps < 0 or not self.epochs >= 0 or (self.steps == 0 and not self.epochs > 0):
      raise ConfigError(f"steps must be >= 1, or 0 with epochs > 0; got steps={self.steps}, epochs={self.epochs}")
    if not 0 < self.val_fraction < 1: raise ConfigError(f"val_fraction must be in (0, 1), got {self.val_fraction}")

  def check_given(self, given: set) -> None:
    """Refuse keys a command gave (given: flat keys of its config file and overrides) that it would ignore: those in
    IGNORED and model.pool beside a conv net, when set to other than the default (the default is what the stage does
    anyway, and a saved run's config.yaml, which holds every key, can be handed back as --config); epochs > 0 beside
    steps > 0, even at its default (train-disengage steps=500 epochs=2.5 trained 500 steps without a word)."""
    from train.stage import _flat, to_dict
    mine, default = _flat(to_dict(self)), _flat(to_dict(type(self)()))
    changed = {k for k in given if k in mine and mine[k] != default.get(k)}
    self.given_grid = self.model.grid if "model.grid" in given else None  # (token_layout checks it against the tokens' grid)
    if bad := next((k for k in self.IGNORED if k in changed), None):
      raise ConfigError(f"{bad} has no effect here: {self.IGNORED[bad]}; leave it out")
    if "model.pool" in changed and self.model.conv:
      raise ConfigError(f"model.pool counts only with model.conv=0 (pooled token cells); with model.conv={self.model.conv} "
                        "convolutions read the whole grid: leave model.pool out, or give model.conv=0")
    if "epochs" in given and self.epochs > 0 and self.steps > 0:
      raise ConfigError(f"epochs={self.epochs} counts only with steps=0, and steps={self.steps}: give steps=0 epochs={self.epochs} "
                        f"to train {self.epochs} passes, or leave epochs out")
    # unused beside steps, and a run saves its config whole: left at train-disengage's 2.5, that config.yaml handed back
    # as --config (a file that gives every key) was refused for the line above
    if self.steps > 0: self.epochs = 0.0

SAVED_BEFORE = {"model.conv": 0, "model.lane_head": False, "epochs": 0.0}  # what runs saved before each key had: pooled
                                                                           # cells, no lane head, a fixed step count

def train_steps(cfg: TokenStageConfig, n_train: int) -> int:
  """The optimizer steps a run takes: cfg.steps, or with steps 0, cfg.epochs passes of n_train frames in batches."""
  return cfg.steps or max(1, math.ceil(cfg.epochs * n_train / cfg.batch_size))

def fit_step(opt, loss) -> None:
  """One optimizer step of BC and train-disengage on loss: gradients clipped to norm 1, the update realized with loss."""
  from drivegpt.nn.optim import clip_grad_norm_
  opt.zero_grad()
  loss.backward()
  clip_grad_norm_(opt.params, 1.0)
  opt.step(loss)

def warmup_steps(steps: int) -> int:
  """The learning rate's warmup of a run of steps: 50, a tenth of a shorter run (a 30-step run ramped to 3/5 of lr and
  never decayed, without a word)."""
  return min(50, steps // 10)

def saved_config(cls, conf: dict):
  """The config of a saved train-disengage or train-policy run, the keys of SAVED_BEFORE it lacks filled in: one saved
  before `model.conv` existed was built with pooled cells, not this version's default conv net (whose weights it lacks)."""
  from train.stage import build
  conf = json.loads(json.dumps(conf))  # a copy to fill in
  for key, value in SAVED_BEFORE.items():
    *sections, leaf = key.split(".")
    d = conf
    for k in sections: d = d.get(k) if isinstance(d.get(k), dict) else {}
    d.setdefault(leaf, value)
  return build(cls, conf)
