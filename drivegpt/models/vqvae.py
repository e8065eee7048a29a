"""A VQ-VAE image tokenizer: a conv encoder downsampling 16x, an EMA vector quantizer with dead-code restarts, a conv decoder.
128x256 frames become 8x16 grids of codebook indices (commaVQ's layout) and decode back to frames. The layout follows
taming-transformers (levels of residual blocks, stride-2 downsampling, nearest-neighbour upsampling, optional attention
at the lowest resolution); `patch` > 1 starts with a lossless space-to-depth so a small model never convolves at full
resolution. Frames enter as floats in [-1, 1], NCHW."""
from __future__ import annotations
import math
from dataclasses import dataclass
import numpy as np
from drivegpt import Tensor, dtypes
from drivegpt.function import Contiguous
from drivegpt.nn import Conv2d, GroupNorm, get_parameters

@dataclass
class VQVAEConfig:
  image_size: tuple[int, ...] = (128, 256)  # (H, W) of the frames
  patch: int = 1                  # space-to-depth factor before the first conv (1: none)
  width: int = 128                # channels at the first level
  mults: tuple[int, ...] = (1, 1, 2, 2, 4)  # channel multiplier per level; each level but the last ends with a 2x downsample
  enc_blocks: int = 2             # residual blocks per encoder level (the decoder has dec_blocks)
  dec_blocks: int = 3
  attention: bool = True          # self-attention in the middle (lowest resolution)
  pos_bias: bool = False          # the decoder learns a bias per code position and per pixel (a fixed camera's layout)
  groups: int = 32                # GroupNorm groups
  code_dim: int = 256
  n_codes: int = 1024
  beta: float = 0.25              # commitment loss weight
  ema_decay: float = 0.99         # codebook EMA decay
  dead_threshold: float = 0.01    # a code whose EMA count (uses per step) falls below this is restarted
  restart_count: float = 1.0      # EMA count a restarted code starts with

  @property
  def downsample(self) -> int: return self.patch * 2 ** (len(self.mults) - 1)
  @property
  def grid(self) -> tuple: return (self.image_size[0] // self.downsample, self.image_size[1] // self.downsample)

def _norm(c: VQVAEConfig, ch: int) -> GroupNorm: return GroupNorm(math.gcd(c.groups, ch), ch, eps=1e-6)

class ResBlock:
  def __init__(self, c: VQVAEConfig, ch: int):
    self.norm1, self.conv1 = _norm(c, ch), Conv2d(ch, ch, 3, padding=1)
    self.norm2, self.conv2 = _norm(c, ch), Conv2d(ch, ch, 3, padding=1)
  def __call__(self, x: Tensor) -> Tensor:
    h = self.conv1(self.norm1(x).silu())                     # (B, C, H, W)
    return x + self.conv2(self.norm2(h).silu())              # (B, C, H, W)

class AttnBlock:
  def __init__(self, c: VQVAEConfig, ch: int):
    self.norm, self.qkv, self.proj = _norm(c, ch), Conv2d(ch, 3*ch, 1), Conv2d(ch, ch, 1)
  def __call__(self, x: Tensor) -> Tensor:
    B, C, H, W = x.shape
    q, k, v = self.qkv(self.norm(x)).reshape(B, 3, C, H*W).permute(1, 0, 3, 2)  # 3 x (B, HW, C)
    y = q.scaled_dot_product_attention(k, v)                                      # (B, HW, C)
    return x + self.proj(y.permute(0, 2, 1).reshape(B, C, H, W))

class Downsample:
  def __init__(self, cin: int, cout: int): self.conv = Conv2d(cin, cout, 4, stride=2, padding=1)
  def __call__(self, x: Tensor) -> Tensor: return self.conv(x)  # (B, cout, H/2, W/2)

class Upsample:
  """2x nearest-neighbour upsampling, then a 3x3 conv (its weights are the model's). Computed on the small input: each of
  the four output phases (row and column parity) is a 2x2 conv there, the 3x3 taps that land on one input pixel added
  up. 4 taps instead of 9 per output pixel, and no 4x-size upsampled copy (the VQVAE-small decoder's last one: 39 GF/s)."""
  def __init__(self, cin: int, cout: int): self.conv = Conv2d(cin, cout, 3, padding=1)
  def __call__(self, x: Tensor) -> Tensor:
    B, C, H, W = x.shape
    def fold(w: Tensor, axis: int, phase: int) -> Tensor:  # along axis, phase 0 reads pixels i-1, i; phase 1 reads i, i+1
      a, b, c = (w.shrink(tuple((j, j + 1) if d == axis else (0, n) for d, n in enumerate(w.shape))) for j in range(3))
      return a.cat(b + c, dim=axis) if phase == 0 else (a + b).cat(c, dim=axis)
    xp = x.pad2d((1, 1, 1, 1))                                                          # (B, C, H+2, W+2)
    ys = [[xp[:, :, py:py + H + 1, px:px + W + 1].conv2d(fold(fold(self.conv.weight, 2, py), 3, px), self.conv.bias)
           for px in (0, 1)] for py in (0, 1)]                                          # each (B, cout, H, W)
    rows = [y0.stack(y1, dim=-1) for y0, y1 in ys]                                     # each (B, cout, H, W, 2)
    return rows[0].stack(rows[1], dim=3).reshape(B, -1, 2*H, 2*W)                       # (B, cout, 2H, 2W)

def space_to_depth(x: Tensor, p: int) -> Tensor:
  """(B, C, H, W) -> (B, C*p*p, H/p, W/p): each p x p pixel block becomes channels."""
  B, C, H, W = x.shape
  return x.reshape(B, C, H//p, p, W//p, p).permute(0, 1, 3, 5, 2, 4).reshape(B, C*p*p, H//p, W//p)

def depth_to_space(x: Tensor, p: int) -> Tensor:
  """The inverse of space_to_depth: (B, C*p*p, H, W) -> (B, C, H*p, W*p)."""
  B, Cpp, H, W = x.shape
  return x.reshape(B, Cpp//(p*p), p, p, H, W).permute(0, 1, 4, 2, 5, 3).reshape(B, Cpp//(p*p), H*p, W*p)

class _DenseGrad(Contiguous):
  """.contiguous() whose gradient is copied into a buffer of its own: the conv before a depth_to_space reads it in the
  patch layout, and through depth_to_space's permuting view its im2col copies took about twice as long."""
  def backward(self, g): return g.contiguous()

class Encoder:
  def __init__(self, c: VQVAEConfig):
    chans = [c.width * m for m in c.mults]
    self.patch, self.conv_in = c.patch, Conv2d(3 * c.patch**2, chans[0], 3, padding=1)
    # level i: enc_blocks residual blocks at chans[i], then a stride-2 conv to chans[i+1]
    self.levels = [([ResBlock(c, ch) for _ in range(c.enc_blocks)], Downsample(ch, chans[i + 1]) if i + 1 < len(chans) else None)
                   for i, ch in enumerate(chans)]
    top = chans[-1]
    self.mid = [ResBlock(c, top), AttnBlock(c, top), ResBlock(c, top)] if c.attention else [ResBlock(c, top)]
    self.norm_out, self.conv_out = _norm(c, top), Conv2d(top, c.code_dim, 1)
  def __call__(self, x: Tensor) -> Tensor:
    if self.patch > 1: x = space_to_depth(x, self.patch).contiguous()  # (B, 3p^2, H/p, W/p)
    x = self.conv_in(x)                                        # (B, width, H/p, W/p)
    for blocks, down in self.levels:
      for b in blocks: x = b(x)
      if down is not None: x = down(x)                         # halves H and W
    for b in self.mid: x = b(x)                                # (B, C, H/16, W/16)
    return self.conv_out(self.norm_out(x).silu())              # (B, code_dim, H/16, W/16)

class Decoder:
  def __init__(self, c: VQVAEConfig):
    chans = [c.width * m for m in c.mults][::-1]               # lowest resolution first
    self.patch, self.conv_in = c.patch, Conv2d(c.code_dim, chans[0], 3, padding=1)
    # a dashcam sees sky at the top, road and bonnet at the bottom, vignetting at the corners: biases by position carry
    # that layout, so the codes don't spend bits on it (zeros: the plain decoder at step 0)
    self.grid_bias = Tensor(np.zeros((1, chans[0], *c.grid), np.float32)) if c.pos_bias else None        # (1, C, h, w)
    self.frame_bias = Tensor(np.zeros((1, 3, *c.image_size), np.float32)) if c.pos_bias else None      # (1, 3, H, W)
    self.mid = [ResBlock(c, chans[0]), AttnBlock(c, chans[0]), ResBlock(c, chans[0])] if c.attention \
      else [ResBlock(c, chans[0])]
    # level i: dec_blocks residual blocks at chans[i], then a 2x upsample to chans[i+1]
    self.levels = [([ResBlock(c, ch) for _ in range(c.dec_blocks)], Upsample(ch, chans[i + 1]) if i + 1 < len(chans) else None)
                   for i, ch in enumerate(chans)]
    self.norm_out, self.conv_out = _norm(c, chans[-1]), Conv2d(chans[-1], 3 * c.patch**2, 3, padding=1)
  def __call__(self, z: Tensor) -> Tensor:
    x = self.conv_in(z)                                        # (B, C, h, w)
    if self.grid_bias is not None: x = x + self.grid_bias
    for b in self.mid: x = b(x)
    for blocks, up in self.levels:
      for b in blocks: x = b(x)
      if up is not None: x = up(x)                             # doubles H and W
    x = self.conv_out(self.norm_out(x).silu())                 # (B, 3p^2, H/p, W/p)
    x = depth_to_space(_DenseGrad.apply(x), self.patch) if self.patch > 1 else x  # (B, 3, H, W)
    return x + self.frame_bias if self.frame_bias is not None else x

class VectorQuantizer:
  """Nearest-code quantizer. The codebook is an EMA of the encoder outputs assigned to each code (no gradient); in
  training mode a forward pass also assigns the EMA update (lazily: realize it with the step, as BatchNorm's running
  stats), and restarts each code whose EMA count fell below dead_threshold at a random encoder output of the batch."""
  def __init__(self, c: VQVAEConfig):
    self.c = c
    self.codebook = Tensor.randn(c.n_codes, c.code_dim, requires_grad=False).realize()              # (K, D)
    self.ema_count = Tensor(np.zeros(c.n_codes, np.float32), requires_grad=False)                  # (K,) 0: all restart at step 1
    self.ema_sum = Tensor(np.zeros((c.n_codes, c.code_dim), np.float32), requires_grad=False)      # (K, D)
    self.ema = True  # training forward passes update the codebook; data-parallel replicas combine _batch_stats first

  def codes(self, z: Tensor) -> Tensor:
    """(N, D) vectors -> (N,) int32 index of the nearest code (L2)."""
    cb = self.codebook
    dist = (cb*cb).sum(1) - 2 * (z @ cb.T)                    # (N, K), |z|^2 dropped: the same for every code
    return dist.argmin(1)

  def __call__(self, z: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """z (B, D, h, w) -> (z_q (B, D, h, w) with straight-through gradient, codes (B, h, w) int32, commitment loss)."""
    B, D, h, w = z.shape
    flat = z.permute(0, 2, 3, 1).reshape(-1, D)                # (N, D), N = B*h*w
    idx = self.codes(flat.detach())                            # (N,)
    onehot = idx.unsqueeze(1).eq(Tensor.arange(self.c.n_codes, device=z.device)).float()  # (N, K)
    q = onehot @ self.codebook                                 # (N, D)
    commit = self.c.beta * (flat - q).square().mean()          # pulls the encoder towards its codes
    if Tensor.training and not Tensor.no_grad:
      self._batch_stats = (onehot.sum(0), onehot.T @ flat.detach(), flat.detach())  # (K,), (K, D), (N, D)
      if self.ema: self.update(*self._batch_stats)
    z_q = flat + (q - flat).detach()                           # straight-through: forward q, backward identity
    return z_q.reshape(B, h, w, D).permute(0, 3, 1, 2), idx.reshape(B, h, w), commit

  def update(self, counts: Tensor, sums: Tensor, flat: Tensor) -> None:
    """One EMA step from a batch's statistics: uses per code (K,), summed encoder outputs per code (K, D), and the
    encoder outputs (N, D) dead codes restart at. Data-parallel replicas call it with the statistics of the whole batch."""
    c, d = self.c, self.c.ema_decay
    count = d * self.ema_count + (1 - d) * counts              # (K,)
    total = d * self.ema_sum + (1 - d) * sums                  # (K, D)
    # dead codes restart at random encoder outputs of this batch, so every code stays near the data
    dead = count < c.dead_threshold                            # (K,)
    pick = Tensor.randint(c.n_codes, low=0, high=flat.shape[0], device=flat.device)  # (K,)
    fresh = pick.unsqueeze(1).eq(Tensor.arange(flat.shape[0], device=flat.device)).float() @ flat  # (K, D)
    count = dead.where(c.restart_count, count)
    total = dead.unsqueeze(1).where(fresh * c.restart_count, total)
    self.ema_count.assign(count)
    self.ema_sum.assign(total)
    self.codebook.assign(total / count.unsqueeze(1))

  def buffers(self) -> list[Tensor]: return [self.codebook, self.ema_count, self.ema_sum]

class VQVAE:
  """VQVAE(config): encode frames to (B, h, w) code grids, decode them back, and a training loss."""
  def __init__(self, config: VQVAEConfig):
    c = self.config = config
    if len(c.image_size) != 2 or any(s % c.downsample for s in c.image_size):
      raise ValueError(f"VQVAEConfig: image_size {c.image_size} must be divisible by the downsample factor {c.downsample}")
    self.encoder, self.quantizer, self.decoder = Encoder(c), VectorQuantizer(c), Decoder(c)
    Tensor.corealize(get_parameters(self))

  def parameters(self) -> list[Tensor]:
    """The trainable weights: encoder and decoder (the codebook follows its EMA)."""
    return get_parameters(self.encoder) + get_parameters(self.decoder)

  def __call__(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """x (B, 3, H, W) in [-1, 1] -> (reconstruction (B, 3, H, W), codes (B, h, w) int32, commitment loss)."""
    z_q, codes, commit = self.quantizer(self.encoder(x))     # (B, D, h, w)
    return self.decoder(z_q), codes, commit

  def loss(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """(total loss, reconstruction MSE on the [-1, 1] scale, codes) for a batch of frames."""
    recon, codes, commit = self(x)
    mse = (recon - x).square().mean()
    return mse + commit, mse, codes

  def encode(self, x: Tensor) -> Tensor:
    """x (B, 3, H, W) in [-1, 1] -> codes (B, h, w) int32."""
    z = self.encoder(x)                                        # (B, D, h, w)
    B, D, h, w = z.shape
    return self.quantizer.codes(z.permute(0, 2, 3, 1).reshape(-1, D)).reshape(B, h, w)

  def decode(self, codes: Tensor) -> Tensor:
    """codes (B, h, w) int -> frames (B, 3, H, W), roughly in [-1, 1]. An id outside [0, n_codes) reads as the zero
    latent (not checked here: it would read values back; TokenDecoder and the stages check theirs)."""
    if codes.dtype.is_float or codes.dtype == dtypes.bool: raise TypeError(f"VQVAE.decode: codes must be int ids, got {codes.dtype.name} (0.5 read as no code)")
    B, h, w = codes.shape
    onehot = codes.reshape(-1, 1).eq(Tensor.arange(self.config.n_codes, device=codes.device)).float()  # (N, K)
    z = (onehot @ self.quantizer.codebook).reshape(B, h, w, -1).permute(0, 3, 1, 2)               # (B, D, h, w)
    return self.decoder(z)

def to_input(frames: np.ndarray) -> np.ndarray:
  """uint8 frames (B, H, W, 3) -> float32 (B, 3, H, W) in [-1, 1], the model's input."""
  return (frames.transpose(0, 3, 1, 2).astype(np.float32) / 127.5 - 1.0)

def to_frames(x: np.ndarray) -> np.ndarray:
  """The model's output (B, 3, H, W) in [-1, 1] -> uint8 frames (B, H, W, 3). NaN is an error (it became 0: a black
  frame scored as an image)."""
  if not np.isfinite(x).all(): raise FloatingPointError("to_frames: the decoder's output is not finite (NaN weights or codebook?)")
  return np.clip(np.rint((x.transpose(0, 2, 3, 1) + 1.0) * 127.5), 0, 255).astype(np.uint8)
