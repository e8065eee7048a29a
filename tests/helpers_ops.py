"""Helpers for the tensor engine's op tests (tests/test_ops.py).

The core is `check(name, f_engine, f_numpy, inputs)`: it builds engine tensors from float32 copies of the
inputs (optionally through a non-contiguous view built *in the engine* from a bigger base tensor), compares
the forward value against a float64 numpy reference, then compares the engine's float32 analytic gradient of
`sum_i (out_i * R_i).sum()` (R_i random, fixed) w.r.t. every differentiable base tensor against a central
finite difference (float64, eps=1e-3) of the same loss computed on the numpy reference.
"""
from __future__ import annotations
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence
import numpy as np

from drivegpt import Tensor, dtypes

# ---------------------------------------------------------------- samplers
# A sampler is f(rng, shape) -> float64 array. They keep values away from kinks / singularities / ties so
# that a central finite difference with eps=1e-3 is valid.

def uniform(lo=-2.0, hi=2.0, avoid=(), margin=0.08):
  avoid = tuple(avoid)
  def f(rng, shape):
    x = rng.uniform(lo, hi, size=shape)
    for _ in range(1000):
      bad = np.zeros(np.shape(x), dtype=bool)
      for a in avoid: bad |= np.abs(x - a) < margin
      if not bad.any(): break
      x = np.where(bad, rng.uniform(lo, hi, size=np.shape(x)), x)
    return np.asarray(x, dtype=np.float64)
  return f

def positive(lo=0.25, hi=3.0): return uniform(lo, hi)

def signed_away(lo=0.25, hi=2.0):
  """Values with lo <= |x| <= hi and random sign (away from 0)."""
  def f(rng, shape):
    return (rng.uniform(lo, hi, size=shape) * rng.choice([-1.0, 1.0], size=shape)).astype(np.float64)
  return f

def distinct(scale=0.25, offset=None):
  """All values pairwise distinct by at least `scale` (safe for max/min/argmax and finite differences)."""
  def f(rng, shape):
    n = int(np.prod(shape, dtype=np.int64))
    off = (n * scale / 2) if offset is None else offset
    v = rng.permutation(n).astype(np.float64) * scale - off + rng.uniform(-scale / 10, scale / 10, size=n)
    return v.reshape(shape)
  return f

DEFAULT = uniform(-2.0, 2.0)
PAD_VALUE = 0.75

# ---------------------------------------------------------------- non-contiguous views
# Each view maps a requested shape to (base_shape, engine_fn, numpy_fn): the base tensor of base_shape is
# created (and is the leaf whose gradient is checked), the view function produces a tensor of the requested
# shape in the engine and the identical view in numpy.

def _view(kind: str, shape: tuple):
  nd = len(shape)
  if kind == "contig":
    return shape, (lambda t: t), (lambda a: a)
  if kind == "T":  # permuted: base has reversed shape, permute it back
    assert nd >= 2, "T view needs ndim >= 2"
    perm = tuple(range(nd))[::-1]
    return tuple(shape[::-1]), (lambda t: t.permute(perm)), (lambda a: np.transpose(a, perm))
  if kind == "flip":  # flipped along axis 0 (and the last axis when ndim >= 2)
    assert nd >= 1
    axes = (0,) if nd == 1 else (0, nd - 1)
    return shape, (lambda t: t.flip(axes)), (lambda a: np.flip(a, axes))
  if kind == "slice":  # shrunk out of a bigger base: base[1:1+s, ...] on every axis
    assert nd >= 1
    base = tuple(s + 2 for s in shape)
    arg = tuple((1, 1 + s) for s in shape)
    sl = tuple(slice(1, 1 + s) for s in shape)
    return base, (lambda t: t.shrink(arg)), (lambda a: a[sl])
  if kind == "stride":  # every other element along axis 0 (getitem with a step)
    assert nd >= 1
    base = (2 * shape[0],) + tuple(shape[1:])
    return base, (lambda t: t[::2]), (lambda a: a[::2])
  if kind == "expand":  # axis 0 is broadcast from size 1
    assert nd >= 1
    base = (1,) + tuple(shape[1:])
    return base, (lambda t: t.expand(shape)), (lambda a: np.broadcast_to(a, shape))
  if kind == "pad":  # axis 0 padded in the engine by one row of PAD_VALUE in front (0.75 is in every op's domain)
    assert nd >= 1 and shape[0] >= 2
    base = (shape[0] - 1,) + tuple(shape[1:])
    arg = ((1, 0),) + ((0, 0),) * (nd - 1)
    return base, (lambda t: t.pad(arg, value=PAD_VALUE)), (lambda a: np.pad(a, arg, constant_values=PAD_VALUE))
  raise ValueError(f"unknown view {kind}")

# ---------------------------------------------------------------- input spec

@dataclass
class Inp:
  """One op input. `shape` is the shape the op sees; `view` how it is built from a base tensor.
  `value` fixes the base array (float64 / int / bool) instead of sampling it. `grad=False` makes it a
  constant (no gradient check); non-float inputs are never differentiated."""
  shape: tuple = ()
  view: str = "contig"
  sampler: Callable | None = None
  value: Any = None
  grad: bool = True
  dtype: Any = None  # numpy dtype for the engine copy (default float32 for floats)
  # filled in by check()
  base: np.ndarray | None = field(default=None, repr=False)

  def describe(self) -> str:
    return f"{tuple(self.shape)}{'' if self.view == 'contig' else ':' + self.view}"

def _as_inp(x) -> Inp:
  if isinstance(x, Inp): return x
  if isinstance(x, tuple): return Inp(shape=x)
  if isinstance(x, np.ndarray): return Inp(shape=x.shape, value=x)
  raise TypeError(f"bad input spec {x!r}")

def _is_float(a: np.ndarray) -> bool: return np.issubdtype(a.dtype, np.floating)

def _to_list(x) -> list:
  return list(x) if isinstance(x, (tuple, list)) else [x]

def _engine_np(t) -> np.ndarray:
  if not isinstance(t, Tensor): raise AssertionError(f"engine returned {type(t).__name__}, expected Tensor")
  return np.asarray(t.numpy())

def assert_close(name: str, got, want, rtol: float, atol: float, what: str = "value"):
  got, want = np.asarray(got), np.asarray(want)
  if got.shape != want.shape:
    raise AssertionError(f"{name}: {what} shape mismatch: engine {got.shape} vs numpy {want.shape}")
  if want.dtype == np.bool_ or np.issubdtype(want.dtype, np.integer):
    if not np.array_equal(got, want):
      bad = np.argwhere(got != want)
      i = tuple(bad[0]) if bad.size else ()
      raise AssertionError(f"{name}: {what} mismatch at {len(bad)} positions, first {i}: engine {got[i]!r} vs numpy {want[i]!r}\n"
                           f"engine={got!r}\nnumpy={want!r}")
    return
  g64, w64 = got.astype(np.float64), want.astype(np.float64)
  if np.isnan(g64).any() and not np.isnan(w64).any():
    raise AssertionError(f"{name}: {what} has NaN (engine) where numpy has none\nengine={got!r}\nnumpy={want!r}")
  err = np.abs(g64 - w64)
  err = np.where(np.isnan(g64) & np.isnan(w64), 0.0, err)
  err = np.where(np.isinf(g64) & (g64 == w64), 0.0, err)
  tol = atol + rtol * np.abs(np.where(np.isfinite(w64), w64, 0))
  if not (err <= tol).all():
    i = np.unravel_index(np.argmax(err - tol), err.shape) if err.ndim else ()
    rel = err / np.maximum(np.abs(w64), 1e-12)
    raise AssertionError(f"{name}: {what} mismatch: max abs err {np.nanmax(err):.3e}, max rel err {np.nanmax(rel):.3e} "
                         f"(rtol={rtol}, atol={atol}); worst at {tuple(int(k) for k in i)}: engine {g64[i]!r} vs numpy {w64[i]!r}\n"
                         f"engine={np.array2string(got, precision=6, threshold=60)}\nnumpy={np.array2string(want, precision=6, threshold=60)}")

def finite_diff(loss: Callable[[list], float], bases: list, idx: int, eps: float = 1e-3) -> np.ndarray:
  b = [np.array(x, copy=True) for x in bases]
  x = b[idx]
  g = np.zeros_like(x, dtype=np.float64)
  flat, gflat = x.reshape(-1), g.reshape(-1)
  for j in range(flat.size):
    orig = flat[j]
    flat[j] = orig + eps; fp = loss(b)
    flat[j] = orig - eps; fm = loss(b)
    flat[j] = orig
    gflat[j] = (fp - fm) / (2 * eps)
  return g

def check(name: str, f_eng: Callable, f_np: Callable, inputs: Sequence, *, grad: bool = True, rtol: float = 1e-4,
          atol: float = 1e-5, grad_rtol: float = 1e-2, grad_atol: float = 1e-3, eps: float = 1e-3, seed: int = 0,
          zero_grad_ok: bool = False, out_dtype=None):
  """Check forward value and (if grad) the gradient of engine op f_eng against numpy reference f_np.

  f_eng takes engine Tensors, f_np float64 numpy arrays (non-float inputs keep their dtype); both may return a
  single array/Tensor or a tuple/list of them. zero_grad_ok: a missing .grad (None) counts as zeros (for
  piecewise-constant ops such as floor, whose derivative is 0 almost everywhere)."""
  rng = np.random.default_rng(seed)
  specs = [_as_inp(x) for x in inputs]
  eng_leaves, eng_args, np_views, desc = [], [], [], []
  for s in specs:
    base_shape, vf_eng, vf_np = _view(s.view, tuple(s.shape))
    if s.value is not None:
      base = np.asarray(s.value)
      if _is_float(base): base = base.astype(np.float64)
      assert base.shape == base_shape, f"value shape {base.shape} != base shape {base_shape} for view {s.view}"
    else:
      base = np.array((s.sampler or DEFAULT)(rng, base_shape), dtype=np.float64)  # always an ndarray, also for 0-d
    if _is_float(base) and (s.dtype is None or np.dtype(s.dtype) == np.float32):
      base = base.astype(np.float32).astype(np.float64)  # reference sees exactly the values the engine sees
    s.base = base
    npdt = s.dtype or (np.float32 if _is_float(base) else base.dtype)
    req = bool(grad and s.grad and _is_float(base))
    leaf = Tensor(base.astype(npdt), requires_grad=True) if req else Tensor(base.astype(npdt))
    eng_leaves.append(leaf if req else None)
    eng_args.append(vf_eng(leaf))
    np_views.append(vf_np)
    desc.append(s.describe())
  label = f"{name} inputs={', '.join(desc)}"

  def ref(bases):
    return _to_list(f_np(*[vf(b) for vf, b in zip(np_views, bases)]))

  bases = [s.base for s in specs]
  want = ref(bases)
  out = _to_list(f_eng(*eng_args))
  if len(out) != len(want):
    raise AssertionError(f"{label}: engine returned {len(out)} outputs, numpy {len(want)}")
  for k, (o, w) in enumerate(zip(out, want)):
    w = np.asarray(w)
    oshape = tuple(o.shape) if isinstance(o, Tensor) else None
    if oshape != w.shape:
      raise AssertionError(f"{label}: output {k} .shape {oshape} != numpy shape {w.shape}")
    got = _engine_np(o)
    if out_dtype is None and _is_float(w) and all(s.dtype is None for s in specs):
      out_dtype = dtypes.float32  # float32 inputs must give float32 outputs (no silent float64/float16)
    if out_dtype is not None:
      assert o.dtype == out_dtype, f"{label}: output {k} dtype {o.dtype}, expected {out_dtype}"
    if _is_float(w):
      assert_close(f"{label} out[{k}]" if len(out) > 1 else label, got, w, rtol, atol, "forward value")
    else:
      assert_close(f"{label} out[{k}]" if len(out) > 1 else label, got, w, 0, 0, "forward value")

  if not grad or not any(l is not None for l in eng_leaves): return
  Rs = [rng.standard_normal(np.shape(w)) for w in want]
  float_outs = [k for k, w in enumerate(want) if _is_float(np.asarray(w))]
  loss = None
  for k in float_outs:
    term = (out[k] * Tensor(Rs[k].astype(np.float32))).sum()
    loss = term if loss is None else loss + term
  loss.backward()

  def np_loss(bs):
    w = ref(bs)
    return float(sum((np.asarray(w[k], dtype=np.float64) * Rs[k]).sum() for k in float_outs))

  for i, (s, leaf) in enumerate(zip(specs, eng_leaves)):
    if leaf is None: continue
    fd = finite_diff(np_loss, bases, i, eps)
    g = leaf.grad
    if g is None:
      if zero_grad_ok: gnp = np.zeros_like(fd)
      else: raise AssertionError(f"{label}: input {i} ({s.describe()}) has requires_grad but .grad is None after backward")
    else:
      assert isinstance(g, Tensor), f"{label}: .grad is {type(g).__name__}, expected Tensor"
      gnp = np.asarray(g.numpy())
    scale = float(np.abs(fd).max()) if fd.size else 0.0
    assert_close(f"{label} d/d(input {i} {s.describe()})", gnp, fd, grad_rtol, grad_atol * max(1.0, scale), "gradient (vs finite diff)")

# ---------------------------------------------------------------- exp2 over its whole range
# (CPUs compute exp2 as a polynomial of codegen's own, XEXP2: tests/test_native.py and tests/test_cl.py)

def exp2_cases(rng) -> np.ndarray:
  """float32 inputs over exp2's whole range: random, near the integers (exact powers there), the overflow and subnormal
  edges, and the special values; a multiple of 16 long, so that every vector width runs whole."""
  x = np.concatenate([rng.uniform(-160, 140, 40000), rng.standard_normal(20000), np.arange(-152, 131) + rng.choice([0, 1e-4, -1e-4], 283),
                      [127.99999, 128, 128.00002, -126, -126.5, -149, -149.5, -150, -151, np.inf, -np.inf, np.nan, 0, -0.0, 1e30, -1e30]])
  return np.resize(x.astype(np.float32), 16*(-(-len(x)//16)))

def check_exp2(got: np.ndarray, x: np.ndarray):
  """Within 2 ulp of exp2 in float64 where the result is a normal float32; subnormals within one step of the smallest;
  0, inf and NaN exactly where float64's rounding gives them; 2^k exact."""
  with np.errstate(over="ignore"): want = np.exp2(x.astype(np.float64)); want32 = want.astype(np.float32)
  normal = np.isfinite(want32) & (want32 >= np.finfo(np.float32).tiny)
  assert (np.abs(got[normal] - want[normal]) <= 2*np.spacing(want32[normal]).astype(np.float64)).all()
  tiny = np.isfinite(want32) & ~normal
  assert (np.abs(got[tiny] - want[tiny]) <= np.spacing(np.float32(0))).all()
  np.testing.assert_array_equal(np.isnan(got), np.isnan(x))
  np.testing.assert_array_equal(np.isposinf(got), np.isposinf(want32))
  k = x == np.round(x)
  np.testing.assert_array_equal(got[k & np.isfinite(x)], want32[k & np.isfinite(x)])
