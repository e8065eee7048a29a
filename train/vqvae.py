"""Train the VQVAE tokenizer on HDF5 frame shards, and evaluate it.

  drivegpt train-vqvae --config configs/vqvae-small.yaml data.shards=DIR out=RUNDIR [key=value ...]
  drivegpt eval-vqvae --ckpt RUNDIR --shards DIR

Training samples random frames (batch i is drawn from a generator seeded by (seed, i), so a resumed run sees the same
batches), runs one jitted step (encoder, quantizer with EMA codebook and dead-code restarts, decoder, MSE + commitment
loss, Adam), and every ckpt_every steps evaluates held-out frames, writes recon.png (originals | reconstructions) and an
atomic checkpoint. Running the same command again resumes from the checkpoint."""
from __future__ import annotations
import json, math, sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator, Optional
import numpy as np
from drivegpt import Tensor, jit
from drivegpt.cli import HelpFormatter, json_line, path_arg
from drivegpt.models.vqvae import VQVAE, VQVAEConfig, to_input, to_frames
from drivegpt.nn.optim import Adam, clip_grad_norm_, warmup_cosine
from drivegpt.nn.state import checkpoint_info
from train.stage import ConfigError, Run, lets_go, build, check_ray, load_config, load_run_model, note_unfinished, save_curves, stage_args, to_dict, trained_on, write_atomic, warn_short_schedule

@dataclass
class DataConfig:
  shards: str = "runs/data/shards"   # folder of HDF5 shards from data.ingest
  val_shards: Optional[str] = None   # folder of held-out shards (then all of shards is trained on); unset: shards' val split
  val_fraction: float = 0.1
  split_seed: int = 0

@dataclass
class TrainConfig:
  out: str = "runs/vqvae"            # run directory
  model: VQVAEConfig = field(default_factory=VQVAEConfig)
  data: DataConfig = field(default_factory=DataConfig)
  steps: int = 2000
  batch_size: int = 8
  lr: float = 3e-4
  min_lr: float = 3e-5
  warmup: int = 100
  grad_clip: float = 1.0
  seed: int = 0
  log_every: int = 25                # steps per metrics.jsonl line (batch loss, PSNR, codebook usage)
  ckpt_every: int = 200              # steps per checkpoint, held-out evaluation and recon.png
  eval_frames: int = 64              # held-out frames evaluated at each checkpoint
  grid_frames: int = 8               # frames in recon.png: the first of the eval_frames scored ones

  def check_given(self, given: set) -> None:
    """Refuse the route split's keys given beside data.val_shards, where every shard of data.shards is trained on (they
    were taken and ignored); at their defaults (a run's own config.yaml as --config) they are fine."""
    check_ray(self)
    bad = [k for k in ("data.val_fraction", "data.split_seed") if k in given and getattr(self.data, k[5:]) != getattr(DataConfig(), k[5:])]
    if self.data.val_shards and bad:
      raise ConfigError(f"{bad[0]}={getattr(self.data, bad[0][5:])} has no effect with data.val_shards (its shards are held out and every "
                        "shard of data.shards is trained on): leave it out")
  workers: int = 1                   # data-parallel replicas on Ray, each taking batch_size/workers of every batch
  ray_address: Optional[str] = None  # Ray cluster for workers > 1 (default: a local Ray)

  def check(self) -> None:
    """Reject values no run can use, naming the key."""
    positive = {"steps": self.steps, "batch_size": self.batch_size, "log_every": self.log_every, "ckpt_every": self.ckpt_every,
                "eval_frames": self.eval_frames, "grid_frames": self.grid_frames, "model.width": self.model.width,
                "model.code_dim": self.model.code_dim, "model.n_codes": self.model.n_codes, "model.patch": self.model.patch,
                "model.groups": self.model.groups}
    for k, v in positive.items():
      if v <= 0: raise ConfigError(f"{k}: must be positive, got {v}")
    if not self.lr > 0: raise ConfigError(f"lr: must be positive, got {self.lr}")
    if not 0 <= self.model.ema_decay < 1: raise ConfigError(f"model.ema_decay: must be in [0, 1), got {self.model.ema_decay}")
    if not self.model.mults or any(not isinstance(m, int) or isinstance(m, bool) or m <= 0 for m in self.model.mults):
      raise ConfigError(f"model.mults: must be positive whole numbers, got {self.model.mults}")  # (1.5 was a TypeError's traceback)
    if len(self.model.image_size) != 2 or any(s % self.model.downsample for s in self.model.image_size):
      raise ConfigError(f"model.image_size: {self.model.image_size} must be two sizes divisible by the downsample factor "
                        f"{self.model.downsample} (model.patch * 2^(len(model.mults) - 1))")
    if self.workers < 1 or self.batch_size % self.workers:
      raise ConfigError(f"workers: {self.workers} must be >= 1 and divide batch_size {self.batch_size}")
    if self.model.n_codes > 32768: raise ConfigError(f"model.n_codes: {self.model.n_codes} codes don't fit the int16 token files")
    for k, v in {"model.enc_blocks": self.model.enc_blocks, "model.dec_blocks": self.model.dec_blocks, "model.beta": self.model.beta}.items():
      if not v >= 0: raise ConfigError(f"{k}: must be >= 0, got {v}")  # (a negative beta was used)
    if not self.model.dead_threshold > 0:  # 0: no code is ever restarted, and one unused from the start divides 0 by 0 (a NaN codebook)
      raise ConfigError(f"model.dead_threshold: must be > 0, got {self.model.dead_threshold}")
    if not 0 <= self.data.val_fraction < 1:  # -0.5 dropped the held-out split, 1.5 was taken as 0.1
      raise ConfigError(f"data.val_fraction: must be in [0, 1), got {self.data.val_fraction}")
    if not self.model.restart_count > 0:  # a restarted code's EMA count: 0 divides its sum by 0 (a NaN codebook)
      raise ConfigError(f"model.restart_count: must be positive, got {self.model.restart_count}")

def psnr(mse01: float) -> float:
  """PSNR in dB of a mean squared error on the [0, 1] scale."""
  return float(10 * math.log10(1.0 / max(mse01, 1e-12)))

# a frame's PSNR at most that of 8-bit rounding noise (MSE 1/12 of a level): an exact frame (a black one decoded exactly)
# counted 120 dB, and one in ten raised the mean by ~10 dB
MAX_PSNR = psnr(1 / 12 / 255 ** 2)

def ssim(a: np.ndarray, b: np.ndarray) -> np.ndarray:
  """Mean SSIM per frame of uint8 frames (N, H, W, 3): Wang et al.'s (11-tap Gaussian window, sigma 1.5, K1 0.01, K2 0.03)
  on each of R, G and B, averaged (scikit-image's channel_axis convention; on luma, as the paper, the demo's frames
  read 0.736 against 0.692)."""
  g = np.exp(-0.5 * ((np.arange(11) - 5) / 1.5) ** 2)
  g /= g.sum()
  def blur(x):  # separable 'valid' Gaussian filter over H and W
    x = sum(g[i] * x[:, i:x.shape[1] - 10 + i] for i in range(11))
    return sum(g[i] * x[:, :, i:x.shape[2] - 10 + i] for i in range(11))
  x, y = a.astype(np.float64), b.astype(np.float64)
  c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
  mx, my = blur(x), blur(y)
  sxx, syy, sxy = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
  s = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
  return s.mean(axis=(1, 2, 3))

# *** data ***

def _loader(shards: str, split: str, d: DataConfig, batch_size: int, image_size: list):
  """A data.dataset.WindowLoader of single frames from one split, whose frames must be image_size."""
  from data.dataset import WindowLoader
  if not Path(shards).exists(): raise FileNotFoundError(f"{shards}: no such shard folder")
  loader = WindowLoader(shards, window=1, batch_size=batch_size, split=split, val_fraction=d.val_fraction,
                        fields=("frames",), split_seed=d.split_seed, prefetch=1)
  for p, f in zip(loader.paths, loader.files): check_frames(p, f["frames"], image_size, loader.close)
  return loader

def check_frames(where, frames, image_size: list, cleanup=lambda: None) -> None:
  """Frames (a shard's dataset) that are not uint8 RGB (N, H, W, 3) of the model's image_size are an error naming where
  they are: another size trained and scored without a word (a 128x256 config written beside it), float frames in
  [0, 1] tokenized as near-black (a third of the tokens wrong) and read into uint8 batches as zeros."""
  if frames.ndim != 4 or frames.shape[3] != 3 or frames.dtype != np.uint8:
    cleanup()
    raise ValueError(f"{where}: frames are {frames.dtype} {tuple(frames.shape[1:])}; the model takes uint8 RGB frames (H, W, 3)")
  if tuple(frames.shape[1:3]) != tuple(image_size):
    cleanup()
    raise ValueError(f"{where}: frames are {frames.shape[1]}x{frames.shape[2]}, the model's image_size is {image_size[0]}x{image_size[1]}: "
                     "set model.image_size, or ingest with --height/--width")

def train_loader(cfg: TrainConfig):
  """The training frames: every shard of data.shards when data.val_shards holds the held-out ones, else the train split
  (by route) of data.shards (the val split's shards were left out of training with data.val_shards set too)."""
  return _loader(cfg.data.shards, "all" if cfg.data.val_shards else "train", cfg.data, cfg.batch_size, cfg.model.image_size)

def val_loader(cfg: TrainConfig):
  """The held-out frames' loader, or None when there are none (one route and no data.val_shards). A data.val_shards
  shard of a video data.shards has too is an error (it was scored as held out)."""
  from data.dataset import shard_paths, shard_routes, split_segments
  if cfg.data.val_shards:
    train, val = shard_paths(cfg.data.shards), shard_paths(cfg.data.val_shards)
    if both := [(v, t) for d, f in shard_routes(train + val)[2] for v, t in ((d, f), (f, d)) if v in val and t in train]:
      raise ValueError(f"{both[0][0]}: the same video as {both[0][1]} (data.shards): held-out frames must not be trained on")
    return _loader(cfg.data.val_shards, "all", cfg.data, cfg.batch_size, cfg.model.image_size)
  paths, routes, _ = shard_routes(shard_paths(cfg.data.shards))
  if not split_segments(paths, "val", cfg.data.val_fraction, cfg.data.split_seed, routes):
    if cfg.data.val_fraction > 0:  # (it trained on all of it with no held-out numbers, unsaid; train-disengage refuses)
      print(f"note: train-vqvae: data.shards {cfg.data.shards} is one drive ({routes[0] if routes else 'none'}): nothing held "
            f"out (data.val_fraction={cfg.data.val_fraction} needs 2 drives or more, or give data.val_shards)", file=sys.stderr)
    return None
  return _loader(cfg.data.shards, "val", cfg.data, cfg.batch_size, cfg.model.image_size)

def split_routes(cfg: TrainConfig) -> tuple[list, list]:
  """The drives (routes) a run trains on and those it holds out, for Run.check_split: a folder grown by drives moves
  the split's boundary, and a resumed run scored drives it had trained on as held out."""
  from data.dataset import shard_paths, shard_routes, split_segments
  paths, routes, _ = shard_routes(shard_paths(cfg.data.shards))
  if cfg.data.val_shards: return sorted(set(routes)), sorted(set(shard_routes(shard_paths(cfg.data.val_shards))[1]))
  of = {p: r for p, r in zip(paths, routes)}
  pick = lambda split: sorted({of[p] for p in split_segments(paths, split, cfg.data.val_fraction, cfg.data.split_seed, routes)})
  return pick("train"), pick("val")

def held_batches(held: np.ndarray, cfg: TrainConfig) -> Iterator[np.ndarray]:
  """The first eval_frames held-out frames (fewer if there are fewer) in batches: an eval_frames past the held-out
  frames sent an empty batch into the model (a crash before the first checkpoint), grid_frames past it scored more.
  held is spread_frames(..., eval_frames): spread over max(eval_frames, grid_frames) it scored the first eval_frames
  of that spread (with grid_frames 64 and eval_frames 4, the first 0.75 s of one segment), and a grid_frames changed
  on resume moved the frames the rest of the held-out curve was scored on. recon.png shows the first grid_frames of them."""
  frames = held[:cfg.eval_frames]
  return (frames[j:j + cfg.batch_size] for j in range(0, len(frames), cfg.batch_size))

def spread(total: int, n: int) -> np.ndarray:
  """min(n, total) indices spread evenly over range(total): the held-out checks' frames, and eval-vqvae --max-frames'
  (which rounded where these truncate: the same n frames of the same shards were other frames, the PSNR another)."""
  return np.linspace(0, total - 1, min(n, total)).astype(np.int64)

def spread_frames(loader, n: int) -> np.ndarray:
  """n frames (n, H, W, 3) uint8 spread evenly over all of a loader's frames (the same ones every time)."""
  flat = spread(int(loader.lengths.sum()), n)
  shard = np.searchsorted(np.cumsum(loader.lengths), flat, side="right")
  start = flat - np.concatenate([[0], np.cumsum(loader.lengths)[:-1]])[shard]
  return loader.read_batch(list(zip(shard.tolist(), start.tolist())))["frames"][:, 0]

# *** model ***

def reconstruct_fn(model: VQVAE):
  """A jitted frames -> (reconstruction, codes) function for evaluation."""
  @jit
  def run(x: Tensor) -> tuple[Tensor, Tensor]:
    codes = model.encode(x)                    # (B, h, w)
    return model.decode(codes), codes          # (B, 3, H, W)
  return run

def load_tokenizer(path: str) -> tuple[VQVAE, TrainConfig]:
  """The VQVAE of a run directory (or checkpoint file) and its training config."""
  return load_run_model(path, TrainConfig, lambda cfg: VQVAE(cfg.model))

def evaluate_frames(model: VQVAE, batches: Iterator[np.ndarray], keep: int = 0) -> tuple[dict, np.ndarray]:
  """PSNR (each frame's at most MAX_PSNR) and SSIM (means over frames), codebook usage and perplexity over uint8 frame
  batches, and how many frames came back exact; also the first `keep` reconstructions."""
  run, n_codes = reconstruct_fn(model), model.config.n_codes
  counts, psnrs, ssims, kept, exact = np.zeros(n_codes, np.int64), [], [], [], 0
  prev, Tensor.training, Tensor.no_grad = (Tensor.training, Tensor.no_grad), False, True
  try:
    for frames in batches:
      recon, codes = run(Tensor(to_input(frames)))
      out = to_frames(recon.numpy())
      counts += np.bincount(codes.numpy().reshape(-1), minlength=n_codes)
      mse = ((out.astype(np.float64) - frames) / 255.0) ** 2
      psnrs += [min(psnr(m), MAX_PSNR) for m in mse.mean(axis=(1, 2, 3))]
      exact += int((mse.mean(axis=(1, 2, 3)) == 0).sum())
      ssims += ssim(frames, out).tolist()
      if sum(len(k) for k in kept) < keep: kept.append(out)
  finally: Tensor.training, Tensor.no_grad = prev
  p = counts / max(counts.sum(), 1)
  metrics = {"psnr": float(np.mean(psnrs)) if psnrs else float("nan"), "ssim": float(np.mean(ssims)) if ssims else float("nan"),
             "codebook_usage": float((counts > 0).mean()) if psnrs else float("nan"), "perplexity": float(np.exp(-(p[p > 0] * np.log(p[p > 0])).sum())) if counts.any() else float("nan"),
             "frames": len(psnrs), "exact_frames": exact}
  return metrics, (np.concatenate(kept)[:keep] if kept else np.zeros((0,), np.uint8))

def save_grid(path: Path, originals: np.ndarray, recons: np.ndarray, cols: int = 2) -> None:
  """A PNG of (original | reconstruction) pairs, `cols` pairs per row: 4-pixel white gaps inside a pair, 12 between."""
  from PIL import Image
  import io
  n, H, W, _ = originals.shape
  rows = (n + cols - 1) // cols
  img = np.full((rows * (H + 4) - 4, cols * (2 * W + 16) - 12, 3), 255, np.uint8)
  for i in range(n):
    r, c = divmod(i, cols)
    y, x = r * (H + 4), c * (2 * W + 16)
    img[y:y + H, x:x + W], img[y:y + H, x + W + 4:x + 2 * W + 4] = originals[i], recons[i]
  buf = io.BytesIO()
  Image.fromarray(img).save(buf, format="PNG")
  write_atomic(path, buf.getvalue())

# *** training ***

# the frames checked at each checkpoint: held out, or (no held-out split) spread over the training frames: rows and the
# final line say which (a run without a split logged its training frames' scores as val_*)
# (train batches: the PSNR of a log window's mean MSE; the checks: the mean of each frame's PSNR, eval-vqvae's, which
# reads higher for the same frames: the mean of logs is above the log of the mean)
CURVE_LABEL = {"val": "PSNR dB (train: of mean MSE; held out: per frame)", "train": "PSNR dB (train: of mean MSE; train frames: per frame)"}

def check_groups(c: VQVAEConfig) -> None:
  """Training refuses a model.groups that does not divide every level's channels: GroupNorm took gcd(groups, channels),
  so 7 ran as 1 group and 48 as 16 while config.yaml said 7 and 48. (Runs trained so load as they trained.)"""
  chans = [c.width * m for m in c.mults]
  if bad := [ch for ch in chans if ch % c.groups]:
    raise ConfigError(f"model.groups: {c.groups} must divide every level's channels (model.width x model.mults: {chans}); "
                      f"{bad[0]} is not a multiple of it")

@lets_go
def train(cfg: TrainConfig) -> dict:
  """Train (or resume) the run in cfg.out; returns the final metrics."""
  check_groups(cfg.model)
  if min(cfg.model.image_size) < 11:  # SSIM's 11-pixel window: 8x16 frames trained, then failed at the first checkpoint
    raise ConfigError(f"model.image_size: {cfg.model.image_size}: training scores frames of at least 11 pixels each way (SSIM's window)")
  warn_short_schedule(cfg, "train-vqvae")
  loader, val = train_loader(cfg), val_loader(cfg)  # bad data fails before a run dir exists
  run = Run(cfg.out, cfg, may_change=("steps", "log_every", "ckpt_every", "eval_frames", "grid_frames", "data.shards", "data.val_shards",
                                      "workers", "ray_address"))
  run.check_split(*split_routes(cfg))
  if val is not None and not cfg.data.val_shards:
    from data.dataset import note_held_share
    trained, held = split_routes(cfg)
    note_held_share(f"train-vqvae, data.shards {cfg.data.shards}", sum(val.lengths), sum(val.lengths) + sum(loader.lengths), len(held),
                    len(trained) + len(held), "data.val_fraction, data.split_seed or data.val_shards (a folder of held-out drives)")
  # frames sampled from each split (not the held-out checks' own: eval_frames may change on resume), with their lengths
  sample = [loader.lengths, spread_frames(loader, 16)] + ([val.lengths, spread_frames(val, 16)] if val is not None else [])
  run.check_data("data.shards" + (" or data.val_shards" if cfg.data.val_shards else ""), sample, refuse=False)
  if cfg.workers > 1: return train_data_parallel(cfg, run, loader, val)
  Tensor.manual_seed(cfg.seed)
  model = VQVAE(cfg.model)
  params = model.parameters()
  opt = Adam(params, lr=cfg.lr)
  start = run.resume(model, opt)
  held, tag = spread_frames(val if val is not None else loader, cfg.eval_frames), "val" if val is not None else "train"

  @jit
  def step(x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    loss, mse, codes = model.loss(x)
    opt.zero_grad()
    loss.backward()
    clip_grad_norm_(params, cfg.grad_clip)
    opt.step(loss, mse, codes, *model.quantizer.buffers())  # weights, Adam state and the EMA codebook in one batch
    return loss, mse, codes

  def checkpoint(i: int, log: bool = True, save: bool = True) -> dict:
    ev, recons = evaluate_frames(model, held_batches(held, cfg), cfg.grid_frames)
    save_grid(run.dir / "recon.png", held[:len(recons)], recons)
    # the row first: killed before the save, the step runs again and resume drops the row (the other way round, lost)
    if log: run.log(i, **{f"{tag}_{k}": v for k, v in ev.items()})
    # with the steps since the last row: resumed here, the next row averages the same steps an unbroken run's did
    if save: run.save(model, opt, i, extra={"log_window": {"losses": window, "used": np.flatnonzero(used).tolist()}})
    return ev

  bar, used, window, ev = run.progress(cfg.steps, start, "train-vqvae"), np.zeros(cfg.model.n_codes, bool), [], {}
  if start and (saved := checkpoint_info(str(run.ckpt))[2]) and "log_window" in saved:
    window, used[saved["log_window"]["used"]] = [tuple(w) for w in saved["log_window"]["losses"]], True
  with Tensor.train():
    for i in range(start, cfg.steps):
      opt.lr = warmup_cosine(i, cfg.lr, cfg.warmup, cfg.steps, cfg.min_lr)
      batch = loader.read_batch(loader.sample(np.random.default_rng([cfg.seed, i]), cfg.batch_size))["frames"][:, 0]
      loss, mse, codes = step(Tensor(to_input(batch)))
      used[codes.numpy().reshape(-1)] = True
      window.append((loss.item(), mse.item()))
      bar.update(1)
      if (i + 1) % cfg.log_every == 0 or i + 1 == cfg.steps:
        l, m = np.mean(window, axis=0)
        stats = {"loss": float(l), "psnr": psnr(m / 4), "usage": float(used.mean()), "lr": opt.lr, "time": run.seconds()}
        run.log(i + 1, last=i + 1 == cfg.steps, **stats)
        bar.set_postfix(loss=f"{l:.4f}", psnr=f"{stats['psnr']:.2f}", usage=f"{stats['usage']:.2f}")
        used[:], window = False, []
      if (i + 1) % cfg.ckpt_every == 0 or i + 1 == cfg.steps:
        ev = checkpoint(i + 1)
        save_curves(run.dir / "loss.png", run.dir / "metrics.jsonl", ["psnr", f"{tag}_psnr"], CURVE_LABEL[tag])
  bar.close()
  loader.close()
  if not ev:  # nothing left to train: evaluate the checkpoint (rewritten, its new modification time made tokenize refuse the
    ev = checkpoint(start, log=False, save=False)  # token shards made from it as another checkpoint's), and draw the curves
    run.log_rescored(start, **{f"{tag}_{k}": v for k, v in ev.items()})
    save_curves(run.dir / "loss.png", run.dir / "metrics.jsonl", ["psnr", f"{tag}_psnr"], CURVE_LABEL[tag])  # (a kill before them left them stale)
  if val is not None: val.close()
  return run.finish({"step": max(start, cfg.steps), **{f"{'val' if val is not None else 'train'}_{k}": v for k, v in ev.items()},
                     "train_seconds": round(run.seconds(), 1), "run": str(run.dir)})

# *** data-parallel training (train/parallel.py) ***

class Replica:
  """One of cfg.workers replicas: rank r takes rows [r*b, (r+1)*b) of every step's batch (b = batch_size/workers) and
  contributes its gradients and codebook statistics; every replica applies the combined update, which is the update
  one process makes on the whole batch (the same batch, the same EMA statistics, the same restart draws)."""
  def __init__(self, cfg: TrainConfig, rank: int, world: int):
    self.cfg, self.rank, self.b = cfg, rank, cfg.batch_size // world
    self.loader = train_loader(cfg)
    Tensor.manual_seed(cfg.seed)
    self.model = VQVAE(cfg.model)
    self.model.quantizer.ema = False  # the codebook moves in apply(), with the whole batch's statistics
    self.params = self.model.parameters()
    self.opt = Adam(self.params, lr=cfg.lr)
    self.ckpt = Path(cfg.out) / Run.CKPT

    @jit
    def local(x: Tensor) -> list[Tensor]:
      loss, mse, codes = self.model.loss(x)
      self.opt.zero_grad()
      loss.backward()
      return [loss, mse, codes, *self.model.quantizer._batch_stats, *[p.grad for p in self.params]]
    @jit
    def apply(counts: Tensor, sums: Tensor, flat: Tensor, *grads: Tensor) -> None:
      for p, g in zip(self.params, grads): p.grad = g
      clip_grad_norm_(self.params, cfg.grad_clip)
      self.model.quantizer.update(counts, sums, flat)
      self.opt.step(*self.model.quantizer.buffers())
    self.local, self.apply_fn = local, apply

  def load(self) -> int:
    from drivegpt.nn.state import load_checkpoint
    if not self.ckpt.exists(): return 0  # a fresh replica is at the initial weights (the same seed on every rank)
    return load_checkpoint(str(self.ckpt), self.model, self.opt)[0]

  def contribute(self, step: int) -> dict:
    rows = self.loader.sample(np.random.default_rng([self.cfg.seed, step]), self.cfg.batch_size)[self.rank*self.b:(self.rank + 1)*self.b]
    with Tensor.train():
      loss, mse, codes, counts, sums, flat, *grads = self.local(Tensor(to_input(self.loader.read_batch(rows)["frames"][:, 0])))
    return {"mean/loss": loss.numpy(), "mean/mse": mse.numpy(), "cat/codes": codes.numpy(), "sum/counts": counts.numpy(),
            "sum/sums": sums.numpy(), "cat/flat": flat.numpy(), **{f"mean/grad.{i}": g.numpy() for i, g in enumerate(grads)}}

  def apply(self, step: int, c: dict) -> dict:
    self.opt.lr = warmup_cosine(step, self.cfg.lr, self.cfg.warmup, self.cfg.steps, self.cfg.min_lr)
    grads = [Tensor(c[f"mean/grad.{i}"]) for i in range(len(self.params))]
    with Tensor.train(): self.apply_fn(Tensor(c["sum/counts"]), Tensor(c["sum/sums"]), Tensor(c["cat/flat"]), *grads)
    return {"loss": float(c["mean/loss"]), "mse": float(c["mean/mse"]), "codes": c["cat/codes"], "lr": self.opt.lr}

  def save(self, step: int, extra: dict) -> None:
    from drivegpt.nn.state import save_checkpoint
    save_checkpoint(str(self.ckpt), self.model, self.opt, step=step, config=to_dict(self.cfg), extra=extra)

def train_data_parallel(cfg: TrainConfig, run: Run, loader, val) -> dict:
  """train() with cfg.workers replicas on Ray: the same steps, batches and checkpoints; the driver evaluates each
  checkpoint on the held-out frames (the val_ rows of metrics.jsonl), and recon.png comes from the final one."""
  from train.parallel import train_parallel
  from drivegpt.nn.state import load_checkpoint
  bar, used, window = run.progress(cfg.steps, 0, f"train-vqvae x{cfg.workers}"), np.zeros(cfg.model.n_codes, bool), []
  model, held = VQVAE(cfg.model), spread_frames(val if val is not None else loader, cfg.eval_frames)
  tag = "val" if val is not None else "train"
  def held_out_row(step: int) -> None:  # the checkpoint rank 0 has saved at step: its held-out row, as train() logs it
    run.write_config()  # beside it, as Run.save writes it (a resumed run's stayed as first written: a data change went unsaid)
    load_checkpoint(str(run.ckpt), model)
    run.log(step, **{f"{tag}_{k}": v for k, v in evaluate_frames(model, held_batches(held[:cfg.eval_frames], cfg))[0].items()})
    save_curves(run.dir / "loss.png", run.dir / "metrics.jsonl", ["psnr", f"{tag}_psnr"], CURVE_LABEL[tag])
  def log(step: int, m: Optional[dict]) -> None:
    nonlocal window
    if m is None:  # (re)started from the checkpoint of step: the steps since the last row, as they were then
      run.trim_metrics(step)
      run.start_clock(step)
      kept = (checkpoint_info(str(run.ckpt))[2] or {}).get("log_window", {"losses": [], "used": []}) if run.ckpt.exists() else {"losses": [], "used": []}
      window, used[:] = [tuple(w) for w in kept["losses"]], False
      used[kept["used"]] = True
      rows = [json.loads(l) for l in (run.dir / "metrics.jsonl").read_text().splitlines()] if (run.dir / "metrics.jsonl").exists() else []
      if step and not any(r["step"] == step and f"{tag}_psnr" in r for r in rows): held_out_row(step)  # killed before it
      run.progress_from(bar, step)
      return
    used[m["codes"].reshape(-1)] = True
    window.append((m["loss"], m["mse"]))
    bar.n = step
    bar.refresh()
    if step % cfg.log_every == 0 or step == cfg.steps:
      l, e = np.mean(window, axis=0)
      run.log(step, last=step == cfg.steps, loss=float(l), psnr=psnr(e / 4), usage=float(used.mean()), lr=m["lr"], time=run.seconds(), workers=cfg.workers)
      bar.set_postfix(loss=f"{l:.4f}", psnr=f"{psnr(e / 4):.2f}", usage=f"{used.mean():.2f}")  # (as one process's bar; it showed none)
      used[:], window = False, []
  # each checkpoint holds the steps since the last row, as train() saves them: resumed there, the next row averages them
  extra = lambda: run.extra(log_window={"losses": window, "used": np.flatnonzero(used).tolist()})
  # the replicas run in their node's folder (a cluster's `ray start` one): a relative out= had rank 0 checkpoint there
  if cfg.steps > 0: train_parallel(Replica, replace(cfg, out=str(Path(cfg.out).absolute())), cfg.workers, cfg.steps, cfg.ckpt_every, log, ray_address=cfg.ray_address,
                                  extra=extra, saved=held_out_row)
  bar.close()
  step = load_checkpoint(str(run.ckpt), model)[0] if run.ckpt.exists() else 0
  ev, recons = evaluate_frames(model, held_batches(held, cfg), cfg.grid_frames)
  run.log_rescored(step, **{f"{tag}_{k}": v for k, v in ev.items()})  # a re-run on other held-out settings: its row (as train()'s)
  save_grid(run.dir / "recon.png", held[:len(recons)], recons)
  save_curves(run.dir / "loss.png", run.dir / "metrics.jsonl", ["psnr", f"{tag}_psnr"], CURVE_LABEL[tag])
  loader.close()
  if val is not None: val.close()
  return run.finish({"step": step, **{f"{'val' if val is not None else 'train'}_{k}": v for k, v in ev.items()},
                     "train_seconds": round(run.seconds(), 1), "workers": cfg.workers, "run": str(run.dir)})

def shard_batches(paths: list[Path], batch_size: int, max_frames: Optional[int] = None, image_size: Optional[list] = None) -> Iterator[np.ndarray]:
  """All frames of the shards, in order, as uint8 batches (B, H, W, 3); with max_frames, that many spread evenly over
  all of them (each shard weighs by its frames). Frames of another size than image_size are an error."""
  import h5py, hdf5plugin  # noqa: F401  (registers the LZ4 filter the shards use)
  def frames(p, f):
    if "frames" not in f: raise ValueError(f"{p}: not a frame shard (no 'frames' dataset)")
    if image_size is not None: check_frames(p, f["frames"], image_size)
    return f["frames"]
  try:
    lengths = []
    for p in paths:
      with h5py.File(p, "r") as f: lengths.append(len(frames(p, f)))
    total = sum(lengths)
    pick = np.arange(total) if max_frames is None else spread(total, max_frames)
    starts = np.concatenate([[0], np.cumsum(lengths)])
    for k, p in enumerate(paths):
      idx = pick[(pick >= starts[k]) & (pick < starts[k + 1])] - starts[k]
      if len(idx):
        with h5py.File(p, "r") as f:
          for j in range(0, len(idx), batch_size): yield frames(p, f)[idx[j:j + batch_size]]
  except (OSError, RuntimeError, KeyError) as e: raise ValueError(f"{p}: not a readable shard ({e})") from None  # (h5py: damaged metadata is a RuntimeError or KeyError, a traceback naming no file)

def evaluate(ckpt: str, shards: str, batch_size: int = 16, max_frames: Optional[int] = None) -> dict:
  """Evaluate a run's tokenizer on every frame (or max_frames spread over them) of the shards in a folder."""
  from data.dataset import shard_paths, shard_routes
  model, run_cfg = load_tokenizer(ckpt)
  note_unfinished(ckpt, run_cfg.steps, f"--ckpt {ckpt}", "scored as it is", refuse=False)
  paths = shard_paths(shards)
  if not paths: raise FileNotFoundError(f"{shards}: no .h5 shards")
  paths, routes, dups = shard_routes(paths)  # a video ingested twice counts once
  for dup, first in dups: print(f"warning: {dup}: the same video as {first}; left out", file=sys.stderr)
  import h5py
  videos, lengths = [], []
  for p in paths:   # (the same recordings ingested from another folder are other routes: their videos tell)
    with h5py.File(p, "r") as f:
      videos.append(str(f.attrs.get("checksum", "")))
      lengths.append(len(f["frames"]) if "frames" in f else 0)
  # the shards --max-frames picks frames of (every shard was counted, and said as trained on, with none of its frames scored)
  pick, starts = spread(sum(lengths), max_frames) if max_frames is not None else None, np.cumsum([0] + lengths)
  used = [k for k in range(len(paths)) if pick is None or ((pick >= starts[k]) & (pick < starts[k + 1])).any()]
  if trained := trained_on(ckpt, [routes[k] for k in used], [videos[k] for k in used]):
    print(f"warning: {trained} of the {len(used)} shards scored are of drives {ckpt} trained on: these numbers are not held-out ones", file=sys.stderr)
  metrics, _ = evaluate_frames(model, shard_batches(paths, batch_size, max_frames, model.config.image_size))
  return {**metrics, "shards": len(used), "trained_shards": trained}

def main(argv: Optional[list[str]] = None) -> dict:
  args = stage_args("drivegpt train-vqvae", __doc__, argv, TrainConfig)
  return train(load_config(TrainConfig, args.config, args.overrides))

def eval_main(argv: Optional[list[str]] = None) -> dict:
  import argparse
  ap = argparse.ArgumentParser(prog="drivegpt eval-vqvae", formatter_class=HelpFormatter, description="Evaluate a trained VQVAE on frame shards: prints one JSON "
                               "line with PSNR (dB, mean over frames), SSIM, codebook usage (fraction of codes used), codebook "
                               "perplexity and the number of frames.")
  ap.add_argument("--ckpt", required=True, type=path_arg, help="run directory of train-vqvae (or its ckpt.safetensors)")
  ap.add_argument("--shards", required=True, type=path_arg, help="folder of HDF5 shards (data.ingest output)")
  ap.add_argument("--batch-size", type=int, default=16, help="frames per forward pass")
  ap.add_argument("--max-frames", type=int, default=None, help="evaluate at most this many frames, spread evenly over all of them")
  args = ap.parse_args(argv)
  if args.max_frames is not None and args.max_frames < 1: ap.error(f"--max-frames must be >= 1, got {args.max_frames}")
  if args.batch_size < 1: ap.error(f"--batch-size must be >= 1, got {args.batch_size}")
  metrics = evaluate(args.ckpt, args.shards, args.batch_size, args.max_frames)
  print(json_line(metrics), flush=True)
  return metrics

if __name__ == "__main__":
  from train.stage import run_main
  raise SystemExit(run_main(main))
