"""Train the disengagement model: p(a human takes over within 0.5, 1, 2, 4 s: model.horizons) from the last frames'
tokens, poses and speed.

  drivegpt train-disengage tokens=DIR vqvae=RUNDIR out=RUNDIR [key=value ...]

Samples are every frame the system drove (not a takeover or the human's seconds after it) of the token segments, each
horizon's label left out where the segment ends within that horizon, unless it ends in a takeover, whatever the label
(one may have come after the end; keeping only the known positives there would raise the rate near an end); whole
drives are held out (by route hash, a segment's name where it has no route). Takeovers are rare (about 1 frame in 10 is within 2 s of one), so positives are
weighted by sqrt(negatives / positives) in the loss; the weighting biases the probabilities, so after training the
logits are recalibrated per horizon (Platt scaling on the training frames, folded into the output layer). Prints AUROC
and expected calibration error on the held-out segments."""
from __future__ import annotations
import sys
from dataclasses import dataclass, field
from typing import ClassVar, Optional
import numpy as np
from drivegpt import Tensor
from drivegpt.models.policy import DisengageModel, DrivingNetConfig
from drivegpt.nn.state import checkpoint_info
from drivegpt.nn.optim import AdamW, warmup_cosine
from rl.data import Samples, TokenStageConfig, load_driving_segments, make_samples, token_layout, train_steps, fit_step, warmup_steps, saved_config, SAVED_BEFORE
from train.world_data import check_codebook
from train.stage import ConfigError, Run, lets_go, ckpt_file, load_config, stage_args, stage_of

@dataclass
class DisengageConfig(TokenStageConfig):
  out: str = "runs/disengage"
  # a small conv net over the token grid, heavily dropped out: 0.800 held-out AUROC at 2 s against the pooled cells' 0.766 (README)
  model: DrivingNetConfig = field(default_factory=lambda: DrivingNetConfig(conv=16, embed=16, dropout=0.5))
  steps: int = 0       # 0: `epochs` passes' worth of samples (drawn with replacement), so more data trains longer
  epochs: float = 2.5  # held-out AUROC at 2 s was best near 2.5 passes with 288 segments (800 steps) and with 648 (1500+)
  IGNORED: ClassVar[dict] = {**TokenStageConfig.IGNORED,
    "model.lane_head": "the policy's lane head (train-policy --algo bc lane_weight=); the disengagement model has none"}

# *** metrics ***

def auroc(p: np.ndarray, y: np.ndarray) -> float:
  """Area under the ROC curve: P(score of a random positive > a random negative), ties counted half (Mann-Whitney)."""
  if not np.isfinite(p).all(): raise ValueError("auroc: scores are not finite (a NaN would rank as a score)")
  y = y.astype(bool)
  n_pos, n_neg = int(y.sum()), int((~y).sum())
  if not n_pos or not n_neg: return float("nan")
  order = np.argsort(p, kind="mergesort")
  ranks, sp = np.empty(len(p)), p[order]
  bounds = np.flatnonzero(np.r_[True, sp[1:] != sp[:-1], True])
  for a, b in zip(bounds[:-1], bounds[1:]): ranks[order[a:b]] = (a + b + 1) / 2    # mean rank (1-based) of each tie group
  return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))

def ece(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
  """Expected calibration error: sum over equal-width probability bins of |bin| / n * |mean p - mean y|."""
  if not np.isfinite(p).all(): raise ValueError("ece: probabilities are not finite (a NaN falls in no bin)")
  if not len(p): return float("nan")  # no labels (a horizon longer than every held-out segment)
  idx = np.minimum((p * bins).astype(int), bins - 1)
  return float(sum(abs(p[idx == b].mean() - y[idx == b].mean()) * (idx == b).sum() for b in range(bins) if (idx == b).any()) / len(p))

A_MAX = 20.0  # Platt's largest slope

def platt(z: np.ndarray, y: np.ndarray, iters: int = 50) -> tuple[float, float]:
  """(a, b) maximizing the likelihood of y under sigmoid(a z + b): 1-D logistic regression by Newton's method, each step
  halved until the likelihood improves (from a start where large logits saturate every p, a full step overshot to
  a = 5e7: every calibrated probability 0 or 1).
  One class only leaves the head as trained (1, 0): the fit's slope sign was arbitrary there, and a negative one
  reversed the held-out ranking; a fit whose slope comes out <= 0 (logits that rank backwards, or not at all: an
  undertrained net; constant ones) keeps slope 1 and fits b alone (it kept (1, 0), and the class weighting's bias with it:
  held-out ECE 0.45 where b alone gives ~0). The slope is kept in (0, A_MAX] (b refitted at the bound): frames the net
  has memorized separate perfectly and pushed a to 310, every held-out p to 0 or 1."""
  if not np.isfinite(z).all(): raise ValueError(f"platt: {int((~np.isfinite(z)).sum())} logits are not finite (a diverged net)")  # (NaN went into the head)
  if len(np.unique(y)) < 2: return 1.0, 0.0
  # fitted in units of the logits' spread (logits thousands apart saturated every p at a = 1, whatever the start): a is
  # w[0] / scale; b from the base rate's intercept (from b = 0, logits near 30 made every p 1.0 and the fit never moved)
  scale = max(1.0, float(np.std(z)))
  X, y = np.stack([z.astype(np.float64) / scale, np.ones(len(z))], 1), y.astype(np.float64)
  b0 = float(np.log(y.mean() / (1 - y.mean())) - X[:, 0].mean())
  def nll(w): return float(np.sum(np.logaddexp(0, X @ w) - y * (X @ w)))
  def fit(w, free):  # Newton on the free coordinates of w
    loss = nll(w)
    for _ in range(iters):
      p = 0.5 * (1 + np.tanh(X @ w / 2))  # sigmoid, without overflow
      H = X[:, free].T @ (X[:, free] * (p * (1 - p))[:, None]) + 1e-6 * np.eye(len(free))
      step, s = np.zeros(2), 1.0
      step[free] = np.linalg.solve(H, X[:, free].T @ (p - y))
      while s > 1e-8 and nll(w - s * step) > loss: s /= 2
      if s <= 1e-8: break  # no step improves it: at the optimum
      w = w - s * step
      loss = nll(w)
    return w
  w = fit(np.array([scale, b0 * scale]), [1])  # b alone at the trained slope: the fallback
  if np.ptp(X[:, 0]) >= 1e-9 and (joint := fit(np.array([1.0, b0]), [0, 1]))[0] > 0: w = joint
  if w[0] > A_MAX * scale: w = fit(np.array([A_MAX * scale, w[1] * A_MAX * scale / w[0]]), [1])
  return float(w[0] / scale), float(w[1])

# *** training ***

def codebook_of(vqvae: str) -> np.ndarray:
  """The VQVAE run's codebook (K, D)."""
  from train.vqvae import load_tokenizer
  model, _ = load_tokenizer(vqvae)
  return model.quantizer.codebook.numpy()

def check_resumed_codebook(resumed: np.ndarray, codebook: np.ndarray, run, vqvae: str) -> None:
  """Refuse to go on with a checkpoint whose codebook is not the VQVAE's now (retrained in its folder, its tokens
  re-made: the resumed run trained on new ids with the old code vectors, and finished without a word)."""
  if not np.array_equal(resumed, codebook):
    raise ConfigError(f"{run.dir}: this run was trained on another codebook than the VQVAE {vqvae}'s now (retrained since?); "
                      "use another out= folder, or the VQVAE run its tokens came from")

def predict(model: DisengageModel, s: Samples, idx: np.ndarray, batch_size: int = 512) -> np.ndarray:
  """Logits (M, H) of samples idx."""
  prev, Tensor.no_grad, Tensor.training = (Tensor.no_grad, Tensor.training), True, False
  try:
    return np.concatenate([model(model.features(s.tokens[j]), Tensor(s.pose[j]), Tensor(s.speed[j])).numpy()
                           for j in np.array_split(idx, max(1, -(-len(idx) // batch_size)))])
  finally: Tensor.no_grad, Tensor.training = prev   # (training was left off: a caller's next steps ran without dropout)

def scores(model: DisengageModel, s: Samples, idx: np.ndarray) -> dict:
  """AUROC, ECE and positive rate per horizon on samples idx."""
  logit = predict(model, s, idx).astype(np.float64)
  p = 1 / (1 + np.exp(-logit))
  out = {}
  for j, h in enumerate(model.config.horizons):  # AUROC ranks the logits: float32 probabilities tie at 1.0 past logit ~17
    k = s.mask[idx, j]   # the labels known at this horizon
    y, logit_j, p_j = s.labels[idx[k], j], logit[k, j], p[k, j]
    out.update({f"auroc_{h:g}s": auroc(logit_j, y), f"ece_{h:g}s": ece(p_j, y), f"pos_rate_{h:g}s": float(y.mean(dtype=np.float64)) if len(y) else float("nan")})
  return out

def no_held_out(cfg, routes: list, part: str = "val") -> ConfigError:
  """The error for a split with no held-out (part "val") or training ("train") samples: no segment there, or (the message
  blamed val_fraction) those too short for a context or without a known label (BC crashed inside numpy there; with no
  training sample, train-disengage in numpy's "high <= 0")."""
  from data.dataset import split_segments
  held, which = split_segments(list(range(len(routes))), part, cfg.val_fraction, cfg.split_seed, routes), "held-out" if part == "val" else "training"
  if not held: return ConfigError(f"tokens: {cfg.tokens} has no {which} segments (val_fraction={cfg.val_fraction})" + (  # (one drive in
    f": its {len(routes)} segments are {len(set(routes))} drive(s), and the split holds out whole drives" if len(set(routes)) < 2 else ""))  # pieces: unsaid)
  bc = hasattr(cfg, "lane_weight")   # (BC reads no motions and learns from commanded frames, not takeover labels)
  context, labels = (f"model.frames={cfg.model.frames}, stride={cfg.stride}" + ("" if bc else f", model.motions={cfg.model.motions}"),
                     "has no commanded frame" if bc else f"knows no label within model.horizons={list(cfg.model.horizons)}")
  return ConfigError(f"tokens: the {len(held)} {which} segments ({', '.join(sorted({routes[i] for i in held})[:3])}) give no samples: each is "
                     f"shorter than a context ({context}) or {labels}; shorten those, or hold out other drives (split_seed, val_fraction)")

def split(s: Samples, routes: list, val_fraction: float, seed: int, among: Optional[np.ndarray] = None) -> tuple[np.ndarray, np.ndarray]:
  """Indices of the training and held-out samples the system drove, by the route of each segment (routes[i]), with the
  data stage's seeded hash split: the routes with the smallest hash are held out, so with the same seed and recordings
  the drives the VQVAE (val_fraction 0.1) and configs/world-small.yaml (0.15) held out are held out here too (0.25),
  and so are some drives those stages trained on. With `among` (sample indices), only those samples, split by their
  own segments' routes (an inner split of the training set)."""
  from data.dataset import split_segments
  keep = s.mask.any(1) if among is None else np.isin(np.arange(len(s.segment)), among)
  segs = list(range(len(routes))) if among is None else sorted(set(s.segment[among].tolist()))
  val = split_segments(segs, "val", val_fraction, seed, [routes[i] for i in segs])
  is_val = np.isin(s.segment, val)
  return np.flatnonzero(~is_val & keep), np.flatnonzero(is_val & keep)

@lets_go
def train(cfg: DisengageConfig) -> dict:
  """Train, calibrate and score a DisengageModel; returns the final metrics (also printed as one JSON line)."""
  segs = load_driving_segments(cfg.tokens)
  if len(segs) < 2: raise ConfigError(f"tokens: {cfg.tokens} has {len(segs)} segment; holding segments out needs at least 2")
  codebook = codebook_of(cfg.vqvae)
  check_codebook(segs, codebook, cfg.vqvae)
  mc = DrivingNetConfig(**{**vars(cfg.model), "vocab_size": codebook.shape[0], "code_dim": codebook.shape[1],
                           **token_layout(segs, getattr(cfg, "given_grid", None))})
  cfg.model = mc
  run = Run(cfg.out, cfg, may_change=("steps", "epochs", "eval_every"), added=SAVED_BEFORE)
  s = make_samples(segs, mc.frames, cfg.stride, mc.horizons, mc.motions)
  names = [g.route or g.name for g in segs]
  tr, va = split(s, names, cfg.val_fraction, cfg.split_seed)
  if not len(va) or not len(tr): raise no_held_out(cfg, names, "val" if not len(va) else "train")
  run.check_split([names[k] for k in set(s.segment[tr].tolist())], [names[k] for k in set(s.segment[va].tolist())])
  run.check_data("tokens", segs)  # (after check_split: a drive trained on now held out is the worse news)
  if not (s.labels[tr] * s.mask[tr]).any():  # (it trained and scored AUROCs of a model that never saw a takeover, unsaid)
    print(f"train-disengage: warning: the training segments of {cfg.tokens} have no takeover with a known label: the model "
          "learns nothing of takeovers, and its scores mean nothing (record more segments, or hold out fewer: val_fraction)", file=sys.stderr)
  if not s.labels[va].any():  # a small recording: train anyway, the scores say they are undefined
    print(f"train-disengage: warning: the held-out segments of {cfg.tokens} have no takeovers: AUROC is undefined (NaN); "
          "record more segments for a score", file=sys.stderr)
  if every := [h for h, k, y in zip(mc.horizons, s.mask[tr].sum(0), (s.labels[tr] * s.mask[tr]).sum(0)) if k and y == k]:
    print(f"train-disengage: warning: horizons {every} s: every training frame with a known label is a takeover: those "
          "heads learn only that a takeover always comes (record more segments, or longer ones)", file=sys.stderr)
  if unknown := [h for h, k in zip(mc.horizons, s.mask[tr].sum(0)) if not k]:  # (segments shorter than the horizon past every frame)
    print(f"train-disengage: warning: horizons {unknown} s: no training frame has a known label (the segments end before t + "
          "horizon): those heads stay untrained, and PPO refuses them as its reward_horizon", file=sys.stderr)
  Tensor.manual_seed(cfg.seed)
  model = DisengageModel(mc, codebook)
  opt = AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
  start = run.resume(model, opt)
  check_resumed_codebook(model.codebook.numpy(), codebook, run, cfg.vqvae)
  if start and (raw_head := (checkpoint_info(str(run.ckpt))[2] or {}).get("raw_head")):  # a finished run: its head before
    model.head.weight.assign(Tensor(np.array(raw_head["weight"], np.float32))).realize()  # calibration, to score (and
    model.head.bias.assign(Tensor(np.array(raw_head["bias"], np.float32))).realize()      # train on) as the first run did
  pos_weight = Tensor(positive_weight(s.labels[tr], s.mask[tr]))
  steps = run.length(train_steps(cfg, len(tr)), start)  # fewer steps than a run has done: it stays what it is (it was saved as the fewer)
  bar = run.progress(steps, start, "train-disengage")
  with Tensor.train():  # (training on in the loop, back as it was after it, also when it raises: a notebook's next stage ran with dropout)
    for i in range(start, steps):
      opt.lr = warmup_cosine(i, cfg.lr, warmup_steps(steps), steps)
      j = tr[np.random.default_rng([cfg.seed, i]).integers(0, len(tr), cfg.batch_size)]
      loss = model.loss(model.features(s.tokens[j]), Tensor(s.pose[j]), Tensor(s.speed[j]), Tensor(s.labels[j]), pos_weight, Tensor(s.mask[j].astype(np.float32)))
      fit_step(opt, loss)
      bar.update(1)
      if (i + 1) % cfg.eval_every == 0 or i + 1 == steps:
        if not np.isfinite(lv := float(loss.item())): raise FloatingPointError(f"train-disengage: the loss is {lv} at step {i + 1}: training diverged (a lower lr?); " + (f"{run.ckpt} keeps the last finite one" if run.ckpt.exists() else "nothing was saved"))
        # (ECE before calibration, named as in the final line: val_ece_* there is the calibrated model's)
        run.log(i + 1, loss=lv, **{f"val_{'uncalibrated_' * k.startswith('ece')}{k}": v for k, v in scores(model, s, va).items()})
        run.save(model, opt, i + 1)
  bar.close()
  raw, raw_head = scores(model, s, va), {"weight": model.head.weight.numpy().tolist(), "bias": model.head.bias.numpy().tolist()}
  calibrate(model, s, tr, pos_weight.numpy())
  run.save(model, opt, steps, extra={"calibrated": True, "raw_head": raw_head, "known_labels": [int(k) for k in s.mask[tr].sum(0)],
                                              "positive_labels": [int(k) for k in (s.labels[tr] * s.mask[tr]).sum(0)]})
  final = {"train_seconds": round(run.seconds(), 1), "steps": steps, "segments": len(segs), "val_segments": int(len(set(s.segment[va]))),
           "val_frames": int(len(va)), "val_takeovers": int(sum(g.disengage.sum() for i, g in enumerate(segs) if i in set(s.segment[va]))),
           **{f"val_{k}": v for k, v in scores(model, s, va).items()}, **{f"val_uncalibrated_{k}": v for k, v in raw.items() if "ece" in k},
           "run": str(run.dir)}
  say_scores(final, mc.horizons)
  return run.finish(final)

def say_scores(final: dict, horizons) -> None:
  """Notes on stderr where the held-out scores say little: few held-out takeovers (the demo's AUROCs of 0.12 and 0.49
  came from one), or a calibration that made the held-out ECE worse."""
  if 0 < final["val_takeovers"] < 10:
    print(f"train-disengage: note: the held-out segments hold {final['val_takeovers']} takeover(s): AUROC and ECE from so few say little", file=sys.stderr)
  if worse := [f"{h:g}" for h in horizons if final[f"val_ece_{h:g}s"] > final[f"val_uncalibrated_ece_{h:g}s"]]:
    print(f"train-disengage: note: horizons {', '.join(worse)} s: calibration (fit on the training frames) made the held-out ECE "
          "worse (val_ece_* against val_uncalibrated_ece_*): the model fits its training frames better than it generalizes", file=sys.stderr)

def positive_weight(labels: np.ndarray, mask: np.ndarray) -> np.ndarray:
  """Each head's weight on its positive frames (labels, mask (N, H)): sqrt(negatives / positives) among the labelled
  frames: half way (in log) between no weighting and balanced classes."""
  pos = (labels * mask).sum(0) / np.maximum(mask.sum(0), 1)
  # (no negatives: 1, nothing to balance; 0 weighted out every term, and the head learnt nothing at a loss of 0)
  return np.where(pos < 1, np.sqrt((1 - pos) / np.maximum(pos, 1e-6)), 1.0).astype(np.float32)

def calibrate(model: DisengageModel, s: Samples, idx: np.ndarray, pos_weight: np.ndarray) -> None:
  """Platt-scale each horizon's logit on samples idx and fold (a, b) into the output layer: z' = a z + b. A horizon whose
  training frames the net separates (memorized) has a fit that says nothing of new
  frames (on a demo-sized run it put 92% of the held-out p at exactly 1.0: a reward of 0 everywhere, ECE 0.79 against
  0.64 uncalibrated): it takes the class weighting's own correction instead, z - log(pos_weight), said on stderr."""
  z = predict(model, s, idx)
  ab = np.array([platt(z[s.mask[idx, j], j], s.labels[idx, j][s.mask[idx, j]]) for j in range(z.shape[1])], np.float32)   # (H, 2)
  def separated(j):
    zj, yj = z[s.mask[idx, j], j], s.labels[idx, j][s.mask[idx, j]] > 0
    return yj.any() and (~yj).any() and zj[~yj].max() < zj[yj].min()
  if (bound := np.flatnonzero([separated(j) for j in range(len(ab))])).size:  # (not a fit at the bound alone: an under-confident
    # net's squashed logits need a slope that large, and the bounded fit beat the fallback there, ECE 0.05 against 0.16)
    ab[bound] = np.stack([np.ones(len(bound)), -np.log(pos_weight[bound])], 1)
    print(f"train-disengage: horizons {[model.config.horizons[j] for j in bound]} s: the net separates its training frames "
          "(memorized), so they are calibrated by the class weighting's correction alone; more data helps", file=sys.stderr)
  w, b = model.head.weight.numpy(), model.head.bias.numpy()
  model.head.weight.assign(Tensor(w * ab[:, :1])).realize()
  model.head.bias.assign(Tensor(b * ab[:, 0] + ab[:, 1])).realize()

def load_disengage(path: str) -> tuple[DisengageModel, DisengageConfig]:
  """The DisengageModel of a train-disengage run directory (or its checkpoint)."""
  return _load(path, DisengageConfig, DisengageModel)

def check_same_inputs(disengage: DisengageModel, dcfg, actor, bcfg, what: str, same_frames: bool = False) -> None:
  """Raise unless the disengagement model and the policy read the same inputs: one frame stride and one VQVAE codebook
  (each scored the other's tokens as if they were its own, without an error); with same_frames (PPO, whose env hands
  both one context) one number of frames too (export-driving reads each model's own)."""
  if list(disengage.config.grid) != list(actor.config.grid): raise ValueError(f"{what}: token grids differ: disengage {disengage.config.grid}, policy {actor.config.grid}")
  if dcfg.stride != bcfg.stride: raise ValueError(f"{what}: frame strides differ: disengage {dcfg.stride}, policy {bcfg.stride}; train both on the same stride")
  if same_frames and disengage.config.frames != actor.config.frames:  # (PPO failed at its first step, naming neither run)
    raise ValueError(f"{what}: frame contexts differ: disengage model.frames={disengage.config.frames}, policy model.frames={actor.config.frames}; train both with the same")
  if not np.array_equal(disengage.codebook.numpy(), actor.codebook.numpy()):
    raise ValueError(f"{what}: the disengagement model ({dcfg.vqvae}) and the policy ({bcfg.vqvae}) read tokens of different VQVAEs")

def _load(path: str, cfg_cls, model_cls):
  from pathlib import Path
  from drivegpt.nn.state import checkpoint_info, load_checkpoint
  ckpt = ckpt_file(path)
  if not ckpt.exists(): raise FileNotFoundError(f"{path}: no checkpoint ({ckpt} doesn't exist)")
  step, conf, extra = checkpoint_info(str(ckpt))
  try:
    cfg = saved_config(cfg_cls, conf)
    model = model_cls(cfg.model, np.zeros((cfg.model.vocab_size, cfg.model.code_dim), np.float32))
    load_checkpoint(str(ckpt), model)
  except ValueError as e:  # another stage's run: "model key 'head.weight' is missing" said little
    if stage_of(conf) == "train-disengage": raise ValueError(f"{path}: a damaged train-disengage run ({e})") from None
    raise ValueError(f"{path}: not a train-disengage run: it looks like a {stage_of(conf)} run ({e})") from None
  if not (extra or {}).get("calibrated"):  # its probabilities skewed by the class weights: PPO's reward and episode ends
    raise ValueError(f"{path}: an unfinished train-disengage run (stopped at step {step}, before its calibration): "
                     "run its command again to finish it")
  return model, cfg

def main(argv: Optional[list[str]] = None) -> dict:
  args = stage_args("drivegpt train-disengage", __doc__, argv, DisengageConfig)
  try: cfg = load_config(DisengageConfig, args.config, args.overrides)
  except ConfigError: raise
  except ValueError as e: raise ConfigError(str(e)) from None
  return train(cfg)

if __name__ == "__main__":
  from train.stage import run_main
  raise SystemExit(run_main(main))
