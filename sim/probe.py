"""Closed-loop check of the simulator: does steering move the world? The probe measures how far the road and its lane
markings have slid sideways in the image since a reference frame (the best-matching shift of the road band's column
profile), and is calibrated on recorded frames against the yaw the car turned (pixels per radian, from the poses).
Rollouts commanded to steer left and right from the same seeds should slide the markings in opposite directions.

  python -m sim.probe --world RUNDIR --vqvae RUNDIR --tokens TOKDIR --frames DIR [--val-frames DIR] [--n 16 --seconds 2]
"""
from __future__ import annotations
import argparse, os, sys, warnings
from typing import Optional
import numpy as np
from drivegpt.cli import HelpFormatter, at_least, json_line, path_arg

MAX_SHIFT = 48   # pixels searched either way (a quarter of the width at most)

def road_profile(frames: np.ndarray) -> np.ndarray:
  """uint8 frames (B, H, W, 3) -> (B, W): the grey road band below the horizon averaged over rows, mean removed."""
  g = frames.astype(np.float32).mean(-1)
  p = g[:, int(0.45 * g.shape[1]):int(0.85 * g.shape[1])].mean(1)
  return p - p.mean(1, keepdims=True)

def marking_shift(ref: np.ndarray, frames: np.ndarray) -> np.ndarray:
  """Pixels (B,) the road in frames (B, H, W, 3) has slid to the right of where it is in ref (B, H, W, 3)."""
  a, b = road_profile(ref), road_profile(frames)
  W = a.shape[1]
  m = min(MAX_SHIFT, W // 4)  # a narrow frame (a test's) searches less, keeping half its width to compare
  score = np.stack([(a[:, m:W - m] * b[:, m + s:W - m + s]).sum(1) for s in range(-m, m + 1)], 1)
  # a frame without texture matches every shift equally (argmax took the first: a full -48 px): NaN, no reading; so is a
  # best match on the edge of the search (60 and 80 px on a road read 48, averaged in as if measured). A slide well past
  # the search can still match a marking further on and read smaller, or the other way: the probe reads slides under m
  flat, best = (a.std(1) < 1e-3) | (b.std(1) < 1e-3), np.argmax(score, 1) - m
  return np.where(flat | (np.abs(best) >= m), np.nan, best).astype(np.float64)

def videos(folder: str) -> dict:
  """{video checksum: frame shard} of the shards under folder (those that record one)."""
  import h5py
  from data.dataset import shard_paths
  out = {}
  for p in shard_paths(folder):
    with h5py.File(p, "r") as f:
      if f.attrs.get("checksum"): out.setdefault(str(f.attrs["checksum"]), p)
  return out

def calibrate(folder: str, fit: Optional[dict] = None, lag: int = 10, size: Optional[tuple] = None) -> dict:
  """Fit shift = px_per_rad * yaw + b over recorded frame pairs `lag` frames apart (yaw: + = right, summed from poses);
  also the correlation, which says how well the probe reads the turn. size: (H, W) the rollouts' frames have (the
  VQVAE's): frames of another size are refused (its pixels per radian were another frame's, without a word)."""
  import h5py, hdf5plugin  # noqa: F401
  from data.dataset import shard_paths
  from data.layout import flag
  shifts, yaws, short = [], [], 0
  for p in shard_paths(folder):
    with h5py.File(p, "r") as f:
      if not flag(f.attrs, "has_pose", "pose" in f, p): continue   # (no attribute and no poses: a bare KeyError naming no file)
      if "pose" not in f: raise ValueError(f"--frames: {p}: has_pose is set but the shard has no 'pose' dataset")
      if size is not None and f["frames"].shape[1:3] != tuple(size):
        raise ValueError(f"--frames: {p}: frames of {f['frames'].shape[1]}x{f['frames'].shape[2]}, but the VQVAE's are "
                         f"{size[0]}x{size[1]}: the probe measures both in pixels (give shards ingested at its size)")
      fr, pose = f["frames"][:], f["pose"][:]
    if len(fr) <= lag: short += 1; continue  # no pair lag frames apart (numpy's "valid" convolution swapped its inputs: a crash)
    shifts.append(marking_shift(fr[:-lag], fr[lag:]))
    yaws.append(np.convolve(pose[:, 5], np.ones(lag), "valid")[:len(fr) - lag])
  if not shifts: raise FileNotFoundError(f"--frames: no frame shards with poses under {folder}" + (f" longer than {lag} frames ({short} shorter)" if short else ""))
  s, y = np.concatenate(shifts), np.concatenate(yaws)
  ok = np.isfinite(s)  # a frame without texture has no shift (NaN): one made the fit NaN
  if ok.sum() < 2: raise ValueError(f"--frames: {folder}: fewer than 2 frame pairs with a readable road to calibrate on")
  if (flat := np.ptp(y[ok]) == 0) and fit is None: raise ValueError(f"--frames: {folder}: every frame pair turns by the same yaw: no slope to fit")
  k, b = np.polyfit(y[ok], s[ok], 1) if not flat else (None, None)  # (held-out pairs of one yaw: only how the other fit does)
  out = {"px_per_rad": None if flat else float(k), "offset_px": None if flat else float(b), "corr": None if flat else float(np.corrcoef(y[ok], s[ok])[0, 1]),
         "pairs": int(ok.sum()), "pairs_unreadable": int((~ok).sum())}
  if fit is not None:  # how much of these pairs' shifts the other fit explains (none where the road never slid: null, said)
    spread = ((s[ok] - s[ok].mean()) ** 2).sum()
    out["r2_of_fit"] = float(1 - ((s[ok] - fit["px_per_rad"] * y[ok] - fit["offset_px"]) ** 2).sum() / spread) if spread else None
    if not spread: print(f"note: {folder}: the road never slides in these frames (a straight drive?): no R^2 of the fit", file=sys.stderr)
  return out

def open_loop(world: str, vqvae: str, tokens: str, n_asked: int, yaw_stds: tuple = (3.0, 10.0), split: str = "val") -> dict:
  """One generated frame, greedy, from n_asked windows' (of split: held-out by default) real context (at most those there are), with the yaw
  into it set to +k and -k of the training data's per-frame std (lateral motion 0): how far the road in the right-turn
  frame sits from the left-turn one's, in px. A model that turns as the recordings do slides it by about
  px_per_rad * 2k * std."""
  from drivegpt import Tensor
  from drivegpt.models.world import FrameSampler
  from sim.rollout import TokenDecoder
  from train.vqvae import load_tokenizer
  from train.world import load_run, run_split
  from train.world_data import Windows, load_segments
  model, cfg = load_run(world)
  Tensor.training = False
  segs = run_split(world, load_segments(tokens, augmented=False, vocab=cfg.model.vocab_size, what="--tokens"), split, cfg)   # (--split was not read)
  if not segs: raise ValueError(f"--open-loop: no {split} segments under {tokens} (the world model {world} trained on all of them?): use --split train or all")
  w = Windows(segs, cfg.model.frames, cfg.data.frame_stride)
  if len(w) == 0: raise ValueError(f"--open-loop: no {split} windows under {tokens}")
  if not w.has_pose or model.pose_proj is None: raise ValueError(f"--open-loop: {world} or the segments under {tokens} have no poses to steer with")
  # distinct windows: with n past the held-out ones a window was scored twice (greedy: the same reading), and the
  # standard error divided by the square root of n, not of the windows read
  n = len(idx := np.unique(np.linspace(0, len(w) - 1, n_asked).astype(int)))
  if n < n_asked: print(f"note: --open-loop {n_asked}: only {n} held-out windows", file=sys.stderr)
  tok, pose = w.stack(idx)
  tok = tok.reshape(n, cfg.model.frames, -1)
  sampler, decode, std = FrameSampler(model), TokenDecoder(load_tokenizer(vqvae)[0]), cfg.model.pose_std[5]
  res = {}
  for k in yaw_stds:
    frames = []
    for sign in (1, -1):  # + = a right turn (the pose's yaw convention)
      p = pose.copy()
      p[:, -1, 5], p[:, -1, 1] = sign * k * std, 0.0
      frames.append(decode(sampler.generate(tok[:, :-1], p, temperature=0)))
    d = marking_shift(frames[1], frames[0])
    d = d[np.isfinite(d)]
    if not len(d): raise ValueError("--open-loop: every generated frame is blank")
    res[f"yaw_{k:g}std"] = {"yaw_rad": k * std, "right_minus_left_px": float(d.mean()), "stderr_px": float(d.std(ddof=1) / np.sqrt(len(d))) if len(d) > 1 else None}
  return res

def main(argv: Optional[list[str]] = None) -> dict:
  ap = argparse.ArgumentParser(prog="python -m sim.probe", description=__doc__, formatter_class=HelpFormatter)
  ap.add_argument("--world", required=True, type=path_arg, help="train-world run folder (a pose-conditioned world model)")
  ap.add_argument("--vqvae", required=True, type=path_arg, help="train-vqvae run folder whose decoder turns the rollouts' tokens into frames")
  ap.add_argument("--tokens", required=True, type=path_arg, help="token shards to seed rollouts from")
  ap.add_argument("--frames", required=True, type=path_arg, help="recorded frame shards (with poses) to calibrate the probe on")
  ap.add_argument("--val-frames", default=None, type=path_arg, help="held-out frame shards to check the calibration on")
  ap.add_argument("--n", type=int, default=16, help="seeds (per-seed shifts vary by ~20 px: 4-8 seeds cannot tell a response from noise)")
  ap.add_argument("--seconds", type=float, default=2.0, help="length of each steered rollout, in seconds")
  ap.add_argument("--curvature", type=float, default=0.005, help="the steered rollouts' curvature, 1/m (left and right)")
  ap.add_argument("--split", default="val", choices=["val", "train", "all"], help="segments to seed the rollouts from (default "
                  "val, as rollout's: all took segments the world model trained on, without a word)")
  ap.add_argument("--temperature", type=float, default=1.0, help="sampling temperature of the rollouts")
  ap.add_argument("--top-k", type=int, default=0, help="sample from the k likeliest tokens (0: all)")
  ap.add_argument("--open-loop", type=at_least(0, int), default=0, metavar="N", help="also the one-frame check on N held-out windows: "
                  "the road's shift between frames generated with the yaw at +-3 and +-10 training stds")
  args = ap.parse_args(argv)
  from sim.rollout import check_sampling
  check_sampling(ap, args)
  from sim.world_sim import MAX_CURVATURE
  if not 0 < args.curvature <= MAX_CURVATURE: ap.error(f"--curvature {args.curvature}: the simulator takes (0, {MAX_CURVATURE}] 1/m (more was clipped)")
  from sim.rollout import run_rollouts, pick_seeds
  from train.stage import note_unfinished, run_config
  from train.vqvae import TrainConfig as VQTrainConfig
  from train.world import TrainConfig
  note_unfinished(args.world, run_config(args.world, TrainConfig).steps, f"--world {args.world}", "probed as it is")
  size = tuple((vq := run_config(args.vqvae, VQTrainConfig)).model.image_size)   # (the config alone: not the whole VQVAE)
  note_unfinished(args.vqvae, vq.steps, f"--vqvae {args.vqvae}", "its decoder used as it is")
  res = {"calibration": calibrate(args.frames, size=size)}
  if args.open_loop:
    res["open_loop"] = open_loop(args.world, args.vqvae, args.tokens, args.open_loop, split=args.split)
    for r in res["open_loop"].values(): r["recorded_turn_px"] = res["calibration"]["px_per_rad"] * 2 * r["yaw_rad"]  # the recordings' slide
  if args.val_frames:  # the training fit's own R^2 on the held-out pairs (a fresh fit there checked nothing of it)
    if os.path.realpath(args.val_frames) == os.path.realpath(args.frames): ap.error("--val-frames is --frames: give held-out frames")
    seen, held = videos(args.frames), videos(args.val_frames)
    if both := seen.keys() & held.keys():  # (a copy under another name scored the fit on its own pairs)
      ap.error(f"--val-frames {held[min(both)]} holds the video of --frames {seen[min(both)]}: give held-out frames")
    res["calibration_val"] = calibrate(args.val_frames, res["calibration"], size=size)
  seeds, steps, fps = pick_seeds(args.tokens, args.world, args.n, args.seconds, args.split, 0, "--tokens")
  shift, expect, m = {}, {}, min(MAX_SHIFT, size[1] // 4)
  for steer in ("left", "right"):
    r = run_rollouts(args.world, args.vqvae, args.tokens, seeds, steps, steer, args.curvature, args.temperature, args.top_k, args.split)
    # the last quarter of each rollout against the last real frame it started from (both through the decoder)
    last = range(steps - max(1, steps // 4), steps)
    with np.errstate(all="ignore"), warnings.catch_warnings():  # a seed whose frames are all blank stays NaN
      warnings.simplefilter("ignore", RuntimeWarning)
      shift[steer] = np.nanmean([marking_shift(r["context_frame"], r["generated_frames"][:, t]) for t in last], 0)
    # what a model that turns as the recordings do would read: a seed where that slides past the search is not read (a
    # slide of 50-70 px read -40 to -20, a perfect model's left and right at curvature 0.01 -4.5 and -33.5, unsaid)
    expect[steer] = res["calibration"]["px_per_rad"] * r["yaw"][:, last]
    shift[steer] = np.where(np.abs(expect[steer]).max(1) < m, shift[steer], np.nan)
  d = shift["left"] - shift["right"]  # paired: the same seeds and sampling noise; a real left turn makes it positive
  read = np.isfinite(d)
  if not read.any():
    if (reach := max(np.abs(e).max() for e in expect.values())) >= m:
      fits = args.curvature * (m - 1) / reach; fits = np.floor(fits / (f := 10.0 ** (np.floor(np.log10(fits)) - 1))) * f  # (2 figures, down)
      raise ValueError(f"sim.probe: a turn as the recordings' slides the road up to {reach:.0f} px by the last quarter of these rollouts, past "
                       f"the probe's +-{m} px search: give --curvature {fits:.2g} or less, or fewer --seconds")
    raise ValueError("sim.probe: no rollout's frames could be read (blank, no road texture to follow, or slid to the edge of the search)")
  if past := int(np.logical_or(*[np.abs(e).max(1) >= m for e in expect.values()]).sum()):
    print(f"warning: {past} of {len(d)} seeds would slide past the probe's +-{m} px search if the model turned as the recordings do: not read", file=sys.stderr)
  shift, d = {k: v[read] for k, v in shift.items()}, d[read]
  # the seconds run, whole model frames (0.5 s at 5 fps ran 0.4 s, and the line said 0.5)
  res.update({"rollouts": args.n, "seconds": round(steps / fps, 9), "curvature": args.curvature, "temperature": args.temperature, "top_k": args.top_k,
              "shift_left_px": float(shift["left"].mean()), "shift_right_px": float(shift["right"].mean()),
              "left_minus_right_px": float(d.mean()), "left_minus_right_stderr_px": float(d.std(ddof=1) / np.sqrt(len(d))) if len(d) > 1 else None,
              # (the same seeds, read where a model turning as the recordings do would slide the road)
              "recorded_left_minus_right_px": float((expect["left"] - expect["right"]).mean(1)[read].mean()),
              "per_seed_left_minus_right_px": d.tolist(), "seeds_unread": int((~read).sum()),
              "seeds_opposite": float(((shift["left"] > 0) & (shift["right"] < 0)).mean())})
  print(json_line(res), flush=True)
  return res

if __name__ == "__main__":   # (its refusals were tracebacks: "error: ..." and exit code 2, as every stage's)
  from train.stage import run_main
  raise SystemExit(run_main(main))
