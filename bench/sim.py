"""Simulator speed: frames per second of a batch of rollouts generated token by token with a KV cache, the engine's
FrameSampler against the same model (same weights) in PyTorch CPU with a preallocated KV cache. One run; each side runs
in two blocks of frames, alternating, so both see the same load on a shared machine. A third row, the same model written
by hand in numpy (one numpy call per op, preallocated caches: what any engine that runs kernels as numpy calls can at
best reach), shows how much of the gap is the engine and how much is numpy's per-call cost.

  python bench/sim.py [--config configs/world-small.yaml] [--batch 8] [--frames 6]
"""
from __future__ import annotations
import argparse, math, time
from drivegpt import Tensor  # first: it sets OpenBLAS's environment (drivegpt/blas_env.py) before numpy loads
import numpy as np
try:
  import torch
  import torch.nn.functional as F
except ImportError: raise SystemExit("bench/sim.py compares against PyTorch CPU: pip install torch==2.13.0") from None
from drivegpt.cli import HelpFormatter, at_least
from torch_threads import at_threads, setup
from drivegpt.nn import get_state_dict
from drivegpt.models.world import WorldModel, WorldConfig, FrameSampler, sample_logits

class TorchWorld(torch.nn.Module):
  """The world model in PyTorch, loading the engine's state dict; generate() samples a frame with a KV cache."""
  def __init__(self, c: WorldConfig, sd: dict):
    super().__init__()
    self.c = c
    self.p = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in sd.items()}
    self.mean, self.std = torch.tensor(c.pose_mean, dtype=torch.float32), torch.tensor(c.pose_std, dtype=torch.float32)

  def _ln(self, x, n): return F.layer_norm(x, (x.shape[-1],), self.p[n + ".weight"], self.p[n + ".bias"], 1e-5)
  def _lin(self, x, n): return F.linear(x, self.p[n + ".weight"], self.p.get(n + ".bias"))

  def _blocks(self, x, cache_k, cache_v, pos):
    """x (B, T, C) at positions pos..pos+T-1; keys/values written into the caches (B, H, Tmax, hd) in place."""
    B, T, C = x.shape
    H = self.c.n_head
    for i in range(self.c.n_layer):
      q, k, v = self._lin(self._ln(x, f"h.{i}.ln_1"), f"h.{i}.attn.c_attn").split(C, 2)
      q, k, v = [t.view(B, T, H, C // H).transpose(1, 2) for t in (q, k, v)]
      cache_k[i][:, :, pos:pos + T], cache_v[i][:, :, pos:pos + T] = k, v
      y = F.scaled_dot_product_attention(q, cache_k[i][:, :, :pos + T], cache_v[i][:, :, :pos + T], is_causal=T > 1)
      x = x + self._lin(y.transpose(1, 2).reshape(B, T, C), f"h.{i}.attn.c_proj")
      x = x + self._lin(F.gelu(self._lin(self._ln(x, f"h.{i}.ln_2"), f"h.{i}.mlp.c_fc"), approximate="tanh"), f"h.{i}.mlp.c_proj")
    return x

  def _pose(self, pose): return self._lin((pose - self.mean) / self.std, "pose_proj")

  @torch.no_grad()
  def generate(self, context: np.ndarray, pose: np.ndarray, temperature: float, top_k: int, rng) -> tuple[np.ndarray, np.ndarray]:
    c, p = self.c, self.p
    B, Fc, N = context.shape
    C, S = c.d_model, c.slots
    x = torch.cat([p["frame_start"].view(1, 1, 1, C).expand(B, Fc, 1, C), p["wte.weight"][torch.from_numpy(context).long()]], 2)
    x = x + p["wpe_frame"][:Fc].view(1, Fc, 1, C) + p["wpe_slot"].view(1, 1, S, C)
    frame = c.pose == "frame"  # the pose at every slot of its frame, else at the start slot ("none": no pose)
    pe = self._pose(torch.from_numpy(pose)) if c.pose != "none" else torch.zeros(B, Fc + 1, C)  # (B, Fc+1, C)
    if frame: x += pe[:, :Fc, None]
    else: x[:, :, 0] += pe[:, :Fc]
    prev = p["wte_prev.weight"][torch.from_numpy(context).long()] if c.prev_frame else None  # (B, Fc, N, C)
    if prev is not None: x[:, 1:, :N] += prev[:, :-1]                         # slot j of frame f: token j of frame f-1
    shape = (B, c.n_head, (Fc + 1) * S, C // c.n_head)
    ck, cv = [torch.empty(shape) for _ in range(c.n_layer)], [torch.empty(shape) for _ in range(c.n_layer)]
    self._blocks(x.reshape(B, Fc * S, C), ck, cv, 0)                          # prefill
    out, logs, base = np.zeros((B, N), np.int32), [], Fc * S
    xin = (p["frame_start"] + p["wpe_frame"][Fc] + p["wpe_slot"][0]).view(1, 1, C) + pe[:, Fc].view(B, 1, C)
    for j in range(N):
      if prev is not None: xin = xin + prev[:, -1, j].view(B, 1, C)
      h = self._blocks(xin, ck, cv, base + j)
      logits = F.linear(self._ln(h, "ln_f"), p["lm_head.weight"])[:, 0].numpy()
      out[:, j] = sample_logits(logits, temperature, top_k, rng)
      logs.append(logits)
      xin = p["wte.weight"][torch.from_numpy(out[:, j]).long()].view(B, 1, C) + (p["wpe_frame"][Fc] + p["wpe_slot"][j + 1]).view(1, 1, C)
      if frame: xin = xin + pe[:, Fc].view(B, 1, C)
    return out, np.stack(logs, 1)

class NumpyWorld(TorchWorld):
  """The same model by hand in numpy: float32, one numpy call per op, preallocated KV caches, weights pre-transposed."""
  def __init__(self, c: WorldConfig, sd: dict):
    self.c, self.p = c, {k: np.ascontiguousarray(v.T if k.endswith("weight") and v.ndim == 2 else v) for k, v in sd.items()}
    self.mean, self.std = np.array(c.pose_mean, np.float32), np.array(c.pose_std, np.float32)

  def _ln(self, x, n):
    d = x - x.mean(-1, keepdims=True)
    return d / np.sqrt((d*d).mean(-1, keepdims=True) + 1e-5) * self.p[n + ".weight"] + self.p[n + ".bias"]
  def _lin(self, x, n): return x @ self.p[n + ".weight"] + self.p[n + ".bias"] if n + ".bias" in self.p else x @ self.p[n + ".weight"]

  def _blocks(self, x, cache_k, cache_v, pos):
    B, T, C = x.shape
    H = self.c.n_head
    mask = np.triu(np.full((T, pos + T), -np.inf, np.float32), pos + 1)  # causal: position pos+t sees keys up to pos+t
    for i in range(self.c.n_layer):
      q, k, v = [t.reshape(B, T, H, C // H).transpose(0, 2, 1, 3) for t in np.split(self._lin(self._ln(x, f"h.{i}.ln_1"), f"h.{i}.attn.c_attn"), 3, 2)]
      cache_k[i][:, :, pos:pos + T], cache_v[i][:, :, pos:pos + T] = k, v
      s = q @ cache_k[i][:, :, :pos + T].transpose(0, 1, 3, 2) * np.float32(1 / math.sqrt(C // H)) + mask
      s = np.exp(s - s.max(-1, keepdims=True))
      y = (s / s.sum(-1, keepdims=True)) @ cache_v[i][:, :, :pos + T]
      x = x + self._lin(y.transpose(0, 2, 1, 3).reshape(B, T, C), f"h.{i}.attn.c_proj")
      h = self._lin(self._ln(x, f"h.{i}.ln_2"), f"h.{i}.mlp.c_fc")
      x = x + self._lin(0.5*h*(1 + np.tanh(np.float32(math.sqrt(2 / math.pi))*(h + np.float32(0.044715)*h*h*h))), f"h.{i}.mlp.c_proj")
    return x

  def generate(self, context: np.ndarray, pose: np.ndarray, temperature: float, top_k: int, rng) -> tuple[np.ndarray, np.ndarray]:
    c, p = self.c, self.p
    B, Fc, N = context.shape
    C, S = c.d_model, c.slots
    x = np.concatenate([np.broadcast_to(p["frame_start"].reshape(1, 1, 1, C), (B, Fc, 1, C)), p["wte.weight"].T[context]], 2)
    x = x + p["wpe_frame"][:Fc].reshape(1, Fc, 1, C) + p["wpe_slot"].reshape(1, 1, S, C)
    frame = c.pose == "frame"
    pe = self._lin((pose - self.mean) / self.std, "pose_proj") if c.pose != "none" else np.zeros((B, Fc + 1, C), np.float32)
    if frame: x += pe[:, :Fc, None]
    else: x[:, :, 0] += pe[:, :Fc]
    prev = p["wte_prev.weight"].T[context] if c.prev_frame else None
    if prev is not None: x[:, 1:, :N] += prev[:, :-1]
    shape = (B, c.n_head, (Fc + 1) * S, C // c.n_head)
    ck, cv = [np.empty(shape, np.float32) for _ in range(c.n_layer)], [np.empty(shape, np.float32) for _ in range(c.n_layer)]
    self._blocks(x.reshape(B, Fc * S, C), ck, cv, 0)
    out, logs, base = np.zeros((B, N), np.int32), [], Fc * S
    xin = (p["frame_start"] + p["wpe_frame"][Fc] + p["wpe_slot"][0]).reshape(1, 1, C) + pe[:, Fc].reshape(B, 1, C)
    for j in range(N):
      if prev is not None: xin = xin + prev[:, -1, j].reshape(B, 1, C)
      logits = self._ln(self._blocks(xin, ck, cv, base + j), "ln_f")[:, 0] @ p["wte.weight"]  # the tied head: (C, vocab) here
      out[:, j] = sample_logits(logits, temperature, top_k, rng)
      logs.append(logits)
      xin = p["wte.weight"].T[out[:, j]].reshape(B, 1, C) + (p["wpe_frame"][Fc] + p["wpe_slot"][j + 1]).reshape(1, 1, C)
      if frame: xin = xin + pe[:, Fc].reshape(B, 1, C)
    return out, np.stack(logs, 1)

def main():
  ap = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
  ap.add_argument("--config", default="configs/world-small.yaml", help="a train-world config (its model section is used)")
  ap.add_argument("--batch", type=at_least(1, int), default=8, help="rollouts stepped together")
  ap.add_argument("--frames", type=at_least(1, int), default=6, help="frames timed per side, after 2 warm-up frames (the JIT records on the 2nd)")
  ap.add_argument("--threads", type=at_least(0, int), default=0, help="torch threads; 0 (the default) leaves torch's own count; PyTorch is also timed on 1 thread, the faster counting")
  args = ap.parse_args()
  from train.stage import load_config
  from train.world import TrainConfig
  c = load_config(TrainConfig, args.config, ["data.tokens=unused"]).model
  threads = setup(torch, args.threads or torch.get_num_threads())
  Tensor.manual_seed(0)
  model = WorldModel(c)
  sd = {k: v.numpy() for k, v in get_state_dict(model).items()}
  ref, hand = TorchWorld(c, sd), NumpyWorld(c, sd)
  sampler, rng = FrameSampler(model), np.random.default_rng(0)
  B, K, N = args.batch, c.frames, c.tokens_per_frame
  ctx = rng.integers(0, c.vocab_size, (B, K - 1, N)).astype(np.int32)
  pose = (rng.normal(0, 1, (B, K, 6)) * c.pose_std + c.pose_mean).astype(np.float32)
  epose = pose if c.pose != "none" else None  # (the engine refuses a pose an unconditioned model would ignore; the twins ignore it)
  # the same tokens from both: greedy sampling, and the logits compared
  a, la = sampler.generate(ctx, epose, temperature=0, return_logits=True)
  b, lb = ref.generate(ctx, pose, 0, 0, rng)
  print(f"max |logit engine - torch| = {np.abs(la - lb).max():.2e}, tokens equal: {(a == b).mean():.3f}")
  h, lh = hand.generate(ctx, pose, 0, 0, rng)
  print(f"max |logit numpy by hand - torch| = {np.abs(lh - lb).max():.2e}, tokens equal: {(h == b).mean():.3f}")
  sampler.generate(ctx, epose, 1.0, 0, rng)  # 2nd frame: recorded
  # each side in blocks of consecutive frames, after an untimed one in which the other side's idle threads (OpenMP)
  # stop spinning, as the other benches do
  # (PyTorch on its threads and on one: the faster counts, bench/torch_threads.py)
  te, tt, t1, tn = [], [], [], []
  sides = [(lambda: sampler.generate(ctx, epose, 1.0, 0, rng), te), (at_threads(torch, lambda: ref.generate(ctx, pose, 1.0, 0, rng), threads), tt),
           (at_threads(torch, lambda: ref.generate(ctx, pose, 1.0, 0, rng), 1), t1), (lambda: hand.generate(ctx, pose, 1.0, 0, rng), tn)]
  for _ in range(2):
    for fn, times in sides[:2] + sides[2 if threads > 1 else 3:]:
      fn()
      for _ in range(-(-args.frames // 2)):
        t0 = time.perf_counter(); fn(); times.append(time.perf_counter() - t0)
  e, t, n = float(np.median(te)), min(float(np.median(tt)), float(np.median(t1)) if t1 else np.inf), float(np.median(tn))
  print(f"model: frames={K} layers={c.n_layer} d_model={c.d_model} heads={c.n_head}; batch {B}, {N} tokens/frame, median of {2 * -(-args.frames // 2)} frames")  # (two blocks of half, rounded up)
  print(f"{'':8s} {'s/frame':>9s} {'frames/s':>9s}")
  print(f"{'engine':8s} {e:9.3f} {B / e:9.1f}")
  print(f"{'torch':8s} {t:9.3f} {B / t:9.1f}   ({threads} threads{f': {float(np.median(tt)):.3f}, 1 thread: {float(np.median(t1)):.3f}' if t1 else ''})")
  print(f"{'numpy':8s} {n:9.3f} {B / n:9.1f}   (by hand)")
  print(f"engine time / torch time: {e / t:.2f}x (target <= 1.3x); numpy by hand / torch: {n / t:.2f}x; engine / numpy by hand: {e / n:.2f}x")

if __name__ == "__main__":
  main()
