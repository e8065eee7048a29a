"""Driving heads on VQ tokens: a disengagement predictor ("would a human take over?") and a Gaussian driving policy.

Both read a short context of frames as VQ token grids. Tokens become the VQVAE's codebook rows (the latents its decoder
sees), each projected to `embed` features (a 1x1 convolution), then either averaged over small cells of the grid and
flattened with each cell's place kept, so "where on the road" survives (`conv: 0`), or, with `conv: C`, read by three
3x3 convolutions of C channels over the grid, the context frames stacked as channels (the last one stride 2), and
flattened: the same filters at every place, which generalize to new scenes better than one weight per cell (measured:
README, RL section).

  feats = net.features(tokens)            # tokens (B, K, N) int -> (B, K, N, D) codebook rows, looked up in numpy
  logits = disengage(feats, motion, speed)  # (B, H): takeover within each horizon; motion (B, M, 6): the last M ego motions
  mean = policy(feats, speed)             # (B, 2): normalized [acceleration, curvature]; ACTION_SCALE gives units
"""
from __future__ import annotations
import math
from dataclasses import dataclass, field
import numpy as np
from drivegpt import Tensor, dtypes
from drivegpt.nn import Conv2d, Linear, get_parameters

ACTION_SCALE = (2.0, 0.005)   # a normalized action of 1 is 2 m/s^2 of acceleration, 0.005 1/m of curvature (+ = left)
SPEED_SCALE = 30.0            # m/s
LANE_SCALE = (0.5, 0.05)      # the lane head's units: 0.5 m off the lane centre, 0.05 rad of heading error

@dataclass
class DrivingNetConfig:
  vocab_size: int = 1024        # VQVAE codes
  code_dim: int = 32            # D: the codebook's width
  tokens_per_frame: int = 128   # N
  frames: int = 2               # K: frames of context, oldest first
  embed: int = 4                # features per token after the 1x1 projection
  grid: list[int] = field(default_factory=lambda: [8, 16])   # the token grid (h, w), h * w = tokens_per_frame
  pool: list[int] = field(default_factory=lambda: [2, 2])    # with conv 0, token cells averaged into one (h/ph x w/pw cells): fewer
                                                        # inputs, so a few thousand correlated frames don't fit the scene
  conv: int = 0                 # channels of the conv net over the token grid (0: pooled cells, no conv)
  hidden: int = 128
  dropout: float = 0.1
  horizons: list[float] = field(default_factory=lambda: [0.5, 1.0, 2.0, 4.0])   # s: the disengagement model's outputs
  motions: int = 10             # M: the disengagement model reads the last M ego motions (1 s at a stride of 2 frames)
  pose_scale: list[float] = field(default_factory=lambda: [2.0, 0.2, 0.05, 0.01, 0.01, 0.02])  # typical |motion| per context step
  lane_head: bool = False       # the policy also predicts where it is in its lane (offset, heading): a training target only

  def __post_init__(self):
    if not isinstance(self.conv, int) or self.conv < 0: raise ValueError(f"DrivingNetConfig: conv must be an int >= 0, got {self.conv!r}")
    for k in ("vocab_size", "code_dim", "tokens_per_frame", "frames", "embed", "hidden", "motions"):
      v = getattr(self, k)
      if not isinstance(v, int) or v < 1: raise ValueError(f"DrivingNetConfig: {k} must be a positive int, got {v!r}")
    if len(self.grid) != 2 or self.grid[0] * self.grid[1] != self.tokens_per_frame:
      raise ValueError(f"DrivingNetConfig: grid {self.grid} must hold the {self.tokens_per_frame} tokens")
    if not self.conv and (len(self.pool) != 2 or min(self.pool) < 1 or self.grid[0] % self.pool[0] or self.grid[1] % self.pool[1]):
      raise ValueError(f"DrivingNetConfig: grid {self.grid} must be divisible by pool {self.pool} (positive; with conv 0 the cells are pooled)")
    if not self.horizons or min(round(h * 20) for h in self.horizons) < 1:  # (labels count round(h * 20) frames: 0.01 s labelled
      raise ValueError(f"DrivingNetConfig: horizons must be at least one 20 fps frame (over 0.025 s), got {self.horizons}")  # none, silently)
    if (fr := [round(h * 20) for h in self.horizons]) != sorted(set(fr)):  # ([1, 1.0000001]: two heads, one set of metrics keys)
      raise ValueError(f"DrivingNetConfig: horizons must increase, at least a 20 fps frame apart, got {self.horizons}")
    if len(self.pose_scale) != 6 or not min(self.pose_scale) >= 1e-6:  # (1e-40: its float32 reciprocal inf, a NaN loss "a lower lr?")
      raise ValueError(f"DrivingNetConfig: pose_scale needs 6 values of at least 1e-6, got {self.pose_scale}")

class FrameTrunk:
  """(B, K, N, D) codebook rows [+ ego motions (B, M, 6)] + speed (B,) -> hidden features (B, hidden)."""
  def __init__(self, c: DrivingNetConfig, use_pose: bool):
    self.c, self.use_pose = c, use_pose
    self.proj = Linear(c.code_dim, c.embed)
    (h, w), C = c.grid, c.conv
    if C: self.convs = [Conv2d(c.frames * c.embed, C, 3, padding=1), Conv2d(C, C, 3, padding=1), Conv2d(C, C, 3, stride=2, padding=1)]
    n_rows = C * ((h + 1) // 2) * ((w + 1) // 2) if C else c.frames * (h // c.pool[0]) * (w // c.pool[1]) * c.embed
    n_in = n_rows + (6 * c.motions if use_pose else 0) + 1
    self.fc1, self.fc2 = Linear(n_in, c.hidden), Linear(c.hidden, c.hidden)

  def frame_features(self, feats: Tensor) -> Tensor:
    """(B, K, N, D) -> (B, K, cells*embed): each frame's projected tokens averaged over pool x pool cells; with conv,
    (B, 1, C*ceil(h/2)*ceil(w/2)): the conv net's features of the stacked frames."""
    B, K, N, _ = feats.shape
    (h, w), (ph, pw), E = self.c.grid, self.c.pool, self.c.embed
    if not self.c.conv:
      x = self.proj(feats).reshape(B, K, h // ph, ph, w // pw, pw, E).mean((3, 5))    # (B, K, h/ph, w/pw, E)
      return x.reshape(B, K, -1)
    x = self.proj(feats).reshape(B, K, h, w, E).permute(0, 1, 4, 2, 3).reshape(B, K * E, h, w)  # frames as channels
    x = self.convs[0](x).gelu()
    x = x + self.convs[1](x).gelu()                                                   # (B, C, h, w)
    return self.convs[2](x).gelu().dropout(self.c.dropout).reshape(B, 1, -1)        # (B, 1, C*h/2*w/2)

  def mix(self, rows: Tensor, pose, speed: Tensor) -> Tensor:
    """Frame rows (B, K, cells*embed), motions (B, M, 6) or None, speed (B,) -> (B, hidden)."""
    B = rows.shape[0]
    x = [rows.reshape(B, -1)]
    if self.use_pose: x.append((pose * Tensor(1 / np.array(self.c.pose_scale, np.float32))).reshape(B, -1))
    x.append(speed.reshape(B, 1) * (1 / SPEED_SCALE))
    return self.fc2(self.fc1(x[0].cat(*x[1:], dim=1)).gelu().dropout(self.c.dropout)).gelu()

  def __call__(self, feats: Tensor, pose, speed: Tensor) -> Tensor:
    return self.mix(self.frame_features(feats), pose, speed)

class TokenNet:
  """What the heads share: the config, the codebook (a saved buffer, never trained) and the token lookup."""
  def __init__(self, config: DrivingNetConfig, codebook: np.ndarray):
    c = self.config = config
    if codebook.shape != (c.vocab_size, c.code_dim): raise ValueError(f"{type(self).__name__}: codebook {codebook.shape} must be {(c.vocab_size, c.code_dim)}")
    self.codebook = Tensor(codebook.astype(np.float32))
    self._codebook_np = (None, None)  # (the codebook's LazyBuffer, its rows in numpy): one loaded since is read again

  def features(self, tokens: np.ndarray) -> Tensor:
    """tokens (B, K, N) int -> codebook rows (B, K, N, D), looked up in numpy (a one-hot matmul over 1024 codes costs 1000x)."""
    c = self.config
    if tokens.ndim != 3 or tokens.shape[1:] != (c.frames, c.tokens_per_frame):
      raise ValueError(f"{type(self).__name__}: tokens {tokens.shape} must be (B, {c.frames}, {c.tokens_per_frame})")
    if tokens.min() < 0 or tokens.max() >= c.vocab_size: raise ValueError(f"{type(self).__name__}: token ids must be in [0, {c.vocab_size}), got {tokens.min()}..{tokens.max()}")
    # (cached once, a codebook loaded later, by load_checkpoint or load_state_dict, was never seen: features kept the old)
    if self._codebook_np[0] is not self.codebook.lazydata: self._codebook_np = (self.codebook.lazydata, self.codebook.numpy())
    return Tensor(self._codebook_np[1][tokens])

  def parameters(self) -> list[Tensor]:
    """The trainable weights (everything but the codebook)."""
    return [p for p in get_parameters(self) if p is not self.codebook]

class DisengageModel(TokenNet):
  """Logits (B, H) of p(a human takes over within each of config.horizons seconds), from K frames' tokens, the last M ego
  motions (each over the context stride, oldest first) and the speed."""
  def __init__(self, config: DrivingNetConfig, codebook: np.ndarray):
    super().__init__(config, codebook)
    self.trunk, self.head = FrameTrunk(config, use_pose=True), Linear(config.hidden, len(config.horizons))

  def __call__(self, feats: Tensor, pose: Tensor, speed: Tensor) -> Tensor:
    return self.head(self.trunk(feats, pose, speed))   # (B, H)

  def loss(self, feats: Tensor, pose: Tensor, speed: Tensor, labels: Tensor, pos_weight: Tensor, known: Tensor | None = None) -> Tensor:
    """Binary cross-entropy per horizon with positives weighted by pos_weight (H,) (the imbalance), mean over B and H;
    with known (B, H) of 0/1, the mean over the known labels only."""
    z = self(feats, pose, speed)                                         # (B, H)
    for name, t in (("labels", labels), ("known", known)):  # (labels (B, 1) broadcast to every horizon, without a word)
      if t is not None and t.shape != z.shape: raise ValueError(f"DisengageModel.loss: {name} {t.shape} must be (B, H) = {z.shape}")
    if getattr(pos_weight, "shape", ()) not in ((), z.shape[1:]): raise ValueError(f"DisengageModel.loss: pos_weight {pos_weight.shape} must be (H,) = {z.shape[1:]}, or one number")
    log_p, log_not_p = -(-z).softplus(), -z.softplus()                   # log sigmoid(z), log (1 - sigmoid(z))
    bce = -(labels * pos_weight * log_p + (1 - labels) * log_not_p)
    return bce.mean() if known is None else (bce * known).sum() / known.sum().maximum(1)

class PolicyNet(TokenNet):
  """A Gaussian policy on normalized actions [acceleration, curvature] / ACTION_SCALE: mean (B, 2) from K frames and the
  speed, and a state-independent log std (2,). The critic is a separate ValueNet, so value targets don't move the features
  behaviour cloning learned."""
  def __init__(self, config: DrivingNetConfig, codebook: np.ndarray, log_std: float = -1.5):
    super().__init__(config, codebook)
    self.trunk, self.mu = FrameTrunk(config, use_pose=False), Linear(config.hidden, 2)
    if config.lane_head: self.lane = Linear(config.hidden, 2)  # [lane offset, heading error] / LANE_SCALE
    self.log_std = Tensor(np.full(2, log_std, np.float32))

  def __call__(self, feats: Tensor, speed: Tensor) -> Tensor:
    return self.mu(self.trunk(feats, None, speed))       # (B, 2)

  def with_lane(self, obs: dict) -> tuple[Tensor, Tensor]:
    """The mean action (B, 2) and the lane head's [offset, heading error] / LANE_SCALE (B, 2), from one trunk pass."""
    h = self.trunk(self.features(obs["tokens"]), None, Tensor(np.asarray(obs["speed"], np.float32)))
    return self.mu(h), self.lane(h)

  def mean(self, obs: dict) -> Tensor:
    """The mean action (B, 2) for observations {"tokens": (B, K, N), "speed": (B,)}."""
    return self(self.features(obs["tokens"]), Tensor(np.asarray(obs["speed"], np.float32)))

  def log_prob(self, mean: Tensor, actions: Tensor) -> Tensor: return gaussian_log_prob(mean, self.log_std, actions)
  def entropy(self) -> Tensor: return gaussian_entropy(self.log_std)

class ValueNet(TokenNet):
  """The critic: expected discounted return (B,) from the policy's inputs."""
  def __init__(self, config: DrivingNetConfig, codebook: np.ndarray):
    super().__init__(config, codebook)
    self.trunk, self.head = FrameTrunk(config, use_pose=False), Linear(config.hidden, 1)

  def __call__(self, feats: Tensor, speed: Tensor) -> Tensor:
    return self.head(self.trunk(feats, None, speed)).reshape(-1)

  def value(self, obs: dict) -> Tensor:
    """V (B,) for observations {"tokens": (B, K, N), "speed": (B,)}."""
    return self(self.features(obs["tokens"]), Tensor(np.asarray(obs["speed"], np.float32)))

def gaussian_log_prob(mean: Tensor, log_std: Tensor, actions: Tensor) -> Tensor:
  """log N(actions; mean, diag(exp(log_std))^2) summed over the action dims: (B, A), (A,), (B, A) -> (B,)."""
  z = (actions - mean) * (-log_std).exp()
  return (-0.5 * z.square() - log_std - 0.5 * math.log(2 * math.pi)).sum(1)

def gaussian_entropy(log_std: Tensor) -> Tensor:
  """Entropy (nats) of a diagonal Gaussian with log std (A,): a scalar."""
  return (log_std + 0.5 * math.log(2 * math.pi * math.e)).sum()

def to_units(normalized: np.ndarray) -> np.ndarray:
  """Normalized actions (..., 2) -> [acceleration m/s^2, curvature 1/m]."""
  return normalized * np.array(ACTION_SCALE, np.float32)

def to_normalized(actions: np.ndarray) -> np.ndarray:
  """[acceleration m/s^2, curvature 1/m] (..., 2) -> normalized actions."""
  return actions / np.array(ACTION_SCALE, np.float32)

class DrivingPolicy:
  """The policy and the disengagement model in openpilot's vision + policy split (drivegpt/export/openpilot.py Policy).
  The vision head turns the newest road frame's encoder latents into its VQ tokens (stored as floats in the first N of
  the 512 features); the policy reads the context frames' rows from features_buffer, looks their codebook rows up and
  runs both heads. openpilot's modeld keeps every frame's features at 20 Hz but hands the policy every fourth (its
  temporal_idxs: 25 rows 0.2 s apart, the newest last), and prev_desired_curv the same way: a policy whose context frames
  are `stride` 20 Hz frames apart reads rows stride / 4 apart, so stride must be a multiple of 4. openpilot passes no ego motion, so the disengagement model's motions are
  rebuilt from the speed and prev_desired_curv (the curvature the policy asked for, which the car followed) as the
  recorder's car moves: highway-env's bicycle of `wheelbase`, stepped at 20 Hz (motions)."""
  def __init__(self, policy: PolicyNet, disengage: DisengageModel, stride: int, wheelbase: float):
    c = policy.config
    if c.tokens_per_frame > 512: raise ValueError(f"DrivingPolicy: {c.tokens_per_frame} tokens per frame don't fit the 512 features")
    if stride % 4:  # (rows read `stride` apart as if 20 Hz showed a car a context 4x longer than the one trained on)
      raise ValueError(f"DrivingPolicy: stride {stride}: the policy's context frames are {stride / 20:g} s apart, but openpilot's "
                       "features_buffer rows are 0.2 s apart (every 4th 20 Hz frame): train the world model, disengagement "
                       "model and policy with a stride that is a multiple of 4 (data.frame_stride=4, stride=4)")
    if stride // 4 * (max(c.frames, disengage.config.frames, disengage.config.motions) - 1) >= 25:  # a row before 0 would wrap to the newest
      raise ValueError(f"DrivingPolicy: stride {stride} reaches past the 25-row features_buffer (5 s at 5 Hz)")
    self.policy, self.disengage, self.stride, self.wheelbase = policy, disengage, stride, wheelbase

  def motions(self, speed: Tensor, curv: Tensor) -> Tensor:
    """The 6-DoF motion (1, M, 6) [forward, right, down, rotation] of each context step at speed (1,) m/s along
    curvatures curv (1, M) 1/m (+ = left): `stride` 20 Hz steps of the bicycle, each moving the centre at the slip angle
    atan(curv * wheelbase / 2) off the heading, then turning (sim/world_sim.py motion_from_control, the recorded poses
    the disengagement model trained on; a point on an arc, as before, moved the car 2.5x less sideways). The slip angle
    is curv * wheelbase / 2 (atan is not an op): under 0.1% off for |curv| < 0.02 1/m."""
    v, beta, half = speed.reshape(1, 1), curv * (self.wheelbase / 2), self.wheelbase / 2
    x = y = yaw = curv * 0
    for _ in range(self.stride):
      x, y = x + v * (yaw + beta).cos() / 20, y + v * (yaw + beta).sin() / 20
      yaw = yaw + v * beta.sin() / half / 20
    zero = curv * 0
    return x.stack(-y, zero, zero, zero, -yaw, dim=-1)

  def vision_head(self, latents: Tensor) -> Tensor:
    z = latents[:, 1].reshape(latents.shape[2], -1).permute(1, 0)                 # road t: (N, D)
    cb = self.policy.codebook                                                       # (V, D)
    codes = ((z * z).sum(1, keepdim=True) - 2 * (z @ cb.T) + (cb * cb).sum(1).reshape(1, -1)).argmin(1)  # (N,)
    return codes.float().reshape(1, -1).pad(((0, 0), (0, 512 - codes.shape[0])))   # (1, 512)
  vision_head.frames = (1,)  # the latents it reads: DrivingVision encodes only those

  def _latents(self, features_buffer: Tensor, rows: list, net: TokenNet) -> Tensor:
    c = net.config
    ids = features_buffer[:, rows, :c.tokens_per_frame].round().cast(dtypes.int32)  # (1, K, N)
    return ids.unsqueeze(-1).eq(Tensor.arange(c.vocab_size)).float() @ net.codebook  # (1, K, N, D)

  def __call__(self, features_buffer, desire, traffic_convention, lateral_control_params, prev_desired_curv) -> dict:
    pc, dc, s = self.policy.config, self.disengage.config, self.stride // 4                 # rows between context frames
    speed = lateral_control_params[:, 0]                                            # (1,)
    mean = self.policy(self._latents(features_buffer, [24 - s * k for k in range(pc.frames - 1, -1, -1)], self.policy), speed)  # (1, 2)
    curv = prev_desired_curv[:, [24 - s * k for k in range(dc.motions - 1, -1, -1)], 0]   # (1, M)
    motion = self.motions(speed, curv)
    p = self.disengage(self._latents(features_buffer, [24 - s * k for k in range(dc.frames - 1, -1, -1)], self.disengage), motion, speed).sigmoid()
    # a takeover within 1 s is one within 2 s: each head, calibrated alone, could say 0.9998 for 1 s and 0.036 for 2 s.
    # Shipped as a running max over the horizons (shortest first), so a longer horizon is never less likely
    cols = [p[:, :1]]
    for k in range(1, p.shape[1]): cols.append(cols[-1].maximum(p[:, k:k + 1]))
    p = cols[0].cat(*cols[1:], dim=1)
    return {"desired_curvature": mean[:, 1:2] * ACTION_SCALE[1], "desired_acceleration": mean[:, 0:1] * ACTION_SCALE[0], "disengage_prob": p}
