"""Neural network layers as plain classes with __call__, named and initialized like PyTorch's, and state dict helpers."""
from __future__ import annotations
import math
from typing import Optional, Union
import numpy as np
from drivegpt import Tensor, dtypes, realize
from drivegpt.tensor import ShapeError
from drivegpt.helpers import make_pair, prod

# Parameters are made realized: a weight left as its unevaluated initializer was folded into the kernels that read it,
# so a jitted step recorded before load_state_dict or an optimizer step kept computing the initial weights.
def _uniform(shape: tuple, bound: float) -> Tensor: return Tensor.uniform(*shape, low=-bound, high=bound).realize()
def _full(shape: tuple, value: float) -> Tensor: return Tensor(np.full(shape, value, np.float32))

def _sizes(layer: str, lo: int = 1, **args):
  """args as Python ints (numpy's too: np.int64(3) was 'not iterable'), each at least lo, or a ValueError naming it
  (groups 0 was a ZeroDivisionError, -1 a 'math domain error'); a tuple's entries alike. One value, or a tuple of them."""
  def one(k, v):
    if not isinstance(v, (int, np.integer)) or isinstance(v, (bool, np.bool_)) or v < lo: raise ValueError(f"{layer}: {k} must be a whole number >= {lo}, got {v!r}")
    return int(v)
  out = [tuple(one(k, x) for x in v) if isinstance(v, (tuple, list)) else one(k, v) for k, v in args.items()]
  return out[0] if len(out) == 1 else out

class Linear:
  """y = x @ weight.T + bias; weight (out_features, in_features)."""
  def __init__(self, in_features: int, out_features: int, bias: bool = True):
    in_features, out_features = _sizes("Linear", 0, in_features=in_features, out_features=out_features)
    # PyTorch's kaiming_uniform(a=sqrt(5)) works out to uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)), for weight and bias
    bound = 1 / math.sqrt(in_features) if in_features else 0.0  # (no inputs: PyTorch's empty weight and zero bias)
    self.weight = _uniform((out_features, in_features), bound)
    self.bias = _uniform((out_features,), bound) if bias else None
  def __call__(self, x: Tensor) -> Tensor: return _float_input("Linear", x).linear(self.weight.T, self.bias)

def _float_input(layer: str, x: Tensor) -> Tensor:
  """x, refused unless float (as PyTorch: int frames of 0..255 went into a VQVAE's convs and trained without a word)."""
  if not x.dtype.is_float: raise TypeError(f"{layer}: input of dtype {x.dtype.name}: give floats (x.float(), scaled as the model expects)")
  return x

def _check_conv(name: str, stride, dilation, output_padding=0, padding=0) -> None:
  """Refuse what PyTorch refuses: a stride or dilation below 1 (dilation 0 gave numbers), an output_padding not below
  the stride or the dilation (it gave a bigger output), a negative padding (it cropped the input: a smaller output)."""
  s, d, o = make_pair(stride), make_pair(dilation), make_pair(output_padding)
  if min(s + d) < 1: raise ValueError(f"{name}: stride {stride} and dilation {dilation} must be >= 1")
  if not isinstance(padding, str) and min(padding if isinstance(padding, (tuple, list)) else (padding,)) < 0: raise ValueError(f"{name}: padding {padding} must be >= 0")
  if any(not 0 <= oi < max(si, di) for oi, si, di in zip(o, s, d)):
    raise ValueError(f"{name}: output_padding {output_padding} must be >= 0 and smaller than the stride {stride} or the dilation {dilation}")

class Conv2d:
  """2D convolution on NCHW input; weight (out_channels, in_channels/groups, kh, kw)."""
  def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1, groups: int = 1, bias: bool = True):
    in_channels, out_channels, kernel_size, stride, dilation, groups = _sizes("Conv2d", in_channels=in_channels, out_channels=out_channels,
                                                                              kernel_size=kernel_size, stride=stride, dilation=dilation, groups=groups)
    if not isinstance(padding, str): padding = _sizes("Conv2d", 0, padding=padding)
    if in_channels % groups or out_channels % groups:
      raise ValueError(f"Conv2d: in_channels {in_channels} and out_channels {out_channels} must both be divisible by groups {groups}")
    _check_conv("Conv2d", stride, dilation, padding=padding)
    self.kernel_size, self.stride, self.padding, self.dilation, self.groups = make_pair(kernel_size), stride, padding, dilation, groups
    bound = 1 / math.sqrt(in_channels // groups * prod(self.kernel_size))
    self.weight = _uniform((out_channels, in_channels // groups, *self.kernel_size), bound)
    self.bias = _uniform((out_channels,), bound) if bias else None
  def __call__(self, x: Tensor) -> Tensor:
    return _float_input("Conv2d", x).conv2d(self.weight, self.bias, groups=self.groups, stride=self.stride, dilation=self.dilation, padding=self.padding)

class ConvTranspose2d:
  """The adjoint of Conv2d (a learned upsampling); weight (in_channels, out_channels/groups, kh, kw), as PyTorch."""
  def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0, dilation=1,
               groups: int = 1, bias: bool = True):
    in_channels, out_channels, kernel_size, stride, dilation, groups = _sizes("ConvTranspose2d", in_channels=in_channels, out_channels=out_channels,
                                                                              kernel_size=kernel_size, stride=stride, dilation=dilation, groups=groups)
    padding, output_padding = _sizes("ConvTranspose2d", 0, padding=padding, output_padding=output_padding)
    if in_channels % groups or out_channels % groups:
      raise ValueError(f"ConvTranspose2d: in_channels {in_channels} and out_channels {out_channels} must both be divisible by groups {groups}")
    _check_conv("ConvTranspose2d", stride, dilation, output_padding, padding)
    self.kernel_size, self.stride, self.padding, self.dilation = make_pair(kernel_size), stride, padding, dilation
    self.output_padding, self.groups = output_padding, groups
    # PyTorch computes fan_in from weight.shape[1], which here is out_channels/groups
    bound = 1 / math.sqrt(out_channels // groups * prod(self.kernel_size))
    self.weight = _uniform((in_channels, out_channels // groups, *self.kernel_size), bound)
    self.bias = _uniform((out_channels,), bound) if bias else None
  def __call__(self, x: Tensor) -> Tensor:
    return _float_input("ConvTranspose2d", x).conv_transpose2d(self.weight, self.bias, groups=self.groups, stride=self.stride, dilation=self.dilation,
                              padding=self.padding, output_padding=self.output_padding)

class Embedding:
  """Rows of weight (vocab_size, embed_size) picked by integer indices of any shape."""
  def __init__(self, vocab_size: int, embed_size: int):
    self.vocab_size, self.embed_size = vocab_size, embed_size
    self.weight = Tensor.randn(vocab_size, embed_size).realize()
  def __call__(self, idx: Tensor) -> Tensor:
    if not idx.dtype.is_int:  # a float index 0.5 picked a row of zeros, a bool one rows 0 and 1
      raise TypeError(f"Embedding indices must be an int tensor, got {idx.dtype}")
    # a one-hot matmul: the backend runs it as one BLAS call, and its gradient (onehot^T @ g) is a matmul too
    onehot = idx.unsqueeze(-1).eq(Tensor.arange(self.vocab_size, device=idx.device))  # (*idx.shape, vocab)
    # an index out of range raises IndexError if idx is realized CPU data, and in any case gives a row of NaN (never zeros)
    onehot = idx.unsqueeze(-1)._valid(self.vocab_size, "Embedding index", shape=onehot.shape).where(onehot.cast(self.weight.dtype), math.nan)
    return onehot @ self.weight                                                        # (*idx.shape, embed)

class LayerNorm:
  """Normalize over the last len(normalized_shape) dims, then scale and shift elementwise."""
  def __init__(self, normalized_shape: Union[int, tuple], eps: float = 1e-5, elementwise_affine: bool = True):
    self.normalized_shape = tuple(int(n) for n in ((normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else normalized_shape))
    self.eps = eps
    self.weight = _full(self.normalized_shape, 1.0) if elementwise_affine else None
    self.bias = _full(self.normalized_shape, 0.0) if elementwise_affine else None
  def __call__(self, x: Tensor) -> Tensor:
    n = len(self.normalized_shape)
    if x.shape[-n:] != self.normalized_shape: raise ShapeError(f"LayerNorm{self.normalized_shape}: input shape {x.shape} doesn't end with it")
    x = x.layernorm(axis=tuple(range(-n, 0)), eps=self.eps)
    return x if self.weight is None else x * self.weight + self.bias

class GroupNorm:
  """Normalize each of num_groups channel groups over its channels and spatial dims; input (N, C, *)."""
  def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True):
    num_groups, num_channels = _sizes("GroupNorm", num_groups=num_groups, num_channels=num_channels)
    if num_channels % num_groups: raise ValueError(f"GroupNorm: num_channels {num_channels} not divisible by num_groups {num_groups}")
    self.num_groups, self.num_channels, self.eps = num_groups, num_channels, eps
    self.weight = _full((num_channels,), 1.0) if affine else None
    self.bias = _full((num_channels,), 0.0) if affine else None
  def __call__(self, x: Tensor) -> Tensor:
    if x.ndim < 2 or x.shape[1] != self.num_channels: raise ShapeError(f"GroupNorm: expected input (N, {self.num_channels}, ...), got {x.shape}")
    if self.num_channels // self.num_groups * math.prod(x.shape[2:]) < 2:  # (normalizing one value gives 0 whatever the input: PyTorch 2.13 returns it, unsaid)
      raise ValueError(f"GroupNorm: one value per group (input {x.shape}, {self.num_groups} groups): it would normalize to 0")
    x = x.reshape(x.shape[0], self.num_groups, math.prod(x.shape[1:]) // self.num_groups).layernorm(eps=self.eps).reshape(x.shape)
    if self.weight is None: return x
    shape = (1, -1) + (1,)*(x.ndim - 2)
    return x * self.weight.reshape(shape) + self.bias.reshape(shape)

class RMSNorm:
  """x / sqrt(mean(x^2) + eps) * weight over the last dim. eps None: float32's machine epsilon, as PyTorch's (for half
  input too: it computes in float32, as here; 1e-6 until a review: 27% off PyTorch's output on activations of 1e-3)."""
  def __init__(self, dim: int, eps: Optional[float] = None):
    self.eps, self.weight = eps, _full((dim,), 1.0)
  def __call__(self, x: Tensor) -> Tensor:  # in float32, as layernorm: a half x^2 over 256 overflowed, and the output was 0
    if x.shape[-1:] != self.weight.shape: raise ValueError(f"RMSNorm({self.weight.shape[0]}): input {x.shape} must end in {self.weight.shape[0]}")  # (1 broadcast)
    eps = float(np.finfo(np.float32).eps) if self.eps is None else self.eps
    return (x.float() * (x.float().square().mean(-1, keepdim=True) + eps).rsqrt()).cast(x._float().dtype) * self.weight

class Dropout:
  """Zero each element with probability p while Tensor.training, scaling the rest by 1/(1-p)."""
  def __init__(self, p: float = 0.5):
    if not 0 <= p <= 1: raise ValueError(f"Dropout: p must be in [0, 1], got {p}")  # (1: all zeros, as PyTorch and Tensor.dropout)
    self.p = p
  def __call__(self, x: Tensor) -> Tensor: return x.dropout(self.p)

class CausalSelfAttention:
  """Multi-head causal self-attention (nanoGPT's layout: c_attn makes q, k, v in one matmul, c_proj mixes the heads).
  KV cache: call attn(x, start_pos, use_cache=True) with x holding the tokens at positions start_pos.. of each sequence;
  keys and values of earlier calls are kept in self._cache_k/_cache_v (underscore: not state), start_pos=0 starts over.
  max_context, if given, bounds start_pos + T."""
  def __init__(self, d_model: int, n_heads: int, bias: bool = True, max_context: Optional[int] = None):
    d_model, n_heads = _sizes("CausalSelfAttention", d_model=d_model, n_heads=n_heads)
    if d_model % n_heads: raise ValueError(f"CausalSelfAttention: d_model {d_model} not divisible by n_heads {n_heads}")
    self.d_model, self.n_heads, self.max_context = d_model, n_heads, max_context
    self.c_attn = Linear(d_model, 3*d_model, bias=bias)
    self.c_proj = Linear(d_model, d_model, bias=bias)
    self._cache_k: Optional[Tensor] = None
    self._cache_v: Optional[Tensor] = None

  def __call__(self, x: Tensor, start_pos: int = 0, use_cache: bool = False) -> Tensor:
    B, T, C = x.shape
    if C != self.d_model: raise ShapeError(f"CausalSelfAttention: expected input (B, T, {self.d_model}), got {x.shape}")
    if self.max_context is not None and start_pos + T > self.max_context:
      raise ValueError(f"CausalSelfAttention: positions up to {start_pos + T} exceed max_context {self.max_context}")
    q, k, v = self.c_attn(x).split(C, dim=2)                                    # 3 x (B, T, C)
    q, k, v = [t.reshape(B, T, self.n_heads, C // self.n_heads).transpose(1, 2) for t in (q, k, v)]  # (B, H, T, hd)
    if use_cache:
      if realize.CAPTURE is not None:  # a replay runs no Python: it read the cache of the recording call, not the current one
        raise RuntimeError("CausalSelfAttention: use_cache keeps its cache in Python, which a jit replay doesn't run: "
                           "call it without jit, or pass the cache to the jitted step as arguments (as sim's FrameSampler does)")
      if start_pos == 0: self._cache_k, self._cache_v = None, None
      have = 0 if self._cache_k is None else self._cache_k.shape[2]
      if have != start_pos: raise ValueError(f"CausalSelfAttention: the cache holds {have} positions, but start_pos is {start_pos}")
      if self._cache_k is not None:
        if self._cache_k.shape[0] != B: raise ShapeError(f"CausalSelfAttention: cache batch {self._cache_k.shape[0]} != input batch {B}")
        k, v = self._cache_k.cat(k, dim=2), self._cache_v.cat(v, dim=2)      # (B, H, start_pos + T, hd)
      # realized and detached: the cache is data, and later calls mustn't re-run or backprop into earlier ones
      self._cache_k, self._cache_v = k.detach().realize(), v.detach().realize()
    elif start_pos != 0: raise ValueError("CausalSelfAttention: start_pos > 0 needs use_cache=True")
    # query i sits at position start_pos + i and sees keys 0 .. start_pos + i; from 0 that is is_causal's mask, which
    # leaves every row a key, so attention skips its check for rows masked whole (a given mask's)
    mask = None if start_pos == 0 else Tensor.ones(T, k.shape[2], dtype=dtypes.bool, device=x.device).tril(start_pos)  # (T, start_pos + T)
    y = q.scaled_dot_product_attention(k, v, attn_mask=mask, is_causal=start_pos == 0)  # (B, H, T, hd)
    return self.c_proj(y.transpose(1, 2).reshape(B, T, C))                      # (B, T, C)

# *** state ***

def get_state_dict(obj, prefix: str = "") -> dict[str, Tensor]:
  """Every Tensor reachable through attributes, lists, tuples and dicts, by dotted name (layers.0.attn.weight).
  Attributes starting with an underscore (caches, scratch) are skipped."""
  if isinstance(obj, Tensor): return {prefix.rstrip("."): obj}
  if isinstance(obj, (list, tuple)): items = [(str(i), v) for i, v in enumerate(obj)]
  elif isinstance(obj, dict): items = [(str(k), v) for k, v in obj.items()]
  elif hasattr(obj, "__dict__") and not isinstance(obj, type): items = [(k, v) for k, v in vars(obj).items() if not k.startswith("_")]
  else: return {}
  ret: dict[str, Tensor] = {}
  for k, v in items:
    for name, t in get_state_dict(v, f"{prefix}{k}.").items():  # {0: a, "0": b} both named "0": b replaced a, unsaved
      if ret.setdefault(name, t) is not t: raise ValueError(f"get_state_dict: two different tensors are both named {name!r}")
  return ret

def get_parameters(obj) -> list[Tensor]:
  """The distinct Tensors of get_state_dict(obj), in order; a tensor reachable twice (tied weights) is listed once."""
  return list({id(t): t for t in get_state_dict(obj).values()}.values())

def _as_tensor(v, name: str) -> Tensor:
  """A Tensor from v: a Tensor, or an array of any library (numpy, PyTorch, JAX, ...) through __dlpack__ or __array__."""
  if isinstance(v, Tensor): return v
  if callable(getattr(v, "detach", None)): v = v.detach()  # PyTorch refuses to export tensors that require grad
  if callable(getattr(v, "cpu", None)): v = v.cpu()
  try:
    try: a = np.from_dlpack(v) if hasattr(v, "__dlpack__") and not isinstance(v, np.ndarray) else np.asarray(v)
    except (TypeError, BufferError, RuntimeError): a = np.asarray(v)
    return Tensor(a, dtype=dtypes.from_np(a.dtype))  # float64 becomes float32, as everywhere
  except (TypeError, RuntimeError) as e:  # (a bfloat16 tensor: "unsupported ScalarType BFloat16", no way out said)
    raise TypeError(f"load_state_dict: {name!r}: {e}" + (" (convert it first: .float())" if "BFloat16" in str(e) or "bfloat16" in str(e) else "")) from None

def _viewed(t: Tensor) -> Tensor:
  """The tensor a view (w.T, w[1:3]) reads, through views of views; t itself if it is none."""
  while t._view is not None and t._view[1] is not None: t = t._view[0]
  return t

def load_state_dict(obj, state_dict: dict, strict: bool = True, verbose: bool = False, consume: bool = False) -> None:
  """Copy state_dict's tensors (or arrays of any library: numpy, PyTorch, ...) into obj's tensors of the same names.
  Everything is checked before anything is written: strict rejects missing and unexpected keys; shapes and dtypes must
  always match. verbose and consume are tinygrad's arguments: accepted, and consume removes the loaded keys."""
  own = get_state_dict(obj)
  if strict:  # a tied weight's name is not missing where the file has it under another (PyTorch's save_model keeps one)
    names = {}
    for k, t in own.items(): names.setdefault(id(t), []).append(k)
    if missing := [k for k in own if not any(j in state_dict for j in names[id(own[k])])]:
      raise KeyError(f"load_state_dict: missing key {missing[0]!r} ({len(missing)} missing)")
    if extra := [k for k in state_dict if k not in own]: raise KeyError(f"load_state_dict: unexpected key {extra[0]!r} ({len(extra)} unexpected)")
  todo, first, ids = [], {}, {id(t) for t in own.values()}
  for k, t in own.items():
    if k not in state_dict: continue
    v = _as_tensor(state_dict[k], k)
    if tuple(v.shape) != t.shape: raise ShapeError(f"load_state_dict: {k!r} has shape {tuple(v.shape)}, expected {t.shape}")
    if v.dtype != t.dtype: raise ValueError(f"load_state_dict: {k!r} has dtype {v.dtype}, expected {t.dtype}")
    if (r := _viewed(t)) is not t and id(r) in ids: continue  # a view of another of its tensors (wt = w.T) follows it (written
    if id(t) not in first:                                    # into, it was refused half way: the tensors before it loaded)  # a tied weight is written once, from its first name; its other names must agree (an untied
      first[id(t)] = k      # checkpoint's second value was dropped without a word)
      todo.append((t, v))
    elif state_dict[k] is not state_dict[f := first[id(t)]] and not np.array_equal(v.numpy(), _as_tensor(state_dict[f], f).numpy(), equal_nan=v.dtype.is_float):
      raise ValueError(f"load_state_dict: {k!r} and {f!r} are one tied tensor in the model, but the state dict gives them different values (an untied checkpoint?)")
  realize.LAZY_LOADS += any(not t.lazydata.is_realized for t, _ in todo)  # (jitted steps recorded before: record again)
  Tensor.corealize([t.assign(v.to(t.device).detach()) for t, v in todo])
  if consume:
    for k in own: state_dict.pop(k, None)

from drivegpt.nn import optim, state  # noqa: E402,F401  (nn.optim.Adam, nn.state.get_parameters, as tinygrad 0.9 users write)
