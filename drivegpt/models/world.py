"""The world model: a GPT over frames of VQ tokens, each frame's prediction conditioned on the ego motion that led to it.

A frame is a frame-start slot followed by its N tokens (N = 128 for commaVQ's 8x16 grid), so F frames are a sequence of
F*(N+1) positions. The start slot of frame f carries the 6-DoF pose of the transition f-1 -> f (translation m, axis-angle
rad, in frame f-1's camera frame), normalised and projected to the model width. The output at the start slot predicts
token 0 of its frame, the output at token j predicts token j+1, and the output at the last token predicts nothing (the
next frame's start slot is given, not predicted).

With prev_frame, the input at the slot that predicts token j of frame f also gets an embedding of token j of frame f-1
(the same grid cell one frame earlier, already in the past): most cells barely change between frames, so copying is
cheap for the model and its capacity goes to what changes, which is where the motion matters.
"""
from __future__ import annotations
import math
from dataclasses import dataclass, field
from typing import Optional
import numpy as np
from drivegpt import Tensor, jit
from drivegpt.nn import Dropout, Linear, Embedding, LayerNorm, get_parameters
from drivegpt.models.gpt import GPTConfig, MLP

POSE_MODES = ("start", "frame", "none")

@dataclass
class WorldConfig:
  vocab_size: int = 1024
  tokens_per_frame: int = 128   # N: an 8x16 grid
  frames: int = 4               # K: frames of context the model sees, the one being predicted included
  n_layer: int = 4
  n_head: int = 4
  d_model: int = 128
  dropout: float = 0.0
  # "start": pose embedding added at the frame-start slot; "frame": added to every position of the frame; "none"
  pose: str = "start"
  pose_mean: list[float] = field(default_factory=lambda: [0.0]*6)  # set from the training data, so the embedding sees ~N(0, 1)
  pose_std: list[float] = field(default_factory=lambda: [1.0]*6)
  prev_frame: bool = False      # add an embedding of the previous frame's token at the cell each slot predicts

  def __post_init__(self):
    if self.pose not in POSE_MODES: raise ValueError(f"WorldConfig: pose must be one of {POSE_MODES}, got {self.pose!r}")
    for k in ("vocab_size", "tokens_per_frame", "frames", "n_layer", "n_head", "d_model"):
      if not isinstance(getattr(self, k), int) or getattr(self, k) < 1: raise ValueError(f"WorldConfig: {k} must be a positive int, got {getattr(self, k)!r}")
    if self.d_model % self.n_head: raise ValueError(f"WorldConfig: d_model {self.d_model} not divisible by n_head {self.n_head}")
    if self.frames < 2:  # (frames=1 trained and scored a model with no context; a rollout then failed with an IndexError)
      raise ValueError(f"WorldConfig: frames must be >= 2 (the context frames and the one predicted), got {self.frames}")
    if len(self.pose_mean) != 6 or len(self.pose_std) != 6 or min(self.pose_std) <= 0:
      raise ValueError(f"WorldConfig: pose_mean and pose_std need 6 values (std > 0), got {self.pose_mean}, {self.pose_std}")

  @property
  def slots(self) -> int: return self.tokens_per_frame + 1   # positions per frame
  @property
  def context(self) -> int: return self.frames * self.slots  # positions in a full window

class Attention:
  """Causal multi-head self-attention (nanoGPT's c_attn/c_proj) that hands back its keys and values for a KV cache."""
  def __init__(self, c: WorldConfig):
    self.n_head, self.c_attn, self.c_proj = c.n_head, Linear(c.d_model, 3*c.d_model), Linear(c.d_model, c.d_model)

  def __call__(self, x: Tensor, past: Optional[list] = None) -> tuple[Tensor, Tensor, Tensor]:
    """x (B, T, C) -> y (B, T, C) and k, v (B, H, T, hd). Decoding, past = [(k, v) of the prefix or None, (k, v) of the
    current frame or None]: x is one new position (T = 1) that sees all of them, and k, v are the current frame's cache
    with it appended. The prefix is read where it lies; only the short current-frame cache is copied to grow it."""
    B, T, C = x.shape
    q, k, v = [t.reshape(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in self.c_attn(x).split(C, dim=2)]
    if past is None: return self.c_proj(q.scaled_dot_product_attention(k, v, is_causal=True).transpose(1, 2).reshape(B, T, C)), k, v
    (pre, cur) = past
    if cur is not None: k, v = cur[0].cat(k, dim=2), cur[1].cat(v, dim=2)   # (B, H, j+1, hd)
    kvs = ([pre] if pre is not None else []) + [(k, v)]
    s = [q @ kk.transpose(-2, -1) for kk, _ in kvs]                       # (B, H, 1, T_i) each
    p = (s[0].cat(*s[1:], dim=-1) if len(s) > 1 else s[0]) * (1 / math.sqrt(C // self.n_head))
    p, ofs, y = p.softmax(-1), 0, None                                    # (B, H, 1, sum T_i)
    for kk, vv in kvs:
      part = p[..., ofs:ofs + kk.shape[2]] @ vv                           # (B, H, 1, hd)
      y, ofs = part if y is None else y + part, ofs + kk.shape[2]
    return self.c_proj(y.transpose(1, 2).reshape(B, T, C)), k, v

class Block:
  def __init__(self, c: WorldConfig):
    gc = GPTConfig(c.vocab_size, c.context, c.n_layer, c.n_head, c.d_model, c.dropout)
    self.ln_1, self.attn, self.ln_2, self.mlp = LayerNorm(c.d_model), Attention(c), LayerNorm(c.d_model), MLP(gc)
    self.dropout = Dropout(c.dropout)  # on the attention's output, as nanoGPT's (model.dropout reached only the MLP's)
  def __call__(self, x: Tensor, past: Optional[list] = None) -> tuple[Tensor, Tensor, Tensor]:
    a, k, v = self.attn(self.ln_1(x), past)
    x = x + self.dropout(a)                      # (B, T, C)
    return x + self.mlp(self.ln_2(x)), k, v      # (B, T, C), (B, H, T', hd) x 2

class WorldModel:
  """WorldModel(config)(tokens, pose) -> logits. tokens (B, F, N) int, pose (B, F, 6) float (pose[:, f]: the motion
  f-1 -> f; pose[:, 0] is the motion into the first frame) or None; logits (B, F, N, vocab): logits[:, f, j] predicts
  tokens[:, f, j] from every earlier token and the poses up to frame f."""
  def __init__(self, config: WorldConfig):
    c = self.config = config
    self.wte = Embedding(c.vocab_size, c.d_model)
    self.frame_start = Tensor.randn(c.d_model) * 0.02                  # (C,) the start slot's embedding
    self.wpe_frame = Tensor.randn(c.frames, c.d_model) * 0.02          # (K, C) which frame of the window
    self.wpe_slot = Tensor.randn(c.slots, c.d_model) * 0.02            # (N+1, C) which slot of the frame
    self.pose_proj = Linear(6, c.d_model) if c.pose != "none" else None
    self.wte_prev = Embedding(c.vocab_size, c.d_model) if c.prev_frame else None
    self.drop = Dropout(c.dropout)  # on the inputs, as nanoGPT's
    self.h = [Block(c) for _ in range(c.n_layer)]
    self.ln_f = LayerNorm(c.d_model)
    self.lm_head = Linear(c.d_model, c.vocab_size, bias=False)
    # nanoGPT's init: N(0, 0.02), zero biases, residual projections scaled by 1/sqrt(2 n_layer); the pose projection too,
    # so the pose starts at the scale of the token embeddings (Linear's default would be ~30x that, and with pose=frame
    # it is added to every slot)
    lins = [l for b in self.h for l in (b.attn.c_attn, b.attn.c_proj, b.mlp.c_fc, b.mlp.c_proj)] + [self.lm_head]
    for lin in lins + ([self.pose_proj] if self.pose_proj is not None else []):
      lin.weight = Tensor.randn(*lin.weight.shape) * 0.02
      if lin.bias is not None: lin.bias = Tensor.zeros(*lin.bias.shape).contiguous()
    for b in self.h: b.attn.c_proj.weight, b.mlp.c_proj.weight = [w * (1 / math.sqrt(2*c.n_layer)) for w in (b.attn.c_proj.weight, b.mlp.c_proj.weight)]
    self.wte.weight = Tensor.randn(c.vocab_size, c.d_model) * 0.02
    if self.wte_prev is not None: self.wte_prev.weight = Tensor.randn(c.vocab_size, c.d_model) * 0.02
    self.lm_head.weight = self.wte.weight                              # tied, (vocab, C)
    self._pose_mean, self._pose_std = [Tensor(np.array(v, np.float32)) for v in (c.pose_mean, c.pose_std)]
    Tensor.corealize(get_parameters(self))

  def embed(self, tokens: Tensor, pose: Optional[Tensor]) -> Tensor:
    """tokens (B, F, N) int -> the window's inputs (B, F, N+1, C), each frame's start slot first."""
    B, F, N = tokens.shape
    C = self.config.d_model
    x = self.frame_start.reshape(1, 1, 1, C).expand(B, F, 1, C).cat(self.wte(tokens), dim=2)   # (B, F, N+1, C)
    x = x + self.wpe_frame[:F].reshape(1, F, 1, C) + self.wpe_slot.reshape(1, 1, N + 1, C)
    if self.pose_proj is not None and pose is not None:
      pe = self.pose_proj((pose - self._pose_mean) / self._pose_std).reshape(B, F, 1, C)  # (B, F, 1, C)
      x = x + (pe if self.config.pose == "frame" else pe.pad((None, None, (0, N), None)))
    if self.wte_prev is not None and F > 1:  # slot j of frame f >= 1 gets token j of frame f-1; frame 0 and slot N nothing
      x = x + self.wte_prev(tokens[:, :-1]).pad((None, (1, 0), (0, 1), None))
    return x

  def __call__(self, tokens: Tensor, pose: Optional[Tensor] = None) -> Tensor:
    B, F, N = tokens.shape
    c = self.config
    if N != c.tokens_per_frame or F > c.frames: raise ValueError(f"WorldModel: tokens {tokens.shape} must be (B, <= {c.frames}, {c.tokens_per_frame})")
    if pose is not None and pose.shape != (B, F, 6): raise ValueError(f"WorldModel: pose {pose.shape} must be (B, F, 6) = {(B, F, 6)}")
    x = self.drop(self.embed(tokens, pose).reshape(B, F*(N + 1), c.d_model))  # (B, T, C)
    for block in self.h: x, _, _ = block(x)
    x = self.ln_f(x).reshape(B, F, N + 1, c.d_model)[:, :, :N]        # (B, F, N, C): the last slot predicts nothing
    return self.lm_head(x)                                              # (B, F, N, vocab)

  def loss(self, tokens: Tensor, pose: Optional[Tensor], targets: Tensor) -> Tensor:
    """Mean cross-entropy (nats) of targets (B, F, N): the clean tokens, when the inputs were noised."""
    if targets.shape != tokens.shape: raise ValueError(f"WorldModel.loss: targets {targets.shape} must be tokens' {tokens.shape}")  # (flattened, a transposed one trained)
    logits = self(tokens, pose)
    return logits.reshape(-1, logits.shape[-1]).sparse_categorical_crossentropy(targets.reshape(-1))

  def bits(self, tokens: Tensor, pose: Optional[Tensor] = None) -> Tensor:
    """Scoring mode: bits per token of each frame of each window, (B, F, N) -> (B, F)."""
    logp = self(tokens, pose).log_softmax(-1)                           # (B, F, N, V)
    nll = -(tokens.unsqueeze(-1).eq(Tensor.arange(self.config.vocab_size)).where(logp, 0).sum(-1))  # (B, F, N)
    return nll.mean(2) / math.log(2)

  # *** sampling with a KV cache ***

  def prefill(self, tokens: Tensor, pose: Optional[Tensor]) -> list[Tensor]:
    """Keys and values of context frames (B, F, N) for every layer: [k0, v0, k1, v1, ...], each (B, H, F*(N+1), hd)."""
    B, F, N = tokens.shape
    x, kv = self.embed(tokens, pose).reshape(B, F*(N + 1), self.config.d_model), []
    for block in self.h:
      x, k, v = block(x)
      kv += [k, v]
    return kv

  def slot_input(self, B: int, emb: Tensor, pose: Optional[Tensor], frame: int, slot: int) -> Tensor:
    """The input (B, 1, C) at one slot of frame `frame` of the window. emb (B, 1, C): the embedding rows the slot adds,
    looked up by the caller (slot_rows): its token's (none at the start slot) plus, with prev_frame, the previous
    frame's token at its cell. pose (B, 6) or None."""
    C = self.config.d_model
    x = emb + self.frame_start.reshape(1, 1, C) if slot == 0 else emb          # (B, 1, C)
    x = x + self.wpe_frame[frame].reshape(1, 1, C) + self.wpe_slot[slot].reshape(1, 1, C)
    if self.pose_proj is not None and pose is not None and (slot == 0 or self.config.pose == "frame"):
      x = x + self.pose_proj((pose - self._pose_mean) / self._pose_std).reshape(-1, 1, C)  # (B, 1, C)
    return x

  def slot_rows(self, B: int, slot: int, tok: Optional[np.ndarray], prev: Optional[np.ndarray], tables: tuple) -> np.ndarray:
    """slot_input's emb (B, 1, C) on the host: tok (B,) the token before the slot (None at slot 0), prev (B, N) the
    previous frame's tokens or None; tables: (wte, wte_prev or None) as numpy arrays. A sampler has the ids on the host,
    and a one-hot matmul per slot (what Embedding does) cost ~0.2 ms of a ~4 ms token step."""
    emb = tables[0][tok] if tok is not None else np.zeros((B, self.config.d_model), tables[0].dtype)
    if tables[1] is not None and prev is not None and slot < self.config.tokens_per_frame: emb = emb + tables[1][prev[:, slot]]
    return emb.reshape(B, 1, -1)

  def decode(self, x: Tensor, prefix: list, cur: list) -> tuple[Tensor, list[Tensor]]:
    """One new position x (B, 1, C) after the prefix keys/values [k0, v0, k1, ...] (or []) and the current frame's cache
    (or Nones) -> logits (B, vocab) and the current frame's cache with this position appended."""
    new = []
    for i, block in enumerate(self.h):
      pre = (prefix[2*i], prefix[2*i + 1]) if prefix else None
      x, k, v = block(x, [pre, (cur[2*i], cur[2*i + 1]) if cur[2*i] is not None else None])
      new += [k, v]
    return self.lm_head(self.ln_f(x))[:, 0], new                       # (B, vocab)

def sample_logits(logits: np.ndarray, temperature: float, top_k: int, rng) -> np.ndarray:
  """Tokens (B,) from logits (B, V): argmax at temperature 0, else softmax(logits / temperature) over the top_k (0: all).
  rng: a numpy Generator, or a list of one per row (a row's draws then do not depend on the rows batched with it)."""
  if not np.isfinite(logits).all(): raise FloatingPointError(f"sample_logits: logits are not finite ({'NaN' if np.isnan(logits).any() else 'inf'}: NaN gave "
                                                                  "token 0 at any temperature; top_k, not -inf, leaves tokens out)")
  if not (np.isfinite(temperature) and temperature >= 0): raise ValueError(f"sample_logits: temperature must be >= 0, got {temperature}")
  if temperature <= 0: return logits.argmax(-1)
  z = (logits.astype(np.float64) - logits.max(-1, keepdims=True)) / temperature  # (a tiny temperature overflowed to inf - inf)
  if isinstance(rng, (list, tuple)) and len(rng) != len(z):  # (one generator for 8 rows drew one u for all: 8 equal rows)
    raise ValueError(f"sample_logits: {len(rng)} random generators for {len(z)} rows: give one per row, or one Generator")
  if 0 < top_k < z.shape[-1]:  # exactly top_k kept: of tokens tied at the k-th value, only as many as fit (always the same
    # ones, by argpartition's order: a tie at the k-th logit is rare in float32)
    keep = np.zeros(z.shape, bool)
    np.put_along_axis(keep, np.argpartition(-z, top_k - 1, axis=-1)[:, :top_k], True, -1)
    z = np.where(keep, z, -np.inf)
  cdf = np.cumsum(np.exp(z - z.max(-1, keepdims=True)), -1)
  u = np.array([[g.random()] for g in rng]) if isinstance(rng, (list, tuple)) else rng.random((len(z), 1))
  # the first token whose cdf passes u times the total: one of positive probability (u past a normalised cdf's last value,
  # a rounding under 1, gave the last token, outside the top_k)
  return (cdf <= u * cdf[:, -1:]).sum(-1)

class FrameSampler:
  """Generates frames token by token with a KV cache: the context frames run once per frame (prefill), then one jitted
  step per slot, each slot a kind of call of its own: recorded on the second frame, replayed from the third. Each batch
  size has its own pair of jits, the last `KEEP` sizes' kept (a recording per size held ~1.3 MB for good: 400 sizes
  added 531 MB)."""
  KEEP = 4
  def __init__(self, model: WorldModel):
    self.model, self._jits = model, {}

  def _jits_for(self, B: int):
    jits = self._jits.pop(B, None) or (jit(self.model.prefill), jit(self._slot_step))
    self._jits[B] = jits  # (the newest last)
    while len(self._jits) > self.KEEP: self._jits.pop(next(iter(self._jits)))
    return jits

  def _slot_step(self, B: int, emb: Tensor, pose: Optional[Tensor], frame: int, *cache: Tensor) -> tuple[Tensor, list[Tensor]]:
    n = 2*self.model.config.n_layer
    prefix, cur = list(cache[:-n]), list(cache[-n:])
    slot = 0 if cur[0] is None else cur[0].shape[2]
    return self.model.decode(self.model.slot_input(B, emb, pose, frame, slot), prefix, cur)

  def generate(self, context: np.ndarray, pose: Optional[np.ndarray], temperature: float = 1.0, top_k: int = 0,
               rng: Optional[np.random.Generator] = None, return_logits: bool = False):
    """The next frame's tokens (B, N) int32 after context (B, F, N), F < frames; pose (B, F+1, 6): the motion into each
    context frame and into the new one (None: no conditioning). With return_logits, also the logits used (B, N, vocab)."""
    c, (B, F, N) = self.model.config, context.shape
    if F >= c.frames or N != c.tokens_per_frame: raise ValueError(f"generate: context {context.shape} must be (B, < {c.frames}, {c.tokens_per_frame})")
    if pose is not None and pose.shape != (B, F + 1, 6): raise ValueError(f"generate: pose {pose.shape} must be {(B, F + 1, 6)}")
    if context.size and not (0 <= context.min() and context.max() < c.vocab_size):  # a recorded step read them as NaN: token 0
      raise ValueError(f"generate: context token ids must be in [0, {c.vocab_size}), got {context.min()}..{context.max()}")
    if pose is not None and not np.isfinite(pose).all(): raise ValueError("generate: pose is not finite")
    if (pose is None) != (self.model.pose_proj is None):  # it ran unconditioned, or dropped the motions, without a word
      raise ValueError("generate: " + ("the world model is pose-conditioned: give the pose" if pose is None else
                                       "the world model has no pose conditioning (pose: none): the pose would change nothing"))
    if not (temperature >= 0 and isinstance(top_k, (int, np.integer)) and not isinstance(top_k, (bool, np.bool_)) and top_k >= 0):  # (True ran as 1)
      raise ValueError(f"generate: temperature {temperature!r} must be >= 0 and top_k {top_k!r} a whole number >= 0 (top_k 0: all tokens)")
    rng = rng if rng is not None else np.random.default_rng()
    # sampling: no dropout, whatever the caller's training flag (a training loop's left it on), and no graph
    prev_mode, Tensor.training, Tensor.no_grad = (Tensor.training, Tensor.no_grad), False, True
    try: return self._generate(context, pose, temperature, top_k, rng, return_logits)
    finally: Tensor.training, Tensor.no_grad = prev_mode

  def _generate(self, context, pose, temperature, top_k, rng, return_logits):
    c, (B, F, N) = self.model.config, context.shape
    use_pose, (prefill, step) = pose is not None and self.model.pose_proj is not None, self._jits_for(B)
    prefix = prefill(Tensor(context.astype(np.int32)), Tensor(pose[:, :F].astype(np.float32)) if use_pose else None) if F else []
    new_pose = Tensor(pose[:, F].astype(np.float32)) if use_pose else None
    prev = context[:, F - 1].astype(np.int64) if F and self.model.wte_prev is not None else None  # (a float context's ids too)
    tables = tuple(e.weight.numpy() if e is not None else None for e in (self.model.wte, self.model.wte_prev))  # this frame's weights
    cur, out, logs = [None]*(2*c.n_layer), np.zeros((B, N), np.int32), []
    for j in range(N):
      emb = Tensor(self.model.slot_rows(B, j, out[:, j - 1] if j else None, prev, tables))
      logits, cur = step(B, emb, new_pose, F, *prefix, *cur)
      lg = logits.numpy()
      out[:, j] = sample_logits(lg, temperature, top_k, rng)
      if return_logits: logs.append(lg)
    return (out, np.stack(logs, 1)) if return_logits else out
