"""Autograd functions: each primitive's forward and backward side by side, on LazyBuffers."""
from __future__ import annotations
import math, weakref
from drivegpt.ops import UnaryOps, BinaryOps, TernaryOps, ReduceOps
from drivegpt.helpers import dtypes
from drivegpt import realize
from drivegpt.device import Device

def node_of(t, ctx):
  """The Tensor that stands for t in backward when its Function was ctx: one per ctx, kept weakly on it (a strong
  reference from ctx, or t as its own Function's parent, made cycles that kept written tensors alive until gc). No ctx
  (t had no graph then) gives a stand-in that passes no gradient; a freed ctx one that backward finds freed."""
  if ctx is None: return type(t)._wrap(t.lazydata, False, None)
  if (ref := getattr(ctx, "node", None)) is None or (node := ref()) is None: ctx.node = weakref.ref(node := type(t)._wrap(t.lazydata, True, ctx))
  return node

class Function:
  freed = False
  def __init__(self, device: str, *tensors):
    self.device, self.needs_input_grad = device, [t.requires_grad for t in tensors]
    self.requires_grad = True if any(self.needs_input_grad) else None if None in self.needs_input_grad else False
    if self.requires_grad: self.parents, self.seen, self.t = tensors, tuple(t._ctx for t in tensors), next(realize._keys)
  def inputs(self) -> list:
    """The parents as this op read them: one written in a graph since (y[0] = v) as it was then."""
    return [p if p._ctx is c else node_of(p, c) for p, c in zip(self.parents, self.seen)]
  def keep(self, ret): self.ret = ret; return ret  # forward's output, kept for backward as self.ret
  def free(self):
    """Drop what backward needs (saved buffers and parents), keeping a mark, so a second backward here raises."""
    self.__dict__ = {"freed": True}
  def forward(self, *args, **kwargs): raise NotImplementedError(f"forward not implemented for {type(self)}")
  def backward(self, *args, **kwargs): raise RuntimeError(f"backward not implemented for {type(self)}")
  @classmethod
  def apply(fxn, *x, **kwargs):
    from drivegpt.tensor import Tensor
    ctx = fxn(x[0].device, *x)
    # recording a jitted step: each leaf's requires_grad is folded into it (a weight frozen since kept being updated)
    if realize.CAPTURE is not None and not Tensor.no_grad: realize.GUARDS.update({(id(t), "requires_grad"): (weakref.ref(t), "requires_grad") for t in x if t._ctx is None and t.lazydata.is_realized})  # (weights, arguments)
    if fxn.backward is Function.backward: ctx.requires_grad = False  # comparisons and friends have no gradient
    grad = ctx.requires_grad and not Tensor.no_grad
    return Tensor._wrap(ctx.forward(*[t.lazydata for t in x], **kwargs), grad, ctx if grad else None)  # keep the graph only when a gradient may flow

# *** unary ***
class Contiguous(Function):
  def forward(self, x): return x.contiguous()
  def backward(self, g): return g
class Cast(Function):
  def forward(self, x, dtype): self.input_dtype = x.dtype; return x.cast(dtype)
  def backward(self, g):
    # no gradient flows through a cast to an int or bool type
    return g.cast(self.input_dtype) if g.dtype.is_float else g.cast(self.input_dtype).const(0)
class Neg(Function):
  def forward(self, x): return x.e(UnaryOps.NEG)
  def backward(self, g): return g.e(UnaryOps.NEG)
class Sin(Function):
  def forward(self, x): self.x = x; return x.e(UnaryOps.SIN)
  def backward(self, g):  # cos x = 1 - 2 sin^2(x/2): sin(pi/2 - x) lost digits past |x| ~ 1e3 (pi/2 - x rounded)
    return self.x.const(1.0).e(BinaryOps.SUB, (s := self.x.e(BinaryOps.MUL, self.x.const(0.5)).e(UnaryOps.SIN)).e(BinaryOps.MUL, s).e(BinaryOps.ADD, s.e(BinaryOps.MUL, s))).e(BinaryOps.MUL, g)
class Relu(Function):
  def forward(self, x): return self.keep(x.e(BinaryOps.MAX, x.const(0)))
  def backward(self, g): return self.ret.const(0).e(BinaryOps.CMPLT, self.ret).cast(g.dtype).e(BinaryOps.MUL, g)
class Log(Function):
  def forward(self, x): self.x = x; return x.e(UnaryOps.LOG2).e(BinaryOps.MUL, x.const(math.log(2)))
  def backward(self, g): return g.e(BinaryOps.DIV, self.x)
class Exp(Function):
  def forward(self, x): return self.keep(x.e(BinaryOps.MUL, x.const(1/math.log(2))).e(UnaryOps.EXP2))
  def backward(self, g): return self.ret.e(BinaryOps.MUL, g)
class Exp2(Function):
  def forward(self, x): return self.keep(x.e(UnaryOps.EXP2))
  def backward(self, g): return self.ret.e(BinaryOps.MUL, g).e(BinaryOps.MUL, g.const(math.log(2)))
class Sqrt(Function):
  def forward(self, x): return self.keep(x.e(UnaryOps.SQRT))
  def backward(self, g): return g.e(BinaryOps.DIV, self.ret.e(BinaryOps.MUL, self.ret.const(2)))
class Recip(Function):
  def forward(self, x): return self.keep(x.e(UnaryOps.RECIP))
  def backward(self, g): return g.e(UnaryOps.NEG).e(BinaryOps.MUL, self.ret).e(BinaryOps.MUL, self.ret)
class Sign(Function):
  def forward(self, x):  # (0 < x) - (x < 0), and nan where x is nan (as numpy; PyTorch 2.13 gives 0 on the CPU)
    return x.e(BinaryOps.CMPEQ, x).e(TernaryOps.WHERE, x.const(0).e(BinaryOps.CMPLT, x).cast(x.dtype).e(BinaryOps.SUB, x.e(BinaryOps.CMPLT, x.const(0)).cast(x.dtype)), x)
  def backward(self, g): return g.const(0)
def _pow(x, e: float):
  """x^e for a constant e, as PyTorch: whole powers by squaring (x*x*x, 1/(x*x): exact but for their roundings), +-0.5 by
  sqrt (sqrt(-0.0) is -0.0), others by exp2(e*log2 x): nan for x < 0, but (-inf)^e is inf^e, as C's pow (it was nan).
  float16 in float32, as PyTorch: 300^-2 is 1.1e-5 (x^2 overflowed float16, and 1/inf gave 0), rounded once."""
  if x.dtype == dtypes.float16: return _pow(x.cast(dtypes.float32), e).cast(x.dtype)
  if e in (0.5, -0.5): return x.e(UnaryOps.SQRT) if e > 0 else x.e(UnaryOps.SQRT).e(UnaryOps.RECIP)
  if e != int(e): return x.e(BinaryOps.CMPEQ, x.const(-math.inf)).e(TernaryOps.WHERE, x.const(math.inf), x).e(UnaryOps.LOG2).e(BinaryOps.MUL, x.const(e)).e(UnaryOps.EXP2)
  if e < 0: return _pow(x, -e).e(UnaryOps.RECIP)
  if e <= 1: return x if e else x.const(1)  # nan^0 is 1 too
  sq = _pow(x.e(BinaryOps.MUL, x), min(e, 2.0**64) // 2)  # past 2^64 (even) every x gives what it gives at 2^64
  return x.e(BinaryOps.MUL, sq) if e % 2 else sq
class PowConst(Function):
  # x^e for a constant e; its gradient e*x^(e-1) as PyTorch's, so x^-2 at 0 gives -inf (the chain rule through a square
  # and a reciprocal made 0*inf = nan), and 0 for e = 0
  def forward(self, x, e):
    self.x, self.e_ = x, e
    return _pow(x, e)
  def backward(self, g): return g.const(0) if self.e_ == 0 else _pow(self.x, self.e_ - 1).e(BinaryOps.MUL, g.const(self.e_)).e(BinaryOps.MUL, g)
class Sigmoid(Function):
  # 1/(1+2^(-x*log2(e))): one fused kernel, and its gradient reuses the output
  def forward(self, x): return self.keep(x.const(1).e(BinaryOps.DIV, x.const(1).e(BinaryOps.ADD, x.e(BinaryOps.MUL, x.const(-1/math.log(2))).e(UnaryOps.EXP2))))
  def backward(self, g): return self.ret.e(BinaryOps.MUL, self.ret.const(1).e(BinaryOps.SUB, self.ret)).e(BinaryOps.MUL, g)
class Gelu(Function):
  # GELU with tanh: 0.5x(1 + tanh u) = x*sigmoid(2u), 2u = z = kx(1 + ax^2). Only x is saved: the backward recomputes from it
  # in one kernel, where the composed ops would keep several full-size intermediates alive until the backward
  K, A, CLAMP = 2*0.7978845608, 0.044715, 20.0
  def _sigmoid_z(self, x):  # (without the cubic term, none: x*x*0 made z nan at |x| = inf)
    z = x.e(BinaryOps.MUL, x.const(self.K)) if not self.A else x.e(BinaryOps.MUL, x).e(BinaryOps.MUL, x.const(self.K*self.A)).e(BinaryOps.ADD, x.const(self.K)).e(BinaryOps.MUL, x)
    return x.const(1).e(BinaryOps.DIV, x.const(1).e(BinaryOps.ADD, z.e(BinaryOps.MUL, x.const(-1/math.log(2))).e(UnaryOps.EXP2)))
  def forward(self, x):
    self.x = x
    return x.e(BinaryOps.MUL, self._sigmoid_z(x))
  def backward(self, g):  # d/dx x*s(z) = s + s(1 - s)xz', z' = k + 3kax^2
    # xz' is taken at x clamped to [-CLAMP, CLAMP]: beyond, s(1 - s) is exactly 0 in float32, and xz' at the real x
    # overflows (float16 past |x| = 256) to inf, where 0*inf would make the gradient nan
    x, s = self.x, self._sigmoid_z(self.x)
    xc = x.e(BinaryOps.MAX, x.const(-self.CLAMP)).e(BinaryOps.MUL, x.const(-1)).e(BinaryOps.MAX, x.const(-self.CLAMP)).e(BinaryOps.MUL, x.const(-1))
    dz = xc.e(BinaryOps.MUL, xc).e(BinaryOps.MUL, x.const(3*self.K*self.A)).e(BinaryOps.ADD, x.const(self.K)).e(BinaryOps.MUL, xc)
    return s.e(BinaryOps.MUL, x.const(1).e(BinaryOps.SUB, s)).e(BinaryOps.MUL, dz).e(BinaryOps.ADD, s).e(BinaryOps.MUL, g)
# x*sigmoid(x): Gelu with z = x, s(1 - s) exactly 0 in float32 only past |x| ~ 104. Composed of a product and a sigmoid, x*g
# overflowed first and met a sigmoid gradient of exactly 0: nan (float16: x = 20, g = 4000)
class Silu(Gelu): K, A, CLAMP = 1.0, 0.0, 104.0

# *** binary ***
class Less(Function):
  def forward(self, x, y): return x.e(BinaryOps.CMPLT, y)
class Eq(Function):
  def forward(self, x, y): return x.e(BinaryOps.CMPEQ, y)
class Mod(Function):
  # C's fmod, r = x - trunc(x/y)*y: gradients 1 and -trunc(x/y) = (r - x)/y (Python's % builds on it: a where of r + y)
  def forward(self, x, y):  # bools: % and // (through fmod) were garbage on the CPU device ([1, inf, 0, nan]) and no kernel on CL
    if x.dtype == dtypes.bool: raise TypeError("% and // of bools: cast them to int first (PyTorch refuses them too)")
    self.x, self.y, self.ret = x, y, x.e(BinaryOps.MOD, y)
    return self.ret
  def backward(self, g): return g if self.needs_input_grad[0] else None, g.e(BinaryOps.MUL, self.ret.e(BinaryOps.SUB, self.x)).e(BinaryOps.DIV, self.y) if self.needs_input_grad[1] else None
class Add(Function):
  def forward(self, x, y): return x.e(BinaryOps.ADD, y)
  def backward(self, g): return g if self.needs_input_grad[0] else None, g if self.needs_input_grad[1] else None
class Sub(Function):
  def forward(self, x, y): return x.e(BinaryOps.SUB, y)
  def backward(self, g): return g if self.needs_input_grad[0] else None, g.e(UnaryOps.NEG) if self.needs_input_grad[1] else None
class Mul(Function):
  def forward(self, x, y):
    self.x, self.y = x, y
    return x.e(BinaryOps.MUL, y)
  def backward(self, g):
    return self.y.e(BinaryOps.MUL, g) if self.needs_input_grad[0] else None, self.x.e(BinaryOps.MUL, g) if self.needs_input_grad[1] else None
class Div(Function):
  def forward(self, x, y):
    self.x, self.y = x, y
    return x.e(BinaryOps.DIV, y)
  def backward(self, g):  # -g x / y / y: (y * y) overflowed (|y| < 1e-19 gave -inf) or went denormal where the result fits
    return (g.e(BinaryOps.DIV, self.y) if self.needs_input_grad[0] else None, g.e(UnaryOps.NEG).e(BinaryOps.MUL, self.x).e(BinaryOps.DIV, self.y).e(BinaryOps.DIV, self.y) if self.needs_input_grad[1] else None)
class Maximum(Function):
  # as PyTorch's: the gradient to the larger input, half to each on a tie (so max(x, x) has gradient 1), all to both where
  # one is nan. From x and y compared with each other, not with the output: a lazy input recomputed by another kernel in
  # the backward (a fused sum) could differ from the forward's in the last bit, and match neither side (0/0 gave nan)
  def forward(self, x, y):
    self.x, self.y = x, y
    return x.e(BinaryOps.MAX, y)
  def backward(self, g):  # x's share 1 - [x < y] - [x == y]/2, y's alike
    half = self.x.e(BinaryOps.CMPEQ, self.y).cast(g.dtype).e(BinaryOps.MUL, g.const(0.5))
    xw, yw = (g.const(1).e(BinaryOps.SUB, a.e(BinaryOps.CMPLT, b).cast(g.dtype)).e(BinaryOps.SUB, half).e(BinaryOps.MUL, g) for a, b in ((self.x, self.y), (self.y, self.x)))
    return xw if self.needs_input_grad[0] else None, yw if self.needs_input_grad[1] else None

# *** ternary ***
class Where(Function):
  def forward(self, c, x, y):
    self.c = c
    return c.e(TernaryOps.WHERE, x, y)
  def backward(self, g):
    return (None, self.c.e(TernaryOps.WHERE, g, g.const(0)) if self.needs_input_grad[1] else None, self.c.e(TernaryOps.WHERE, g.const(0), g) if self.needs_input_grad[2] else None)

# *** reduce ***
class Sum(Function):
  def forward(self, x, axis):
    self.input_shape = x.shape
    return x.r(ReduceOps.SUM, axis)
  def backward(self, g): return g.expand(self.input_shape)
class Max(Function):
  # the gradient goes to every position equal to the max, split evenly. A computed x is realized for it: recomputed by
  # another kernel in the backward (a fused sum), it could differ from the forward's in the last bit and match no max (0/0)
  def forward(self, x, axis):
    self.x, self.axis, x.base.force_realize = x, axis, x.base.force_realize or bool(self.requires_grad and x.base.srcs and not x.is_realized and not (x.base.op is UnaryOps.NEG and x.base.srcs[0].is_realized))  # (min's -x of a buffer: exact, no copy)
    return self.keep(x.r(ReduceOps.MAX, axis))
  def backward(self, g):
    hit = self.x.e(BinaryOps.CMPEQ, self.ret.expand(self.x.shape)).cast(g.dtype)
    return hit.e(BinaryOps.DIV, hit.r(ReduceOps.SUM, self.axis).expand(self.x.shape)).e(BinaryOps.MUL, g.expand(self.x.shape))
class Softmax(Function):
  # only the output is saved (the backward is out*(g - sum(g*out))), not the exponentials; the max shift has no gradient
  def forward(self, x, axis):
    e = x.e(BinaryOps.SUB, x.r(ReduceOps.MAX, axis).expand(x.shape)).e(BinaryOps.MUL, x.const(1/math.log(2))).e(UnaryOps.EXP2)
    self.ret, self.axis = e.e(BinaryOps.DIV, e.r(ReduceOps.SUM, axis).expand(x.shape)), axis
    self.ret.force_realize = bool(self.requires_grad)  # else the backward's row kernel would redo the exps twice over
    return self.ret
  def backward(self, g): return self.ret.e(BinaryOps.MUL, g.e(BinaryOps.SUB, g.e(BinaryOps.MUL, self.ret).r(ReduceOps.SUM, self.axis).expand(g.shape)))
class LogSoftmax(Function):
  # x - max - log(sum(exp(x - max))); only the output is saved: the backward is g - exp(out)*sum(g)
  def forward(self, x, axis):
    m = x.e(BinaryOps.SUB, x.r(ReduceOps.MAX, axis).expand(x.shape))
    s = m.e(BinaryOps.MUL, x.const(1/math.log(2))).e(UnaryOps.EXP2).r(ReduceOps.SUM, axis)
    self.ret, self.axis = m.e(BinaryOps.SUB, s.e(UnaryOps.LOG2).e(BinaryOps.MUL, s.const(math.log(2))).expand(x.shape)), axis
    self.ret.force_realize = bool(self.requires_grad)
    return self.ret
  def backward(self, g):
    p = self.ret.e(BinaryOps.MUL, self.ret.const(1/math.log(2))).e(UnaryOps.EXP2)
    return g.e(BinaryOps.SUB, p.e(BinaryOps.MUL, g.r(ReduceOps.SUM, self.axis).expand(g.shape)))
class LayerNorm(Function):
  # (x - mean) / sqrt(var + eps), its backward written out: rstd*(g - mean(g) - out*mean(g*out)). Over rows along the
  # trailing dims, where the device runs a row kernel as one compiled pass (CL; native CPU kernels), backward works out
  # rstd again from x: kept, it was a kernel of its own and x - x[0] one more, four passes where now the forward is one
  # row kernel and the backward one (four reduces). On numpy, a pass per op, and over other axes (reduces of their own)
  # the recomputation cost more than the two kernels (2048 x 64: 1.31 vs 1.00 ms; axis 0 of (387, 8, 128): 2.7 vs 2.1)
  def forward(self, x, axis, eps):
    self.axis, self.eps, self.scale = axis, eps, 1/max(1, math.prod(x.shape[a] for a in axis))
    y, rstd = self.norm(x)
    rows = all(i in axis or x.shape[i] == 1 for i in range(min(axis, default=0), len(x.shape)))  # (schedule.py's row kernels)
    self.x, self.rstd = x, None if rows and self.requires_grad and getattr(Device.get(x.device), "compiles", lambda n: True)(math.prod(x.shape)) else rstd
    return self.keep(y.e(BinaryOps.MUL, rstd.expand(x.shape)))
  def norm(self, x):
    """(x - mean, 1/sqrt(var + eps)), the latter one per row"""
    # about each row's first element first: a constant row's mean came out a few ulps off, times 1/sqrt(eps) gave 0.04 (0.6
    # natively) where the output is 0; and 1e4 + N(0, 1) lost digits to the mean's rounding
    if self.scale < 1: x = x.e(BinaryOps.SUB, x.shrink(tuple((0, 1) if i in self.axis else (0, n) for i, n in enumerate(x.shape))).expand(x.shape))
    var = self.mean((y := x.e(BinaryOps.SUB, self.mean(x).expand(x.shape))).e(BinaryOps.MUL, y))
    return y, var.e(BinaryOps.ADD, var.const(self.eps)).e(UnaryOps.RECIP).e(UnaryOps.SQRT)
  def mean(self, t): return (s := t.r(ReduceOps.SUM, self.axis)).e(BinaryOps.MUL, s.const(self.scale))  # one per row, keeping the reduced dims as 1
  def backward(self, g):
    dy = g.e(BinaryOps.SUB, self.mean(g).expand(g.shape))
    dy = dy.e(BinaryOps.SUB, self.ret.e(BinaryOps.MUL, self.mean(g.e(BinaryOps.MUL, self.ret)).expand(g.shape)))
    return dy.e(BinaryOps.MUL, (self.norm(self.x)[1] if self.rstd is None else self.rstd).expand(g.shape))  # (x kept either way: a write into it between is refused alike)

def _sum_of_product(a, b, full: tuple, axis: tuple):
  """a and b broadcast to full, multiplied and summed over axis: a matmul, which the backend runs on BLAS."""
  return a.expand(full).e(BinaryOps.MUL, b.expand(full)).r(ReduceOps.SUM, axis)
class Dot(Function):
  # x (..., k) @ w (k, n), the commonest case (a Linear layer): one Function rather than eight movement and elementwise
  # ones. In the (..., n, k) layout of autograd through those eight, so the kernels are the same: the gradients are
  # sum_n g*w (g @ w.T) and sum over all leading dims of g*x (x.T @ g)
  def forward(self, x, w):
    self.x, self.w, (k, n), self.lead = x, w, w.shape, x.shape[:-1]
    self.wt = w.permute((1, 0)).reshape((1,)*len(self.lead) + (n, k))
    return _sum_of_product(x.reshape(self.lead + (1, k)), self.wt, self.lead + (n, k), (len(self.lead) + 1,)).reshape(self.lead + (n,))
  def backward(self, g):
    (k, n), m, L = self.w.shape, math.prod(self.lead), len(self.lead)
    gx = _sum_of_product(self.wt, g.reshape(self.lead + (n, 1)), self.lead + (n, k), (L,)).reshape(self.x.shape) if self.needs_input_grad[0] else None
    return gx, _sum_of_product(self.x.reshape((m, 1, k)), g.reshape((m, n, 1)), (m, n, k), (0,)).reshape((n, k)).permute((1, 0)) if self.needs_input_grad[1] else None

# *** movement ***
class Expand(Function):
  def forward(self, x, shape):
    self.input_shape = x.shape
    return x.expand(shape)
  def backward(self, g): return g.r(ReduceOps.SUM, tuple(i for i, (a, b) in enumerate(zip(self.input_shape, g.shape)) if a != b))
class Reshape(Function):
  def forward(self, x, shape):
    self.input_shape = x.shape
    return x.reshape(shape)
  def backward(self, g): return g.reshape(self.input_shape)
class Permute(Function):
  def forward(self, x, order):
    self.order = order
    return x.permute(order)
  def backward(self, g): return g.permute(tuple(sorted(range(len(self.order)), key=self.order.__getitem__)))
class Pad(Function):
  def forward(self, x, arg):
    self.narg = tuple((b, s + b) for s, (b, _) in zip(x.shape, arg))
    return x.pad(arg)
  def backward(self, g): return g.shrink(self.narg)
class Shrink(Function):
  def forward(self, x, arg):
    self.narg = tuple((lo, s - hi) for s, (lo, hi) in zip(x.shape, arg))
    return x.shrink(arg)
  def backward(self, g): return g.pad(self.narg)
class Stride(Function):
  def forward(self, x, arg):
    self.input_shape, self.arg = x.shape, arg
    return x.stride(arg)
  def backward(self, g):
    # spread each kept element back to every m-th place, (n, 1) -pad-> (n, m) -reshape-> (n*m) -shrink-> size; then undo flips
    for d, (m, size) in enumerate(zip(map(abs, self.arg), self.input_shape)):
      if m == 1: continue
      sh = g.shape
      g = g.reshape(sh[:d+1] + (1,) + sh[d+1:]).pad(tuple((0, m - 1) if i == d + 1 else (0, 0) for i in range(len(sh) + 1)))
      g = g.reshape(sh[:d] + (sh[d]*m,) + sh[d+1:]).shrink(tuple((0, size) if i == d else (0, s) for i, s in enumerate(sh)))
    return g.stride(tuple(-1 if m < 0 else 1 for m in self.arg))
