"""Optimizers (PyTorch's update rules), gradient clipping and learning-rate schedules.
The learning rate and the step counts (Adam's, per parameter) are realized Tensors updated in place, not constants folded
into kernels: changing lr every step keeps every kernel the same, so nothing is recompiled and drivegpt.jit can replay
the step (the step count advances inside the replayed kernels too). Set lr outside a jitted step: a replay runs no
Python, so an lr set inside it stays the recording call's."""
from __future__ import annotations
import math, sys, warnings, weakref
from typing import Optional
import numpy as np
from drivegpt import Tensor, dtypes, realize
from drivegpt.nn import get_parameters  # noqa: F401  (tinygrad 0.7 users import it from here)

def _scalar(x, dtype=dtypes.float32, device=None) -> Tensor: return Tensor(np.array(x, dtype=dtype.np), device=device, dtype=dtype).realize()

def _tensors(params, who: str) -> list:
  """params as a list of Tensors, or a TypeError naming what was given (a lone Tensor was iterated into its rows: views
  that get no gradient; a state dict into its key strings; a Linear's None bias failed on '_ctx')."""
  if isinstance(params, (Tensor, dict)):
    raise TypeError(f"{who}: params must be a list of Tensors, got a {type(params).__name__}: " + ("pass [t]" if isinstance(params, Tensor) else "pass get_parameters(model)"))
  params = list(params)
  if (bad := next((i for i, p in enumerate(params) if not isinstance(p, Tensor)), None)) is not None:
    raise TypeError(f"{who}: params[{bad}] is {type(params[bad]).__name__}, not a Tensor" + (" (a layer made with bias=False has no bias)" if params[bad] is None else ""))
  return params

def _at_least_0(who: str, **values) -> None:
  for k, v in values.items():  # (momentum -0.5 trained without a word; PyTorch refuses these)
    if not (isinstance(v, (int, float, np.number)) and not isinstance(v, bool) and v >= 0): raise ValueError(f"{who}: {k} must be a number >= 0, got {v!r}")

def _copies_without_graph(p: Tensor) -> list[Tensor]:
  """The copies taken of p (a flip, an expand, a reshape of its transpose), through views of it too, that have no graph."""
  todo, found = [p], []
  while todo:
    for v in todo.pop()._viewers():
      if v._view[1] is not None: todo.append(v)
      elif v._ctx is None and not v._view[3]: found.append(v)
  return found

class Optimizer:
  """What all optimizers share: the parameter list, lr as a Tensor, zero_grad, and one batched realize per step."""
  def __init__(self, params: list[Tensor], lr: float):
    self.params = list({id(p): p for p in _tensors(params, type(self).__name__)}.values())  # by id: tied weights are updated once
    if not self.params: raise ValueError("optimizer got an empty parameter list")
    # a view of another parameter (a module's wt = w.T) got a gradient of its own, and the step failed half done (w
    # updated, then a write into the view refused); a result of a graph is not a leaf: PyTorch refuses both here
    if (bad := next((i for i, p in enumerate(self.params) if p._ctx is not None or any(s is q for s in _sources(p) for q in self.params)), None)) is not None:
      raise ValueError(f"optimizer: parameter {bad} is {'a view of another parameter (w.T of w, say)' if self.params[bad]._ctx is None else 'computed from other tensors, not a leaf'}: "
                       "pass only the tensor it comes from")
    for p in self.params:
      if p.requires_grad is None: p.requires_grad = p.dtype.is_float  # undecided (freshly initialized) float tensors become trainable (an int one can't be)
    # frozen ones are left out; one unfrozen later would get gradients and never an update: step() refuses that
    self.params, self.frozen = [p for p in self.params if p.requires_grad], [p for p in self.params if not p.requires_grad]
    was, Tensor.no_grad = Tensor.no_grad, False  # (an optimizer made under no_grad took the views again without their graph)
    try:
      for p in self.params:  # a weight still lazy (Tensor.zeros) is made a buffer of its own: left lazy, it was folded into
        # a jitted step recorded before training. Through _set_data: a detach of it follows it (it kept the zeros), and the
        # views taken while it was undecided (a module's wt = w.T at build time) are taken again with a graph (w never trained)
        if copies := _copies_without_graph(p):
          level, f = 1, sys._getframe()   # the caller's line, past this file's frames (SGD, Adam, AdamW's)
          while f is not None and f.f_code.co_filename == __file__: f, level = f.f_back, level + 1
          warnings.warn(f"optimizer: {len(copies)} copy(ies) of a parameter (w.flip(), w.expand(), w.pad(): not views) taken before "
                        "the optimizer was made keep its value of then and pass it no gradient: take them after", stacklevel=level)
        p._set_data(p.lazydata if p.lazydata.is_realized else p.lazydata.contiguous())
    finally: Tensor.no_grad = was
    Tensor.corealize(self.params)
    self.device = self.params[0].device if self.params else None  # the optimizer's own tensors live with the weights
    self.step_t = _scalar(0, dtypes.int64, self.device)
    self.lr_t = _scalar(_checked_lr(lr), device=self.device)

  @property
  def lr(self) -> float: return float(self.lr_t.item())
  @lr.setter
  def lr(self, value: float):
    if realize.CAPTURE is not None and not getattr(self, "_lr_said", False):  # (a schedule inside the step: frozen, unsaid)
      self._lr_said = True
      warnings.warn("optimizer: lr set inside a jitted step: its replays run no Python and keep the lr of the call that recorded "
                    "them (a new lr as the step's argument records again): set lr before calling the step", stacklevel=2)
    self.lr_t.assign(_scalar(_checked_lr(value), device=self.device)).realize()  # in place: the buffer kernels read stays the same
  @property
  def step_count(self) -> int: return int(self.step_t.item())

  def zero_grad(self) -> None:
    for p in self.params: p.grad = None

  def step(self, *also: Tensor) -> None:
    """Update every parameter that has a gradient; `also` (e.g. the loss) is realized in the same batch, and so are the
    gradients: left lazy, each would still read the old weights after the update (its graph holds the forward pass)."""
    if any(p.grad is not None for p in self.frozen):
      raise RuntimeError("optimizer step: a parameter that was frozen (requires_grad=False) when the optimizer was made has a "
                         "gradient now, and this optimizer never updates it: make the optimizer after unfreezing")
    grads = [p.grad for p in self.params if p.grad is not None]
    # recorded by a jitted step, the settings are folded into its kernels: a replay after one changes records again (only
    # lr, a tensor, was seen: weight_decay 0 -> 0.5 did nothing)
    if realize.CAPTURE is not None: realize.GUARDS[(id(self), "settings")] = (weakref.ref(self), "settings")
    Tensor.corealize([*self._updates(), self.step_t.assign(self.step_t + 1), *grads, *also])

  SETTINGS: tuple = ()  # the attributes _updates folds into its kernels as numbers
  @property
  def settings(self) -> tuple: return tuple(getattr(self, k) for k in self.SETTINGS)

  def _updates(self) -> list[Tensor]: raise NotImplementedError

  def _state(self) -> dict[str, list[Tensor]]: return {}
  def state_dict(self) -> dict[str, Tensor]:
    """Tensors to checkpoint: lr, the step count and the per-parameter buffers, named by buffer and parameter index."""
    ret = {"lr": self.lr_t, "step": self.step_t}
    for name, bufs in self._state().items(): ret.update({f"{name}.{i}": b for i, b in enumerate(bufs)})
    return ret
  def upgrade(self, state: dict) -> dict:
    """A state dict saved by an older version of this optimizer, in today's form (checkpoints call it before checking)."""
    return state
  def load_state_dict(self, state: dict[str, Tensor]) -> None:
    """Restore what state_dict saved; every key, shape and dtype is checked before anything changes."""
    own, state = self.state_dict(), self.upgrade(state)
    if missing := [k for k in own if k not in state]: raise KeyError(f"optimizer load_state_dict: missing key {missing[0]!r}")
    if extra := [k for k in state if k not in own]: raise KeyError(f"optimizer load_state_dict: unexpected key {extra[0]!r}")
    from drivegpt.nn import _as_tensor  # arrays of any library, as nn.load_state_dict takes (a numpy float32 "is not float32")
    state = {k: _as_tensor(state[k], k) for k in own}
    for k, t in own.items():
      if tuple(state[k].shape) != t.shape or state[k].dtype != t.dtype:
        raise ValueError(f"optimizer load_state_dict: {k!r} is {state[k].dtype} {tuple(state[k].shape)}, expected {t.dtype} {t.shape}")
    Tensor.corealize([t.assign(state[k].to(t.device).detach()) for k, t in own.items()])

def _sources(p: Tensor):
  """The tensors p is a view of, nearest first (w[0][1:]: w[0], then w)."""
  while p._view is not None: yield (p := p._view[0])

def _checked_lr(lr: float) -> float:
  # (a Tensor lr raised "the truth value of a Tensor is ambiguous": the lr is a number the optimizer keeps on the device)
  if isinstance(lr, (Tensor, str, bytes)) or np.ndim(lr) != 0: raise TypeError(f"optimizer: lr must be a number, got {type(lr).__name__}" + (" (lr.item())" if isinstance(lr, Tensor) else ""))
  if not lr >= 0: raise ValueError(f"optimizer: lr must be >= 0, got {lr}")  # (lr=-1 climbed the loss; PyTorch refuses it too)
  return lr

def _zeros_like(p: Tensor, dtype=None) -> Tensor:
  return Tensor(np.zeros(p.shape, (dtype or p.dtype).np), device=p.device, dtype=dtype or p.dtype)

class SGD(Optimizer):
  """PyTorch's SGD: g += wd*p; buf = momentum*buf + g; g = g + momentum*buf (nesterov) or buf; p -= lr*g."""
  SETTINGS = ("momentum", "weight_decay", "nesterov")
  def __init__(self, params: list[Tensor], lr: float, momentum: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False):
    super().__init__(params, lr)
    _at_least_0("SGD", momentum=momentum, weight_decay=weight_decay)
    if nesterov and momentum <= 0: raise ValueError("SGD: nesterov needs momentum > 0")
    self.momentum, self.weight_decay, self.nesterov = momentum, weight_decay, nesterov
    # PyTorch starts buf at the first gradient; starting at zero gives the same value: momentum*0 + g == g
    self.bufs = [_zeros_like(p) for p in self.params] if momentum else []
  def _state(self): return {"momentum": self.bufs} if self.momentum else {}
  def _updates(self) -> list[Tensor]:
    out = []
    for i, p in enumerate(self.params):
      if p.grad is None: continue
      g = p.grad.detach()
      if self.weight_decay: g = g + self.weight_decay * p.detach()
      if self.momentum:
        if not self.bufs: raise ValueError("SGD: momentum was 0 when this optimizer was made, so it keeps no momentum buffers: make it with the momentum it will use")
        self.bufs[i].assign(self.momentum * self.bufs[i] + g)
        g = g + self.momentum * self.bufs[i] if self.nesterov else self.bufs[i]
        out.append(self.bufs[i])
      out.append(p.assign((p.detach() - self.lr_t * g).cast(p.dtype)))  # float16 weights stay float16
    return out

class Adam(Optimizer):
  """PyTorch's Adam; weight_decay is L2 added to the gradient (decoupled=True makes it AdamW). betas=(b1, b2) as PyTorch.
  Each parameter counts its own steps t (PyTorch's per-parameter step): one that gets no gradient on a step doesn't
  advance. The bias corrections 1 - b^t are -expm1(t log b) of the current betas, as PyTorch's (betas changed between
  steps: the current one ^ t). Kept as b^t in float32 (a product of the betas used), 1 - b^t cancelled near t = 0 (every
  step at b2 = 0.99999 was 7e-4 off PyTorch's float64 correction); kept as 1 - b^t updated by c = b c + (1 - b), it stuck
  under 1 by 3e-5 at b2 = 0.999 after 20,000 steps (the rounding dropped the last additions). A count is exact."""
  SETTINGS = ("b1", "b2", "eps", "weight_decay", "decoupled")
  def __init__(self, params: list[Tensor], lr: float = 1e-3, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8,
               weight_decay: float = 0.0, decoupled: bool = False, betas: Optional[tuple] = None):
    super().__init__(params, lr)
    if betas is not None: b1, b2 = betas
    if not (0 <= b1 < 1 and 0 <= b2 < 1): raise ValueError(f"Adam: betas must be in [0, 1), got ({b1}, {b2})")
    _at_least_0("Adam", eps=eps, weight_decay=weight_decay)
    self.b1, self.b2, self.eps, self.weight_decay, self.decoupled = b1, b2, eps, weight_decay, decoupled
    # moments in float32 for float16 weights too: (1 - b2) g^2 of a gradient under ~8e-3 is 0 in float16, and the step
    # lr m / (sqrt(v) + eps) then ~1e5 times too big (a weight at 1.0 went to -99 in one step)
    self.m = [_zeros_like(p, dtypes.float32 if p.dtype == dtypes.float16 else None) for p in self.params]
    self.v = [_zeros_like(p, dtypes.float32 if p.dtype == dtypes.float16 else None) for p in self.params]
    self.steps = Tensor(np.zeros(len(self.params), np.int32), device=self.device).realize()  # each parameter's t: one buffer
    self._has: dict[tuple, Tensor] = {}  # which parameters have a gradient -> (n,) 1 for those, else 0
  def _state(self): return {"m": self.m, "v": self.v, "steps": [self.steps]}
  def upgrade(self, state: dict) -> dict:
    """Before session 40 the state held b1^t, b2^t ('beta_pow.0', (2, n)): each parameter's t is read back from b2^t
    (b1^t where b2 is 0 or b2^t underflowed; the optimizer's step count where neither tells)."""
    arr = lambda k: np.asarray(state[k].numpy() if hasattr(state[k], "numpy") else state[k], np.float64)  # (a Tensor or any array)
    if "beta_corr.0" in state and "steps.0" not in state:  # 1 - b^t, kept for a few commits of session 40
      state = {**{k: v for k, v in state.items() if k != "beta_corr.0"}, "beta_pow.0": 1 - arr("beta_corr.0")}
    if "beta_pow.0" not in state or "steps.0" in state: return state
    pw, step = arr("beta_pow.0"), arr("step")
    with np.errstate(divide="ignore", invalid="ignore"):
      # (the old b^t: products of float32(b), so log float32(b) per step: 20,000 steps at 0.9999 read back as 20,003)
      t = [np.log(pw[r]) / math.log(np.float32(b)) if 0 < b < 1 else np.full(pw.shape[1], np.nan) for r, b in ((1, self.b2), (0, self.b1))]
    t = np.where((pw[1] > 0) & np.isfinite(t[0]), t[0], np.where((pw[0] > 0) & np.isfinite(t[1]), t[1], float(step)))
    return {**{k: v for k, v in state.items() if k != "beta_pow.0"}, "steps.0": Tensor(np.rint(t).astype(np.int32))}
  def _updates(self) -> list[Tensor]:
    has = tuple(p.grad is not None for p in self.params)
    if has not in self._has: self._has[has] = Tensor(np.array(has, np.int32), device=self.device).realize()
    t = self.steps.assign(self.steps + self._has[has]).float()
    # lr/(1 - b1^t) and sqrt(1 - b2^t) of every parameter in one small kernel: a scalar expanded into an update would be
    # computed in a kernel of its own per parameter. (b = 0: log 1e-30 gives 1 - b^t = 1 from t = 1; a parameter never
    # stepped has 1 - b^t = 0: floored, so no divide-by-zero warning)
    corr = [-(t * math.log(max(b, 1e-30)))._expm1() for b in (self.b1, self.b2)]
    coef = (self.lr_t / corr[0].maximum(1e-30)).stack(corr[1].sqrt())
    out = [self.steps]
    for i, (p, m, v) in enumerate(zip(self.params, self.m, self.v)):
      if p.grad is None: continue
      g, w = p.grad.detach().float(), p.detach().float()  # float16 weights update in float32, stored back as float16
      if self.weight_decay and self.decoupled: w = w * (1 - self.lr_t * self.weight_decay)
      elif self.weight_decay: g = g + self.weight_decay * w
      m.assign((self.b1 * m + (1 - self.b1) * g).cast(m.dtype))
      v.assign((self.b2 * v + (1 - self.b2) * g * g).cast(v.dtype))
      out += [m, v, p.assign((w - coef[0, i] * m / (v.sqrt() / coef[1, i] + self.eps)).cast(p.dtype))]
    return out

def AdamW(params: list[Tensor], lr: float = 1e-3, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8, weight_decay: float = 0.01,
          betas: Optional[tuple] = None, wd: Optional[float] = None) -> Adam:
  """PyTorch's AdamW: Adam with weight decay applied to the weights (p *= 1 - lr*wd), not added to the gradient.
  betas= is PyTorch's spelling, wd= tinygrad's."""
  return Adam(params, lr, b1, b2, eps, weight_decay if wd is None else wd, decoupled=True, betas=betas)

def clip_grad_norm_(params: list[Tensor], max_norm: float) -> Tensor:
  """Scale all gradients together so their global L2 norm is at most max_norm (lazily); returns the norm before clipping."""
  if not max_norm > 0: raise ValueError(f"clip_grad_norm_: max_norm must be positive, got {max_norm} (a negative one reverses the gradients)")
  params = [params] if isinstance(params, Tensor) else _tensors(params, "clip_grad_norm_")  # (one Tensor, as PyTorch: it clipped nothing, returned 0)
  grads = [p for p in {id(p): p for p in params}.values() if p.grad is not None]
  if not grads: return Tensor(0.0)
  norm = Tensor._sum_all([p.grad.detach().float().square().sum() for p in grads]).sqrt()
  scale = (max_norm / (norm + 1e-6)).minimum(1.0)  # PyTorch's 1e-6 keeps a zero norm finite
  # in place, as PyTorch's: a reference to a .grad sees it clipped; the product in float32 (a float16 scale under ~6e-5 is
  # coarse, under ~3e-8 zero: clipped to another norm, or every gradient zeroed)
  for p in grads: p.grad._inplace(lambda g, s: (g.float() * s).cast(g.dtype), scale)
  return norm

def linear_warmup(step: int, lr: float, warmup_steps: int) -> float:
  """lr * (step+1)/warmup_steps during warmup, then lr."""
  return lr * min(1.0, (step + 1) / warmup_steps) if warmup_steps > 0 else lr

def warmup_cosine(step: int, lr: float, warmup_steps: int, total_steps: int, min_lr: float = 0.0) -> float:
  """Linear warmup to lr, then cosine decay to min_lr at total_steps (and min_lr after), as nanoGPT."""
  if step < warmup_steps: return linear_warmup(step, lr, warmup_steps)
  if step >= total_steps: return min_lr
  frac = (step - warmup_steps) / max(1, total_steps - warmup_steps)
  return min_lr + 0.5 * (1 + math.cos(math.pi * frac)) * (lr - min_lr)
