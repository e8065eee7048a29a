"""The world model as a driving simulator: the state is the token context, an action becomes the pose that conditions the
next frame, and the model generates that frame.

  model, cfg = train.world.load_run(rundir)                   # the model knows its training stride
  env = WorldSim(model, segments, frame_stride=cfg.data.frame_stride)   # a gymnasium.Env
  obs, info = env.reset(seed=0)                              # context: a real segment's first frames
  obs, reward, terminated, truncated, info = env.step(np.array([0.5, -0.01]))  # accelerate, curve right
  venv = WorldVecEnv(model, segments, num_envs=8, frame_stride=cfg.data.frame_stride)   # 8 rollouts per batched model call

frame_stride must be the model's training stride (its run's data.frame_stride): the poses it was conditioned on are
the motion over that many recorded frames (a default of 1 fed a stride-2 model half-length motions, unnoticed); a model
from load_run carries it, and another is refused.
"""
from __future__ import annotations
import warnings
from typing import Optional
import numpy as np
import gymnasium as gym
from gymnasium import spaces
from drivegpt.models.world import WorldModel, FrameSampler
from train.world_data import Segment, strided_motion
import data.road as _car

FPS = 20                         # recorded frames per second (the data stage's rate)
MAX_SPEED = 40.0  # m/s: highway-env's Vehicle.MAX_SPEED, the recorder's and the evaluation's car's: above it an acceleration
                  # is held to (MAX_SPEED - speed) per s, as its clip_actions does (a hard clip at 60 here let PPO's per-metre
                  # reward pay for speeds the evaluation never reaches; one at 40 cut a real drive's 45 m/s seed to 40)
MAX_MOTION = np.array([10, 10, 10, 1, 1, 1], np.float32)  # |m| and |rad| per recorded frame for action="pose": a step of
                                                          # frame_stride frames may move frame_stride times as far

WHEELBASE = 5.0  # m: the recorder's car (data/road.py CAR_LENGTH, highway-env's Vehicle.LENGTH), its bicycle's length
# the recorder's car's limits, which the evaluation in highway-env applies too (this simulator clipped at +-4 m/s^2 and
# 0.05 1/m: a policy's hard braking or sharp turn did more in evaluation than it ever did in training)
ACCEL_RANGE, MAX_CURVATURE = _car.ACCEL_RANGE, float(np.tan(_car.STEER_LIMIT) / WHEELBASE)   # m/s^2, 1/m (a 9.2 m radius)

def motion_from_control(speed: np.ndarray, accel: np.ndarray, curvature: np.ndarray, dt: float) -> tuple[np.ndarray, np.ndarray]:
  """The recorder's car (highway-env's kinematic bicycle, stepped once a frame): (B,) speed m/s, acceleration m/s^2 and
  curvature 1/m (+ = left, tan(front-wheel angle) / WHEELBASE, what the recordings log) held over dt seconds -> the
  6-DoF motion (B, 6) of the car's centre in the camera frame [forward, right, down] (translation m, axis-angle rad; a
  left turn is a negative rotation about down) and the new speed (B,). Each 1/FPS step moves the centre at the slip
  angle beta = atan(curvature * WHEELBASE / 2) off the old heading at the old speed, then turns and speeds up, as
  highway-env's Vehicle.step does: the recorded poses are that path (an exact integration slid 7-30% further sideways,
  a point on an arc 2-4x less)."""
  n = max(1, int(round(dt * FPS)))
  beta = np.arctan(curvature * WHEELBASE / 2)                 # velocity direction - heading, + = left
  v, x, y, yaw = np.asarray(speed, np.float64), 0.0, 0.0, 0.0
  for _ in range(n):
    x, y = x + v * np.cos(yaw + beta) * dt / n, y + v * np.sin(yaw + beta) * dt / n
    a = np.where(v > MAX_SPEED, np.minimum(accel, MAX_SPEED - v), accel)
    yaw, v = yaw + v * np.sin(beta) / (WHEELBASE / 2) * dt / n, np.maximum(v + a * dt / n, 0.0)
  z = np.zeros_like(v)
  return np.stack([x + z, -y + z, z, z, z, -yaw + z], -1).astype(np.float32), v

def draw_starts(rooms: np.ndarray, rng, n: Optional[int] = None) -> tuple[np.ndarray, np.ndarray]:
  """Indices i into rooms and starts in [0, rooms[i]), drawn uniformly over all the starts together (a segment first,
  then a start in it, drew each start of a short segment as often as a long one's 20 times over: crash-ended drives,
  the short ones, over-sampled)."""
  ends = np.cumsum(rooms)
  k = rng.integers(ends[-1], size=n)
  i = np.searchsorted(ends, k, side="right")
  return i, k - (ends - rooms)[i]

def _whole(name: str, v, lo: int) -> None:
  """Refuse v unless it is a whole number >= lo, naming it."""
  if not isinstance(v, (int, np.integer)) or isinstance(v, (bool, np.bool_)) or v < lo: raise ValueError(f"{name} must be a whole number >= {lo}, got {v!r}")

def _check_segment(s: Segment, c) -> None:
  """Refuse a seed segment whose tokens or motions the world model can't read, naming it (a review: ids past the vocab
  or a wrong width came back from reset as an observation outside the space, and failed only at the first step; a NaN
  pose as a NaN speed; a pose shorter than the tokens as a bare IndexError)."""
  tok = np.asarray(s.tokens)
  if tok.ndim != 2 or tok.shape[1] != c.tokens_per_frame or tok.dtype.kind not in "iu":
    raise ValueError(f"WorldRollouts: segment {s.name}: tokens {tok.shape} {tok.dtype} must be whole-number ids (frames, {c.tokens_per_frame})")
  if tok.size and not (0 <= tok.min() and tok.max() < c.vocab_size):
    raise ValueError(f"WorldRollouts: segment {s.name}: token ids {tok.min()}..{tok.max()} must be in [0, {c.vocab_size}): another codebook?")
  for name, want in (("pose", (len(tok), 6)), ("speed", (len(tok),))):
    v = getattr(s, name, None)
    if v is not None and (np.shape(v) != want or not np.isfinite(v).all()):
      raise ValueError(f"WorldRollouts: segment {s.name}: {name} {np.shape(v)} must be finite, {want}: one row per frame")

class WorldRollouts:
  """B rollouts advanced together: each holds the last frames-1 frames of tokens and the motions into them."""
  def __getstate__(self) -> dict:  # the sampler's recorded kernels are a cache that does not pickle (a stepped env did
    return {**self.__dict__, "sampler": None}  # not, for gymnasium's AsyncVectorEnv): a copy records its own
  def __setstate__(self, state: dict) -> None: self.__dict__.update(state, sampler=FrameSampler(state["model"]))
  def __init__(self, model: WorldModel, segments: list[Segment], frame_stride: int, temperature: float = 1.0, top_k: int = 0):
    # checked here, not at the first step (a negative stride seeded from the segment's end, silently)
    _whole("frame_stride", frame_stride, 1)
    if (trained := getattr(model, "frame_stride", None)) is not None and trained != frame_stride:
      raise ValueError(f"frame_stride {frame_stride}: the world model was trained at frame stride {trained} (its motions are {trained} frames long)")
    _whole("top_k", top_k, 0)
    if not (isinstance(temperature, (int, float, np.floating)) and np.isfinite(temperature) and temperature >= 0):
      raise ValueError(f"WorldRollouts: temperature must be a finite number >= 0 (0: the likeliest token), got {temperature!r}")
    self.model, self.sampler, self.stride = model, FrameSampler(model), frame_stride
    self.segments, self.temperature, self.top_k = segments, temperature, top_k
    self.n_ctx, self.dt = model.config.frames - 1, frame_stride / FPS
    self.use_pose = model.pose_proj is not None
    if not segments: raise ValueError("WorldRollouts: no segments to seed rollouts from")
    for s in segments: _check_segment(s, model.config)
    # a model from train.world.load_run knows the tokenizer of the tokens it trained on: seeds of another VQVAE's ids
    # rolled out as if they were its own (WorldSim, WorldVecEnv and the RL env checked only a decoder against them)
    if (own := getattr(model, "tokenizer", "")) and (bad := next((s for s in segments if getattr(s, "tokenizer", "") and s.tokenizer != own), None)):
      raise ValueError(f"WorldRollouts: segment {bad.name} was tokenized by another VQVAE ({bad.tokenizer[:60]}) than the tokens the "
                       f"world model trained on ({own[:60]}): its ids index another codebook")
    if self.use_pose and (bare := next((s.name for s in segments if s.pose is None), None)):  # seeded as standing still:
      raise ValueError(f"WorldRollouts: segment {bare} has no poses; the world model is pose-conditioned")  # steering did nothing
    if not self.use_pose: warnings.warn("WorldRollouts: the world model has no pose conditioning (pose: none): actions do not change what it generates")
    if bare := next((s.name for s in segments if s.pose is None and getattr(s, "speed", None) is None), None):  # (0 m/s, unsaid)
      warnings.warn(f"WorldRollouts: segment {bare} has no poses or speeds (commaVQ tokens?): its rollouts start at 0 m/s")
    # the segments a seed fits in, which a reset without a given segment draws from (a short one drawn failed the reset
    # for some seeds only, and a vector env's autoreset mid-training)
    self.seedable = [i for i, s in enumerate(segments) if len(s.tokens) >= self.stride * self.n_ctx + 1]
    if not self.seedable: raise ValueError(f"WorldRollouts: no segment has the {self.stride * self.n_ctx + 1} frames a seed needs ({self.n_ctx} context frames at stride {self.stride})")

  # recorded frames a seed at start reads: start (where the first context frame's motion begins) to its last context frame
  # start + stride * n_ctx ((n_ctx + 1) * stride left a segment's last start undrawn at stride > 1: a helper's review)
  def span(self) -> int: return self.n_ctx * self.stride + 1

  def draw_seed(self, rng) -> tuple[int, int]:
    """A (segment, start) drawn uniformly over every start of every seedable segment (one start where a segment has
    room for none past 0)."""
    i, start = draw_starts(np.array([max(1, len(self.segments[j].tokens) - self.span() + 1) for j in self.seedable]), rng)
    return self.seedable[int(i)], int(start)

  def check_seed(self, seg, start=0) -> None:
    """Refuse a segment index or start that is not a whole number in range (a negative one wrapped round to the last
    segment or frames; a float start 2.5 seeded from frame 2, an out-of-range segment raised a bare IndexError)."""
    if not all(isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_)) for x in (seg, start)) or not 0 <= seg < len(self.segments) or start < 0:
      raise ValueError(f"reset: segment {seg} and start {start} must be whole numbers, in [0, {len(self.segments)}) and >= 0")

  def reset(self, seg: np.ndarray, start: np.ndarray, rng) -> np.ndarray:
    """Seed each rollout with frames start+stride, start+2*stride, ... of segment seg -> the last context tokens (B, N).
    rng: the sampling Generator, or one per rollout (sample_logits)."""
    self.rng, ctx, mot, speed = rng, [], [], []
    for i, s in zip(seg, start):
      self.check_seed(i, s)
      sg = self.segments[int(i)]
      idx = int(s) + self.stride * np.arange(1, self.n_ctx + 1)
      if idx[-1] >= len(sg.tokens): raise ValueError(f"reset: segment {sg.name} has {len(sg.tokens)} frames, a seed at {s} needs {idx[-1] + 1}")
      ctx.append(sg.tokens[idx].astype(np.int32))
      mot.append(strided_motion(sg.pose, self.stride)[idx] if sg.pose is not None else np.zeros((self.n_ctx, 6), np.float32))
      # the speed at the last context frame t: the recorded one (rl's segments carry it), else the forward motion of frame
      # t -> t+1 per second, made at t's speed (t-1 -> t at a segment's end). The stride's mean speed into t was off by
      # 1.5 a dt: 0.3 m/s braking at 4 m/s^2
      t = min(idx[-1], len(sg.tokens) - 2)
      speed.append(sg.speed[idx[-1]] if getattr(sg, "speed", None) is not None else sg.pose[t, 0] * FPS if sg.pose is not None else 0.0)
    self.context, self.motion = np.stack(ctx), np.stack(mot)   # (B, K-1, N), (B, K-1, 6)
    self.speed = np.maximum(np.asarray(speed, np.float64), 0)
    return self.context[:, -1]

  def step(self, motion: np.ndarray) -> np.ndarray:
    """Generate the next frame of every rollout after moving by motion (B, 6) -> its tokens (B, N)."""
    if not hasattr(self, "context"): raise gym.error.ResetNeeded("step() before reset(): reset the environment first")
    pose = np.concatenate([self.motion, motion[:, None]], 1) if self.use_pose else None
    new = self.sampler.generate(self.context, pose, self.temperature, self.top_k, self.rng)
    self.context = np.concatenate([self.context[:, 1:], new[:, None]], 1)
    self.motion = np.concatenate([self.motion[:, 1:], motion[:, None].astype(np.float32)], 1)
    return new

  def motion_of(self, action: np.ndarray, kind: str) -> np.ndarray:
    """The motion (B, 6) for actions (B, 2) of kind "control" (see control) or (B, 6) of kind "pose", clipped to its
    action space. NaN raises: it made the speed NaN and every later frame of the rollout token 0, without an error.
    A pose action sets the observed speed to the step's mean speed (forward motion / dt), where a control action (and
    the recordings) give the speed at the new frame: under braking at 4 m/s^2, stride 4, the pose path reads ~0.5 m/s
    higher (a motion alone does not tell the speed at its end: at stride 1 it is the speed at its start)."""
    if not hasattr(self, "context"): raise gym.error.ResetNeeded("step() before reset(): reset the environment first")
    if not np.isfinite(action).all(): raise ValueError(f"action is not finite: {action.tolist()}")  # (inf was clipped to the limit)
    if action.shape != (len(self.context), 2 if kind == "control" else 6):  # a reshape had split rows across rollouts
      raise ValueError(f"actions of shape {action.shape}: {len(self.context)} rollouts take ({len(self.context)}, {2 if kind == 'control' else 6})")
    if kind == "control": return self.control(action)
    motion = np.clip(action, -MAX_MOTION*self.stride, MAX_MOTION*self.stride)  # (10 m a step cut 30 m/s at stride 8 to 25)
    self.speed = np.maximum(motion[:, 0] / self.dt, 0)  # the observed speed follows the commanded forward motion
    return motion

  def control(self, action: np.ndarray) -> np.ndarray:
    """(B, 2) [acceleration m/s^2, curvature 1/m + = left] -> the motion (B, 6), advancing the vehicle's speed."""
    a = np.clip(action, [ACCEL_RANGE[0], -MAX_CURVATURE], [ACCEL_RANGE[1], MAX_CURVATURE]).astype(np.float64)
    motion, self.speed = motion_from_control(self.speed, a[:, 0], a[:, 1], self.dt)
    return motion

def _spaces(model: WorldModel, action: str, decoder, segments: list, stride: int) -> tuple[spaces.Space, spaces.Space]:
  c = model.config
  obs = {"tokens": spaces.Box(0, c.vocab_size - 1, (c.tokens_per_frame,), np.int64), "speed": spaces.Box(0.0, np.inf, (1,), np.float32)}
  if decoder is not None: obs["frame"] = spaces.Box(0, 255, decoder.frame_shape, np.uint8)
  if (vq := getattr(decoder, "vqvae", None)) is not None:  # a decoder of another grid decoded part of each frame, or mixed envs' frames
    if vq.config.grid[0] * vq.config.grid[1] != c.tokens_per_frame or vq.config.n_codes < c.vocab_size:
      raise ValueError(f"decoder: the VQVAE's {list(vq.config.grid)} grid of {vq.config.n_codes} codes can't decode the world model's "
                       f"frames of {c.tokens_per_frame} tokens of {c.vocab_size}")
    from train.world_data import check_codebook  # segments tokenized by another VQVAE: their frames decoded as this one's codes
    import types  # (and the world model's own tokens, where load_run gave it their tokenizer)
    check_codebook([types.SimpleNamespace(name="the world model", tokenizer=getattr(model, "tokenizer", ""))] + list(segments), vq.quantizer.codebook.numpy(), "decoder", "WorldSim decoder")
  act = spaces.Box(np.array([ACCEL_RANGE[0], -MAX_CURVATURE], np.float32), np.array([ACCEL_RANGE[1], MAX_CURVATURE], np.float32)) if action == "control" \
    else spaces.Box(-MAX_MOTION*stride, MAX_MOTION*stride)
  return spaces.Dict(obs), act

class WorldSim(gym.Env):
  """One rollout as a gymnasium.Env. action="control": [acceleration m/s^2, curvature 1/m, + = left]; action="pose": the
  6-DoF motion to the next frame. Observation: the new frame's tokens, the speed and (with a decoder) the decoded frame.
  Reward 0 (the RL stage brings its own); an episode is truncated after max_steps frames."""
  metadata = {"render_modes": ["rgb_array"], "render_fps": FPS}

  def __init__(self, model: WorldModel, segments: list[Segment], frame_stride: int, action: str = "control", decoder=None,
               max_steps: int = 200, temperature: float = 1.0, top_k: int = 0, render_mode: Optional[str] = None):
    if action not in ("control", "pose"): raise ValueError(f"WorldSim: action must be 'control' or 'pose', got {action!r}")
    _whole("max_steps", max_steps, 1)
    if render_mode not in (None, *self.metadata["render_modes"]): raise ValueError(f"WorldSim: render_mode must be None or one of {self.metadata['render_modes']}, got {render_mode!r}")
    self.sim, self.action_kind, self.decoder, self.max_steps = WorldRollouts(model, segments, frame_stride, temperature, top_k), action, decoder, max_steps
    self.observation_space, self.action_space = _spaces(model, action, decoder, segments, frame_stride)
    self.metadata = {**self.metadata, "render_fps": FPS / frame_stride}
    self.render_mode, self._frame = render_mode, None

  def _obs(self, tokens: np.ndarray) -> dict:
    obs = {"tokens": tokens[0].astype(np.int64), "speed": self.sim.speed[:1].astype(np.float32)}
    if self.decoder is not None:  # the agent's own copy: drawing on it changed what render() showed (a RecordVideo's frames)
      self._frame = self.decoder(tokens)[0]
      obs["frame"] = self._frame.copy()
    return obs

  def reset(self, *, seed: Optional[int] = None, options: Optional[dict] = None):
    """Start from a recorded context: options {"segment", "start"} pick it, else it is drawn. Known: a given segment or
    start is not drawn, so the sampling RNG is elsewhere after it: reset(seed=s, options=...) naming the (segment,
    start) that reset(seed=s) drew samples other frames from there. Returns (obs, {"segment", "start"})."""
    self.t = None  # until the reset succeeds: a refused one left the old (ended) episode stepping on, its count at 0
    super().reset(seed=seed)
    o = options or {}
    if bad := sorted(set(o) - {"segment", "start"}): raise ValueError(f"WorldSim.reset: unknown option {bad[0]!r}")
    # (drawn only when not given: a given segment or start no longer moves the sampling RNG)
    seg, start = (o["segment"], None) if "segment" in o else self.sim.draw_seed(self.np_random)
    self.sim.check_seed(seg)
    room = len(self.sim.segments[seg].tokens) - self.sim.span()
    start = o["start"] if "start" in o else start if start is not None else int(self.np_random.integers(room + 1)) if room >= 0 else 0
    tokens = self.sim.reset(np.array([seg]), np.array([start]), self.np_random)
    self.t = 0
    return self._obs(tokens), {"segment": seg, "start": start}

  def step(self, action):
    if (t := getattr(self, "t", 0)) is None or t >= self.max_steps:  # (it ran on)
      raise gym.error.ResetNeeded(f"step() after {'a failed reset' if t is None else 'the episode was truncated'}: reset the environment first")
    a = np.asarray(action, np.float32)
    if a.shape != self.action_space.shape: raise ValueError(f"WorldSim.step: action of shape {a.shape}, the action space is {self.action_space.shape}")
    motion = self.sim.motion_of(a[None], self.action_kind)
    tokens = self.sim.step(motion)
    self.t += 1
    return self._obs(tokens), 0.0, False, self.t >= self.max_steps, {"motion": motion[0]}

  def render(self):
    if self.decoder is None: raise RuntimeError("WorldSim.render needs a decoder (the VQVAE) to turn tokens into frames")
    if not hasattr(self.sim, "context"): raise gym.error.ResetNeeded("render() before reset(): reset the environment first")
    if getattr(self, "t", 0) is None: raise gym.error.ResetNeeded("render() after a failed reset: reset the environment first")  # (the old episode's frame)
    # a copy: drawing on it (an overlay) changed the observation the agent holds
    return (self._frame if self._frame is not None else self.decoder(self.sim.context[:, -1])[0]).copy()

class WorldVecEnv(gym.vector.VectorEnv):
  """num_envs rollouts sampled together in one batched model call per token. All episodes have the same length, so
  they end together; the call after the last step resets every env (next-step autoreset)."""
  def __init__(self, model: WorldModel, segments: list[Segment], num_envs: int, frame_stride: int, action: str = "control",
               decoder=None, max_steps: int = 200, temperature: float = 1.0, top_k: int = 0):
    if action not in ("control", "pose"): raise ValueError(f"WorldVecEnv: action must be 'control' or 'pose', got {action!r}")
    _whole("max_steps", max_steps, 1)
    _whole("num_envs", num_envs, 1)
    self.sim, self.action_kind, self.decoder, self.max_steps = WorldRollouts(model, segments, frame_stride, temperature, top_k), action, decoder, max_steps
    self.num_envs = num_envs
    self.single_observation_space, self.single_action_space = _spaces(model, action, decoder, segments, frame_stride)
    self.observation_space = gym.vector.utils.batch_space(self.single_observation_space, num_envs)
    self.action_space = gym.vector.utils.batch_space(self.single_action_space, num_envs)
    self.metadata = {"autoreset_mode": gym.vector.AutoresetMode.NEXT_STEP, "render_fps": FPS / frame_stride}
    self._done = False

  def _obs(self, tokens: np.ndarray) -> dict:
    obs = {"tokens": tokens.astype(np.int64), "speed": self.sim.speed[:, None].astype(np.float32)}
    if self.decoder is not None: obs["frame"] = self.decoder(tokens)
    return obs

  def reset(self, *, seed=None, options: Optional[dict] = None):
    """seed: an int s seeds env i with s + i (gymnasium's rule), a list one seed per env; env i then draws its segment,
    start and tokens from its own stream, as WorldSim(seed=s + i) does (one stream for the batch made a row depend on
    the rows beside it), up to a token now and then: a row's logits differ by ~1e-6 between batch sizes (BLAS), enough
    to flip a draw near a boundary. options: "segment" and "start" arrays (num_envs,); all envs reset together."""
    # self.t is None until the reset succeeds: a refused one left the old episodes stepping on, their autoreset skipped
    self.t, o = None, options or {}
    if bad := sorted(set(o) - {"segment", "start"}):
      raise ValueError(f"WorldVecEnv.reset: unknown option {bad[0]!r} (every env resets together: no reset_mask)")
    if seed is not None:
      seeds = [seed + i for i in range(self.num_envs)] if isinstance(seed, (int, np.integer)) else list(seed) if isinstance(seed, (list, tuple, np.ndarray)) else None
      if seeds is None or len(seeds) != self.num_envs or not all(isinstance(s, (int, np.integer)) for s in seeds):
        raise ValueError(f"WorldVecEnv.reset: seed must be an int or {self.num_envs} ints (one per env), got {seed!r}")
      self._rngs = [gym.utils.seeding.np_random(int(s))[0] for s in seeds]
      if isinstance(seed, (int, np.integer)): super().reset(seed=int(seed))  # (np_random_seed said another, random number)
      else: self._np_random_seed = tuple(int(s) for s in seeds)  # one per env, as SyncVectorEnv's (it kept an earlier int)
    elif not hasattr(self, "_rngs"): self._rngs = [gym.utils.seeding.np_random()[0] for _ in range(self.num_envs)]
    drawn = None if "segment" in o else [self.sim.draw_seed(g) for g in self._rngs]
    seg = np.array(o["segment"] if drawn is None else [d[0] for d in drawn])  # (copies: the info held the caller's own array)
    if seg.shape != (self.num_envs,): raise ValueError(f"WorldVecEnv.reset: segment must be ({self.num_envs},), got shape {seg.shape}")
    for i in seg: self.sim.check_seed(i)
    rooms = [len(self.sim.segments[s].tokens) - self.sim.span() for s in seg]
    start = np.array(o["start"] if "start" in o else [d[1] for d in drawn] if drawn is not None else
                       [int(g.integers(r + 1)) if r >= 0 else 0 for g, r in zip(self._rngs, rooms)])
    if start.shape != (self.num_envs,): raise ValueError(f"WorldVecEnv.reset: start must be ({self.num_envs},), got shape {start.shape}")
    tokens = self.sim.reset(seg, start, self._rngs)
    self.t, self._done = 0, False
    return self._obs(tokens), self._info(segment=seg, start=start)

  def step(self, actions):
    if getattr(self, "t", 0) is None: raise gym.error.ResetNeeded("step() after a failed reset: reset the environments first")
    if self._done:
      obs, info = self.reset()
      z = np.zeros(self.num_envs, bool)
      return obs, np.zeros(self.num_envs), z, z.copy(), info
    motion = self.sim.motion_of(np.asarray(actions, np.float32), self.action_kind)
    tokens = self.sim.step(motion)
    self.t += 1
    self._done = self.t >= self.max_steps
    return (self._obs(tokens), np.zeros(self.num_envs), np.zeros(self.num_envs, bool), np.full(self.num_envs, self._done),
            self._info(motion=motion))

  def _info(self, **values) -> dict:
    """gymnasium's vector infos: each key's values for all envs and `_key`, which envs have one (every env, here)."""
    return {**values, **{f"_{k}": np.ones(self.num_envs, bool) for k in values}}
