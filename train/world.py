"""Train the pose-conditioned world model on token segments.

  drivegpt train-world --config configs/world-small.yaml data.tokens=PATH out=RUNDIR [key=value ...]
  drivegpt eval-world --ckpt RUNDIR --tokens PATH

PATH is a folder of token shards from `drivegpt tokenize` (with poses) or of commaVQ .npy token files (without: the model
is then unconditional, and the run says so). The run directory holds config.yaml, metrics.jsonl, ckpt.safetensors
(atomic, written every ckpt_every steps) and loss.png; the same command again resumes from the checkpoint.
"""
from __future__ import annotations
import argparse, json, lzma, math, sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Optional
import numpy as np
from drivegpt import Tensor, jit
from drivegpt.cli import HelpFormatter, at_least, json_line, path_arg
from drivegpt.tensor import no_grad
from drivegpt.nn import get_parameters
from drivegpt.nn.optim import AdamW, clip_grad_norm_, warmup_cosine
from drivegpt.nn.state import load_checkpoint, checkpoint_info
from drivegpt.models.world import WorldModel, WorldConfig
from train.stage import ConfigError, Run, lets_go, build, check_ray, ckpt_file, known, load_config, load_run_model, note_unfinished, save_curves, stage_args, to_dict, routes_trained, trained_on, trained_videos, warn_short_schedule
from train.world_data import load_segments, split_segments, Windows

@dataclass
class DataConfig:
  tokens: str = ""             # token-shard folder (drivegpt tokenize) or commaVQ .npy files
  frame_stride: int = 1        # the model's frames are every frame_stride-th recorded frame (20 Hz / stride)
  val_fraction: float = 0.1    # held-out drives: routes drawn by a hash of their name (a drive on one side only)
  split_seed: int = 0

@dataclass
class TrainConfig:
  out: str = "runs/world-small"
  data: DataConfig = field(default_factory=DataConfig)
  model: WorldConfig = field(default_factory=WorldConfig)
  steps: int = 2000
  batch_size: int = 8
  lr: float = 1e-3
  min_lr: float = 1e-4
  warmup: int = 100
  weight_decay: float = 0.01
  grad_clip: float = 1.0
  context_noise: float = 0.1   # each window replaces up to this fraction of its context frames' input tokens by random ones
  log_every: int = 10
  eval_every: int = 250
  eval_windows: int = 64
  ckpt_every: int = 250
  seed: int = 0
  workers: int = 1                   # data-parallel replicas on Ray, each taking batch_size/workers of every batch
  ray_address: Optional[str] = None  # Ray cluster for workers > 1 (default: a local Ray)

  def check(self) -> None:
    for k in ("steps", "batch_size", "log_every", "eval_every", "eval_windows", "ckpt_every", "data.frame_stride"):
      v = getattr(self.data, k[5:]) if k.startswith("data.") else getattr(self, k)
      if v < 1: raise ConfigError(f"{k} must be >= 1, got {v}")
    if self.eval_windows < 2 and self.model.pose != "none":  # (one window has no other's poses to swap in: the pose gap went missing)
      raise ConfigError(f"eval_windows must be >= 2 for a pose-conditioned model (the shuffled-pose score swaps poses between windows), got {self.eval_windows}")
    if not 0 <= self.context_noise < 1: raise ConfigError(f"context_noise must be in [0, 1), got {self.context_noise}")
    if not 0 <= self.data.val_fraction < 1: raise ConfigError(f"data.val_fraction must be in [0, 1), got {self.data.val_fraction}")
    if not self.data.tokens: raise ConfigError("data.tokens is required: a token-shard folder or commaVQ .npy files")
    if self.workers < 1 or self.batch_size % self.workers:
      raise ConfigError(f"workers: {self.workers} must be >= 1 and divide batch_size {self.batch_size}")

  def check_given(self, given: set) -> None: check_ray(self)  # (what the user gives: a saved run's config is rebuilt unchecked)

def noise_context(tokens: np.ndarray, max_frac: float, vocab: int, rng: np.random.Generator) -> np.ndarray:
  """tokens (B, F, N) with each window's context frames (all but the last) corrupted: every token replaced by a random one
  with probability p ~ U(0, max_frac) drawn per window. Trains the model to predict clean frames from imperfect context,
  which is what its own samples are in a rollout."""
  if max_frac <= 0: return tokens
  B, F, N = tokens.shape
  p = rng.uniform(0, max_frac, (B, 1, 1))
  hit = rng.random((B, F, N)) < p
  hit[:, -1] = False
  return np.where(hit, rng.integers(0, vocab, tokens.shape), tokens).astype(tokens.dtype)

def shuffled(pose: np.ndarray) -> np.ndarray:
  """Poses moved to another window of the batch (a fixed derangement: roll by half the batch)."""
  return np.roll(pose, max(1, len(pose) // 2), axis=0)

class Scorer:
  """Bits per token of batches of windows, jitted (eval batches repeat their shapes)."""
  def __init__(self, model: WorldModel):
    self.model, self._bits = model, jit(model.bits)
  def __call__(self, tokens: np.ndarray, pose: Optional[np.ndarray]) -> np.ndarray:
    with no_grad(), Tensor.train(False):  # (a train-disengage or BC run earlier in the process left training on: dropout scored)
      return self._bits(Tensor(tokens), Tensor(pose) if pose is not None else None).numpy()

def say_one_window(w: Optional[Windows], what: str) -> None:
  """Say where a pose-conditioned score will have no shuffled-pose number: one window has no other to swap poses with
  (its *_shuffled_pose keys were left out without a word)."""
  if w is not None and w.has_pose and len(w) == 1:
    print(f"warning: {what} holds 1 window: no shuffled-pose score (poses are swapped between windows): hold out more frames", file=sys.stderr)

def evaluate(scorer: Scorer, windows: Windows, n: int, batch_size: int) -> dict:
  """Mean bits/token over n evenly spaced windows, with true poses and with poses shuffled across each batch; over all
  frames of the windows and over their last frame only (the one a rollout generates, given the frames before it)."""
  if batch_size < 2 and windows.has_pose:  # with 1, only a last batch of 2 had poses to shuffle: other windows, other bits
    raise ValueError(f"batch size {batch_size}: poses are shuffled across a batch, so it needs 2 or more")
  ks = np.linspace(0, len(windows) - 1, min(n, len(windows))).astype(int)
  # batch b takes every nb-th window from the b-th, so a batch spans the segments and a shuffled pose comes from another
  # part of the drive (neighbouring windows move almost alike, and a shuffle among them would hide how much the pose counts)
  nb = -(-len(ks) // batch_size)
  ks = ks[np.argsort(np.arange(len(ks)) % nb, kind="stable")]
  bits, shuf = [], []
  bounds = list(range(0, len(ks), batch_size)) + [len(ks)]
  if len(bounds) > 2 and bounds[-1] - bounds[-2] == 1: del bounds[-2]  # a lone last window joins the batch before it (it
  for lo, hi in zip(bounds[:-1], bounds[1:]):                           # was dropped: a shuffle needs two)
    tok, pose = windows.stack(ks[lo:hi])
    bits.append(scorer(tok, pose))                                    # (B, F)
    if pose is not None and hi - lo > 1: shuf.append(scorer(tok, shuffled(pose)))
  ret = {"windows": int(sum(len(b) for b in bits))}
  for name, b in [("", bits), ("_shuffled_pose", shuf)]:
    if not b: continue
    b = np.concatenate(b)                                             # (windows, F)
    ret[f"bits_per_token{name}"], ret[f"last_frame_bits_per_token{name}"] = float(b.mean()), float(b[:, -1].mean())
  if not np.isfinite(ret.get("bits_per_token", 0.0)):  # (eval-world printed null, exit 0: a diverged model's)
    raise FloatingPointError(f"bits per token is {ret['bits_per_token']}: the world model's logits are not finite (a run that diverged?)")
  if (model := getattr(scorer, "model", None)) is not None: check_bits(ret.get("bits_per_token", 0.0), model.config.vocab_size, "held-out bits per token", refuse=False)
  return ret

def check_bits(bits: float, vocab: int, what: str, refuse: bool = True) -> None:
  """Bits per token past twice a uniform guess's log2(vocab): a diverged model (lr=1000 trained to 15,016,797 held-out
  bits a token, finite, and exited 0; eval-world scored it, rollout and PPO read it). Training bits refuse; held-out
  ones are said (data unlike the training data, at a small vocabulary, can cost that much)."""
  if bits > 2 * math.log2(max(vocab, 2)):
    msg = f"{what} is {bits:.4g}, past twice a uniform guess's {math.log2(max(vocab, 2)):.2f} bits over {vocab} tokens"
    if refuse: raise FloatingPointError(f"{msg}: the model has diverged (a lower lr?)")
    print(f"warning: {msg}: a model that diverged, or data far from what it trained on", file=sys.stderr)

LZMA_BYTES = 16 << 20   # int16 tokens lzma_bits compresses, at most about

def lzma_bits(segs, stride: int = 1) -> float:
  """lzma (preset 9, extreme) size of the segments' token streams (int16), in bits per token; with stride, the streams
  of every stride-th frame (the model's frame rate), each phase compressed on its own. (Joined into one input, each
  frame of the second phase found its 20 Hz neighbour in the first, and the figure came out near the 20 Hz one.) Fed
  segment by segment: the bytes joined first were a second copy of every scored token (0.9 GB per 1000 commaVQ segments).
  Over LZMA_BYTES of tokens, the segments at evenly spaced byte offsets (so a long one is as likely as its size), each
  at most LZMA_BYTES of frames: all of them cost ~0.45 s a commaVQ file, an hour for a tenth of commaVQ held out,
  whatever --windows scored."""
  segs, sizes = list(segs), np.array([2 * s.tokens.size for s in segs], np.int64)
  if sizes.sum() > LZMA_BYTES:  # (every k-th segment by count took a 0.3 MB clip for a folder holding a 10-hour drive)
    m = math.ceil(len(segs) * LZMA_BYTES / sizes.sum())
    picked = np.unique(np.searchsorted(np.cumsum(sizes), (np.arange(m) + 0.5) * sizes.sum() / m, side="right"))
    segs = [replace(segs[i], tokens=segs[i].tokens[:max(1, LZMA_BYTES // max(1, 2 * segs[i].tokens[0].size))]) for i in picked]
  size = 0
  for o in range(stride):
    c = lzma.LZMACompressor(preset=9 | lzma.PRESET_EXTREME)
    size += sum(len(c.compress(s.tokens[o::stride].astype("<i2").tobytes())) for s in segs) + len(c.flush())
  return 8 * size / max(1, sum(s.tokens.size for s in segs))

def write_curves(run: Run) -> None:
  save_curves(run.dir / "loss.png", run.dir / "metrics.jsonl", ["loss_bits", "val_bits_per_token", "val_bits_per_token_shuffled_pose",
                                                                        "val_last_frame_bits_per_token"], "bits / token")

@lets_go
def train(cfg: TrainConfig) -> dict:
  """Train (or resume) the run in cfg.out; returns the final metrics."""
  warn_short_schedule(cfg, "train-world")
  segs = load_segments(cfg.data.tokens, vocab=cfg.model.vocab_size, tokens_per_frame=cfg.model.tokens_per_frame)
  train_segs = split_segments(segs, "train", cfg.data.val_fraction, cfg.data.split_seed)
  train_w = Windows(train_segs, cfg.model.frames, cfg.data.frame_stride, cfg.seed,
                    f"data.tokens {cfg.data.tokens}, training split")
  val_segs = split_segments(segs, "val", cfg.data.val_fraction, cfg.data.split_seed)
  if cfg.data.val_fraction > 0 and not val_segs:  # (it trained on all of it with no val_* numbers, unsaid; train-disengage refuses)
    print(f"note: train-world: data.tokens {cfg.data.tokens} is one drive: nothing held out (data.val_fraction="
          f"{cfg.data.val_fraction} needs 2 drives or more)", file=sys.stderr)
  from data.dataset import note_held_share
  note_held_share(f"train-world, data.tokens {cfg.data.tokens}", sum(len(s.tokens) for s in val_segs), sum(len(s.tokens) for s in segs if not s.augmented),  # (yaw copies: K of every drive but the held-out ones, which hid the share)
                  len({s.route or s.name for s in val_segs}), len({s.route or s.name for s in segs}), "data.val_fraction and data.split_seed")
  val_w = Windows(val_segs, cfg.model.frames, cfg.data.frame_stride, what=f"data.tokens {cfg.data.tokens}, held-out split "
                  f"(data.val_fraction={cfg.data.val_fraction}: 0 holds none out)") if val_segs else None
  if not train_w.has_pose and cfg.model.pose != "none":
    print(f"train-world: {cfg.data.tokens} has no poses: training without pose conditioning (model.pose=none)", file=sys.stderr)
    cfg.model.pose = "none"
  use_pose = cfg.model.pose != "none"
  if use_pose:  # the training poses' statistics; a command's other values were replaced without a word
    stats = train_w.pose_stats()
    if (list(cfg.model.pose_mean), list(cfg.model.pose_std)) not in (([0.0]*6, [1.0]*6), stats):
      print(f"train-world: model.pose_mean and model.pose_std are set from the training poses ({[round(v, 4) for v in stats[0]]}, "
            f"{[round(v, 4) for v in stats[1]]}): the values given are not used", file=sys.stderr)
    cfg.model.pose_mean, cfg.model.pose_std = stats
  elif val_w is not None: val_w = _no_pose(val_w)  # (model.pose=none on data with poses: the model reads none, and its
  # "shuffled poses" bits/token repeated the unshuffled number; as eval-world, the held-out rows have none)
  try: run = Run(cfg.out, cfg, may_change=("steps", "log_every", "eval_every", "eval_windows", "ckpt_every", "data.tokens", "workers", "ray_address"))
  except ConfigError as e:  # a key no one set: say where it comes from
    if " with model.pose_mean=" not in str(e) and " with model.pose_std=" not in str(e): raise
    raise ConfigError(f"{e}\n(model.pose_mean and model.pose_std are the training poses' statistics: data.tokens={cfg.data.tokens} "
                      "holds other poses than the run was trained on)") from None
  run.check_split(trained_routes(train_w.segs), trained_routes(val_segs))   # (a segment too short for a window: not trained on)
  say_one_window(val_w, f"the held-out split of data.tokens {cfg.data.tokens}")
  run.check_data("data.tokens", segs, fields=("tokens", "pose"))  # (a folder grown by pose-free files went on, its splits moved, without a word)
  tokenizer = check_tokens_of(run.ckpt, segs, f"train-world: data.tokens={cfg.data.tokens}") if run.ckpt.exists() else \
              next((s.tokenizer for s in segs if s.tokenizer), "")   # what its token ids index (world_tokenizer)
  if cfg.workers > 1: return train_data_parallel(cfg, run, val_w, use_pose, tokenizer)
  Tensor.manual_seed(cfg.seed)
  model = WorldModel(cfg.model)
  opt = AdamW(get_parameters(model), lr=cfg.lr, weight_decay=cfg.weight_decay)
  start = run.resume(model, opt)

  @jit
  def step(x: Tensor, pose: Optional[Tensor], y: Tensor) -> Tensor:
    loss = model.loss(x, pose, y)
    opt.zero_grad()
    loss.backward()
    clip_grad_norm_(opt.params, cfg.grad_clip)
    opt.step(loss)
    return loss

  scorer, ev, window = Scorer(model), {}, []
  if start: window = list((checkpoint_info(str(run.ckpt))[2] or {}).get("log_window", []))  # the next row's steps before it
  bar, window_bits = run.progress(cfg.steps, start, "train-world"), float("nan")
  for i in range(start, cfg.steps):
    opt.lr = warmup_cosine(i, cfg.lr, cfg.warmup, cfg.steps, cfg.min_lr)
    tok, pose = train_w.batch(i, cfg.batch_size)
    x = noise_context(tok, cfg.context_noise, cfg.model.vocab_size, np.random.default_rng([cfg.seed, i, 1]))
    with Tensor.train(): loss = step(Tensor(x), Tensor(pose) if use_pose else None, Tensor(tok))
    window.append(loss.item() / math.log(2))
    bar.update(1)
    if (i + 1) % cfg.log_every == 0 or i + 1 == cfg.steps:
      run.log(i + 1, loss_bits=(window_bits := float(np.mean(window))), lr=opt.lr, time=run.seconds())
      if i + 1 == cfg.steps: check_bits(window_bits, cfg.model.vocab_size, f"{run.dir}: the training bits per token")   # (before its checkpoint)
      bar.set_postfix(bits=f"{window_bits:.3f}", **({"val": f"{ev['val_bits_per_token']:.3f}"} if ev else {}))
      window = []
    if val_w is not None and ((i + 1) % cfg.eval_every == 0 or i + 1 == cfg.steps):
      ev = {f"val_{k}": v for k, v in evaluate(scorer, val_w, cfg.eval_windows, max(2, cfg.batch_size)).items()}
      run.log(i + 1, **ev)
      bar.set_postfix(bits=f"{window_bits:.3f}", val=f"{ev['val_bits_per_token']:.3f}")  # (it showed the score before this one)
    if (i + 1) % cfg.ckpt_every == 0 or i + 1 == cfg.steps:
      run.save(model, opt, i + 1, extra={"log_window": window, "tokenizer": tokenizer})
      write_curves(run)
  bar.close()
  if val_w is not None and not ev:
    ev = {f"val_{k}": v for k, v in evaluate(scorer, val_w, cfg.eval_windows, max(2, cfg.batch_size)).items()}
    run.log_rescored(start, **ev)
  write_curves(run)
  last = [json.loads(l) for l in (run.dir / "metrics.jsonl").read_text().splitlines() if "loss_bits" in l]
  return run.finish({"step": max(start, cfg.steps), "pose_conditioning": use_pose, "train_bits_per_token": last[-1]["loss_bits"] if last else None,
                     **ev, "params": int(sum(p.numel() for p in get_parameters(model))),
                     "train_seconds": round(run.seconds(), 1), "run": str(run.dir)})

class Replica:
  """One of cfg.workers data-parallel replicas (train/parallel.py): rank r takes rows [r*b, (r+1)*b) of every step's
  batch (b = batch_size/workers, the same windows and context noise one process would draw) and contributes its
  gradients; every replica applies their mean, the update one process makes on the whole batch
  (with model.dropout > 0, up to the dropout masks: each rank draws its own from (seed, step, rank))."""
  def __init__(self, cfg: TrainConfig, rank: int, world: int):
    self.cfg, self.rank, self.b = cfg, rank, cfg.batch_size // world
    segs = load_segments(cfg.data.tokens, vocab=cfg.model.vocab_size, tokens_per_frame=cfg.model.tokens_per_frame)
    self.windows = Windows(split_segments(segs, "train", cfg.data.val_fraction, cfg.data.split_seed), cfg.model.frames, cfg.data.frame_stride, cfg.seed)
    self.use_pose = cfg.model.pose != "none"
    Tensor.manual_seed(cfg.seed)
    self.model = WorldModel(cfg.model)
    self.opt = AdamW(get_parameters(self.model), lr=cfg.lr, weight_decay=cfg.weight_decay)
    self.ckpt = Path(cfg.out) / Run.CKPT
    @jit
    def local(x: Tensor, pose: Optional[Tensor], y: Tensor) -> list[Tensor]:
      loss = self.model.loss(x, pose, y)
      self.opt.zero_grad()
      loss.backward()
      return [loss, *[p.grad for p in self.opt.params]]
    @jit
    def apply(*grads: Tensor) -> None:
      for p, g in zip(self.opt.params, grads): p.grad = g
      clip_grad_norm_(self.opt.params, cfg.grad_clip)
      self.opt.step()
    self.local, self.apply_fn = local, apply

  def load(self) -> int:
    return load_checkpoint(str(self.ckpt), self.model, self.opt)[0] if self.ckpt.exists() else 0

  def contribute(self, step: int) -> dict:
    tok, pose = self.windows.batch(step, self.cfg.batch_size)
    x = noise_context(tok, self.cfg.context_noise, self.cfg.model.vocab_size, np.random.default_rng([self.cfg.seed, step, 1]))
    rows = slice(self.rank*self.b, (self.rank + 1)*self.b)
    # dropout masks of this rank's rows: every rank drew the same ones (one seed), the rows of rank r masked as rank 0's
    Tensor.manual_seed(int(np.random.default_rng([self.cfg.seed, step, 2, self.rank]).integers(2**31)))
    with Tensor.train():
      loss, *grads = self.local(Tensor(x[rows]), Tensor(pose[rows]) if self.use_pose else None, Tensor(tok[rows]))
    return {"mean/loss": loss.numpy(), **{f"mean/grad.{i}": g.numpy() for i, g in enumerate(grads)}}

  def apply(self, step: int, c: dict) -> dict:
    self.opt.lr = warmup_cosine(step, self.cfg.lr, self.cfg.warmup, self.cfg.steps, self.cfg.min_lr)
    with Tensor.train(): self.apply_fn(*[Tensor(c[f"mean/grad.{i}"]) for i in range(len(self.opt.params))])
    return {"loss_bits": float(c["mean/loss"]) / math.log(2), "lr": self.opt.lr}

  def save(self, step: int, extra: dict) -> None:
    from drivegpt.nn.state import save_checkpoint
    save_checkpoint(str(self.ckpt), self.model, self.opt, step=step, config=to_dict(self.cfg), extra=extra)

def train_data_parallel(cfg: TrainConfig, run: Run, val_w, use_pose: bool, tokenizer: str) -> dict:
  """train() with cfg.workers replicas on Ray. The driver holds no weights between checkpoints, so the held-out rows
  come from the first checkpoint at or after each eval_every step (it logged none before the final one: the curve had
  no held-out line), and loss.png from the final checkpoint."""
  from train.parallel import train_parallel
  bar, window, model, shown = run.progress(cfg.steps, 0, f"train-world x{cfg.workers}"), [], WorldModel(cfg.model), {}
  def held_out_row(step: int) -> None:  # the checkpoint saved at step, scored if an eval_every step passed since the last row
    run.write_config()  # beside it, as Run.save writes it (a resumed run's stayed as first written: a data change went unsaid)
    rows = [json.loads(l) for l in (run.dir / "metrics.jsonl").read_text().splitlines() if l.strip()] if (run.dir / "metrics.jsonl").exists() else []
    last = max([r["step"] for r in rows if "val_bits_per_token" in r], default=0)
    if val_w is not None and step // cfg.eval_every > last // cfg.eval_every:
      load_checkpoint(str(run.ckpt), model)
      run.log(step, **(row := {f"val_{k}": v for k, v in evaluate(Scorer(model), val_w, cfg.eval_windows, max(2, cfg.batch_size)).items()}))
      shown["val"] = f"{row['val_bits_per_token']:.3f}"
      bar.set_postfix(**shown)
  def log(step: int, m: Optional[dict]) -> None:
    nonlocal window
    if m is None:  # (re)started from the checkpoint of step: the steps since the last row, as they were then
      run.trim_metrics(step)
      run.start_clock(step)
      window = list((checkpoint_info(str(run.ckpt))[2] or {}).get("log_window", [])) if run.ckpt.exists() else []
      if step: held_out_row(step)  # killed between the save and its row
      run.progress_from(bar, step)
      return
    window.append(m["loss_bits"])
    bar.n = step
    bar.refresh()
    if step % cfg.log_every == 0 or step == cfg.steps:
      run.log(step, loss_bits=float(np.mean(window)), lr=m["lr"], time=run.seconds(), workers=cfg.workers)
      if step == cfg.steps: check_bits(float(np.mean(window)), cfg.model.vocab_size, f"{run.dir}: the training bits per token")   # (before its checkpoint)
      shown["bits"] = f"{np.mean(window):.3f}"
      bar.set_postfix(**shown)  # (as one process's bar; it showed none)
      window = []
  # each checkpoint holds the steps since the last row (log runs before the save), as train() saves them
  # the replicas run in their node's folder (a cluster's `ray start` one): a relative out= had rank 0 checkpoint there
  train_parallel(Replica, replace(cfg, out=str(Path(cfg.out).absolute())), cfg.workers, cfg.steps, cfg.ckpt_every, log, ray_address=cfg.ray_address,
                 extra=lambda: run.extra(tokenizer=tokenizer, log_window=list(window)), saved=held_out_row)
  bar.close()
  step = load_checkpoint(str(run.ckpt), model)[0]
  ev = {f"val_{k}": v for k, v in evaluate(Scorer(model), val_w, cfg.eval_windows, max(2, cfg.batch_size)).items()} if val_w is not None else {}
  if ev: run.log_rescored(step, **ev)  # once; again where a re-run scores on other held-out settings (as train()'s)
  write_curves(run)
  last = [json.loads(l) for l in (run.dir / "metrics.jsonl").read_text().splitlines() if "loss_bits" in l]
  return run.finish({"step": step, "pose_conditioning": use_pose, "train_bits_per_token": last[-1]["loss_bits"] if last else None, **ev,
                     "params": int(sum(p.numel() for p in get_parameters(model))), "workers": cfg.workers,
                     "train_seconds": round(run.seconds(), 1), "run": str(run.dir)})

def world_tokenizer(rundir: str) -> str:
  """train.world_data.tokenizer_of the tokens a world run trained on ("": not known: runs before it was kept)."""
  ck = ckpt_file(rundir)
  return str((checkpoint_info(str(ck))[2] or {}).get("tokenizer", ""))

def check_tokens_of(rundir, segs: list, what: str) -> str:
  """Raise if a segment's tokens come from another tokenizer than those the world run trained on: their ids index another
  codebook (a resume went on training on them and relabelled the run; eval-world scored them). Returns the run's
  tokenizer (or the segments', where the run's is not known)."""
  saved = world_tokenizer(str(rundir))
  if saved and (bad := next((s for s in segs if s.tokenizer and s.tokenizer != saved), None)):
    raise ConfigError(f"{what}: {bad.name} was tokenized by another VQVAE ({bad.tokenizer[:60]}) than the tokens the run "
                      f"{rundir} trained on ({saved[:60]}): its ids index another codebook")
  return saved or next((s.tokenizer for s in segs if s.tokenizer), "")

def load_run(rundir: str) -> tuple[WorldModel, TrainConfig]:
  """The model of a run directory (its checkpoint) and the run's config. The model carries its training frame stride
  (model.frame_stride), so the simulator can refuse another (WorldSim(model, segs, 1) on a stride-4 model fed it motions
  a quarter as long, and said 20 fps, silently)."""
  model, cfg = load_run_model(rundir, TrainConfig, lambda cfg: WorldModel(cfg.model))
  model.frame_stride, model.tokenizer = cfg.data.frame_stride, world_tokenizer(rundir)  # (the envs refuse other seeds)
  return model, cfg

def trained_routes(segs) -> list:
  """The drives (routes) of segments a run trains on, kept with its checkpoints (run_split)."""
  return sorted({s.route or s.name for s in segs})

def run_split(rundir: str, segs: list, split: str, cfg) -> list:
  """split_segments of segs with a world run's split settings; "val" leaves out the drives the run trained on, which its
  checkpoint lists: with a tokens folder other than the training one (a drive added, one missing), the recomputed split
  held out drives the run had trained on, and scored them as held out."""
  picked = split_segments(segs, split, cfg.data.val_fraction, cfg.data.split_seed)
  ck = ckpt_file(rundir)
  trained = routes_trained(checkpoint_info(str(ck))[2]) if split == "val" else set()
  seen = trained_videos(rundir, any(not s.video for s in picked)) if split == "val" else frozenset()   # (the same recordings ingested from another folder: other routes)
  kept = [s for s in picked if (s.route or s.name) not in trained and not known(s.video, s.tokens, seen)]
  if len(kept) < len(picked):
    print(f"--split val: {len(picked) - len(kept)} of {len(picked)} held-out segments are of drives {rundir} trained on "
          f"({picked[0].name if not kept else next(s.name for s in picked if s not in kept)}...): left out", file=sys.stderr)
  return kept

def eval_world(rundir: str, tokens: str, split: str = "val", windows: int = 256, batch_size: int = 8) -> dict:
  """Bits/token of a trained model on the segments under tokens (true and shuffled poses), and lzma's bits/token."""
  model, cfg = load_run(rundir)
  note_unfinished(rundir, cfg.steps, f"--ckpt {rundir}", "scored as it is", refuse=False)
  segs = load_segments(tokens, augmented=False, vocab=cfg.model.vocab_size, tokens_per_frame=cfg.model.tokens_per_frame, what="--tokens")  # recordings
  check_tokens_of(rundir, segs, f"eval-world --tokens {tokens}")
  segs = run_split(rundir, segs, split, cfg)
  w = Windows(segs, cfg.model.frames, cfg.data.frame_stride, what=f"--tokens {tokens} --split {split}" +
              (" (the run held none out: data.val_fraction=0; --split all scores every segment)" if split == "val" and not cfg.data.val_fraction else ""))
  if model.pose_proj is not None and not w.has_pose:  # (scored with the pose input left out, it printed a number without a word)
    raise ValueError(f"eval-world: {rundir} is pose-conditioned (model.pose={cfg.model.pose}) but the segments under {tokens} have no "
                     "poses (commaVQ .npy files, or import-commavq's shards): score token shards from `drivegpt tokenize`, or a model trained with model.pose=none")
  Tensor.training = False
  if (trained := trained_on(rundir, [s.route or s.name for s in w.segs], [s.video for s in w.segs], [s.tokens for s in w.segs])) and split == "all":
    print(f"warning: --split all: {trained} of the {len(w.segs)} segments are of drives {rundir} trained on: these numbers are not held-out ones", file=sys.stderr)
  say_one_window(w if model.pose_proj is not None else None, f"--tokens {tokens} --split {split}")
  res = evaluate(Scorer(model), w if model.pose_proj is not None else _no_pose(w), windows, batch_size)
  return {"ckpt": str(rundir), "tokens": str(tokens), "split": split, "segments": len(w.segs), "trained_segments": trained, **res,
          "lzma_bits_per_token": lzma_bits(w.segs), "lzma_bits_per_token_model_rate": lzma_bits(w.segs, cfg.data.frame_stride),
          "pose_conditioning": model.pose_proj is not None and w.has_pose}

def _no_pose(w: Windows) -> Windows:
  w.has_pose = False
  return w

def main(argv: Optional[list[str]] = None) -> dict:
  args = stage_args("drivegpt train-world", __doc__, argv, TrainConfig)
  try: cfg = load_config(TrainConfig, args.config, args.overrides)
  except ConfigError: raise
  except ValueError as e: raise ConfigError(str(e)) from None  # WorldConfig's own checks
  return train(cfg)

def eval_main(argv: Optional[list[str]] = None) -> dict:
  ap = argparse.ArgumentParser(prog="drivegpt eval-world", formatter_class=HelpFormatter, description="Score token segments with a trained world model: prints one "
                               "JSON line with bits/token, bits/token with the poses shuffled across the batch (when the "
                               "segments have poses), both over all frames of the windows and over their last frame, and "
                               "lzma's bits/token on the same tokens (the 20 Hz stream, and at the model's frame rate; past 16 MB of tokens, on an evenly spread subset).")
  ap.add_argument("--ckpt", required=True, type=path_arg, help="run directory of train-world (or its ckpt.safetensors)")
  ap.add_argument("--tokens", required=True, type=path_arg, help="token-shard folder or commaVQ .npy files")
  ap.add_argument("--split", default="val", choices=["val", "train", "all"],
                  help="which segments: 'val' holds out the same segments training did (default); 'all' for a separate folder")
  ap.add_argument("--windows", type=at_least(2, int), default=256, help="windows to score, evenly spaced over the segments (2 or more: the shuffled-pose score swaps poses between them)")
  ap.add_argument("--batch-size", type=at_least(1, int), default=8, help="windows per forward pass (poses are shuffled within it)")
  args = ap.parse_args(argv)
  metrics = eval_world(args.ckpt, args.tokens, args.split, args.windows, args.batch_size)
  print(json_line(metrics), flush=True)
  return metrics

if __name__ == "__main__":
  from train.stage import run_main
  raise SystemExit(run_main(main))
