"""Tensor: the user-facing API (tinygrad's names and semantics), built on LazyBuffer and the autograd functions."""
from __future__ import annotations
import functools, math, itertools, weakref
from contextlib import contextmanager
from typing import Optional, Sequence, Union
import numpy as np
from drivegpt.helpers import DType, dtypes, argfix, make_pair, prod, flatten, toposort
from drivegpt.ops import LoadOps, BinaryOps, UnaryOps
from drivegpt.lazy import LazyBuffer, Device
from drivegpt.schedule import schedule
from drivegpt.realize import run_schedule
import drivegpt.function as F

Scalar = Union[int, float, bool]

class ShapeError(ValueError, RuntimeError):
  """Shapes that don't fit together: a ValueError, and a RuntimeError as PyTorch raises for them."""

def broadcast_shape(*shapes) -> tuple:
  """numpy's broadcast of several shapes."""
  shapes = [(1,)*(n - len(s)) + tuple(s) for n in [max(len(s) for s in shapes)] for s in shapes]  # (each padded to the longest)
  if any(len(set(dims) - {1}) > 1 for dims in zip(*shapes)): raise ShapeError(f"shapes {' and '.join(map(str, shapes))} don't broadcast")
  return tuple(0 if 0 in dims else max(dims) for dims in zip(*shapes))

def _int_dtype(lo, hi) -> DType:
  """int32, or int64 for values int32 can't hold: Python ints never wrap."""
  return dtypes.default_int if -2**31 <= lo and hi < 2**31 else dtypes.int64
def _smoothing(ls: float) -> float:  # (1.5 gave a loss that fell as the right class's probability fell)
  if not 0 <= ls <= 1: raise ValueError(f"label_smoothing must be in [0, 1], got {ls}")
  return ls
def _check_fits(lo, hi, dtype: DType):
  if not -2**(8*dtype.itemsize - 1) <= lo <= hi < 2**(8*dtype.itemsize - 1): raise ValueError(f"values {lo}..{hi} don't fit in {dtype}")

class Tensor:
  __slots__ = "lazydata", "requires_grad", "_grad", "_ctx", "_aliases", "_view", "_views", "_step", "__weakref__"
  training, no_grad = False, False  # class-wide modes: Tensor.train(), no_grad()
  __array_ufunc__ = None  # numpy defers to the reflected ops: np.float32(2) * t made an object array of Tensors
  _seed, _rng_counter = 0, 0  # manual_seed's seed, and the rand calls since
  _grad_log: Optional[dict] = None  # a jit recording's: id -> (leaf, the .grad LazyBuffer it first read, or "set" if first set)

  @property
  def grad(self) -> Optional[Tensor]:
    if Tensor._grad_log is not None and self._ctx is None: Tensor._grad_log.setdefault(id(self), (self, None if self._grad is None else self._grad.lazydata))
    return self._grad
  @grad.setter
  def grad(self, g: Optional[Tensor]):  # set in a jitted step before it is read (zero_grad): no earlier .grad is read
    if Tensor._grad_log is not None and self._ctx is None: Tensor._grad_log.setdefault(id(self), (self, "set"))  # (leaves only)
    self._grad = g

  def __init__(self, data, device: Optional[str] = None, dtype: Optional[DType] = None, requires_grad: Optional[bool] = None):
    device = Device.canonicalize(device)
    # its .grad, its graph's Function, the tensors it shares its data with (see detach), for a view of y (y[1:3], y.T)
    # (y, take, put, made under no_grad: see _viewing), weak references to the views taken of it (see _set_data), and
    # whether it was made while a jitted step records (see _become)
    self._grad, self.requires_grad, self._ctx, self._aliases, self._view, self._views, self._step = None, requires_grad, None, None, None, None, F.realize.CAPTURE is not None
    if isinstance(data, LazyBuffer): lb = data if data.device == device else data.copy_to(device)
    elif isinstance(data, (bool, int, float)):
      dtype = dtype or (dtypes.bool if isinstance(data, bool) else _int_dtype(data, data) if isinstance(data, int) else dtypes.default_float)
      if dtype.is_int and not isinstance(data, bool): _check_fits(data, data, dtype)
      lb = LazyBuffer.loadop(LoadOps.CONST, (), dtype, device, bool(data) if dtype == dtypes.bool else int(data) if dtype.is_int else float(data))
    elif isinstance(data, (list, tuple, np.ndarray, np.generic)):
      x = np.asarray(data)
      wide = x.dtype.kind in "iu" and x.dtype.itemsize >= 4 or x.dtype.kind == "f" and dtype is not None and dtype.is_int  # may not fit
      lo, hi = (x.min(), x.max()) if x.size and wide else (0, 0)
      if dtype is None:
        dtype = dtypes.bool if x.dtype == np.bool_ else _int_dtype(lo, hi) if x.dtype.kind in "iu" else dtypes.default_float if x.dtype.kind == "f" or x.size == 0 else None
        if dtype is None: raise TypeError(f"can't make a Tensor from numpy dtype {x.dtype}")
        if x.dtype == np.int64 and isinstance(data, (np.ndarray, np.generic)): dtype = dtypes.int64
        if x.dtype == np.float16 and isinstance(data, (np.ndarray, np.generic)): dtype = dtypes.float16
      if dtype.is_int and wide: _check_fits(lo, hi, dtype)
      lb = LazyBuffer.from_numpy(np.array(x, dtype=dtype.np, order="C"), device)
    else: raise TypeError(f"can't make a Tensor from {type(data).__name__}: expected a list, numpy array, scalar or LazyBuffer")
    self.lazydata = lb.cast(dtype) if dtype is not None and lb.dtype != dtype else lb
    if requires_grad and not self.lazydata.dtype.is_float: raise TypeError(f"only float tensors can require grad (as PyTorch), not {self.lazydata.dtype.name}: its gradient would be truncated")

  @staticmethod
  def _wrap(lb: LazyBuffer, requires_grad: Optional[bool], ctx: Optional[F.Function], step: Optional[bool] = None) -> Tensor:
    """A Function's result: its LazyBuffer is on the right device already, so none of __init__'s checks."""
    ret = Tensor.__new__(Tensor)
    ret.lazydata, ret.requires_grad, ret._grad, ret._ctx, ret._aliases, ret._view, ret._views, ret._step = lb, requires_grad, None, ctx, None, None, None, F.realize.CAPTURE is not None if step is None else step
    return ret

  def __repr__(self): return f"<Tensor {self.lazydata!r} grad={self.grad is not None}>"
  def __hash__(self): return id(self)
  def __bool__(self): raise TypeError("the truth value of a Tensor is ambiguous: use .item() or .numpy()")
  def __len__(self): return self.shape[0]
  @property
  def device(self) -> str: return self.lazydata.device
  @property
  def shape(self) -> tuple: return self.lazydata.shape
  @property
  def dtype(self) -> DType: return self.lazydata.dtype
  @property
  def ndim(self) -> int: return len(self.shape)
  def numel(self) -> int: return prod(self.shape)
  def element_size(self) -> int: return self.dtype.itemsize
  def nbytes(self) -> int: return self.numel()*self.element_size()
  def is_floating_point(self) -> bool: return self.dtype.is_float

  # *** data access ***
  def realize(self) -> Tensor: self.lazydata.realize(); return self
  @staticmethod
  def corealize(tensors) -> None:
    """Realize several tensors in one schedule, so work they share runs once (an optimizer step, a loss and its grads)."""
    run_schedule(schedule([t.lazydata for t in tensors]))
  def numpy(self) -> np.ndarray: return self.lazydata.numpy()
  def __array__(self, dtype=None, copy=None) -> np.ndarray: return self.numpy() if dtype is None else self.numpy().astype(dtype)  # np.asarray(t): a copy (it made an object array of 0-d Tensors)
  def item(self) -> Scalar:
    if self.numel() != 1: raise ShapeError(f"item() needs one element, this tensor has shape {self.shape}")
    return self.numpy().reshape(-1)[0].item()
  def tolist(self): return self.numpy().tolist()
  def detach(self) -> Tensor:
    """This tensor's data without its graph. As PyTorch's, it shares the data: a write into either is seen by the other
    (t = b.detach(); t.assign(x) left b, and what was built from b later, with the old values)."""
    ret = Tensor._wrap(self.lazydata, False, None, self._step)  # (made in a jitted step or not as self is: it writes into self)
    ret._aliases = self._aliases = self._aliases or weakref.WeakSet([self])  # (a WeakSet: neither keeps the other alive)
    ret._aliases.add(ret)  # and the detach of a view (y[1].detach()) is that view of y.detach() (its write was y[1]'s alone)
    return ret if self._view is None else ret._viewing(self._view[0].detach(), self._view[1], self._view[2])
  def __reduce__(self):  # pickle and deepcopy: this data and .grad in a new tensor (its links to its views are not data)
    return Tensor, (self.numpy(), self.device, self.dtype, self.requires_grad and self.dtype.is_float), (None, {"_grad": self._grad})  # (an int one can't)
  def to(self, device: str) -> Tensor:
    """This tensor on another device (a copy, with its .grad); on its own device, itself (as PyTorch: writes reach it)."""
    if Device.canonicalize(device) == self.device: return self
    (ret := Tensor(self.lazydata, device)).grad = None if self.grad is None else self.grad.to(device)
    return ret
  def assign(self, x) -> Tensor:
    """Replace this tensor's data (same shape; another dtype is cast, as PyTorch's copy_): how optimizers update weights in place."""
    x = Tensor(x, device=self.device, dtype=self.dtype) if not isinstance(x, Tensor) else x if x.device == self.device else x.to(self.device)
    if self.shape != x.shape: raise ShapeError(f"assign shape mismatch: {self.shape} != {x.shape}")
    if self._view is not None and self._view[1]:  # a view y[idx] passes the write on to y (see __setitem__); outside a graph, the data alone
      with _mode("no_grad", Tensor.no_grad or self._ctx is None): self[...] = x  # (b.T made a leaf and trained: b got a graph)
      return self
    if (self._ctx is not None or (x.requires_grad and not self.requires_grad)) and not Tensor.no_grad: raise RuntimeError(f"assign into a tensor of shape {self.shape} in an autograd graph would leave its gradient to the old value (PyTorch's copy_ passes it to the new one): use y = new_value, or assign under no_grad()" if self._ctx is not None else f"assign of a value that carries a gradient into a tensor of shape {self.shape} would drop that gradient (PyTorch's copy_ passes it on; the tensor is outside the graph and requires none): write t[...] = value to join the graph, or assign value.detach()")
    # the views PyTorch copies (flip, pad, a reshape strides can't say) take a write alone, as its copies; an expanded one
    # (stride 0: Tensor.zeros(1).expand(3) took the write alone, silently) is refused, as PyTorch's, and so is the JIT's copy
    # of a view argument (it would write nowhere). Tensor.full's own view of its constant is whole, realized too
    if not (ld := self.lazydata).whole and (ld._base is None or ld.expanded) and (self._view is None or self._view[2] is False):  # (a copy of an expanded one: its own)
      raise ValueError(f"assign to an expanded view of shape {self.shape} or a jitted step's copy of a view argument can't write into the tensor it views (it would silently write nowhere): assign the whole tensor, or write through it with t[idx] = value" + ("; an expanded Tensor.zeros/ones/full has no buffer: make the constant in the shape written" if ld.base.op is LoadOps.CONST else "; a jitted step gets a copy of a view argument (a slice, or a reshape or permute of another tensor): pass the whole tensor and write into its part inside the step, or give the view a buffer of its own first with .contiguous()" if ld._base is None else ""))
    # a tensor with no buffer of its own (Tensor.zeros/full's constant, a formula not yet computed) gets one to be written
    # into, so that a jitted step's write lands there on every replay (it replaced the data once: replays wrote nowhere);
    # a recording that read the constant records again (it replayed the old value)
    if ld.whole and not (self._step and F.realize.CAPTURE is not None) and (ld.base.op is LoadOps.CONST or (ld._base is None and ld.realized is None and ld.assign_target is None)):
      F.realize.LAZY_LOADS += ld.base.op is LoadOps.CONST; self._set_data(ld := Tensor.empty(*self.shape, dtype=self.dtype, device=self.device).lazydata.realize())
    x = x.cast(self.dtype)
    # a tensor a jitted step made (from numpy) takes the value as its own, as _inplace's: written into its buffer, it kept
    # the last replay's value (an optimizer made inside the step carried its momentum from call to call)
    self._set_data(x.lazydata if self._step and F.realize.CAPTURE is not None else x.lazydata.assign_to(ld))
    # x's own lazy node became this write: x reads it through a node of its own, so a later write into x (or into self)
    # changes only that one (w.assign(u); u.assign(y) wrote y into w, and a write into w changed u)
    # with x's aliases and views too (a.assign(h.detach()), then a write into a, changed h and h.reshape(3, 1) with it),
    # from the tensor x is a whole view of, if it is one (h[:] and h.unsqueeze(0).squeeze(0) are h's own node)
    if x.lazydata is self.lazydata and x is not self and (x._aliases is None or x._aliases is not self._aliases):  # (an alias, a detach of it, shares the write)
      r = x
      while r._view is not None and r._view[0].lazydata.base is x.lazydata: r = r._view[0]
      r._set_data(r.lazydata.e(UnaryOps.CAST, arg=r.dtype))
    return self
  def _set_data(self, lb: LazyBuffer) -> None:
    """self reads lb from now on, and so does every tensor that shares its data (a detach of it, or what it was detached
    from); the views taken of them (r = y[1:3]) are taken again, so they see the write, as numpy's and PyTorch's (they
    kept the old values, and a write into one raised), with their graph if they have one (also under no_grad: w[1:3]
    taken once kept the graph that backward freed, after an optimizer's write into w) or the write is made in one."""
    todo = [(self, lb, None)]
    while todo:  # (a loop, not recursion: a chain of a thousand views of views)
      s, lb, new = todo.pop()
      if new is not None: s._ctx, s.requires_grad = new._ctx, new.requires_grad
      for t in [t for t in s._aliases or () if t.lazydata is s.lazydata] or [s]:
        t.lazydata = lb
        for v in t._viewers():
          # (one made under no_grad stays out of the graph; a leaf that requires grad, b.T made one, stays a leaf). A copy
          # (a flip, pad: take None) keeps its value: while it still reads t's data, it becomes a lazy copy of it, which an
          # in-place write realizes before it writes (realize.READERS); PyTorch's copies were made when taken
          with _mode("no_grad", v._view[3] or Tensor.no_grad and not v.requires_grad): n = v._view[1](t) if v._view[1] else None
          # a copy: unlinked, its own data from now on (not frozen again at the next write)
          if n is None: v._view, kept = None, v.lazydata if v.lazydata._base is None else v.lazydata.e(UnaryOps.CAST, arg=v.dtype)
          todo.append((v, kept, None) if n is None else (v, n.lazydata, n if (v.requires_grad or not Tensor.no_grad) and (n._ctx or v._ctx) is not None else None))
  def _viewers(self) -> list:
    """The live views taken of self (r = y[1:3]), but not one the JIT unlinked (see jit._own_buffer)."""
    return list({id(v): v for r in self._views or () if (v := r()) is not None and v._view is not None and v._view[0] is self}.values())

  # *** creation ***
  @staticmethod
  def empty(*shape, dtype=None, device=None, **kw) -> Tensor: return Tensor(LazyBuffer.loadop(LoadOps.EMPTY, argfix(*shape), dtype or dtypes.default_float, Device.canonicalize(device)), device, **kw)
  @staticmethod
  def full(shape, fill_value: Scalar, dtype=None, device=None, **kw) -> Tensor:
    shape = argfix(*shape) if isinstance(shape, (tuple, list)) else (shape,)
    (lb := Tensor(fill_value, device, dtype).reshape((1,)*len(shape)).expand(shape).lazydata).whole = True  # this view is the tensor: see assign
    return Tensor(lb, device, requires_grad=kw.get("requires_grad"))  # (through __init__: an int one can't require grad)
  @staticmethod
  def zeros(*shape, dtype=None, **kw) -> Tensor: return Tensor.full(argfix(*shape), 0, dtype or dtypes.default_float, **kw)
  @staticmethod
  def ones(*shape, dtype=None, **kw) -> Tensor: return Tensor.full(argfix(*shape), 1, dtype or dtypes.default_float, **kw)
  def full_like(self, fill_value: Scalar, **kw) -> Tensor: return Tensor.full(self.shape, fill_value, kw.pop("dtype", self.dtype), kw.pop("device", self.device), **kw)
  def zeros_like(self, **kw) -> Tensor: return self.full_like(0, **kw)
  def ones_like(self, **kw) -> Tensor: return self.full_like(1, **kw)
  @staticmethod
  def arange(start, stop=None, step=1, dtype=None, **kw) -> Tensor:
    if stop is None: start, stop = 0, start
    if step == 0: raise ValueError("arange step must not be 0")
    if all(isinstance(x, int) for x in (start, stop, step)):  # exact in int64; int32 unless the values need more
      vals = np.arange(start, stop, step, dtype=np.int64)
      return Tensor(vals, dtype=dtype or (_int_dtype(vals.min(), vals.max()) if vals.size else dtypes.default_int), **kw)
    return Tensor(np.arange(max(math.ceil((stop - start)/step), 0), dtype=np.float64)*step + start, dtype=dtype or dtypes.default_float, **kw)
  @staticmethod
  def eye(n: int, m: Optional[int] = None, dtype=None, **kw) -> Tensor:
    m = n if m is None else m
    return Tensor(Tensor.arange(n, device=(d := kw.get("device"))).reshape(n, 1).eq(Tensor.arange(m, device=d).reshape(1, m)).cast(dtype or dtypes.default_float).lazydata, d, requires_grad=kw.get("requires_grad"))
  @staticmethod
  def manual_seed(seed: int = 0): Tensor._seed, Tensor._rng_counter = int(seed) % 2**64 if seed < 0 else int(seed), 0  # -1 is 2^64 - 1, as PyTorch's (it failed at the first draw)
  @staticmethod
  def rand(*shape, dtype=None, device=None, **kw) -> Tensor:
    """Uniform in [0, 1); the stream depends only on manual_seed and the number of rand calls since."""
    Tensor._rng_counter += 1
    return Tensor(LazyBuffer.loadop(LoadOps.RAND, argfix(*shape), dtype or dtypes.default_float, Device.canonicalize(device), (Tensor._seed, Tensor._rng_counter)), device, **kw)
  def multinomial(self, num_samples: int = 1, replacement: bool = False) -> Tensor:
    """Category indices (int32) drawn from each row's non-negative weights (1-D or 2-D), as torch.multinomial. The weights
    are not checked (the draw is lazy): a negative one, NaN or a zero sum gives some index where PyTorch raises."""
    if not 1 <= self.ndim <= 2: raise ShapeError(f"multinomial needs 1-D or 2-D weights, got shape {self.shape}")
    w, n = self.reshape(-1, self.shape[-1])._float(), self.shape[-1]
    if not replacement and num_samples > n: raise RuntimeError(f"multinomial: can't draw {num_samples} of {n} categories without replacement")
    if replacement or num_samples == 1:  # invert the cdf: count the categories whose cdf is <= u
      cdf = ((c := w.cumsum(1)) / c[:, -1:]).unsqueeze(1)                          # (R, 1, n), last exactly 1
      ret = (cdf <= Tensor.rand(w.shape[0], num_samples, 1, device=self.device)).sum(2)
    else:  # Efraimidis-Spirakis: the k largest log(u)/w are a draw without replacement in proportion to w
      keys, picks = Tensor.rand(*w.shape, device=self.device).log() / w, []
      for _ in range(num_samples):
        picks.append(keys.argmax(1, keepdim=True))
        keys = Tensor.arange(n, device=self.device).eq(picks[-1]).where(-math.inf, keys)
      ret = picks[0].cat(*picks[1:], dim=1)
    return ret.cast(dtypes.int32).reshape(-1) if self.ndim == 1 else ret.cast(dtypes.int32)
  @staticmethod
  def randn(*shape, dtype=None, **kw) -> Tensor:
    # Box-Muller on two uniform draws
    u = Tensor.rand(2, *argfix(*shape), device=kw.get("device"))
    ret = ((1 - u[0]).log() * -2).sqrt() * (u[1] * (2*math.pi)).cos()
    return Tensor(ret.cast(dtype or dtypes.default_float).lazydata, kw.get("device"), requires_grad=kw.get("requires_grad"))
  @staticmethod
  def randint(*shape, low=0, high=10, dtype=None, **kw) -> Tensor:
    """Integers uniform in [low, high): int32, or int64 where they don't fit (as Python ints make tensors), never wrapped."""
    if not 0 < high - low <= 2**48: raise ValueError(f"randint: high must be above low, got low={low}, high={high}" if high <= low else f"randint: a range past 2^48 ({high - low}) is not drawn (only its first 2^48 values were)")
    _check_fits(low, high - 1, dtype := dtype or (dtypes.int32 if -2**31 <= low and high <= 2**31 else dtypes.int64))
    # the offset from low floored in float, then whole in int64: rand*(high - low) + low in float32 rounded to high and past
    # it, and skipped values, for a large low. A range past 2^12: two draws of 24 bits, mod the range (one draw's 2^24
    # values spread over 10^7 gave some twice the chance of others; under 2^12 they are within 2.4e-4 of equal)
    def bits(n): return (Tensor.rand(*shape, **kw) * n).floor().cast(dtypes.int64)
    return ((bits(n).minimum(n - 1) if (n := high - low) <= 1 << 12 else (bits(1 << 24) * (1 << 24) + bits(1 << 24)) % n) + low).cast(dtype)
  @staticmethod
  def uniform(*shape, low=-1.0, high=1.0, dtype=None, requires_grad=None, **kw) -> Tensor:  # (low > high drew from (high, low]; [-3e38, 3e38) gave inf: refused, as PyTorch)
    if not 0 <= high - low <= np.finfo(np.float32).max: raise ValueError(f"uniform: needs low <= high and a range float32 holds, got [{low}, {high})")
    x = ((high - low) * Tensor.rand(*shape, **kw) + low).cast(dtype := dtype or dtypes.default_float)  # below high, as PyTorch's (the rounding reached it: 254 a million in half)
    if dtype.is_float and low < high: x = x.minimum(float(h if (h := dtype.np(high)) < high else np.nextafter(h, dtype.np(low))))
    return Tensor(x.lazydata, kw.get("device"), requires_grad=requires_grad)
  @staticmethod
  def scaled_uniform(*shape, **kw) -> Tensor: return Tensor.uniform(*shape, low=-(c := prod(argfix(*shape))**-0.5), high=c, **kw)  # a leaf (x scale was not)
  @staticmethod
  def glorot_uniform(*shape, **kw) -> Tensor: return Tensor.uniform(*(s := argfix(*shape)), low=-(c := math.sqrt(6/(s[0] + prod(s[1:])))), high=c, **kw)  # a leaf that requires grad, if asked
  @staticmethod
  def kaiming_uniform(*shape, a: float = 0.01, **kw) -> Tensor:
    return Tensor.uniform(*(s := argfix(*shape)), low=-(bound := math.sqrt(3.0) * math.sqrt(2.0 / (1 + a**2)) / math.sqrt(prod(s[1:]))), high=bound, **kw)

  @staticmethod
  def train(mode: bool = True):
    """with Tensor.train(): sets Tensor.training inside the block (tinygrad 0.9's spelling)."""
    return _mode("training", mode)

  # *** autograd ***
  def backward(self, gradient: Optional[Tensor] = None, retain_graph: bool = False) -> Tensor:
    """Add d(self)/d(t) (times gradient, which non-scalar outputs need) to .grad of every tensor t with requires_grad.
    As PyTorch, the graph is freed unless retain_graph: a later backward that reaches a freed part raises."""
    if gradient is None and self.shape != (): raise RuntimeError(f"backward of shape {self.shape} needs a gradient: reduce it (e.g. .sum()) first")
    if self._ctx is None and not self.requires_grad: raise RuntimeError("backward of a tensor without a graph: no input requires grad (a module's weights do once an optimizer over them is made: build the loss after it)")
    gradient = gradient if gradient is not None else Tensor(1.0, device=self.device, dtype=self.dtype)
    if not isinstance(gradient, Tensor): gradient = Tensor(gradient, device=self.device, dtype=self.dtype)
    gradient = gradient.cast(self.dtype)  # a float16 gradient into a float32 graph would round every gradient to float16
    if gradient.shape != self.shape: raise RuntimeError(f"backward: gradient shape {gradient.shape} != output shape {self.shape}")
    # this pass's gradients (.grad accumulates only at the end), each op's inputs, and the buffers a .grad holds (see below)
    grads, ins, held = {id(self): gradient.lazydata}, {}, {id(gradient.lazydata)}
    order = reversed(toposort([self], lambda t: ins.setdefault(id(t), t._ctx.inputs()) if t._ctx is not None and not t._ctx.freed else ()))
    for t in (order := list(order)):
      if t._ctx is None or id(t) not in grads: continue
      if t._ctx.freed: raise RuntimeError(f"backward through a graph already freed by backward ({type(t._ctx).__name__}): pass retain_graph=True to the first backward, or rebuild the graph")
      # a buffer the op saved for its gradient, written in place since (x.assign(v), x += 1 under no_grad, an optimizer
      # step) and realized: the gradient would have used the new values, silently (PyTorch raises too)
      if any(isinstance(b, LazyBuffer) and (w := F.realize.WRITES.get(id(b.base.realized))) and w[0] > t._ctx.t and w[1] != id(b.base) for b in vars(t._ctx).values()): raise RuntimeError(f"backward: a tensor that {type(t._ctx).__name__} saved for its gradient was written in place since (an assign, a += under no_grad, an optimizer step): its gradient would use the new values. Write after backward, build the graph again after the write, or write into a copy")
      gs = t._ctx.backward(grads[id(t)])
      for p, g in zip(ins[id(t)], gs if isinstance(gs, tuple) else (gs,)):
        if g is None or not p.requires_grad: continue
        grads[id(p)] = g if id(p) not in grads else grads[id(p)].e(BinaryOps.ADD, g)
      if not retain_graph: t._ctx.free()
    for t in order:
      if id(t) in grads and t.requires_grad:
        # an expanded gradient (of w.sum(), w.mean()) is its .grad's whole data, which in-place writes replace (w.grad /= 4
        # raised; a copy of its own cost every t[idx] = v, whose scatter is a backward, a kernel and a buffer)
        if (gl := grads[id(t)]).expanded: (gl := LazyBuffer(gl.device, gl.st, gl.dtype, base=gl.base, mops=gl.mops)).whole = True
        # one another .grad holds (a + b passes its gradient to both) or the caller's gradient: a copy of its own, as PyTorch's
        # AccumulateGrad clones (an in-place write into one .grad, or another backward's sum, changed the other). (add: None)
        elif id(gl) in held or held.add(id(gl)): gl = gl.e(UnaryOps.CAST, arg=gl.dtype)
        g = Tensor(gl, device=t.device, requires_grad=False)
        # a realized .grad (not a view) accumulates in place (as PyTorch's): a jitted step adding to it writes its buffer; a
        # lazy one takes the sum as its data, so a reference to it sees the sum too (it was rebound), as PyTorch's
        if t.grad is None: t.grad = g
        elif getattr(t.grad.lazydata, "realized", None) is not None: t.grad.assign(t.grad + g)
        else: t.grad._set_data((t.grad + g).lazydata)
    return self

  # *** movement ops ***
  def reshape(self, shape, *args) -> Tensor:
    shape = argfix(shape, *args)
    if shape.count(-1) > 1 or -1 in shape and 0 in shape: raise ShapeError(f"reshape {self.shape} -> {shape}: " + ("only one dim can be -1" if shape.count(-1) > 1 else "a -1 beside a 0-size dim could be any size"))
    shape = tuple(-prod(self.shape) // prod(shape) if s == -1 else s for s in shape)
    if prod(shape) != prod(self.shape): raise ShapeError(f"can't reshape {self.shape} ({prod(self.shape)} elements) to {shape}")
    if shape == self.shape: return self
    # a view of self, as PyTorch's, where strides can say it (PyTorch's y.T.reshape(-1) is a copy; here it takes no write;
    # a reshape of that copy is a view of it: so, one that adds no view to self's)
    if len((ret := F.Reshape.apply(self, shape=shape)).lazydata.st.views) > len(self.lazydata.st.views): return ret._viewing(self, None, None)
    return ret._viewing(self, lambda b: b.reshape(shape), lambda b, v: (..., v.reshape(b.shape)))
  def view(self, *shape) -> Tensor: return self.reshape(*shape)
  def expand(self, shape, *args) -> Tensor:
    x = self.reshape((1,)*(len(shape := argfix(shape, *args)) - self.ndim) + self.shape)
    shape = tuple(x.shape[i] if s == -1 else s for i, s in enumerate(shape))
    if len(shape) < self.ndim or any(a != b and a != 1 for a, b in zip(x.shape, shape)): raise ShapeError(f"can't expand {self.shape} to {shape}")  # (fewer dims gave [1, 1, 1] for [[1, 2, 3]])
    return F.Expand.apply(x, shape=shape)._viewing(self, None, False) if shape != x.shape else x  # a copy that takes no write (False): see _set_data
  def permute(self, order, *args) -> Tensor:
    order = tuple(o + self.ndim if o < 0 else o for o in argfix(order, *args))
    if sorted(order) != list(range(self.ndim)): raise ShapeError(f"permute order {order} is not a permutation of {self.ndim} dims")
    return F.Permute.apply(self, order=order)._viewing(self, lambda b: b.permute(order), lambda b, v: (..., v.permute(np.argsort(order).tolist())))
  def flip(self, axis, *args) -> Tensor:
    if len(set(axis := [self._axis(a) for a in argfix(axis, *args)])) < len(axis): raise ValueError(f"flip: dims {axis} name a dim twice (it was flipped once)")
    return F.Stride.apply(self, arg=tuple(-1 if i in axis else 1 for i in range(self.ndim)))._viewing(self, None, None)  # a copy: see _set_data
  def shrink(self, arg) -> Tensor:
    arg = tuple(x if x is not None else (0, s) for x, s in zip(arg, self.shape))
    return self if all(x == (0, s) for x, s in zip(arg, self.shape)) else F.Shrink.apply(self, arg=arg)._viewing(self, lambda b: b.shrink(arg), lambda b, v: (tuple(slice(*a) for a in arg), v))
  def pad(self, arg, value: Scalar = 0.0) -> Tensor:
    """arg: (before, after) per dim, or None for no padding on that dim."""
    arg = tuple(x if x is not None else (0, 0) for x in arg)
    if len(arg) != self.ndim: raise ShapeError(f"pad needs (before, after) for each of the {self.ndim} dims of {self.shape}, got {arg}")
    if any(b < 0 or a < 0 for b, a in arg): return self._slice([(-b, s + a) for (b, a), s in zip(arg, self.shape)], value)  # crops
    if all(x == (0, 0) for x in arg): return self
    ret = F.Pad.apply(self, arg=arg)._viewing(self, None, None)  # a copy (as PyTorch's) that shares the data until a write: see _set_data
    # value in self's dtype: a float fill made half, bool and int tensors float (max_pool2d of half gave float32)
    return ret if value == 0 else Tensor.full(self.shape, True, dtypes.bool, self.device).pad(arg).where(ret, ret.full_like(value))
  def pad2d(self, padding: Sequence[int], value: Scalar = 0.0) -> Tensor:
    """padding (left, right, top, bottom, ...) from the last dim backwards, as PyTorch's F.pad; negative values crop."""
    slc = [(-p0, s + p1) for p0, p1, s in zip(padding[::2], padding[1::2], self.shape[::-1])][::-1]
    return self._slice([(0, s) for s in self.shape[:-len(slc)]] + slc, value)
  def _slice(self, arg, value: Scalar = 0) -> Tensor:
    """Take [lo, hi) per dim; ranges past the edges pad with value."""
    if any(hi < lo for lo, hi in arg): raise ValueError(f"can't crop shape {self.shape} to the empty range {arg}")
    padding = tuple((max(0, -lo), max(0, hi - s)) for (lo, hi), s in zip(arg, self.shape))
    return self.pad(padding, value).shrink(tuple((lo + p[0], hi + p[0]) for (lo, hi), p in zip(arg, padding)))
  def _axis(self, a: int) -> int:
    if not -max(self.ndim, 1) <= a < max(self.ndim, 1): raise IndexError(f"dim {a} out of range for shape {self.shape}")
    return a + self.ndim if a < 0 else a

  def __getitem__(self, idx) -> Tensor:
    """numpy/PyTorch indexing: ints, slices (any step), None, Ellipsis, and int or bool Tensors, lists or arrays.
    Index tensors pick through a one-hot product (a matmul); out of range raises IndexError or gives NaN (see _valid): an
    index computed in the graph, out of range, gives NaN on float data, 0 on int and bool data, and a write there is dropped."""
    idx, masks = list(idx) if isinstance(idx, tuple) else [idx], []
    for k in reversed(range(len(idx))):  # lists and arrays become Tensors; a bool mask becomes one index per dim it covers
      if isinstance(idx[k], np.ndarray) and idx[k].ndim == 0 and idx[k].dtype.kind in "iu": idx[k] = int(idx[k])  # an int, as PyTorch's
      if isinstance(idx[k], (list, np.ndarray)): idx[k] = Tensor(idx[k], device=self.device, dtype=None if np.size(idx[k]) or np.asarray(idx[k]).dtype == bool else dtypes.int32)
      if isinstance(idx[k], Tensor) and idx[k].dtype == dtypes.bool:
        if idx[k].ndim == 0: raise IndexError("a 0-d bool index isn't supported")
        masks.append((parts := [Tensor(a.astype(np.int64), device=self.device) for a in np.nonzero(idx[k].numpy())], idx[k].shape)); idx[k:k+1] = parts  # its shape is data
      elif isinstance(idx[k], Tensor) and not idx[k].dtype.is_int: raise IndexError(f"index tensors must be int or bool, got {idx[k].dtype}")
    n_real = sum(1 for i in idx if i is not None and i is not Ellipsis)
    if n_real > self.ndim: raise IndexError(f"too many indices ({n_real}) for shape {self.shape}")
    e = next((k for k, i in enumerate(idx) if i is Ellipsis), len(idx))
    idx[e:e+1] = [slice(None)]*(self.ndim - n_real)
    for parts, shp in masks:  # (a (3, 1) mask on (3, 3) picked column 0 of rows 0 and 2, where numpy and PyTorch raise)
      if self.shape[(d := sum(i is not None for i in idx[:next(j for j, i in enumerate(idx) if i is parts[0])])):d + len(shp)] != shp: raise IndexError(f"a bool index of shape {shp} doesn't match shape {self.shape} at dims {d}..{d + len(shp) - 1}")
    shrink, strides, final, adv, dim = [], [], [], [], 0
    for i in idx:
      if i is None: final.append(1); continue
      size = self.shape[dim]
      if isinstance(i, Tensor): adv, i = adv + [(len(final), i if i.device == self.device else (i._valid(size, "index", lo=-size), i.to(self.device))[1], size)], slice(None)  # picked after the basic indexing (one of another device checked, then moved)
      if isinstance(i, (int, np.integer)) and not isinstance(i, bool):
        if not -size <= i < size: raise IndexError(f"index {i} out of range for dim {dim} of size {size}")
        shrink.append((int(i) % size, int(i) % size + 1)); strides.append(1)
      elif isinstance(i, slice):
        r = range(*i.indices(size))
        if len(r) == 0: shrink.append((0, 0)); strides.append(1)
        else: shrink.append((min(r[0], r[-1]), max(r[0], r[-1]) + 1)); strides.append(r.step)
        final.append(len(r))
      else: raise TypeError(f"can't index a Tensor with {type(i).__name__}")
      dim += 1
    ret = self.shrink(tuple(shrink))
    if any(s != 1 for s in strides): ret = F.Stride.apply(ret, arg=tuple(strides))
    ret = ret.reshape(tuple(final))
    if not adv: return (ret if ret is not self else F.Reshape.apply(self, shape=self.shape))._viewing(self, lambda b, i=tuple(idx): b[i], lambda b, v, i=tuple(idx): (i, v))  # y[:] too
    # after the ints go, 0-d int tensors too, as PyTorch's (t[Tensor(1), :, [0, 1]] put its dim in front, numpy's way)
    pos = [k for k, i in enumerate(i for i in idx if not isinstance(i, (int, np.integer)) and not (isinstance(i, Tensor) and i.ndim == 0)) if isinstance(i, Tensor)]
    r = ret._pick(adv, adjacent=not pos or pos == list(range(pos[0], pos[0] + len(pos))))
    # 0-d ints alone: a view, as PyTorch's, at the place they hold now (copies: a later write into them moved the view)
    return r if any(t.ndim for _, t, _ in adv) else r._viewing(self, lambda b, i=(fixed := tuple((x + 0).realize() if isinstance(x, Tensor) else x for x in idx)): b[i], lambda b, v, i=fixed: (i, v))
  def _pick(self, adv: list, adjacent: bool) -> Tensor:
    """Advanced indexing: dims d (sizes n) picked by int tensors t, which broadcast to B; numpy's rule places B at the
    first picked dim if the index tensors were adjacent (ints between them taken out first, as PyTorch), else in front."""
    dims, B = [d for d, _, _ in adv], broadcast_shape(*[t.shape for _, t, _ in adv])
    rest = [i for i in range(self.ndim) if i not in dims]
    x = self.permute(rest + dims).reshape(*[self.shape[i] for i in rest], *[1]*len(B), *[self.shape[d] for d in dims])
    for j, (_, t, n) in enumerate(adv):
      t = (t < 0).where(t + n, t)._expand_to(B)  # negative indices count from the end, as numpy and PyTorch
      onehot = t.unsqueeze(-1).eq(Tensor.arange(n, device=self.device)).reshape(*B, n, *[1]*(len(adv) - j - 1))
      # where, not a product with the one-hot: an inf or nan elsewhere along the axis made 0 * inf = nan (t[mask] = -inf wrote nan)
      x = onehot.where(x, 0)._reduce(F.Sum, len(rest) + len(B)).cast(self.dtype)  # (*rest, *B, n_j+1, ...); a sum of bools is int
    valid = [t._valid(n, "index", lo=-n, shape=x.shape) for _, t, n in adv]
    if x.dtype.is_float: x = functools.reduce(Tensor.__and__, valid).where(x, math.nan)
    at = sum(r < next((d for d, t, _ in adv if t.ndim), dims[0]) for r in rest) if adjacent else 0  # (a 0-d tensor's dim is gone, as an int's)
    return x.permute([*range(at), *range(len(rest), x.ndim), *range(at, len(rest))])
  def _valid(self, n: int, what: str, ignore: Optional[int] = None, lo: int = 0, shape: Optional[tuple] = None) -> Tensor:
    """self (int indices) in [lo, n) or equal to ignore. Realized CPU indices are checked now (IndexError); the returned mask
    lets callers poison what bad indices pick with NaN, so indices computed in the graph (or replayed by the JIT) are loud too."""
    if not self.dtype.is_int: raise TypeError(f"a {what} tensor must be int, got {self.dtype.name}: a float {what} such as 1.5 matched no place, a bool one read as 0 and 1")
    if (lb := self.lazydata).is_realized and self.device == "CPU" and self.numel():  # read the buffer directly: a check, never a value the JIT freezes
      a = Device.get(self.device).to_numpy(lb.base.realized, lb.st, lb.dtype)
      if (bad := a[((a < lo) | (a >= n)) & (a != ignore)]).size: raise IndexError(f"{what} {bad.reshape(-1)[0]} is out of range for size {n}")
    i = self if shape is None else self._expand_to(shape)  # compared on the expanded view, so it fuses into the consumer
    return (i >= lo) & (i < n) | (i.eq(ignore) if ignore is not None else False)
  def __setitem__(self, idx, value) -> None:
    """self[idx] = value: value placed by _Scatter, written with assign, or inside a graph (or when value carries a
    gradient) as a where over self, so both gradients flow. A place indexed more than once takes the mean of its values."""
    v = value if isinstance(value, Tensor) else Tensor(value, device=self.device, dtype=self.dtype)
    # a mask of self's shape and one value: a where (t[t > 0] = 0 scattered through a (k, *shape) one-hot: 128 GiB at 512x512)
    if getattr(idx, "dtype", None) in (dtypes.bool, np.bool_) and tuple(idx.shape) == self.shape != () and prod(v.shape) == 1: hit, val = Tensor(idx, device=self.device) if isinstance(idx, np.ndarray) else idx.to(self.device), v.reshape(()).cast(self.dtype)
    else:
      shape = Tensor.empty(*self.shape, device=self.device)[idx].shape
      if v.ndim > len(shape): v = v.reshape(v.shape[v.ndim - len(shape):])  # leading size-1 dims go, as numpy's and PyTorch's (others raise)
      hit = (n := _Scatter.apply(Tensor.ones(*shape, device=self.device), shape=self.shape, idx=idx)).ne(0)  # n: writes per place
      val = _Scatter.apply((v.cast(self.dtype).cast(dtypes.int32) if self.dtype == dtypes.bool else v.cast(self.dtype))._expand_to(shape), shape=self.shape, idx=idx)  # (a bool scatter's sums wrote False)
      # a place an index tensor names more than once (t[[2, 0, 2]] /= 1.3) takes the mean of its values, which t[idx] op= v
      # makes all equal (they added up: the penalty tripled the logit); PyTorch's is one of them
      adv = self.dtype != dtypes.bool and any(isinstance(i, (Tensor, list, np.ndarray)) for i in (idx if isinstance(idx, tuple) else (idx,)))
      val = (_Repeats.apply(val, n) if adv else val).cast(self.dtype)
    # a view (y[i][j] = v; r = y[i]; r += 1; r = y.T; r[0] = v) is written into y, as in PyTorch, at the place put gives
    if (view := self._view) is not None and view[1]: return view[0].__setitem__(*view[2](view[0], hit.where(val, self)))  # (y's write takes self again: see _set_data)
    # no graph: written in place (but not a tensor a jitted step made: its buffer from numpy is one the recording reads on every replay)
    if self._writable()._ctx is None and val._ctx is None and not (self._step and F.realize.CAPTURE is not None): return self.assign(hit.where(val, self).detach())
    self._become(new := hit.where(val, self), new)
  def _viewing(self, base: Tensor, take, put) -> Tensor:
    """self is base's view take(base) (y[idx], y.reshape(s), y.T, y.split(n)...), as in PyTorch: a write into it goes into
    base, at the place and with the value put(base, value) gives, and base's writes take it again (see _set_data)."""
    if take is None and base._view is not None and base._view[1] is None and base.lazydata._base is not None: base = base._view[0]  # a copy of a copy that still reads its source reads that: the one between may go
    self._view = (base, take, put, Tensor.no_grad)
    # (y's are weak references: y lives as long as a view of it, not the other way; the dead go as the list doubles)
    if (n := len(base._views or ())) == 0 or (n >= 64 and n & (n - 1) == 0): base._views = [r for r in base._views or () if r() is not None]
    base._views.append(weakref.ref(self))
    return self
  def _become(self, new: Tensor, read: Tensor) -> Tensor:
    """In a graph, this Tensor is new from now on. What was built from it before reads it as it was (each Function notes
    its parents' Functions: see Function.inputs), so y[0] = 5 leaves z = y * 3's gradient alone (it went through the
    write: x's was 0 in row 0, where it is 6). Under no_grad only the data changes, as PyTorch's (the graph was lost).
    The ops in read's graph (the value written: y[0] = y[1] * 5, r *= 3) that read self are pointed at self as it was, so
    self never is its own ancestor (a cycle that only gc frees, with every buffer in it)."""
    # a jitted step's replay writes values only: a tensor from outside the step (a running total, an argument) can't join its
    # graph (total += loss summed the recording call's losses alone; total[0] += loss too)
    if F.realize.CAPTURE is not None and new.requires_grad and not Tensor.no_grad and not self._step: raise RuntimeError(f"a jitted step adds a value with a gradient into a tensor of shape {self.shape} from outside it (a running total, an argument): a replay can't make that tensor part of its graph; write t += v.detach()")
    mine = {id(t) for t in toposort([self], Tensor._viewers)} if read is not None and not Tensor.no_grad else ()  # (and its views)
    def ops(t): return t._ctx if t is not self and t._ctx is not None and hasattr(t._ctx, "parents") else None
    for c in filter(None, map(ops, toposort([read], lambda t: ops(t).parents if ops(t) else ()) if mine else ())):
      c.parents = tuple(F.node_of(p, s) if id(p) in mine else p for p, s in zip(c.parents, c.seen))
    if not Tensor.no_grad: self._ctx, self.requires_grad = new._ctx, new.requires_grad
    self._set_data(new.lazydata)  # (after: its views are taken again from the new self)
    return self
  def _inplace(self, f, x) -> Tensor:
    """self = f(self, x), in place: written into its buffer, or for a tensor in a graph (y += f(y), a residual) self
    becomes the new node (see _become), so the gradient flows through both (assign kept the old node: y = x * 2; y *= 3
    gave x a gradient of 2, PyTorch 6) and other names of y see the write, as PyTorch's (until the 26th session the name
    was bound to a new tensor: other names, and a slice of y taken before, kept writing into the old one). A tensor
    outside the graph given a value in the graph (aux += head_loss) joins it the same way, as PyTorch's (it took the value
    alone: the heads got no gradient); other names and a function's caller see it (a version that bound acc to a new node
    left them at 0). A jitted step may not do that to a tensor from outside it (refused: replays write values only). Else
    the value is written into its buffer, which a jitted step's argument and replays see."""
    # a float result into an int tensor (t **= 0.5, t /= 2 truncated), or an int one into a bool tensor, raises as in PyTorch
    if (kind := lambda d: 2 if d.is_float else d != dtypes.bool)((r := f(self, x)).dtype) > kind(self.dtype) or r.shape != self.shape: raise RuntimeError(f"an in-place op's {r.dtype.name} result of shape {r.shape} can't be written into a {self.dtype.name} tensor of shape {self.shape} (as PyTorch): write t = t <op> x for a new tensor")
    if self._view is not None: self[...] = r; return self  # a view (r = y[1:3]; r += 1) writes into y
    # (a tensor the step made, from numpy, becomes its new value: written into, its buffer went 2, 4, 8 over replays)
    return self._writable()._become(r, r) if (self._ctx is not None or r.requires_grad) and not Tensor.no_grad or (self._step and F.realize.CAPTURE is not None) else self._writable().assign(r)
  def _writable(self) -> Tensor:
    """self, unless it is a leaf that requires grad with autograd on: an in-place write would be lost to its gradient."""
    if self.requires_grad and self._ctx is None and not Tensor.no_grad: raise RuntimeError(f"an in-place write (+=, t[i] = v, ...) into a leaf of shape {self.shape} that requires grad is refused, as PyTorch refuses it: backward can't see the write. Write under no_grad() (as optimizers do), or make a new tensor (w = w + x)")
    return self

  def gather(self, dim, index, **kw) -> Tensor:
    """out[..., i, ...] = self[..., index[..., i, ...], ...] along dim, as torch.gather and np.take_along_axis.
    Also takes tinygrad 0.8's order gather(index, dim). Out-of-range indices raise IndexError or give NaN (see _valid)."""
    if isinstance(dim, Tensor): dim, index = index, dim
    dim = self._axis(dim)
    if index.ndim != self.ndim: raise RuntimeError(f"gather index needs {self.ndim} dims like the input {self.shape}, got shape {index.shape}")
    if any(i > s for d, (i, s) in enumerate(zip(index.shape, self.shape)) if d != dim): raise RuntimeError(f"gather index shape {index.shape} is bigger than the input {self.shape} outside dim {dim}")
    n, idx = self.shape[dim], index.transpose(dim, -1)  # (..., m)
    x = self.shrink(tuple((0, index.shape[i]) if i != dim else None for i in range(self.ndim))).transpose(dim, -1)  # (..., n)
    out = idx.unsqueeze(-1).eq(Tensor.arange(n, device=self.device)).where(x.unsqueeze(-2), 0)._reduce(F.Sum, -1).cast(self.dtype)  # by a one-hot (..., m, n): where, not a product (0 * inf elsewhere made nan)
    return idx._valid(n, "gather index").where(out, math.nan if self.dtype.is_float else False).transpose(dim, -1)  # (no nan in ints: 0)
  def cat(self, *args: Tensor, dim: Optional[int] = None) -> Tensor:
    """Join along dim (default 0): a.cat(b, c, dim=1), or PyTorch's Tensor.cat([a, b, c], 1) (an AttributeError)."""
    # (cat([a, b], 1, dim=0) joined along 1 without a word, as the default dim was 0; cat([]) blamed self)
    if isinstance(self, (list, tuple)) and (not self or len(args) > 1 or (args and dim is not None)): raise TypeError(f"cat: takes a non-empty list of tensors and one dim, got {len(self)} tensors, dims {[*args, *([dim] if dim is not None else [])]}")
    if isinstance(self, (list, tuple)): return Tensor.cat(*self, dim=args[0] if args else dim)
    dim, tensors = self._axis(0 if dim is None else dim), [self, *args]
    if bad := [t for t in args if t.ndim != self.ndim or any(a != b for i, (a, b) in enumerate(zip(t.shape, self.shape)) if i != dim)]: raise ShapeError(f"cat: shape {bad[0].shape} doesn't match {self.shape} outside dim {dim}")
    offsets = list(itertools.accumulate([t.shape[dim] for t in tensors], initial=0))
    return Tensor._sum_all([t.pad(tuple((o, offsets[-1] - o - t.shape[dim]) if i == dim else None for i in range(self.ndim))) for t, o in zip(tensors, offsets)])
  _sum_all = staticmethod(lambda ts: functools.reduce(Tensor.__add__, ts))  # ts[0] + ts[1] + ...
  def stack(self, *more: Tensor, dim: int = 0) -> Tensor:
    """Join along a new dim: Tensor.stack([a, b]) or Tensor.stack([a, b], 1) (PyTorch, tinygrad 0.7), a.stack(b) or Tensor.stack(a, b) (tinygrad 0.9)."""
    tensors, dim = (list(self), *(more or (dim,))) if isinstance(self, (list, tuple)) else ([self, *more], dim)  # (Tensor.stack([a, b], 1) dropped the 1)
    return tensors[0].unsqueeze(dim).cat(*[t.unsqueeze(dim) for t in tensors[1:]], dim=dim)
  def repeat(self, repeats, *args) -> Tensor:
    repeats = argfix(repeats, *args)
    base = self.reshape((1,)*(len(repeats) - self.ndim) + self.shape)
    return base.reshape(flatten([(1, s) for s in base.shape])).expand(flatten([(r, s) for r, s in zip(repeats, base.shape)])).reshape([r*s for r, s in zip(repeats, base.shape)])
  def split(self, sizes: Union[int, Sequence[int]], dim: int = 0) -> list:
    dim = self._axis(dim)
    if isinstance(sizes, int): sizes = [min(sizes, self.shape[dim] - i) for i in range(0, max(1, self.shape[dim]), max(1, sizes))]
    if sum(sizes) != self.shape[dim]: raise ShapeError(f"split sizes {list(sizes)} don't add up to dim {dim} of size {self.shape[dim]}")
    offs = list(itertools.accumulate(sizes, initial=0))
    return [self.shrink(tuple((offs[k], offs[k+1]) if i == dim else None for i in range(self.ndim))) for k in range(len(sizes))]
  def chunk(self, n: int, dim: int = 0) -> list: return self.split(math.ceil(s/n), dim) if (s := self.shape[self._axis(dim)]) else self.split([0]*n, dim)  # (an empty dim: n empty chunks, as PyTorch)
  def squeeze(self, dim: Optional[int] = None) -> Tensor:
    if dim is None: return self.reshape(tuple(s for s in self.shape if s != 1))
    return self if self.shape[(dim := self._axis(dim))] != 1 else self.reshape(self.shape[:dim] + self.shape[dim+1:])
  def unsqueeze(self, dim: int) -> Tensor:
    if not -self.ndim - 1 <= dim <= self.ndim: raise IndexError(f"unsqueeze dim {dim} out of range for shape {self.shape}")
    return self.reshape(self.shape[:(dim := dim % (self.ndim + 1))] + (1,) + self.shape[dim:])
  def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor: return self.reshape(self.shape[:(s := self._axis(start_dim) if self.ndim else 0)] + (prod(self.shape[s:(e := self._axis(end_dim) if self.ndim else 0)+1]),) + self.shape[e+1:])
  def transpose(self, dim0: int = 1, dim1: int = 0) -> Tensor:
    a, b = self._axis(dim0), self._axis(dim1)
    return self.permute([b if i == a else a if i == b else i for i in range(self.ndim)])
  @property
  def T(self) -> Tensor: return self.permute(tuple(range(self.ndim))[::-1])  # all dims reversed, as numpy's (it swapped the first two of 3-D)
  def movedim(self, source, destination) -> Tensor:
    src = [self._axis(a) for a in (source if isinstance(source, (tuple, list)) else [source])]
    dst = [self._axis(a) for a in (destination if isinstance(destination, (tuple, list)) else [destination])]
    order = [i for i in range(self.ndim) if i not in src]
    for d, s_ in sorted(zip(dst, src)): order.insert(d, s_)
    return self.permute(order)
  def contiguous(self) -> Tensor: return self if (lb := self.lazydata)._base is None or lb.whole else F.Contiguous.apply(self)  # (as PyTorch: a second tensor on its buffer missed its writes)

  # *** reduce ops ***
  def _reduce(self, fxn, axis=None, keepdim=False) -> Tensor:
    axes = self._axes(axis)
    ret = fxn.apply(self, axis=axes) if axes else self
    return ret if keepdim else ret.reshape(tuple(s for i, s in enumerate(self.shape) if i not in axes))
  def sum(self, axis=None, keepdim=False) -> Tensor: return (self if self.dtype.is_float else self.cast(dtypes.int64))._reduce(F.Sum, axis, keepdim)  # ints and bools sum in int64, as PyTorch
  def max(self, axis=None, keepdim=False) -> Tensor:  # (over a dim of size 0 it gave -inf, an int min 2147483647: a value, unsaid)
    if not all(self.shape[a] for a in self._axes(axis)): raise ValueError(f"max/min over a dim of size 0 (shape {self.shape}, axis {axis}): no value to give")
    return self._reduce(F.Max, axis, keepdim)
  def _rev(self, alone: bool = False) -> Tensor:
    """An order-reversing map that is its own inverse: -x, or -1 - x for ints (-x overflows at the lowest int). alone:
    for ints, a kernel of its own, apart from any reduce (Intel's CPU compiler, on the CPU device's native kernels and
    on CL, turned max(acc, -1 - x) loops and a max's -1 - acc into garbage: an int min of 1.4e9 for -3)."""
    return ((-1 - self.realize()).realize() if alone else -1 - self) if self.dtype.is_int else -self
  def min(self, axis=None, keepdim=False) -> Tensor: return self._rev(True).max(axis, keepdim)._rev(True)
  def any(self, axis=None, keepdim=False) -> Tensor: return self.ne(0).sum(axis, keepdim).ne(0)  # (an empty max is the lowest value: any was True)
  def all(self, axis=None, keepdim=False) -> Tensor: return self.eq(0).any(axis, keepdim).logical_not()
  def _axes(self, axis) -> tuple: return tuple(range(self.ndim)) if axis is None else tuple(self._axis(a) for a in argfix(axis))[:None if self.ndim else 0]  # (a 0-d tensor's dim 0 or -1: none)
  def _count(self, axis) -> int: return prod(self.shape[a] for a in self._axes(axis))
  def mean(self, axis=None, keepdim=False) -> Tensor:  # half sums in float32 (a sum of 70,000 ones overflowed half), then back
    return (x := self._float()).float().sum(axis, keepdim).mul(1 / n if (n := self._count(axis)) else math.nan).cast(x.dtype)  # empty: nan, as numpy
  def var(self, axis=None, keepdim=False, correction=1) -> Tensor:
    x, ax = self._float().float(), self._axes(axis)  # half in float32, as mean: its sum of squares overflowed to inf
    # about each row's first element (detached: the variance does not move with it): 1e7 + N(0, 1) lost 5% to the mean's rounding
    if self._count(axis): x = x - x[tuple(slice(0, 1) if d in ax else slice(None) for d in range(x.ndim))].detach()
    return ((x - x.mean(axis, keepdim=True)).square().sum(axis, keepdim) / max(0, self._count(axis) - correction)).cast(self._float().dtype)
  def std(self, axis=None, keepdim=False, correction=1) -> Tensor:
    # the where: a constant row's gradient is 0, as PyTorch's, not sqrt'(0) = inf times 0. v is realized where it needs a
    # gradient: recomputed by another kernel in the backward (an exp fused in), it was 0 in one and not the other (nan)
    (v := self._float().float().var(axis, keepdim, correction)).lazydata.base.force_realize |= bool(v.requires_grad and v.lazydata.base.srcs)
    return v.eq(0).where(0, v).sqrt().cast(self._float().dtype)  # (half: the sqrt in float32, a variance over 65504 was inf)
  def prod(self, axis=None, keepdim=False) -> Tensor:
    """Product by halving: multiply the two halves until one element is left, log2(n) steps."""
    axes = self._axes(axis)
    rest = [i for i in range(self.ndim) if i not in axes]
    x = (self if self.dtype.is_float else self.cast(dtypes.int64)).permute(rest + list(axes))  # ints in int64, as sum
    x = x.reshape(tuple(self.shape[i] for i in rest) + (self._count(axis),) if self.ndim else (1,))
    x = x.pad(tuple(None for _ in rest) + ((0, 1),), value=1)  # a 1 more: an empty product is 1, as numpy's
    while x.shape[-1] > 1:
      if x.shape[-1] % 2: x = x.pad(tuple(None for _ in x.shape[:-1]) + ((0, 1),), value=1)
      h = x.shape[-1] // 2
      x = x[..., :h] * x[..., h:]
    return x.reshape(tuple(1 if i in axes else s for i, s in enumerate(self.shape)) if keepdim else tuple(self.shape[i] for i in rest))
  def cumsum(self, axis: int = 0) -> Tensor:
    """Running sum along axis: log2(n) shifted adds (Hillis-Steele), so inf and nan stay where they belong. In the
    input's dtype: a large value cancelled further on can take small ones with it ([1e8, -1e8, 1.5] -> [1e8, 0, 0])."""
    if self.ndim == 0: return self.reshape(1).cumsum(axis).reshape(())  # a scalar's running sum is itself, as PyTorch
    axis, x, k = self._axis(axis), self.cast(dtypes.int64) if not self.dtype.is_float else self, 1  # bools count and ints sum in int64, as sum (int32 wrapped)
    while k < self.shape[axis]:
      x = x + x._slice([(-k, s - k) if i == axis else (0, s) for i, s in enumerate(self.shape)])
      k *= 2
    return x
  def _argext(self, x: Tensor, axis, keepdim) -> Tensor:
    if axis is None or self.ndim == 0: return x.flatten()._argext(x.flatten(), 0 if axis is None else self._axis(axis) * 0, False).reshape((1,)*self.ndim if keepdim else ())  # (a 0-d tensor's dim 0 or -1, checked: its element)
    if (n := self.shape[axis := self._axis(axis)]) == 0: raise ValueError(f"argmax/argmin over dim {axis} of size 0 ({self.shape}): no index to give")
    idx = Tensor.arange(n, 0, -1, device=self.device).reshape((n,) + (1,)*(self.ndim - axis - 1))
    nan = x.isnan()  # a nan is the max, as PyTorch (and some devices' max reduce skips nans)
    first = nan.any(axis, keepdim=True).where(nan, x == x.max(axis, keepdim=True)).cast(dtypes.int32) * idx
    return (n - first.max(axis, keepdim=keepdim)).cast(dtypes.int32)
  def argmax(self, axis=None, keepdim=False) -> Tensor: return self._argext(self, axis, keepdim)
  def argmin(self, axis=None, keepdim=False) -> Tensor: return self._argext(self._rev(True), axis, keepdim)
  # half in float32, rounded once (as mean: a row of over 65504 near its max summed to inf, and gave zeros)
  def softmax(self, axis=-1) -> Tensor: return F.Softmax.apply(self._float().float(), axis=self._axes(axis)).cast(self._float().dtype)
  def log_softmax(self, axis=-1) -> Tensor: return F.LogSoftmax.apply(self._float().float(), axis=self._axes(axis)).cast(self._float().dtype)
  def logsumexp(self, axis=None, keepdim=False) -> Tensor:
    m = self._reduce(F.Max, axis, True).detach()  # (empty: -inf, and the sum 0 gives log 0 = -inf, as PyTorch)
    m = m.isinf().where(0, m)  # all -inf (or an inf): no shift, so the row gives -inf (inf), not inf - inf = nan
    ret = ((self - m).float().exp().sum(axis, keepdim=True).log() + m).cast(self._float().dtype)  # (half summed in float32: see softmax)
    return ret if keepdim else ret.reshape(tuple(s for i, s in enumerate(self.shape) if i not in self._axes(axis)))

  # *** processing ops: all movement + elementwise + reduce ***
  def dot(self, w: Tensor) -> Tensor:
    """Matrix product with numpy's broadcasting rules: a broadcast multiply and a sum, which the backend runs as one matmul."""
    if self.ndim == 0 or w.ndim == 0: raise ShapeError(f"can't matmul scalars: shapes {self.shape} and {w.shape}")
    if (k := self.shape[-1]) != w.shape[-2 if w.ndim > 1 else -1]: raise ShapeError(f"matmul shape mismatch: {self.shape} @ {w.shape}")
    if w.ndim == 2 and self.dtype == w.dtype and self.dtype.is_float: return F.Dot.apply(self, w)
    x = self.reshape(*self.shape[:-1], *[1]*min(self.ndim - 1, w.ndim - 1, 1), k)
    w = w.reshape(*w.shape[:-2], *[1]*min(self.ndim - 1, w.ndim - 1, 1), *w.shape[-min(w.ndim, 2):]).transpose(-1, -min(w.ndim, 2))
    return (x * w).sum(-1).cast(d) if (d := dtypes.promote(x.dtype, w.dtype)).is_int else (x * w).sum(-1)  # int: as PyTorch's (int64 of int32-wrapped products)
  def matmul(self, x: Tensor, reverse=False) -> Tensor: return x.dot(self) if reverse else self.dot(x)
  def __matmul__(self, x) -> Tensor: return self.matmul(x if isinstance(x, Tensor) else Tensor(x, device=self.device))  # a numpy array is a tensor
  def __rmatmul__(self, x) -> Tensor: return self.matmul(x if isinstance(x, Tensor) else Tensor(x, device=self.device), True)  # (np_array @ t made an object array)

  def _pool(self, k: tuple, stride=1, dilation=1) -> Tensor:
    """Sliding windows over the last len(k) dims: (..., *i) -> (..., *o, *k), with movement ops only."""
    s_, d_ = make_pair(stride, len(k), 1, "stride: "), make_pair(dilation, len(k), 1, "dilation: ")
    i_ = self.shape[-len(k):]
    if any(i < d*(kk - 1) + 1 for i, d, kk in zip(i_, d_, k)): raise ShapeError(f"window {k} (dilation {d_}) bigger than input {i_}")
    o_ = [(i - d*(kk - 1) - 1)//s + 1 for i, d, kk, s in zip(i_, d_, k, s_)]
    pre, n = self.shape[:-len(k)], len(k)
    if all(d == 1 for d in d_) and (self.requires_grad or all(kk <= s for kk, s in zip(k, s_))):
      # cut each dim into rows of s: x[o*s + a*s + r] = rows[o + a][r], so a window is q = ceil(k/s) stacked row slices.
      # Its gradient is q*q shifted adds; the repeat trick below is one view forward but e*e copies backward.
      q_ = [-(-kk // s) for kk, s in zip(k, s_)]
      x = self._slice([(0, p) for p in pre] + [(0, (o + q - 1)*s) for o, q, s in zip(o_, q_, s_)])
      x = x.reshape(*pre, *flatten((o + q - 1, s) for o, q, s in zip(o_, q_, s_)))
      for j, (o, q, s, kk) in enumerate(zip(o_, q_, s_, k)):
        ax = len(pre) + 2*j
        x = Tensor.stack([x.shrink(tuple((a, a + o) if i == ax else None for i in range(x.ndim))) for a in range(q)], dim=ax + 1)
        x = x.reshape(*x.shape[:ax+1], q*s, *x.shape[ax+3:]).shrink(tuple((0, kk) if i == ax + 1 else None for i in range(x.ndim - 1)))
      return x.permute(*range(len(pre)), *[len(pre) + 2*j for j in range(n)], *[len(pre) + 2*j + 1 for j in range(n)])
    # the repeat trick: each dim repeats e times and is re-read with row length i+d, so row r starts d*r later: x[o*s + r*d]
    e_ = [math.ceil(kk*(i + d)/i) for kk, i, d in zip(k, i_, d_)]
    x = self.reshape(*pre, *flatten((1, i) for i in i_)).expand(*pre, *flatten((e, i) for e, i in zip(e_, i_)))
    x = x.reshape(*pre, *[e*i for e, i in zip(e_, i_)])
    x = x.shrink(tuple(None for _ in pre) + tuple((0, kk*(i + d)) for kk, i, d in zip(k, i_, d_)))
    x = x.reshape(*pre, *flatten((kk, i + d) for kk, i, d in zip(k, i_, d_)))
    x = x.shrink(tuple(None for _ in pre) + tuple(flatten(((0, kk), (0, o*s)) for kk, o, s in zip(k, o_, s_))))
    x = x.reshape(*pre, *flatten((kk, o, s) for kk, o, s in zip(k, o_, s_)))
    x = x.shrink(tuple(None for _ in pre) + tuple(flatten(((0, kk), (0, o), (0, 1)) for kk, o in zip(k, o_))))
    x = x.reshape(*pre, *flatten((kk, o) for kk, o in zip(k, o_)))
    return x.permute(*range(len(pre)), *[len(pre) + 2*j + 1 for j in range(n)], *[len(pre) + 2*j for j in range(n)])

  def conv2d(self, weight: Tensor, bias: Optional[Tensor] = None, groups=1, stride=1, dilation=1, padding=0) -> Tensor:
    """2D cross-correlation, NCHW input, weight (cout, cin/groups, kh, kw), as PyTorch."""
    (bs, cin_), (cout, cin), hw = self.shape[:2], weight.shape[:2], weight.shape[2:]
    if groups*cin != cin_ or self.ndim != weight.ndim or (bias is not None and bias.shape != (cout,)): raise ShapeError(f"conv2d: bias {bias.shape} must be ({cout},)" if groups*cin == cin_ and self.ndim == weight.ndim else f"conv2d: input {self.shape} doesn't match weight {weight.shape} with groups={groups}")  # (a bias (1,) was added to every channel)
    if padding == "same" and make_pair(stride, len(hw)) != (1,)*len(hw): raise ValueError("conv2d: padding='same' needs stride 1")
    if padding == "same": pads = [(d*(k - 1)//2, d*(k - 1) - d*(k - 1)//2) for d, k in zip(make_pair(dilation, len(hw)), hw)]  # PyTorch's
    elif padding == "valid" or isinstance(padding, int) or len(padding) == len(hw): pads = [(p, p) for p in make_pair(0 if padding == "valid" else padding, len(hw), 0, "conv2d padding: ")]
    else: pads = [(padding[2*i], padding[2*i+1]) for i in range(len(hw))][::-1] if len(padding) == 2*len(hw) and not isinstance(padding, str) else make_pair(padding, len(hw), what="conv2d padding: ")  # (5 values: the last dropped; 'full': a TypeError)
    s_, d_, ones = make_pair(stride, len(hw), 1, "conv2d stride: "), make_pair(dilation, len(hw), 1, "conv2d dilation: "), (1,)*len(hw)
    # stride 1: gradients written out (_Conv); a strided conv's input gradient would convolve a gradient mostly zeros,
    # so a stride that divides the kernel becomes a stride-1 conv of the space-to-depth input (4x4/2 -> 2x2 on 4x channels)
    if s_ == ones: ret = _Conv.apply(self, weight, stride=s_, dilation=d_, pads=tuple(pads), groups=groups)
    elif d_ == ones and all(k % s == 0 and n + b + a >= k for k, s, n, (b, a) in zip(hw, s_, self.shape[2:], pads)):
      x = self._slice([(0, bs), (0, cin_)] + [(-b, (n + b + a - k)//s*s + k - b) for k, s, n, (b, a) in zip(hw, s_, self.shape[2:], pads)])
      x, w = (t.reshape(*t.shape[:2], *flatten((n // s, s) for n, s in zip(t.shape[2:], s_))) for t in (x, weight))
      x, w = (t.permute(0, 1, *range(3, t.ndim, 2), *range(2, t.ndim, 2)).reshape(t.shape[0], t.shape[1]*prod(s_), *t.shape[2::2]) for t in (x, w))
      ret = _Conv.apply(x, w, stride=ones, dilation=ones, pads=((0, 0),)*len(hw), groups=groups)
    else: ret = self._conv(weight, s_, d_, tuple(pads), groups)
    return ret if bias is None else ret + bias.reshape(1, -1, *[1]*len(hw))
  def _windows(self, hw: tuple, stride: tuple, dilation: tuple, pads: tuple) -> Tensor:
    """(bs, c, *i) -> (bs, c, *o, *hw): the sliding windows of the input padded by pads ((before, after) per dim; < 0 crops)."""
    return self._slice([(0, self.shape[0]), (0, self.shape[1])] + [(-b, s + a) for (b, a), s in zip(pads, self.shape[2:])])._pool(hw, stride, dilation)
  def _conv(self, weight: Tensor, stride: tuple, dilation: tuple, pads: tuple, groups: int) -> Tensor:
    """conv2d without bias as movement ops, a product and a sum: (bs, cin_, *i) x (cout, cin, *hw) -> (bs, cout, *o)."""
    (bs, cout, cin), hw = (self.shape[0], *weight.shape[:2]), weight.shape[2:]
    x = self._windows(hw, stride, dilation, pads)  # (bs, cin_, *oyx, *hw)
    rcout, oyx = cout // groups, x.shape[2:-len(hw)]
    x = x.reshape(bs, groups, 1, cin, *oyx, *hw)
    w = weight.reshape(1, groups, rcout, cin, *[1]*len(oyx), *hw)
    return (x * w).sum((3, *range(-len(hw), 0))).reshape(bs, cout, *oyx)  # sum over cin and the window
  def conv_transpose2d(self, weight: Tensor, bias: Optional[Tensor] = None, groups=1, stride=1, dilation=1, padding=0, output_padding=0) -> Tensor:
    """The gradient of conv2d with respect to its input: dilate the input by stride, flip the kernel, convolve."""
    hw, n = weight.shape[2:], len(weight.shape[2:])
    w = weight.reshape(groups, weight.shape[0]//groups, weight.shape[1], *hw).transpose(1, 2).flip(*range(3, 3 + n)).reshape(-1, weight.shape[0]//groups, *hw)
    x, s_, d_, p_, op_ = self, make_pair(stride, n, 1, "conv_transpose2d stride: "), make_pair(dilation, n, 1, "conv_transpose2d dilation: "), make_pair(padding, n, what="conv_transpose2d padding: "), make_pair(output_padding, n, what="conv_transpose2d output_padding: ")
    if min(o_ := [(i - 1)*s - 2*p + d*(k - 1) + q + 1 for i, s, p, d, k, q in zip(self.shape[2:], s_, p_, d_, hw, op_)], default=1) < 1: raise ShapeError(f"conv_transpose2d: output size {tuple(o_)} has a dim under 1 (input {self.shape}, kernel {hw}, stride {s_}, padding {p_}, dilation {d_}, output_padding {op_})")
    if any(s > 1 for s in s_):
      x = x.reshape(*x.shape[:2], *flatten((k, 1) for k in x.shape[2:]))
      x = x.pad(((0, 0), (0, 0), *flatten(((0, 0), (0, s - 1)) for s in s_)))
      x = x.reshape(*x.shape[:2], *[k*s for k, s in zip(x.shape[2::2], s_)])
      x = x.shrink(((0, x.shape[0]), (0, x.shape[1]), *[(0, k - (s - 1)) for k, s in zip(x.shape[2:], s_)]))
    # conv2d's flat padding is (left, right, top, bottom): last dim first
    padding = flatten([(d*(k - 1) - p, d*(k - 1) - p + o) for k, d, p, o in zip(hw, d_, p_, op_)][::-1])
    return x.conv2d(w, bias, groups=groups, dilation=dilation, padding=padding)
  def _pool_pad(self, k: tuple, padding, value: float) -> Tensor:
    if any(pp > kk // 2 for pp, kk in zip(make_pair(padding, len(k), 0, "pool padding: "), k)): raise ValueError(f"pool padding {padding} must be at most half the kernel {k}, as PyTorch")
    return self.pad(tuple(None for _ in self.shape[:-len(k)]) + tuple((pp, pp) for pp in make_pair(padding, len(k))), value)
  def max_pool2d(self, kernel_size=(2, 2), stride=None, dilation=1, padding=0) -> Tensor:
    """Max over windows (NCHW); padding pads with -inf (an int type's lowest value), as PyTorch. A window's gradient is
    shared equally among tied maxima, as max() and PyTorch's amax (PyTorch's max_pool2d gives it all to the first)."""
    k = make_pair(kernel_size, 2, 1, "kernel_size: ")
    lowest = -math.inf if self.dtype.is_float else np.iinfo(self.dtype.np).min if self.dtype.is_int else False
    return self._pool_pad(k, padding, lowest)._pool(k, stride if stride is not None else k, dilation).max(tuple(range(-len(k), 0)))
  def avg_pool2d(self, kernel_size=(2, 2), stride=None, padding=0) -> Tensor:
    """Mean over windows (NCHW); padded zeros count, as PyTorch's default count_include_pad=True."""
    k = make_pair(kernel_size, 2, 1, "kernel_size: ")
    return self._pool_pad(k, padding, 0.0)._pool(k, stride if stride is not None else k).mean(tuple(range(-len(k), 0)))

  def triu(self, k: int = 0) -> Tensor: return self._tri(k, upper=True)
  def tril(self, k: int = 0) -> Tensor: return self._tri(k, upper=False)
  def _tri(self, k: int, upper: bool) -> Tensor:
    r, c = self.shape[-2:]
    row, col = Tensor.arange(r, device=self.device).reshape(r, 1), Tensor.arange(c, device=self.device).reshape(1, c)
    return ((col - row >= k) if upper else (col - row <= k)).where(self, Tensor(0, device=self.device, dtype=self.dtype))

  def scaled_dot_product_attention(self, key: Tensor, value: Tensor, attn_mask: Optional[Tensor] = None, *, is_causal: bool = False) -> Tensor:
    """softmax(q k^T / sqrt(d) + mask) v; q, k, v (..., T, d). A bool mask keeps True positions. No dropout: is_causal is
    keyword-only (PyTorch's positional dropout_p was taken for it, a 0.1 making the attention causal)."""
    # (given: a causal mask alone leaves each row its first key); an int mask was added to the scores (a 0/1 one leaked the future in)
    if (given := attn_mask is not None) and not (attn_mask.dtype == dtypes.bool or attn_mask.dtype.is_float): raise TypeError(f"attn_mask: bool or float, not {attn_mask.dtype.name}")
    if is_causal:  # with a mask too, both apply (as PyTorch): the causal one replaced it
      causal = Tensor.ones(self.shape[-2], key.shape[-2], dtype=dtypes.bool, device=self.device).tril()
      attn_mask = causal if attn_mask is None else causal & attn_mask if attn_mask.dtype == dtypes.bool else causal.where(attn_mask, -math.inf)
    scores = (self * (1 / math.sqrt(max(self.shape[-1], 1)))) @ key.transpose(-2, -1)  # scaling q: T*d multiplies, not T*T
    if attn_mask is not None:  # a bool mask as a bias of 0 and -inf: an add over the T*T scores, and nothing to mask backward
      if attn_mask.dtype == dtypes.bool: attn_mask = attn_mask.where(Tensor(0.0, device=self.device, dtype=self.dtype), -math.inf)
      # a row a given mask covers whole gives 0, as PyTorch (a softmax of all -inf was nan): no bias there, its output zeroed
      if given: attn_mask = (dead := attn_mask.eq(-math.inf).all(-1, keepdim=True)).where(0, attn_mask)
      scores = scores + attn_mask
    out = scores.softmax(-1) @ value
    return dead.where(0, out) if given else out
  def layernorm(self, axis=-1, eps: float = 1e-5) -> Tensor:
    """(x - mean) / sqrt(var + eps) over axis, var without correction; in float32 (half rows would overflow the sums)."""
    return F.LayerNorm.apply(self.float(), axis=self._axes(axis), eps=eps).cast(self._float().dtype)

  # *** unary ops ***
  def cast(self, dtype: DType) -> Tensor: return F.Cast.apply(self if dtype.is_float or not self.requires_grad else self.detach(), dtype=dtype) if dtype != self.dtype else self  # an int result has no gradient, as PyTorch
  def float(self) -> Tensor: return self.cast(dtypes.float32)
  def half(self) -> Tensor: return self.cast(dtypes.float16)
  def logical_not(self) -> Tensor: return self.eq(False) if self.dtype == dtypes.bool else self.eq(0)
  def neg(self) -> Tensor: return F.Neg.apply(self) if self.dtype != dtypes.bool else self.logical_not()
  def _float(self) -> Tensor: return self if self.dtype.is_float else self.cast(dtypes.default_float)
  def log(self) -> Tensor: return F.Log.apply(self._float())
  def log2(self) -> Tensor: return self.log() / math.log(2)
  def exp(self) -> Tensor: return F.Exp.apply(self._float())
  def exp2(self) -> Tensor: return F.Exp2.apply(self._float())
  def relu(self) -> Tensor: return F.Relu.apply(self)
  def sigmoid(self) -> Tensor: return F.Sigmoid.apply(self.float()).cast(self._float().dtype)  # half in float32 (exp2 overflowed half: sigmoid(-11.5) gave 0)
  def sqrt(self) -> Tensor: return F.Sqrt.apply(self._float())
  def rsqrt(self) -> Tensor: return self.sqrt().reciprocal()  # (1/x first overflowed for denormal x, and gave nan at -0.0)
  def reciprocal(self) -> Tensor: return F.Recip.apply(self._float())
  def sin(self) -> Tensor: return F.Sin.apply(self._float())
  def cos(self) -> Tensor: return 1 - 2*(self._float()*0.5).sin().square()  # sin(pi/2 - x) lost digits past |x| ~ 1e3 (pi/2 - x rounded)
  def tan(self) -> Tensor: return self.sin() / self.cos()
  def trunc(self) -> Tensor:
    # |x| < 2**31 goes through int32; bigger floats already are whole numbers, and ints are (int64's lowest went to 0)
    return (self.abs() < 2**31).where(self.cast(dtypes.int32).cast(self.dtype), self) if self.dtype.is_float else self
  def floor(self) -> Tensor: return (self < (t := self.trunc())).where(t - 1, t)
  def ceil(self) -> Tensor: return (self > (t := self.trunc())).where(t + 1, t)
  def round(self) -> Tensor:
    """Round half to even, as numpy."""
    if not self.dtype.is_float: return self
    f = (self.abs() >= 2.0**{2: 10, 4: 23, 8: 52}[self.dtype.itemsize]).where(self, self + 0.5).floor()  # from 2^mantissa bits on every float is whole (and x + 0.5 rounds up)
    return ((f - self).eq(0.5) & (f % 2).abs().eq(1)).where(f - 1, f)  # a tie rounded up to an odd number goes down
  def square(self) -> Tensor: return self*self
  def clip(self, min_=None, max_=None) -> Tensor:
    """Clamp into [min_, max_]; as PyTorch, the gradient is 1 on the bounds too, and a NaN bound gives NaN (it was ignored)."""
    x = self if min_ is None else ((self < min_) | (min_ != min_)).where(min_, self)
    return x if max_ is None else ((x > max_) | (max_ != max_)).where(max_, x)
  clamp = clip
  # at 0 maximum's tie splits the gradient: 0.5 - 0.5 = 0; + 0.0 as max(0, -0) is -0; a bool's -x is not x
  def abs(self) -> Tensor: return self if self.dtype == dtypes.bool else self.maximum(-self) + 0.0 if self.dtype.is_float else self.maximum(-self)
  def sign(self) -> Tensor: return F.Sign.apply(self)
  def isnan(self) -> Tensor: return self.ne(self)
  def isinf(self) -> Tensor: return self.abs().eq(math.inf) if self.dtype.is_float else self.ne(self)
  def tanh(self) -> Tensor:  # near 0, 2*sigmoid(2x) - 1 cancels (tanh(1e-8) came out 0, 80 ulps off at 0.0154): a series under 0.1
    x2 = (x := (small := self.abs() < 0.1).where(self, 0).float()).square()  # (x only where small: x^5 overflowed and 0 * inf gave a nan gradient)
    return small.where(x * (1 - x2 * (1/3 - x2 * (2/15 - x2 * (17/315)))), 2.0 * ((2.0 * self.float()).sigmoid()) - 1.0).cast(self._float().dtype)  # (half in float32: 2s - 1 cancelled, 11 ulp)
  def sinh(self) -> Tensor: return ((x := self.float())._expm1() - x.neg()._expm1()).div(2).cast(self._float().dtype)  # (exp(x) - exp(-x) cancelled near 0: sinh(1e-20) was 0)
  def cosh(self) -> Tensor: return ((x := self.float()).exp() + x.neg().exp()).div(2).cast(self._float().dtype)  # (half in float32: e^11.5 overflowed half)
  def relu6(self) -> Tensor: return self.hardtanh(0, 6)
  def hardswish(self) -> Tensor: return self * ((self + 3).relu6() * (1/6))  # (x * relu6(x + 3) overflowed half past 10916)
  # clip, but as PyTorch the gradient is 0 on the bounds (so relu6'(0) = relu6'(6) = 0)
  def hardtanh(self, min_val=-1, max_val=1) -> Tensor: return ((self > min_val) * (self < max_val)).where(self, self.detach().clip(min_val, max_val))
  def leakyrelu(self, neg_slope=0.01) -> Tensor: return (self > 0).where(self, self*neg_slope)
  # exp of min(x, 0): exp never overflows, so large inputs get no inf*0 = nan gradients; elu'(0) = 1, as PyTorch
  # e^x - 1 lost x's digits near 0 (elu(-1e-6) came out 4.6% off): a series under 0.1, of x only where small (see tanh)
  def _expm1(self) -> Tensor: return (small := self.abs() < 0.1).where((x := small.where(self, 0)) * (1 + x * (1/2 + x * (1/6 + x * (1/24 + x * (1/120 + x / 720))))), self.exp() - 1)
  def elu(self, alpha=1.0) -> Tensor: return self.relu() + alpha*(self > 0).where(0, self)._expm1()
  def celu(self, alpha=1.0) -> Tensor: return self.relu() + alpha*((self > 0).where(0, self) / alpha)._expm1()
  def swish(self) -> Tensor: return F.Silu.apply(self.float()).cast(self._float().dtype)  # (half: see sigmoid)
  def silu(self) -> Tensor: return self.swish()
  def gelu(self) -> Tensor: return F.Gelu.apply(self.float()).cast(self._float().dtype)  # (half: see sigmoid); tanh approximation, as PyTorch's approximate="tanh"
  def quick_gelu(self) -> Tensor: return self * (self * 1.702).sigmoid()
  # stable: log(1+e^x) = max(x,0) + log1p(e^-|x|); maximum's tie rule gives softplus'(0) = 0.5, as PyTorch
  def softplus(self, beta=1) -> Tensor: return ((x := self * beta).maximum(0) + x._log1p_exp_neg_abs()) * (1/beta)
  # log1p(e^-|x|), log1p(u) as Kahan's log(w)*u/(w-1), w = 1+u (1 where w is: 0/0 in the branch not taken gave a nan
  # gradient): log(1+u) lost u under 6e-8 (softplus(-20) was 0, not 2e-9)
  def _log1p_exp_neg_abs(self) -> Tensor: return (one := (w := (u := (-self.float().abs()).exp()) + 1).eq(1)).where(u, w.log() * u / one.where(1, w - 1)).cast(self._float().dtype)  # (half: in float32, its products fell into subnormals)
  def mish(self) -> Tensor: return self * self.softplus().tanh()
  def softsign(self) -> Tensor: return self / (1 + self.abs())

  # *** broadcasted binary ops ***
  def _broadcasted(self, y, reverse: bool = False) -> tuple:
    x: Tensor = self
    if not isinstance(y, (Tensor, np.ndarray)):  # (a numpy array is a tensor, as PyTorch takes it: it said "only 0-dimensional arrays ...")
      if isinstance(y, np.generic): y = y.item()  # numpy scalars as Python's: np.int64(2**40) promotes, np.float32 is a float
      dt = x.dtype if not (isinstance(y, float) and not x.dtype.is_float) else dtypes.default_float
      if isinstance(y, int) and not isinstance(y, bool) and (x.dtype.is_int or x.dtype == dtypes.bool): dt = dtypes.promote(x.dtype, _int_dtype(y, y))  # b + 1 counts
      if isinstance(y, bool) and x.dtype != dtypes.bool: dt = x.dtype
      if x.dtype != dt: x = x.cast(dt)
      if dt.is_int and isinstance(y, int) and not isinstance(y, bool): _check_fits(y, y, dt)
      y = Tensor(x.lazydata.const(y), device=x.device)  # broadcast already: a view of one constant, no autograd ops
    elif x.dtype != (y := y if isinstance(y, Tensor) else Tensor(y, device=x.device)).dtype: x, y = x.cast(dt := dtypes.promote(x.dtype, y.dtype)), y.cast(dt)
    if reverse: x, y = y, x
    if x.shape == y.shape: return x, y
    shape = broadcast_shape(x.shape, y.shape)
    return x._expand_to(shape), y._expand_to(shape)
  def _expand_to(self, shape: tuple) -> Tensor: return self.expand(shape)  # (leading dims of 1 added)
  def add(self, x, reverse=False) -> Tensor: return F.Add.apply(*self._broadcasted(x, reverse))
  def sub(self, x, reverse=False) -> Tensor: return F.Sub.apply(*self._broadcasted(x, reverse))
  def mul(self, x, reverse=False) -> Tensor: return F.Mul.apply(*self._broadcasted(x, reverse))
  def div(self, x, reverse=False) -> Tensor:
    x, y = self._broadcasted(x, reverse)
    if not x.dtype.is_float: x, y = x.cast(dtypes.default_float), y.cast(dtypes.default_float)
    return F.Div.apply(x, y)
  def idiv(self, x, reverse=False) -> Tensor: return F.Div.apply(*self._broadcasted(x, reverse))
  def mod(self, x, reverse=False) -> Tensor:
    """Remainder with the sign of the divisor, as Python's % and PyTorch's remainder (a - floor(a/b)*b)."""
    a, b = self._broadcasted(x, reverse)
    r = F.Mod.apply(a, b)  # C's fmod: the sign of the dividend
    return (r.ne(0) & (r < 0).ne(b < 0)).where(r + b, r)
  def fmod(self, x) -> Tensor: return F.Mod.apply(*self._broadcasted(x))
  def pow(self, x, reverse=False) -> Tensor:
    # a constant exponent: one Function; an int tensor's ** 2.0 or ** -2 in float (it wrapped in int32)
    if not reverse and isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x): return F.PowConst.apply(self._float() if isinstance(x, float) or x < 0 else self, e=x)
    if (dt := (xs := self._broadcasted(x, reverse))[0].dtype).is_int:  # by squaring over e's bits: exact, wrapping as PyTorch (exp2(e log2 b) in float32 gave 7 ** 7 = 823544)
      r, b, e = xs[0] * 0 + 1, xs[0], xs[1].abs()
      for _ in range(8 * dt.itemsize - 1): r, b, e = (e % 2).eq(1).where(r * b, r), b * b, e // 2
      return ((xs[1] < 0) & xs[0].abs().ne(1)).where(0, r)  # b ** -e: 1 / b^e truncated, 0 but for b = +-1 (as PyTorch's tensor exponents; numpy refuses)
    base, ex = xs[0].float(), xs[1].float()  # float16 in float32, rounded once (each op rounded: 7 ** 3.0 gave 343.8)
    # |b|^e via exp/log, then the sign as C's pow: a negative base (-0.0 too) gives -|b|^e for odd whole e, a negative
    # finite one nan for e not whole. 0^e for e >= 0 is set apart (1 for e = 0, else 0), with gradients 0 (PyTorch's
    # for e = 0 and e >= 1; it gives inf for 0 < e < 1): log(0) = -inf times a 0 gradient made them nan
    zero = base.eq(0) & (ex >= 0)
    mag = zero.where(ex.eq(0), (zero.where(1, base.abs()).log() * ex).exp())
    odd, neg = (ex % 2).abs().eq(1), (base < 0) | base.eq(0) & (base.reciprocal() < 0)
    ret = odd.where(neg.where(-mag, mag), ((base < 0) & base.isinf().logical_not() & ex.ne(ex.trunc())).where(math.nan, mag))
    return (ret.isnan() & (ex.eq(0) | base.eq(1) | base.abs().eq(1) & ex.isinf())).where(1.0, ret).cast(dt if dt.is_float else dtypes.default_float)  # 0**0, inf**0, 1**nan, (-1)**inf
  def maximum(self, x) -> Tensor: return F.Maximum.apply(*self._broadcasted(x))
  def minimum(self, x) -> Tensor:
    a, b = self._broadcasted(x)
    return a._rev().maximum(b._rev())._rev()
  def where(self, x, y) -> Tensor:
    """self (a condition) picks x where true, y where false."""
    cond = self if self.dtype == dtypes.bool else self.ne(0)
    if isinstance(x, Tensor): x, y = x._broadcasted(y)
    elif isinstance(y, Tensor): x, y = y._broadcasted(x, reverse=True)
    else: x, y = Tensor(x, device=self.device)._broadcasted(y)
    shape = broadcast_shape(cond.shape, x.shape)
    return F.Where.apply(cond._expand_to(shape), x._expand_to(shape), y._expand_to(shape))

  def __neg__(self) -> Tensor: return self.neg()
  def __add__(self, x) -> Tensor: return self.add(x)
  def __sub__(self, x) -> Tensor: return self.sub(x)
  def __mul__(self, x) -> Tensor: return self.mul(x)
  def __pow__(self, x) -> Tensor: return self.pow(x)
  def __truediv__(self, x) -> Tensor: return self.div(x)
  def __floordiv__(self, x, reverse=False) -> Tensor:
    a, b = self._broadcasted(x, reverse)  # ints exactly (through float32 most of 20,000 random int32 quotients were off)
    if not a.dtype.is_int:  # floats (an int over a float too) from fmod, as Python and PyTorch: floor(7 / 0.1) gave 70, not 69
      q = (a - (r := F.Mod.apply(a, b))) / b - (r.ne(0) & (r < 0).ne(b < 0)).where(1, 0)
      return b.eq(0).where(a / b, q.round())  # q is whole up to rounding ((q - 0.5).ceil() took 1 from odd q in [2^23, 2^24))
    q = F.Div.apply(a, b)        # C's truncation, one less where the remainder and the divisor differ in sign; by 0: 0, as numpy
    return ((a - q*b).ne(0) & (a < 0).ne(b < 0) & b.ne(0)).where(q - 1, q)  # (-7 // 0 gave -1)
  def __mod__(self, x) -> Tensor: return self.mod(x)
  def __rmod__(self, x) -> Tensor: return self.mod(x, True)
  def __rfloordiv__(self, x) -> Tensor: return self.__floordiv__(x, True)  # (2.5 // a half tensor was float32, as Tensor(2.5))
  def __radd__(self, x) -> Tensor: return self.add(x, True)
  def __rsub__(self, x) -> Tensor: return self.sub(x, True)
  def __rmul__(self, x) -> Tensor: return self.mul(x, True)
  def __rpow__(self, x) -> Tensor: return self.pow(x, True)
  def __rtruediv__(self, x) -> Tensor: return self.div(x, True)
  def __lt__(self, x) -> Tensor: return F.Less.apply(*self._broadcasted(x, False))
  def __gt__(self, x) -> Tensor: return F.Less.apply(*self._broadcasted(x, True))
  def __ge__(self, x) -> Tensor: return (self > x) | self.eq(x)  # not not(self < x): false with NaN, as numpy
  def __le__(self, x) -> Tensor: return (self < x) | self.eq(x)
  def eq(self, x) -> Tensor: return F.Eq.apply(*self._broadcasted(x))
  def _logic(self, x, fxn) -> Tensor:
    if self.dtype != dtypes.bool or not (x.dtype == dtypes.bool if isinstance(x, Tensor) else isinstance(x, (bool, np.bool_))): raise TypeError(f"& | ^ need bool tensors (or True/False), got {self.dtype.name} and {x.dtype.name if isinstance(x, Tensor) else type(x).__name__}")  # (b | 1 added: [2, 1])
    return fxn(*self._broadcasted(x))
  def __and__(self, x) -> Tensor: return self._logic(x, F.Mul.apply)
  def __or__(self, x) -> Tensor: return self._logic(x, F.Add.apply)
  def __xor__(self, x) -> Tensor: return self._logic(x, lambda a, b: a.ne(b))
  def __invert__(self) -> Tensor: return self._logic(False, lambda a, b: a.logical_not())
  def ne(self, x) -> Tensor: return self.eq(x).logical_not()
  def __eq__(self, x) -> Tensor: return self.eq(x)  # type: ignore[override]
  def __ne__(self, x) -> Tensor: return self.ne(x)  # type: ignore[override]

  # *** functional nn ***
  def linear(self, weight: Tensor, bias: Optional[Tensor] = None) -> Tensor:
    x = self * weight if weight.ndim == 1 else self.dot(weight)
    return x + bias if bias is not None else x
  def sequential(self, ll: list) -> Tensor: return functools.reduce(lambda x, f: f(x), ll, self)
  def dropout(self, p=0.5) -> Tensor:  # (p = -0.5 scaled every element by 2/3, p = 1 divided by zero: PyTorch refuses, and gives 0)
    if not 0 <= p <= 1: raise ValueError(f"dropout: p must be in [0, 1], got {p}")
    return self if not Tensor.training or p == 0 else self * ((Tensor.rand(*self.shape, device=self.device) >= p).cast(self.dtype) * (1/(1.0 - p)) if p < 1 else 0)
  # PyTorch's: each log at least -100, so a probability of exactly 0 or 1 (sigmoid(20) in float32) gives a finite loss and
  # gradient (0 * log 0 was NaN); the log reads 1 where p is 0, so no 0/0 comes back through the where. A p outside [0, 1]
  # (logits given: PyTorch raises) or NaN (a diverged model: it read as a loss of 100 with gradient 0) gives NaN
  # a target must have the input's shape or broadcast to it (logits (N, 1) and targets (N,) gave the mean of an (N, N) grid)
  def binary_crossentropy(self, y: Tensor) -> Tensor: return (-(y := self._target(y))*self._log100() - (1 - y)*(1 - self)._log100()).mean()
  def _target(self, y) -> Tensor: return (y if isinstance(y, Tensor) else Tensor(y, device=self.device))._expand_to(self.shape).cast(self.dtype)  # (a bool one's -y was not y: the loss -0.46 for 0.23)
  def _log100(self) -> Tensor: return self.eq(0).where(-100, (ok := (self > 0) & (self <= 1)).where(ok.where(self, 1).log().maximum(-100), math.nan))
  def binary_crossentropy_logits(self, y: Tensor) -> Tensor: return (self.maximum(0) - self._target(y)*self + self._log1p_exp_neg_abs()).mean()  # (the small term last)
  def sparse_categorical_crossentropy(self, Y: Tensor, ignore_index: int = -1, label_smoothing: float = 0.0, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of int labels Y (...) under logits self (..., C), skipping ignore_index (tinygrad's)."""
    return self.log_softmax(-1)._nll(Y, ignore_index, label_smoothing, reduction)
  def cross_entropy(self, target: Tensor, reduction: str = "mean", label_smoothing: float = 0.0, ignore_index: int = -100) -> Tensor:
    """PyTorch's F.cross_entropy: logits (N, C, ...) or (C,), target class indices (N, ...) or class probabilities like self."""
    logp = self.log_softmax(cdim := 0 if self.ndim == 1 else 1)
    if target.dtype.is_int: return logp.movedim(cdim, -1)._nll(target, ignore_index, label_smoothing, reduction)
    if target.shape != self.shape: raise RuntimeError(f"cross_entropy: probability target {target.shape} must have the input's shape {self.shape}")
    target = target * (1 - _smoothing(label_smoothing)) + label_smoothing / self.shape[cdim]
    loss = -(logp * target).sum(cdim)
    return loss._reduced(reduction, max(1, loss.numel()) if reduction == "mean" else None)
  def _nll(self, Y: Tensor, ignore_index: int, label_smoothing: float, reduction: str) -> Tensor:
    """self: log-probabilities (..., C); Y: int labels (...). A label out of range raises IndexError or makes its loss NaN."""
    if Y.shape != self.shape[:-1]: raise RuntimeError(f"labels of shape {Y.shape} don't match log-probabilities {self.shape}: expected {self.shape[:-1]}")
    C, keep = self.shape[-1], Y.ne(ignore_index)
    onehot = Y.unsqueeze(-1).eq(Tensor.arange(C, device=self.device))
    nll = -onehot.where(self, 0).sum(-1)  # where, not a product: a -inf log-probability elsewhere can't make nan
    if _smoothing(label_smoothing): nll = nll * (1 - label_smoothing) - self.mean(-1) * label_smoothing
    nll = (Y._valid(C, "label", ignore_index)).where(keep.where(nll, 0), math.nan)
    return nll._reduced(reduction, keep.sum().float())  # (a half count rounded 5001 to 5000)
  def _reduced(self, reduction: str, count) -> Tensor:
    if reduction not in ("mean", "sum", "none"): raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    return self if reduction == "none" else self.sum() if reduction == "sum" else (self.float().sum() / count).cast(self.dtype)  # (a half sum: inf past 65504)
  def one_hot(self, num_classes: int) -> Tensor:
    """Int labels (...) -> (..., num_classes) of 0 and 1 in the default float type; a label out of range: IndexError if it is
    realized on the CPU, else a row of NaN (it was all zeros)."""
    return self._valid(num_classes, "label").unsqueeze(-1).where(self.unsqueeze(-1).eq(Tensor.arange(num_classes, device=self.device)).cast(dtypes.default_float), math.nan)

@contextmanager
def _mode(name: str, value: bool):
  """Tensor.<name> (a class-wide mode) set to value inside the block."""
  prev = getattr(Tensor, name)
  setattr(Tensor, name, value)
  try: yield
  finally: setattr(Tensor, name, prev)

def no_grad(): return _mode("no_grad", True)  # inside this block no autograd graph is kept


# t += x, t //= x, t &= m, ...: in place (see Tensor._inplace); without one, Python rebinds the name (a view's write was lost)
for _op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "and", "or", "xor"):
  setattr(Tensor, f"__i{_op}__", lambda self, x, f=getattr(Tensor, f"__{_op}__"): self._inplace(f, x))

class _Conv(F.Function):
  """A stride-1 conv2d with its gradients written out. Autograd through the window view would make the input's gradient
  a (cin*kh*kw)-row column matrix and then kh*kw shifted adds of it; here it is one transposed convolution: the output
  gradient correlated with the flipped weights (a window view and one matmul)."""
  def forward(self, x: LazyBuffer, w: LazyBuffer, stride: tuple, dilation: tuple, pads: tuple, groups: int) -> LazyBuffer:
    self.x, self.w, self.args = x, w, (stride, dilation, pads, groups)  # stride is all 1s
    return Tensor(x, x.device, requires_grad=False)._conv(Tensor(w, w.device, requires_grad=False), stride, dilation, pads, groups).lazydata
  def backward(self, g: LazyBuffer) -> tuple:
    (stride, dilation, pads, groups), n = self.args, len(self.args[0])
    x, w, g = (Tensor(b, b.device, requires_grad=False) for b in (self.x, self.w, g))  # no graph: plain ops on lazy buffers
    (bs, cout, cin), hw, oyx = (x.shape[0], *w.shape[:2]), w.shape[2:], g.shape[2:]
    # output_padding b - a gives the input back when its padding was uneven
    dx = g.conv_transpose2d(w, groups=groups, dilation=dilation, padding=tuple(b for b, _ in pads), output_padding=tuple(b - a for b, a in pads)).lazydata if self.needs_input_grad[0] else None
    dw = None
    if self.needs_input_grad[1]:
      win = x._windows(hw, stride, dilation, pads).reshape(bs, groups, 1, cin, *oyx, *hw)
      dw = (win * g.reshape(bs, groups, cout // groups, 1, *oyx, *[1]*n)).sum((0, *range(4, 4 + n))).reshape(cout, cin, *hw).lazydata
    return dx, dw

class _Repeats(F.Function):  # a place written n times takes the mean of its writes; each write's gradient is whole, as PyTorch's
  def forward(self, s: LazyBuffer, n: LazyBuffer) -> LazyBuffer: return s.e(BinaryOps.DIV, n.e(BinaryOps.MAX, n.const(1)).cast(s.dtype))
  def backward(self, g: LazyBuffer) -> tuple: return g, None
class _Scatter(F.Function):
  """x (shaped like t[idx]) placed at [idx] in zeros of shape: the gradient of the gather t[idx], taken by autograd (so every
  index kind works). Its own gradient is that gather."""
  def forward(self, x: LazyBuffer, shape: tuple, idx) -> LazyBuffer:
    self.idx = idx
    with _mode("no_grad", False):
      z = Tensor._wrap(Tensor.zeros(*shape, dtype=x.dtype, device=x.device).lazydata, True, None)  # (an int one too: a scatter's own)
      z[idx].backward(Tensor(x, x.device))
    return z.grad.lazydata
  def backward(self, g: LazyBuffer) -> LazyBuffer: return Tensor(g, g.device, requires_grad=False)[self.idx].lazydata
