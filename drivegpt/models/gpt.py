"""A nanoGPT-style decoder-only transformer: token + position embeddings, pre-LN blocks, tied or separate lm head."""
from __future__ import annotations
import math
from dataclasses import dataclass
import numpy as np
from drivegpt import Tensor
from drivegpt.nn import Linear, Embedding, LayerNorm, Dropout, CausalSelfAttention, get_parameters

@dataclass
class GPTConfig:
  vocab_size: int
  context: int        # the longest sequence the position embedding covers
  n_layer: int
  n_head: int
  d_model: int
  dropout: float = 0.0
  bias: bool = True   # biases in the Linears and LayerNorms (nanoGPT's switch; LayerNorm here always has one)
  tie_weights: bool = True  # lm_head.weight is wte.weight, as nanoGPT and GPT-2

class MLP:
  def __init__(self, c: GPTConfig):
    self.c_fc, self.c_proj, self.dropout = Linear(c.d_model, 4*c.d_model, c.bias), Linear(4*c.d_model, c.d_model, c.bias), Dropout(c.dropout)
  def __call__(self, x: Tensor) -> Tensor: return self.dropout(self.c_proj(self.c_fc(x).gelu()))  # (B, T, C)

class Block:
  def __init__(self, c: GPTConfig):
    self.ln_1, self.attn, self.ln_2, self.mlp = LayerNorm(c.d_model), CausalSelfAttention(c.d_model, c.n_head, c.bias, c.context), LayerNorm(c.d_model), MLP(c)
    self.dropout = Dropout(c.dropout)
  def __call__(self, x: Tensor, start_pos: int = 0, use_cache: bool = False) -> Tensor:
    x = x + self.dropout(self.attn(self.ln_1(x), start_pos, use_cache))  # (B, T, C)
    return x + self.mlp(self.ln_2(x))                                     # (B, T, C)

class GPT:
  """GPT(config)(idx) -> logits. idx (B, T) int tokens, T <= config.context; logits (B, T, vocab_size).
  For generation, pass start_pos and use_cache=True to reuse the keys and values of earlier positions."""
  def __init__(self, config: GPTConfig):
    c = self.config = config
    self.wte, self.wpe = Embedding(c.vocab_size, c.d_model), Embedding(c.context, c.d_model)
    self.drop = Dropout(c.dropout)
    self.h = [Block(c) for _ in range(c.n_layer)]
    self.ln_f = LayerNorm(c.d_model)
    self.lm_head = Linear(c.d_model, c.vocab_size, bias=False)
    # nanoGPT's init: N(0, 0.02) weights, zero biases, residual projections scaled down by sqrt(2*n_layer) so the
    # residual stream's variance doesn't grow with depth
    for lin in [l for b in self.h for l in (b.attn.c_attn, b.attn.c_proj, b.mlp.c_fc, b.mlp.c_proj)] + [self.lm_head]:
      lin.weight = Tensor.randn(*lin.weight.shape) * 0.02
      if lin.bias is not None: lin.bias = Tensor(np.zeros(lin.bias.shape, np.float32))
    for b in self.h: b.attn.c_proj.weight, b.mlp.c_proj.weight = [w * (1 / math.sqrt(2*c.n_layer)) for w in (b.attn.c_proj.weight, b.mlp.c_proj.weight)]
    for emb in (self.wte, self.wpe): emb.weight = Tensor.randn(*emb.weight.shape) * 0.02
    if c.tie_weights: self.lm_head.weight = self.wte.weight  # both (vocab_size, d_model)
    Tensor.corealize(get_parameters(self))

  def __call__(self, idx: Tensor, start_pos: int = 0, use_cache: bool = False) -> Tensor:
    B, T = idx.shape
    if start_pos + T > self.config.context: raise ValueError(f"GPT: positions up to {start_pos + T} exceed context {self.config.context}")
    pos = Tensor.arange(start_pos, start_pos + T, device=idx.device)   # (T,)
    x = self.drop(self.wte(idx) + self.wpe(pos))                        # (B, T, C)
    for block in self.h: x = block(x, start_pos, use_cache)            # (B, T, C)
    return self.lm_head(self.ln_f(x))                                   # (B, T, vocab_size)

  def loss(self, idx: Tensor, targets: Tensor) -> Tensor:
    """Mean cross-entropy of next-token targets (B, T)."""
    if targets.shape != idx.shape: raise ValueError(f"GPT.loss: targets {targets.shape} must be idx's {idx.shape}")  # (flattened, a transposed one trained)
    logits = self(idx)                                                  # (B, T, V)
    return logits.reshape(-1, logits.shape[-1]).sparse_categorical_crossentropy(targets.reshape(-1))
