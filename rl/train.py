"""PPO in the learned simulator, rewarded by "would a human disengage?".

  drivegpt train-policy --algo ppo world=RUNDIR tokens=DIR disengage=RUNDIR bc=RUNDIR out=RUNDIR [key=value ...]

The policy starts from behaviour cloning (train-policy --algo bc) and drives num_envs rollouts of the world model at once
(sim.world_sim.WorldRollouts), each seeded from a real segment. After every step the disengagement model scores the new
state: reward = -log max(p, p_min) + progress_coef * metres driven; the episode ends when p(takeover within reward_horizon) passes
`threshold` (or after episode_steps). Advantages by GAE, updates by PPO's clipped loss (rl/ppo.py).

Reward hacking. A policy can earn a low p(disengage) by driving the world model where it invents an easy road (an empty
lane, no lead car) rather than by driving well. Two signals catch it, both logged every iteration:
- token drift: the Jensen-Shannon divergence (bits) between the token histogram of the rollouts and of the real segments.
  A world model hallucinating a different scene uses different codes. When it passes hack_js_factor x its value under the
  BC policy (+ 0.02 bits of sampling noise) training stops, keeping the last checkpoint below the limit.
- world-model surprise: bits/token of each generated frame under the world model itself. Off the data's distribution the
  model is unsure and samples high-surprise tokens; a frame above the BC policy's 95th percentile is penalized by
  hack_coef x the excess (bits/token), so leaving the data costs more than the disengagement reward it buys.
Both references come from the BC policy's rollouts before iteration 0, over episode_steps rounded up to whole
rollout_steps: whole episodes, since the generated frames drift further the longer an episode runs.
And p is floored at p_min in the reward, so pushing an already-small p smaller earns nothing. The final judge is the
closed-loop evaluation in the real highway-env (rl/evaluate.py), where no world model can be fooled."""
from __future__ import annotations
import functools, json, math, os, sys, types
from dataclasses import dataclass, field
from typing import Optional, Protocol
import numpy as np
from drivegpt import Tensor
from drivegpt.models.policy import PolicyNet, ValueNet, DisengageModel, to_units
from drivegpt.nn.optim import Adam
from drivegpt.nn.state import checkpoint_info, save_checkpoint
from rl.ppo import PPOConfig, disengage_reward, gae, ppo_update
from train.stage import ConfigError, Run, lets_go, changed_since, ckpt_file, load_config, note_unfinished, stage_args, weights_of, write_atomic

GOOD = "good.safetensors"   # the newest checkpoint whose rollouts passed the reward-hacking guard

class VecEnv(Protocol):
  num_envs: int
  def reset(self, seed: int) -> dict: ...
  def step(self, actions: np.ndarray) -> tuple[dict, np.ndarray, np.ndarray, dict]: ...  # obs, reward, done, info (autoreset;
  # where done holds episodes cut by a time limit, info["terminated"] says which really ended and info["final_obs"] the
  # observations of the done ones before their reset)

def _numpy(t: Tensor) -> np.ndarray:
  prev, Tensor.no_grad = Tensor.no_grad, True
  try: return t.numpy()
  finally: Tensor.no_grad = prev

def collect(env: VecEnv, actor, critic, obs: dict, steps: int, gamma: float, lam: float, rng: np.random.Generator) -> tuple[dict, dict, dict]:
  """Run the Gaussian policy for steps steps in env -> (batch for ppo_update, the next obs, {rewards, episode returns...})."""
  keys = {"obs": [], "actions": [], "logp": [], "values": [], "rewards": [], "dones": []}
  infos: dict = {"episode_returns": [], "episode_lengths": []}
  paid = []  # the env's rewards as paid: the metric; keys["rewards"] gets the time limits' bootstrap values too
  std = np.exp(_numpy(actor.log_std)).astype(np.float64)
  for _ in range(steps):
    mean = _numpy(actor.mean(obs)).astype(np.float64)
    a = mean + std * rng.standard_normal(mean.shape)
    logp = (-0.5 * ((a - mean) / std) ** 2 - np.log(std) - 0.5 * np.log(2 * np.pi)).sum(1)
    keys["values"].append(_numpy(critic.value(obs)).astype(np.float64))
    keys["obs"].append(obs)
    keys["actions"].append(a)
    keys["logp"].append(logp)
    obs, r, done, info = env.step(a)
    r, done = np.asarray(r, np.float64).copy(), np.asarray(done, bool)
    paid.append(r.copy())
    if "terminated" in info and (cut := done & ~np.asarray(info["terminated"], bool)).any():
      # a time limit is not an end: the return goes on from the state it stopped in (env.step gives its observation, as
      # the env has reset), so that state's value is added, not taken as 0 (the values before each limit came out low)
      final = {k: v[cut[done]] for k, v in info["final_obs"].items()}
      r[cut] += gamma * _numpy(critic.value(final)).astype(np.float64)
    keys["rewards"].append(r)
    keys["dones"].append(done)
    for k in infos:
      if k in info: infos[k].extend(info[k])
    for k, v in info.items():
      if k not in infos and k != "final_obs": infos.setdefault("step_" + k, []).append(v)
  last = _numpy(critic.value(obs)).astype(np.float64)
  R, V, D = (np.stack(keys[k]) for k in ("rewards", "values", "dones"))
  adv, ret = gae(R, V, D, last, gamma, lam)
  flat = lambda x: x.reshape(-1, *x.shape[2:])
  batch = {"obs": {k: flat(np.stack([o[k] for o in keys["obs"]])) for k in keys["obs"][0]},
           "actions": flat(np.stack(keys["actions"])), "logp": flat(np.stack(keys["logp"])), "adv": flat(adv), "returns": flat(ret)}
  return batch, obs, {**infos, "reward_mean": float(np.mean(paid))}

# *** the learned simulator as an RL environment ***

def js_bits(p: np.ndarray, q: np.ndarray) -> float:
  """Jensen-Shannon divergence (bits) between two histograms (normalized here)."""
  p, q = p / p.sum(), q / q.sum()
  m = (p + q) / 2
  kl = lambda a: float(np.sum(np.where(a > 0, a * np.log2(np.where(a > 0, a, 1) / np.where(m > 0, m, 1)), 0)))
  return 0.5 * kl(p) + 0.5 * kl(q)

class WorldDriveEnv:
  """num_envs rollouts of the world model with the disengagement reward; a finished rollout is re-seeded at once.
  Observation {"tokens": (B, K, N), "speed": (B,)}; actions are normalized [acceleration, curvature] (B, 2). The
  disengagement model also reads the last M ego motions: the recorded ones before the seed, then the commanded ones."""
  def __init__(self, world, segments: list, disengage: DisengageModel, num_envs: int, frame_stride: int, threshold: float,
               progress_coef: float, p_min: float, episode_steps: int, temperature: float = 1.0, top_k: int = 0, horizon: float = 2.0):
    from sim.world_sim import WorldRollouts
    self.sim = WorldRollouts(world, segments, frame_stride, temperature, top_k)
    self.disengage, self.num_envs, self.K = disengage, num_envs, disengage.config.frames
    if self.K > self.sim.n_ctx: raise ConfigError(f"the disengagement model reads {self.K} frames; the world model keeps only {self.sim.n_ctx}")
    self.threshold, self.progress_coef, self.p_min, self.episode_steps = threshold, progress_coef, p_min, episode_steps
    if horizon not in disengage.config.horizons: raise ConfigError(f"reward_horizon {horizon}: the disengagement model predicts {list(disengage.config.horizons)} s")
    self.h = list(disengage.config.horizons).index(horizon)
    self.surprise_limit, self.hack_coef = np.inf, 0.0
    # a seed's M-motion history needs recorded frames before its context: the disengagement model trained only on full
    # histories (make_samples), and ~6% of seeds started before them, their missing motions zeros (a car standing still)
    self.lo = max(0, frame_stride * (disengage.config.motions - self.sim.n_ctx))
    self.segments = [s for s in segments if len(s.tokens) >= self.lo + self.sim.span()]
    if not self.segments: raise ConfigError(f"no token segment has the {self.lo + self.sim.span()} frames a rollout seed needs")
    self.sim.segments, self.stride, self.M = self.segments, frame_stride, disengage.config.motions
    self.sim.seedable = list(range(len(self.segments)))  # (indices into the list it had: every kept one fits a seed)
    from train.world_data import strided_motion
    self._motion = [strided_motion(s.pose, frame_stride) if s.pose is not None else np.zeros((len(s.tokens), 6), np.float32) for s in self.segments]

  def _history(self, seg: np.ndarray, start: np.ndarray) -> np.ndarray:
    """The last M recorded ego motions (B, M, 6) into the last context frame of rollouts seeded at (seg, start)."""
    last = start + self.stride * self.sim.n_ctx
    idx = last[:, None] - self.stride * np.arange(self.M - 1, -1, -1)[None]            # (B, M)
    return np.stack([np.where((i >= 0)[:, None], self._motion[g][np.maximum(i, 0)], 0) for g, i in zip(seg, idx)]).astype(np.float32)

  def _draw(self, n: int) -> tuple[np.ndarray, np.ndarray]:
    """n (segment, start) pairs, uniform over every start in [lo, len - span] of every segment (WorldSim's range: the
    last start was never drawn), not a segment first: a short segment's starts were drawn 20x as often as a long one's."""
    from sim.world_sim import draw_starts
    seg, start = draw_starts(np.array([len(s.tokens) - self.sim.span() + 1 - self.lo for s in self.segments]), self.rng, n)
    return seg, start + self.lo

  def _seed(self, rows: np.ndarray) -> None:
    """Re-seed rollouts rows from random real segments and starts."""
    seg, start = self._draw(len(rows))
    ctx, mot, speed = self.sim.context.copy(), self.sim.motion.copy(), self.sim.speed.copy()
    self.sim.reset(seg, start, self.rng)
    ctx[rows], mot[rows], speed[rows] = self.sim.context, self.sim.motion, self.sim.speed
    self.sim.context, self.sim.motion, self.sim.speed = ctx, mot, speed
    self.hist[rows] = self._history(seg, start)
    self.t[rows], self.ret[rows] = 0, 0.0

  def obs(self) -> dict:
    return {"tokens": self.sim.context[:, -self.K:].astype(np.int32), "speed": self.sim.speed.astype(np.float32)}

  STATE = ("context", "motion", "speed", "hist", "t", "ret")
  def state(self) -> dict:
    """Everything the next steps depend on, as JSON (a checkpoint's extra): the rollouts mid-episode and the RNG."""
    own = lambda k: getattr(self.sim if k in ("context", "motion", "speed") else self, k)
    return {"rng": self.rng.bit_generator.state, **{k: {"dtype": str(own(k).dtype), "data": own(k).tolist()} for k in self.STATE}}
  def set_state(self, st: dict) -> None:
    self.rng = np.random.default_rng()
    self.rng.bit_generator.state = st["rng"]
    for k in self.STATE: setattr(self.sim if k in ("context", "motion", "speed") else self, k, np.array(st[k]["data"], st[k]["dtype"]))

  def p_disengage(self) -> np.ndarray:
    """p(takeover within each horizon) (B, H) of the current states."""
    d = self.disengage
    logit = _numpy(d(d.features(self.obs()["tokens"]), Tensor(self.hist), Tensor(self.sim.speed.astype(np.float32))))
    return 0.5 + 0.5*np.tanh(0.5*logit)  # the sigmoid, without exp overflowing for large logits

  def reset(self, seed: int) -> dict:
    self.rng = np.random.default_rng(seed)
    seg, start = self._draw(self.num_envs)
    self.sim.reset(seg, start, self.rng)
    self.hist = self._history(seg, start)
    self.t, self.ret = np.zeros(self.num_envs, int), np.zeros(self.num_envs)
    return self.obs()

  def step(self, actions: np.ndarray) -> tuple[dict, np.ndarray, np.ndarray, dict]:
    from sim.world_sim import WorldRollouts
    if np.shape(actions) != (self.num_envs, 2):  # (numpy's broadcast error from to_units)
      raise ValueError(f"WorldDriveEnv.step: actions of shape {np.shape(actions)}: {self.num_envs} rollouts take ({self.num_envs}, 2)")
    motion = self.sim.motion_of(to_units(actions), "control")
    pose = np.concatenate([self.sim.motion, motion[:, None]], 1) if self.sim.use_pose else None
    new, logits = self.sim.sampler.generate(self.sim.context, pose, self.sim.temperature, self.sim.top_k, self.rng, return_logits=True)
    self.sim.context = np.concatenate([self.sim.context[:, 1:], new[:, None]], 1)
    self.sim.motion = np.concatenate([self.sim.motion[:, 1:], motion[:, None].astype(np.float32)], 1)
    self.hist = np.concatenate([self.hist[:, 1:], motion[:, None].astype(np.float32)], 1)
    z = logits.astype(np.float64)  # the world model's own distribution, not the sampling temperature's (at 0 every frame scored 0 bits: no guard)
    logp = z - z.max(-1, keepdims=True) - np.log(np.exp(z - z.max(-1, keepdims=True)).sum(-1, keepdims=True))
    surprise = -np.take_along_axis(logp, new[..., None].astype(np.int64), -1)[..., 0].mean(1) / np.log(2)   # (B,) bits/token
    p = self.p_disengage()[:, self.h:self.h + 1]
    r = disengage_reward(p[:, 0], motion[:, 0].astype(np.float64), self.progress_coef, self.p_min)
    r -= self.hack_coef * np.maximum(surprise - self.surprise_limit, 0)
    self.t += 1
    self.ret += r
    done = (p[:, 0] > self.threshold) | (self.t >= self.episode_steps)
    info = {"p_disengage": p[:, 0].copy(), "surprise": surprise, "tokens": new, "terminated": p[:, 0] > self.threshold}
    if done.any():
      info["episode_returns"], info["episode_lengths"] = self.ret[done].tolist(), self.t[done].tolist()
      info["final_obs"] = {k: v[done] for k, v in self.obs().items()}  # before the reset: collect values a time limit's state
      self._seed(np.flatnonzero(done))
    return self.obs(), r, done, info

# *** the stage ***

@dataclass
class PPOTrainConfig:
  out: str = "runs/ppo"
  world: str = ""                  # train-world run: the simulator
  tokens: str = ""                 # token segments that seed rollouts (and the real token statistics)
  disengage: str = ""              # train-disengage run: the reward
  bc: str = ""                     # train-policy --algo bc run: the starting policy
  num_envs: int = 8
  rollout_steps: int = 16          # steps per env per iteration
  iterations: int = 20
  episode_steps: int = 100         # 10 s at a frame stride of 2
  threshold: float = 0.5           # p(takeover within reward_horizon) that ends an episode
  reward_horizon: float = 2.0      # s: which of the disengagement model's horizons the reward reads
  progress_coef: float = 0.05      # reward per metre driven
  p_min: float = 1e-3
  lr: float = 3e-4
  ppo: PPOConfig = field(default_factory=PPOConfig)
  temperature: float = 1.0
  top_k: int = 0
  hack_js_factor: float = 2.0      # stop when token drift > this x the BC policy's (+ 0.02 bits)
  hack_coef: float = 1.0           # penalty per bit/token of world-model surprise above the BC policy's 95th percentile
  seed: int = 0

  def check(self) -> None:
    for k in ("world", "tokens", "disengage", "bc"):
      if not getattr(self, k): raise ConfigError(f"{k} is required (a run directory or folder; see drivegpt train-policy --algo ppo --help)")
    for k in ("num_envs", "rollout_steps", "iterations", "episode_steps"):
      if getattr(self, k) < 1: raise ConfigError(f"{k} must be >= 1, got {getattr(self, k)}")
    if self.num_envs * self.rollout_steps < 2:  # one sample's normalized advantage is 0: the policy never moved, exit 0
      raise ConfigError(f"num_envs={self.num_envs} x rollout_steps={self.rollout_steps} is one sample an iteration: its "
                        "normalized advantage is 0 and the policy would never change; give 2 or more")
    if not 0 < self.threshold < 1: raise ConfigError(f"threshold must be in (0, 1), got {self.threshold}")
    if not 0 < self.p_min < 1: raise ConfigError(f"p_min must be in (0, 1), got {self.p_min}")
    if self.p_min >= self.threshold:  # every step before the one that ends the episode scored -log p_min: a constant reward
      raise ConfigError(f"p_min={self.p_min} must be below threshold={self.threshold}: an episode ends once p passes the "
                        "threshold, and the reward floors p at p_min, so every other step's reward would be the same")
    # each passed silently before: epochs=0 left the weights unchanged (every statistic NaN), clip=-0.2 clipped every sample
    q = self.ppo
    for name, ok in (("ppo.epochs", q.epochs >= 1), ("ppo.minibatch", q.minibatch >= 1), ("ppo.clip", q.clip > 0),
                     ("ppo.gamma", 0 <= q.gamma <= 1), ("ppo.lam", 0 <= q.lam <= 1), ("ppo.target_kl", q.target_kl > 0),
                     ("ppo.ent_coef", q.ent_coef >= 0), ("ppo.grad_clip", q.grad_clip > 0),
                     ("lr", self.lr > 0), ("temperature", self.temperature >= 0), ("top_k", self.top_k >= 0),
                     ("hack_coef", self.hack_coef >= 0), ("hack_js_factor", self.hack_js_factor > 0), ("progress_coef", self.progress_coef >= 0),
                     ("reward_horizon", self.reward_horizon > 0)):
      if not ok: raise ConfigError(f"{name} is out of range: {functools.reduce(getattr, name.split('.'), self)}")
  def check_given(self, given: set) -> None:  # (a saved run's config, rebuilt, holds the default)
    if "ppo.vf_coef" in given and self.ppo.vf_coef != PPOConfig.vf_coef:  # (0.5 and 5 trained the same run: a sweep over it meant nothing)
      raise ConfigError(f"ppo.vf_coef={self.ppo.vf_coef}: has no effect and was removed: the critic is a network of its own, its gradient "
                        "clipped apart from the policy's and stepped by Adam, which undoes any weight on its loss; leave the key out")

class Agent:
  """The actor and the critic saved together."""
  def __init__(self, actor: PolicyNet, critic: ValueNet): self.actor, self.critic = actor, critic
  def parameters(self) -> list[Tensor]: return self.actor.parameters() + self.critic.parameters()

@lets_go
def train_ppo(cfg: PPOTrainConfig) -> dict:
  """PPO from the BC policy in the world model; returns the final metrics (printed as one JSON line)."""
  from train.world import TrainConfig as WorldTrainConfig, load_run as load_world
  from train.stage import run_config
  from train.world_data import load_segments
  from rl.disengage import load_disengage, check_same_inputs
  from rl.policy import load_policy
  # a world run still training, or stopped early, gave its checkpoint of the moment without a word (disengage and bc runs
  # in that state are refused: their checkpoints are not their models until they finish)
  note_unfinished(cfg.world, run_config(cfg.world, WorldTrainConfig).steps, f"world={cfg.world}", "PPO trains in that model")
  world, wcfg = load_world(cfg.world)
  disengage, dcfg = load_disengage(cfg.disengage)
  info = checkpoint_info(str(ckpt_file(cfg.disengage)))[2] or {}
  if (known := info.get("known_labels")) and cfg.reward_horizon in disengage.config.horizons:
    k = list(disengage.config.horizons).index(cfg.reward_horizon)
    if not known[k]:
      raise ConfigError(f"reward_horizon {cfg.reward_horizon}: disengage={cfg.disengage} had no training frame with a known label at that horizon "
                        "(its segments end before t + horizon): that head is untrained; pick a shorter horizon or record longer segments")
    if (pos := info.get("positive_labels")) is not None and pos[k] in (0, known[k]):  # (a head that saw one class: p ~0.45 rewarded, unsaid)
      print(f"warning: reward_horizon {cfg.reward_horizon}: disengage={cfg.disengage} saw {'no' if not pos[k] else 'only'} takeovers at that horizon in "
            f"its {known[k]} training frames: its p(disengage) there learned nothing, and PPO's reward and episode ends read it; record data "
            "with takeovers (and without) for a reward that means something", file=sys.stderr)
  actor, bcfg = load_policy(cfg.bc)
  stride = wcfg.data.frame_stride
  if dcfg.stride != stride or bcfg.stride != stride:
    raise ConfigError(f"frame strides differ: world {stride}, disengage {dcfg.stride}, bc {bcfg.stride}; train them on the same stride")
  check_same_inputs(disengage, dcfg, actor, bcfg, "train-policy --algo ppo", same_frames=True)
  if world.config.vocab_size > (codes := len(actor.codebook.numpy())):  # (the disengagement model refused its ids at the first step)
    raise ConfigError(f"world={cfg.world} samples token ids up to {world.config.vocab_size - 1}, but bc={cfg.bc} and disengage={cfg.disengage} "
                      f"read a codebook of {codes} codes: train the world model on the tokens of their VQVAE (model.vocab_size={codes})")
  run = Run(cfg.out, cfg, may_change=("iterations",))
  Tensor.manual_seed(cfg.seed)
  critic = ValueNet(actor.config, actor.codebook.numpy())
  agent = Agent(actor, critic)
  opt = Adam(agent.parameters(), lr=cfg.lr)
  start = run.resume(agent, opt)
  # the runs it is built on, as they were: one trained further in place (its same command with more steps) changed the
  # reward or the simulator of the remaining iterations, and what export-driving packs, without a word
  inputs = {k: weights_of(getattr(cfg, k)) for k in ("world", "disengage", "bc")}
  was = (checkpoint_info(str(run.ckpt))[2] or {}).get("inputs", {}) if start else {}
  if changed := [k for k in inputs if changed_since(was.get(k), getattr(cfg, k), inputs[k])]:
    raise ConfigError(f"{run.dir}: {changed[0]}={getattr(cfg, changed[0])} has changed (trained further or replaced) since this run "
                      f"started with it: its iterations so far ran with the one before; use another out= folder")
  segs = load_segments(cfg.tokens, augmented=False, vocab=world.config.vocab_size, what="tokens")  # episodes start from recordings; the guard counts their tokens
  run.check_data("tokens", segs)  # (the seeds and the real token statistics moved under guard.json's reference, unsaid)
  from train.world import world_tokenizer
  from train.world_data import check_codebook  # the world's and the seeds' token ids must index the policy's codebook
  check_codebook([types.SimpleNamespace(name=f"world={cfg.world}", tokenizer=world_tokenizer(cfg.world))] + segs,
                 actor.codebook.numpy(), bcfg.vqvae, "train-policy --algo ppo")
  env = WorldDriveEnv(world, segs, disengage, cfg.num_envs, stride, cfg.threshold, cfg.progress_coef, cfg.p_min, cfg.episode_steps,
                      cfg.temperature, cfg.top_k, cfg.reward_horizon)
  # segment by segment: one joined int64 copy of every token was ~5x the folder's token bytes in memory
  real_hist = sum((np.bincount(s.tokens.reshape(-1), minlength=world.config.vocab_size) for s in segs), np.zeros(world.config.vocab_size, np.int64)) + 0.5
  guard = run.dir / "guard.json"
  # the reference measured before this run's iteration 0; a new run measures its own (one killed before its first checkpoint left
  # its file, and the re-run penalized iteration 0's rewards with it: 86 of 92 weights off an unbroken run)
  if start and not guard.exists():  # (a resume measured a new reference from the policy of then: another run's guard)
    raise ConfigError(f"{guard}: missing, and the run is at iteration {start}: its reward-hacking reference came from the BC "
                      "policy's rollouts before iteration 0; put it back, or use another out= folder")
  try: ref = json.loads(guard.read_text()) if start else None
  except ValueError as e: raise ConfigError(f"{guard}: not readable ({e}): a damaged file; use another out= folder") from None
  if start and not (isinstance(ref, dict) and all(isinstance(ref.get(k), (int, float)) and math.isfinite(ref[k]) for k in ("js", "surprise_p95"))):
    raise ConfigError(f"{guard}: not a reward-hacking reference (js and surprise_p95 numbers): a damaged file; use another out= folder")  # ({} was a
    # KeyError's traceback; null measured a new reference from the policy of then)
  if ref: env.surprise_limit, env.hack_coef = ref["surprise_p95"], cfg.hack_coef
  obs, rng = env.reset(cfg.seed * 1000 + start), np.random.default_rng([cfg.seed, start, 1])  # (a key of [0, 0] is seed 0's: the same stream)
  if start and (saved := (checkpoint_info(str(run.ckpt))[2] or {}).get("env")):  # mid-episode rollouts and both RNGs, as they were
    env.set_state(saved["env"])
    rng.bit_generator.state, obs = saved["rng"], env.obs()
  Tensor.training = False
  drift_of = lambda steps: js_bits(np.bincount(np.concatenate(steps).reshape(-1).astype(np.int64), minlength=world.config.vocab_size) + 0.5, real_hist)  # noqa: E731
  if ref is None:  # the BC policy's rollouts over whole episodes set the references (iteration 0's own rollouts, an
    # episode's first 16 steps, set them: the frames drift further later in an episode, and the BC policy itself was
    # fined on 12.5% of its frames there, not 5%)
    warm = -(-cfg.episode_steps // cfg.rollout_steps) * cfg.rollout_steps   # whole iterations' spans covering an episode
    print(f"train-policy ppo: the BC policy's reference: {warm} steps of {cfg.num_envs} rollouts", file=sys.stderr)
    _, obs, info = collect(env, actor, critic, obs, warm, cfg.ppo.gamma, cfg.ppo.lam, rng)
    surprise = np.concatenate(info["step_surprise"])
    # drift over as many steps as an iteration's (a histogram of fewer tokens is further from the recordings' by chance),
    # the most of any span: later spans of an episode drift further, and an iteration's rollouts can all be late in theirs
    # (episodes that run to their step limit end together)
    js = float(max(drift_of(info["step_tokens"][i:i + cfg.rollout_steps]) for i in range(0, warm, cfg.rollout_steps)))
    ref = {"js": js, "surprise_p95": float(np.percentile(surprise, 95)), "surprise_mean": float(surprise.mean()), "steps": warm}
    write_atomic(guard, json.dumps(ref).encode())
    env.surprise_limit, env.hack_coef = ref["surprise_p95"], cfg.hack_coef
    _warn_first_step_ends(info["episode_lengths"], cfg)
    if cfg.hack_js_factor * js + 0.02 >= 1:  # JS divergence is at most 1 bit: this guard could never fire
      print(f"warning: train-policy ppo: the BC policy's rollouts already drift {js:.3f} bits from the recordings' tokens, so the "
            f"guard's limit {cfg.hack_js_factor} x {js:.3f} + 0.02 is past the 1-bit most there is: it cannot stop reward hacking "
            "(an undertrained world model?)", file=sys.stderr)
  bar, stopped = run.progress(cfg.iterations, start, "train-policy ppo"), None
  for it in range(start, cfg.iterations):
    batch, obs, info = collect(env, actor, critic, obs, cfg.rollout_steps, cfg.ppo.gamma, cfg.ppo.lam, rng)
    drift, surprise = drift_of(info["step_tokens"]), np.concatenate(info["step_surprise"])
    penalty = float(env.hack_coef * np.maximum(surprise - env.surprise_limit, 0).mean())  # reward + penalty: the task reward
    if it and drift > cfg.hack_js_factor * ref["js"] + 0.02:  # (iteration 0 rolls out the BC policy: the reference's)
      stopped = f"iteration {it}: token drift {drift:.3f} bits > {cfg.hack_js_factor} x {ref['js']:.3f} + 0.02 (reward hacking guard)"
      break
    if run.ckpt.exists():   # this policy's rollouts passed the guard; copied atomically (a kill mid-copy left a torn file), fsynced
      write_atomic(run.dir / GOOD, run.ckpt.read_bytes())
    else:  # iteration 0: the BC start, the reference (a stop at the first check left no good file, and evaluate loaded the
      save_checkpoint(str(run.dir / GOOD), agent, None, step=it, config=run.config, extra={"inputs": inputs})  # failed policy)
    stats = ppo_update(actor, critic, opt, batch, cfg.ppo, rng)
    p = np.concatenate(info["step_p_disengage"])
    run.log(it + 1, reward=info["reward_mean"], penalty=penalty, episode_return=float(np.mean(info["episode_returns"])) if info["episode_returns"] else None,
            episode_length=float(np.mean(info["episode_lengths"])) if info["episode_lengths"] else None,
            episodes=len(info["episode_returns"]), p_disengage=float(p.mean()), token_js=drift, surprise=float(surprise.mean()),
            terminated=int(np.concatenate(info["step_terminated"]).sum()), **stats)
    run.save(agent, opt, it + 1, extra={"env": {"env": env.state(), "rng": rng.bit_generator.state}, "inputs": inputs})  # exact resume
    bar.update(1)
  bar.close()
  from rl.curves import save_curves
  save_curves(str(run.dir / "curves.png"), {"bc": cfg.bc, "disengage": cfg.disengage, "ppo": str(run.dir)})
  lines = [json.loads(l) for l in (run.dir / "metrics.jsonl").read_text().splitlines() if l.strip()] if (run.dir / "metrics.jsonl").exists() else []
  last = lines[-1] if lines else {}
  task = lambda row: row["reward"] + row.get("penalty", 0.0) if row else None  # noqa: E731
  good = checkpoint_info(str(run.dir / GOOD))[0] if (run.dir / GOOD).exists() else None
  # kl and entropy of the update that made the policy kept, the one evaluate loads (none for the BC start): the last
  # row's update is never rolled out, and after a guard stop it made the policy refused
  made = next((r for r in lines if r.get("step") == good), {})
  return run.finish({"iterations": last.get("step", 0), "reward_first": lines[0]["reward"] if lines else None, "reward_last": last.get("reward"),
                     "task_reward_first": task(lines[0] if lines else None), "task_reward_last": task(last),
                     "p_disengage_first": lines[0]["p_disengage"] if lines else None, "p_disengage_last": last.get("p_disengage"),
                     "kl_last": made.get("kl"), "entropy_last": made.get("entropy"), "token_js_last": last.get("token_js"),
                     "guard": ref, "stopped": stopped,
                     # the policy evaluate and export-driving use: the newest whose rollouts passed the guard (the last
                     # iteration's update is never rolled out: iteration N - 1 of N; reward_last is its rollouts')
                     "policy_iteration": good,
                     "train_seconds": round(run.seconds(), 1), "run": str(run.dir)})

def _warn_first_step_ends(lengths: list, cfg: PPOTrainConfig) -> None:
  """Say when the BC policy's episodes mostly end at their first step: p(disengage) is past the threshold one frame
  after the recorded seeds, so the reward tells the policy little (the demo's: 51% of seeds, its disengagement model
  at chance)."""
  if cfg.episode_steps == 1 or len(lengths) < 4 or (share := float(np.mean(np.asarray(lengths) == 1))) <= 0.25: return
  try: auroc = json.loads((ckpt_file(cfg.disengage).parent / "final.json").read_text()).get(f"val_auroc_{cfg.reward_horizon:g}s")
  except (OSError, ValueError, AttributeError): auroc = None
  said = f" (its held-out AUROC at {cfg.reward_horizon:g} s: {auroc:.2f})" if isinstance(auroc, (int, float)) and math.isfinite(auroc) else ""
  print(f"warning: train-policy ppo: {share:.0%} of the BC policy's {len(lengths)} episodes ended at their first step: p(disengage) "
        f"is past threshold={cfg.threshold} one generated frame after their recorded starts, as disengage={cfg.disengage} rates them{said}; the reward "
        "then says little about driving (train the disengagement model on more takeovers, or raise the threshold)", file=sys.stderr)

def main(argv: Optional[list[str]] = None) -> dict:
  args = stage_args("drivegpt train-policy --algo ppo", __doc__, argv, PPOTrainConfig)
  try: cfg = load_config(PPOTrainConfig, args.config, args.overrides)
  except ConfigError: raise
  except ValueError as e: raise ConfigError(str(e)) from None
  return train_ppo(cfg)

if __name__ == "__main__":
  from train.stage import run_main
  raise SystemExit(run_main(main))
