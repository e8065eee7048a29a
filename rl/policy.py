"""The driving policy: behaviour cloning on the logged driver actions, and loading any trained policy.

  drivegpt train-policy --algo bc tokens=DIR vqvae=RUNDIR out=RUNDIR [key=value ...]
  drivegpt train-policy --algo ppo ...            (rl/train.py)

The policy (drivegpt/models/policy.py PolicyNet) maps the last K frames' tokens and the speed to [acceleration, curvature].
Behaviour cloning regresses the mean on every logged frame (the human's takeover frames included: they are the
recoveries), then sets the policy's standard deviation to the residual's, held to [0.05, 0.5] in the normalized action
units (neither a frozen nor a random start), the exploration PPO starts from.

A few recorded scenes are easy to memorize and new ones look different (a jam at 4 m/s after highway driving), so the
net starts as the constant predictor (output layer zero, bias the training actions' mean) and training keeps the weights
with the lowest error on an inner split of the training segments (kept in `best.safetensors` while it trains, where the
training segments are enough for an inner split; the checkpoint ends holding them); the held-out segments are only
scored, never selected on. The final line gives the constant's held-out error beside the policy's (`val_mse_constant`)."""
from __future__ import annotations
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Optional
import numpy as np
from drivegpt import Tensor
from drivegpt.models.policy import LANE_SCALE, DrivingNetConfig, PolicyNet, to_normalized, to_units
from drivegpt.nn.optim import AdamW, warmup_cosine
from drivegpt.nn.state import checkpoint_info, load_checkpoint, save_checkpoint
from rl.data import TokenStageConfig, load_driving_segments, make_samples, token_layout, train_steps, fit_step, warmup_steps, saved_config, SAVED_BEFORE
from train.world_data import check_codebook
from train.stage import ConfigError, Run, _flat, lets_go, ckpt_file, load_config, run_path, stage_args, stage_of, to_dict

LANE_CLIP = 8.0     # the lane head's units: 4 m off the lane centre, 0.4 rad of heading error
TARGET_CLIP = 4.0   # normalized units: 8 m/s^2, 0.02 1/m (a 50 m radius); sharper curves are steering at walking speed in
                    # jams and after crashes (up to 0.11 1/m, the steering limit), which would dominate the squared error

BC_ADDED = {**SAVED_BEFORE, "lane_weight": 0.0}  # keys runs saved before them lack, with the value those runs had

@dataclass
class BCConfig(TokenStageConfig):
  out: str = "runs/bc"
  # a conv net over the token grid: held-out curvature correlation 0.51 where the pooled cells learned nothing that beat
  # the constant on 288 segments; closed loop 0.0885 km per takeover against 0.0591 (README)
  model: DrivingNetConfig = field(default_factory=lambda: DrivingNetConfig(conv=32, embed=16, dropout=0.3))
  lane_weight: float = 0.0   # > 0: the trunk also learns where the car is in its lane (the recorder's lane offset and
                             # heading error, model.lane_head), this loss weight beside the actions' squared error
  IGNORED: ClassVar[dict] = {**TokenStageConfig.IGNORED,
    "model.horizons": "the disengagement model's takeover horizons; a policy predicts actions, not takeovers",
    "model.motions": "the disengagement model's ego-motion history; the policy reads no motions",
    "model.pose_scale": "it scales the disengagement model's ego motions; the policy reads no motions",
    "model.lane_head": "lane_weight sets it (lane_weight > 0 trains the lane head)"}

  def check(self) -> None:
    super().check()
    if not self.lane_weight >= 0: raise ConfigError(f"lane_weight must be >= 0, got {self.lane_weight}")

def predict(policy: PolicyNet, tokens: np.ndarray, speed: np.ndarray, batch_size: int = 512, lane: bool = False) -> np.ndarray:
  """Mean normalized actions (M, 2), or with lane the lane head's outputs (M, 2)."""
  prev, Tensor.no_grad, Tensor.training = (Tensor.no_grad, Tensor.training), True, False
  head = (lambda obs: policy.with_lane(obs)[1]) if lane else policy.mean
  try:
    return np.concatenate([head({"tokens": tokens[j], "speed": speed[j]}).numpy()
                           for j in np.array_split(np.arange(len(tokens)), max(1, -(-len(tokens) // batch_size)))])
  finally: Tensor.no_grad, Tensor.training = prev

def commanded(s, segs: list) -> np.ndarray:
  """(M,) bool: the samples whose command was logged: all but the last frame of a segment a crash ended (the recorder
  stops before that frame's command and logs zeros, which cloning would learn as "coast straight on"). A crash of the
  human driver logs no takeover, so a last command of exactly zeros is taken as unlogged too."""
  from data.layout import CAUSES
  keep = np.ones(len(s.segment), bool)
  for i, g in enumerate(segs):
    if len(g.cause) and (g.cause[-1] == CAUSES.index("crash") or not np.any(g.action[-1])): keep[np.flatnonzero(s.segment == i)[-1:]] = False
  return keep

@lets_go
def train_bc(cfg: BCConfig) -> dict:
  """Behaviour cloning; returns the final metrics (printed as one JSON line)."""
  from rl.disengage import check_resumed_codebook, codebook_of, no_held_out, split
  segs = load_driving_segments(cfg.tokens)
  if len(segs) < 2: raise ConfigError(f"tokens: {cfg.tokens} has {len(segs)} segment; holding segments out needs at least 2")
  codebook = codebook_of(cfg.vqvae)
  check_codebook(segs, codebook, cfg.vqvae)
  cfg.model = DrivingNetConfig(**{**vars(cfg.model), "vocab_size": codebook.shape[0], "code_dim": codebook.shape[1],
                                  **token_layout(segs, getattr(cfg, "given_grid", None)), "lane_head": cfg.lane_weight > 0})
  run = Run(cfg.out, cfg, may_change=("steps", "epochs", "eval_every"), added=BC_ADDED)
  # the policy reads no motions: model.motions (10 at stride 4) left every segment's first 2 s out of training and val
  s = make_samples(segs, cfg.model.frames, cfg.stride, cfg.model.horizons, 1)
  s.mask[:] = commanded(s, segs)[:, None]           # every frame: the human's recoveries are the lesson
  names = [g.route or g.name for g in segs]  # split by drive
  tr, va = split(s, names, cfg.val_fraction, cfg.split_seed)
  if not len(va) or not len(tr): raise no_held_out(cfg, names, "val" if not len(va) else "train")   # (it crashed in numpy: "zero-size array to reduction operation minimum")
  run.check_split([names[k] for k in set(s.segment[tr].tolist())], [names[k] for k in set(s.segment[va].tolist())])
  run.check_data("tokens", segs, fields=("tokens", "pose", "speed", "action", "disengage", "times", "ended", "cause") + (("lane",) if cfg.lane_weight > 0 else ()))  # (after check_split: a drive trained on now held out is the worse news)
  fit, stop = split(s, names, cfg.val_fraction, cfg.split_seed, among=tr)   # inner split: early stopping
  if not len(stop): fit = tr                        # one training segment: no inner split, the last step is kept
  target = np.clip(to_normalized(s.action), -TARGET_CLIP, TARGET_CLIP).astype(np.float32)
  constant = target[fit].mean(0)
  if cfg.lane_weight:
    if np.isnan(s.lane[fit]).any():
      bare = sorted({names[k] for k in s.segment[fit][np.isnan(s.lane[fit]).any(1)]})
      raise ConfigError(f"lane_weight={cfg.lane_weight}: {len(bare)} training segments have no lane signal (first: {bare[0]}); "
                        "record them with `drivegpt record`, or set lane_weight=0")
    lane_target = np.clip(s.lane / np.array(LANE_SCALE, np.float32), -LANE_CLIP, LANE_CLIP).astype(np.float32)
  Tensor.manual_seed(cfg.seed)
  policy = PolicyNet(cfg.model, codebook)
  policy.mu.weight, policy.mu.bias = Tensor(np.zeros((2, cfg.model.hidden), np.float32)), Tensor(constant)  # the constant predictor
  opt = AdamW(policy.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
  start = run.resume(policy, opt)
  check_resumed_codebook(policy.codebook.numpy(), codebook, run, cfg.vqvae)
  last = run.dir / "last.safetensors"  # a finished run's checkpoint holds its best step's weights: more steps go on from the last's
  has_last = bool(start) and last.exists() and checkpoint_info(str(last))[0] == start
  mse = lambda idx: float(np.mean((predict(policy, s.tokens[idx], s.speed[idx]) - target[idx]) ** 2, 0).mean())
  best = run.dir / "best.safetensors"
  best_step = (checkpoint_info(str(run.ckpt))[2] or {}).get("best_step") if start else None
  finished = best_step is not None   # its checkpoint holds the best step's weights: the last step's when best_step is it
  if finished and len(stop) and not best.exists():  # made again from them (the last step's weights were taken as the best, unsaid)
    keep_best(policy, mse(stop), float("inf"), best, best_step, run.config)
  if has_last: load_checkpoint(str(last), policy, opt)
  best_mse = checkpoint_info(str(best))[2]["inner_val_mse"] if best.exists() and start > 0 else float("inf")  # a fresh run ignores a stale file
  if len(stop) and start == 0: best_mse = keep_best(policy, mse(stop), float("inf"), best, 0, run.config)
  steps = run.length(train_steps(cfg, len(fit)), start)  # fewer steps than a run has done: it stays what it is (it was saved as the fewer)
  if finished and not has_last and best_step != start and steps > start:  # (it went on from the best step's weights)
    raise ConfigError(f"{last}: {'missing' if not last.exists() else 'not of step ' + str(start)}: this finished run's checkpoint holds its best "
                      "step's weights, and more steps go on from the last step's: put the file back, or use another out= folder")
  if start and not finished and len(stop) and not best.exists():  # (a killed run's best step was forgotten without a word)
    print(f"warning: {best} is missing: the best step is chosen among the steps from {start} on", file=sys.stderr)
  bar = run.progress(steps, start, "train-policy bc")
  with Tensor.train():  # (training on in the loop, back as it was after it, also when it raises: a notebook's next stage ran with dropout)
    for i in range(start, steps):
      opt.lr = warmup_cosine(i, cfg.lr, warmup_steps(steps), steps)
      j = fit[np.random.default_rng([cfg.seed, i]).integers(0, len(fit), cfg.batch_size)]
      obs = {"tokens": s.tokens[j], "speed": s.speed[j]}
      if cfg.lane_weight:
        mean, lane = policy.with_lane(obs)
        loss = (mean - Tensor(target[j])).square().mean() + cfg.lane_weight * (lane - Tensor(lane_target[j])).square().mean()
      else: loss = (policy.mean(obs) - Tensor(target[j])).square().mean()
      fit_step(opt, loss)
      bar.update(1)
      if (i + 1) % cfg.eval_every == 0 or i + 1 == steps:
        inner = {"inner_val_mse": mse(stop)} if len(stop) else {}
        run.log(i + 1, loss=float(loss.item()), **inner, val_mse=mse(va))
        if inner: best_mse = keep_best(policy, inner["inner_val_mse"], best_mse, best, i + 1, run.config)
        run.save(policy, opt, i + 1)
  bar.close()
  if not finished or has_last or best_step == start: save_checkpoint(str(last), policy, opt, step=steps, config=run.config)  # (not the best's weights as the last's)
  kept = len(stop) > 0 and best.exists()  # without an inner split nothing was selected: the last step stays
  best_step = checkpoint_info(str(best))[0] if kept else steps
  if kept and best_step == 0:  # (the held-out rows of metrics.jsonl, of policies not kept, read as if one were)
    print(f"train-policy bc: note: no step scored better on the inner split than the untrained start (inner_val_mse {checkpoint_info(str(best))[2]['inner_val_mse']:.4g}), "
          "which is kept: it predicts about the training frames' mean, and val_mse is the constant predictor's", file=sys.stderr)
  if kept: load_checkpoint(str(best), policy)
  resid = predict(policy, s.tokens[tr], s.speed[tr]) - target[tr]
  policy.log_std.assign(Tensor(np.log(np.clip(resid.std(0), 0.05, 0.5)).astype(np.float32))).realize()
  run.save(policy, opt, steps, extra={"best_step": best_step})
  pred = predict(policy, s.tokens[va], s.speed[va])
  err = to_units(pred) - to_units(target[va])
  return run.finish({"train_seconds": round(run.seconds(), 1), "steps": steps, "val_frames": int(len(va)), "val_mse": mse(va),
                     "val_mse_constant": float(np.mean((constant - target[va]) ** 2, 0).mean()), "best_step": best_step,
                     "inner_val_mse": best_mse if len(stop) else None,
                     "val_mae_accel": float(np.abs(err[:, 0]).mean()), "val_mae_curvature": float(np.abs(err[:, 1]).mean()),
                     "val_corr_curvature": _corr(pred[:, 1], target[va, 1]),
                     # (the held-out numbers score the targets as trained, clipped to +-TARGET_CLIP: 35% of a jam's frames
                     # were, and their curvature error against the logged actions was 4x the one reported, unsaid)
                     "val_clipped_fraction": float((np.abs(to_normalized(s.action[va])) > TARGET_CLIP).any(1).mean()),
                     **(lane_scores(policy, s, va, lane_target) if cfg.lane_weight else {}),
                     "log_std": policy.log_std.numpy().tolist(), "run": str(run.dir)})

def lane_scores(policy: PolicyNet, s, idx: np.ndarray, lane_target: np.ndarray) -> dict:
  """Held-out R^2 of the lane head's offset and heading error (how well the trunk sees where it is in the lane), on the
  held-out frames with a lane signal (a real drive's segment may have none)."""
  idx = idx[np.isfinite(lane_target[idx]).all(1)]
  if not len(idx): return {"val_r2_lane_offset": None, "val_r2_heading": None, "val_lane_frames": 0}
  z, y = predict(policy, s.tokens[idx], s.speed[idx], lane=True), lane_target[idx]
  var = y.astype(np.float64).var(0)  # constant targets (one frame, say) leave R^2 undefined: NaN, null in the JSON (it was -1e8; float32's var of 0.6s is 1e-16)
  r2 = np.where(var > 0, 1 - ((z - y) ** 2).mean(0) / np.where(var > 0, var, 1), np.nan)
  return {"val_r2_lane_offset": float(r2[0]), "val_r2_heading": float(r2[1]), "val_lane_frames": int(len(idx))}

def keep_best(policy: PolicyNet, inner_mse: float, best_mse: float, path: Path, step: int, config) -> float:
  """Save the policy to path when inner_mse beats best_mse; returns the new best."""
  if not inner_mse < best_mse: return best_mse  # (a NaN step, of a diverged run, never is: it was kept as the best)
  save_checkpoint(str(path), policy, None, step=step, config=config, extra={"inner_val_mse": inner_mse})
  return inner_mse

def policy_file(ckpt: Path) -> Path:
  """The file a PPO checkpoint's policy is loaded from: a run's good.safetensors (its newest policy that passed the
  reward-hacking guard) where it has one, any other file (a kept snapshot) as itself."""
  from rl.train import GOOD
  good = ckpt.parent / GOOD if ckpt.name == Run.CKPT else ckpt
  return good if good.exists() else ckpt

def load_policy(path: str) -> tuple[PolicyNet, BCConfig]:
  """The policy of a train-policy run (bc or ppo; a ppo run gives its newest policy that passed the reward-hacking
  guard), and the BC config (frames, stride) it was built with."""
  from drivegpt.nn.state import checkpoint_info, load_checkpoint
  p = Path(path)
  ckpt = ckpt_file(p)
  if not ckpt.exists(): raise FileNotFoundError(f"{path}: no checkpoint ({ckpt} doesn't exist)")
  step, conf, extra = checkpoint_info(str(ckpt))
  if "bc" in conf:  # a PPO run: its actor, built like the BC policy it started from
    from rl.train import Agent
    from drivegpt.models.policy import ValueNet
    from train.stage import changed_since
    if not Path(bc := run_path(ckpt, conf["bc"])).exists(): raise FileNotFoundError(f"{path}: the BC run this PPO run started from, {bc}, is gone: its policy is built like that one's")
    # the actor is built from the BC run's config (frames, stride): one retrained in place since drove it at another stride
    # the fingerprint of the BC run: this file's, else (a snapshot, or a good.safetensors of iteration 0 saved before the 28th
    # session) the run's checkpoint beside it, if that run started from the same BC run
    own, run_ckpt = (extra or {}).get("inputs", {}).get("bc"), ckpt.parent / Run.CKPT
    if own is None and run_ckpt.exists() and run_ckpt != ckpt and (near := checkpoint_info(str(run_ckpt)))[1].get("bc") == conf["bc"]:
      own = (near[2] or {}).get("inputs", {}).get("bc")
    if changed_since(own, bc):
      raise ValueError(f"{path}: the BC run it started from, {bc}, has changed since (retrained in its folder?), and its "
                       "config (frames, stride) builds this policy: restore that run, or train PPO again from the new one")
    actor, bcfg = load_policy(bc)
    agent = Agent(actor, ValueNet(actor.config, actor.codebook.numpy()))
    # the run (its folder or its ckpt.safetensors): its guarded policy; any other file (a kept snapshot) as itself (every
    # snapshot in the run's folder loaded the folder's good.safetensors, a later policy under another name)
    used = load_checkpoint(str(policy_file(ckpt)), agent)[0]
    if used != step:  # which policy this is, said: the newest that passed the guard, not the run's last iteration
      print(f"note: {path}: the policy of PPO iteration {used} (the newest that passed the reward-hacking guard; the run is at "
            f"iteration {step})", file=sys.stderr)
    return actor, bcfg
  try:
    cfg = saved_config(BCConfig, conf)
    cfg.vqvae, cfg.tokens = run_path(ckpt, cfg.vqvae), run_path(ckpt, cfg.tokens)   # (moved with it)
    policy = PolicyNet(cfg.model, np.zeros((cfg.model.vocab_size, cfg.model.code_dim), np.float32))
    load_checkpoint(str(ckpt), policy)
  except ValueError as e:  # another stage's run: "unknown config key 'data'" said little
    if stage_of(conf).startswith("train-policy"): raise ValueError(f"{path}: a damaged {stage_of(conf)} run ({e})") from None
    raise ValueError(f"{path}: not a policy run (train-policy): it looks like a {stage_of(conf)} run ({e})") from None
  if "best_step" not in (extra or {}):  # the last step's weights, not the best ones, and no action std yet
    raise ValueError(f"{path}: an unfinished train-policy run (stopped at step {step}): run its command again to finish it")
  return policy, cfg

def check_tokenizer(vqvae, policy: PolicyNet, run: str, vq_run: str) -> None:
  """Raise unless vqvae makes the tokens policy was trained on: the same grid order and the same codebook (a VQVAE
  retrained in its folder since makes ids that mean other codes, and the policy would drive on them without an error)."""
  if tuple(vqvae.config.grid) != tuple(policy.config.grid):  # the same 128 tokens in another order
    raise ValueError(f"{run}: the policy reads a {list(policy.config.grid)} token grid; the VQVAE {vq_run} makes {list(vqvae.config.grid)}")
  if not np.array_equal(vqvae.quantizer.codebook.numpy(), policy.codebook.numpy()):
    raise ValueError(f"{run}: the policy was trained on another codebook than the VQVAE {vq_run}'s (retrained since?); "
                     "give the VQVAE run its tokens came from")

def _corr(a: np.ndarray, b: np.ndarray) -> Optional[float]:
  """Pearson correlation, None where either side is constant (numpy's warned of a division by zero, then gave NaN)."""
  return float(np.corrcoef(a, b)[0, 1]) if np.ptp(a) > 0 and np.ptp(b) > 0 else None  # (float32's std of a constant is ~6e-8, not 0)

def main(argv: Optional[list[str]] = None) -> dict:
  """drivegpt train-policy --algo bc|ppo [--config FILE] [key=value ...]."""
  argv = list(sys.argv[1:] if argv is None else argv)
  algo = "bc"
  for i, a in enumerate(argv):
    if a == "--algo" or a.startswith("--algo="):  # (not --algos: taken for --algo)
      algo = a.split("=", 1)[1] if "=" in a else (argv[i + 1] if i + 1 < len(argv) else "")
      del argv[i:i + (1 if "=" in a else 2)]
      break
  if any(a == "--algo" or a.startswith("--algo=") for a in argv): raise ConfigError("--algo given twice: give it once")  # (--help showed the first's)
  from rl.train import main as ppo_main, PPOTrainConfig
  if algo not in ("bc", "ppo"): raise ConfigError(f"--algo: expected 'bc' or 'ppo', got {algo!r}")
  try:
    if algo == "ppo": return ppo_main(argv)
    args = stage_args("drivegpt train-policy --algo bc", __doc__, argv, BCConfig)
    try: cfg = load_config(BCConfig, args.config, args.overrides)
    except ValueError as e: raise e if isinstance(e, ConfigError) else ConfigError(str(e)) from None
  except ConfigError as e:  # (train-policy --algo bc iterations=2 said only "unknown config key 'iterations'")
    other, cls = ("ppo", PPOTrainConfig) if algo == "bc" else ("bc", BCConfig)
    key = str(e).partition("unknown config key '")[2].partition("'")[0]   # (a section's name, for model.dropout=...)
    theirs, given = _flat(to_dict(cls())), [g for a in argv if "=" in a and not a.startswith("-") and ((g := a.partition("=")[0]) == key or g.startswith(key + "."))]
    key = next((g for g in given if g in theirs), None if given else key)   # (iterations.x: neither's)
    if key and key in theirs: raise ConfigError(f"{e}; {key} is a key of --algo {other}") from None  # (a whole key: model.foo is neither's)
    raise
  return train_bc(cfg)

if __name__ == "__main__":
  from train.stage import run_main
  raise SystemExit(run_main(main))
