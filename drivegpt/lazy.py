"""Lazy buffers: the graph a tensor expression records, and the scheduler that cuts it into fused kernels."""
from __future__ import annotations
import time
from collections import defaultdict
from typing import Any, NamedTuple, Optional
from drivegpt.helpers import DType, dtypes, GlobalCounters, DEBUG, toposort
from drivegpt.device import Device
from drivegpt.ops import UnaryOps, BinaryOps, ReduceOps, MovementOps, LoadOps, BufferOps, LazyOp, ElementwiseOps, ZERO_PRESERVING
from drivegpt.shape import ShapeTracker

class LazyBuffer:
  """Either a base (an op on its sources, producing a contiguous buffer) or a view of a base through movement ops."""
  def __init__(self, device: str, st: ShapeTracker, dtype: DType, op=None, srcs: tuple = (), arg: Any = None,
               base: Optional[LazyBuffer] = None, mops: tuple = ()):
    self.device, self.st, self.dtype, self.shape = device, st, dtype, st.shape
    self._base, self.mops = base, mops  # mops: the movement ops that lead from the base to this view
    if base is None: self.op, self.srcs, self.arg, self.realized, self.force_realize, self.assign_target = op, srcs, arg, None, False, None
  def __repr__(self):
    return f"<LB {self.device} {self.shape} {self.dtype} {'view of ' if self._base is not None else ''}{self.base.op}>"
  @property
  def base(self) -> LazyBuffer: return self._base if self._base is not None else self
  @property
  def is_realized(self) -> bool: return self.base.realized is not None

  # *** creation ***
  @staticmethod
  def loadop(op: LoadOps, shape: tuple, dtype: DType, device: str, arg=None) -> LazyBuffer:
    return LazyBuffer(device, ShapeTracker.from_shape(shape), dtype, op, (), arg)
  @staticmethod
  def from_numpy(x, device: str) -> LazyBuffer:
    ret = LazyBuffer(device, ShapeTracker.from_shape(x.shape), dtypes.from_np(x.dtype), LoadOps.COPY)
    ret.realized = Device.get(device).from_numpy(x.reshape(-1))
    return ret
  def const(self, val, shape: Optional[tuple] = None) -> LazyBuffer:
    """A constant of this buffer's dtype and device, broadcast to shape: a view of one element, never materialized."""
    shape = self.shape if shape is None else shape
    val = bool(val) if self.dtype == dtypes.bool else int(val) if self.dtype.is_int else float(val)
    return LazyBuffer.loadop(LoadOps.CONST, (), self.dtype, self.device, val).reshape((1,)*len(shape)).expand(shape)

  # *** compute ops: each makes a new base ***
  def e(self, op, *srcs: LazyBuffer, arg=None) -> LazyBuffer:
    assert all(s.shape == self.shape for s in srcs), f"shape mismatch in {op}: {[self.shape] + [s.shape for s in srcs]}"
    dtype = dtypes.bool if op in (BinaryOps.CMPLT, BinaryOps.CMPEQ) else arg if op is UnaryOps.CAST else srcs[0].dtype if op.name == "WHERE" else self.dtype
    return LazyBuffer(self.device, ShapeTracker.from_shape(self.shape), dtype, op, (self,) + srcs, arg)
  def r(self, op: ReduceOps, axis: tuple) -> LazyBuffer:
    """Reduce over axis, keeping reduced dims as size 1."""
    if not axis: return self
    shape = tuple(1 if i in axis else s for i, s in enumerate(self.shape))
    return LazyBuffer(self.device, ShapeTracker.from_shape(shape), self.dtype, op, (self,), tuple(sorted(axis)))
  def cast(self, dtype: DType) -> LazyBuffer: return self if dtype == self.dtype else self.e(UnaryOps.CAST, arg=dtype)
  def contiguous(self) -> LazyBuffer:
    """This data in a buffer of its own: a copy kernel unless it is already an unshared contiguous result."""
    if self._base is None and self.op is not LoadOps.CONST: return self
    ret = self.e(UnaryOps.CAST, arg=self.dtype)
    ret.force_realize = True
    return ret
  def assign_to(self, target: LazyBuffer) -> LazyBuffer:
    """This value, written into target's buffer when it is realized: weights keep their buffer across updates."""
    if target._base is not None or target.realized is None: return self
    ret = self if self._base is None and self.realized is None and self.op not in LoadOps else self.e(UnaryOps.CAST, arg=self.dtype)
    ret.force_realize, ret.assign_target = True, target
    return ret
  def copy_to(self, device: str) -> LazyBuffer:
    return LazyBuffer(device, ShapeTracker.from_shape(self.shape), self.dtype, LoadOps.COPY, (self,))

  # *** movement ops: views, no data moves ***
  def _view(self, op: MovementOps, arg) -> LazyBuffer:
    st = self.st.movement(op, arg)
    if st.contiguous and st.shape == self.base.shape: return self.base
    return LazyBuffer(self.device, st, self.dtype, base=self.base, mops=self.mops + ((op, arg),))
  def reshape(self, shape: tuple) -> LazyBuffer: return self if shape == self.shape else self._view(MovementOps.RESHAPE, tuple(shape))
  def permute(self, order: tuple) -> LazyBuffer:
    return self if tuple(order) == tuple(range(len(order))) else self._view(MovementOps.PERMUTE, tuple(order))
  def expand(self, shape: tuple) -> LazyBuffer: return self if shape == self.shape else self._view(MovementOps.EXPAND, tuple(shape))
  def pad(self, arg: tuple) -> LazyBuffer: return self if all(p == (0, 0) for p in arg) else self._view(MovementOps.PAD, tuple(arg))
  def shrink(self, arg: tuple) -> LazyBuffer:
    return self if all(p == (0, s) for p, s in zip(arg, self.shape)) else self._view(MovementOps.SHRINK, tuple(arg))
  def stride(self, arg: tuple) -> LazyBuffer: return self if all(a == 1 for a in arg) else self._view(MovementOps.STRIDE, tuple(arg))

  def realize(self) -> LazyBuffer:
    if not self.is_realized: run_schedule(schedule([self]))
    return self
  def numpy(self):
    self.realize()
    return Device.get(self.device).to_numpy(self.base.realized, self.st, self.dtype)

# *** the scheduler ***
class ScheduleItem(NamedTuple):
  ast: LazyOp           # the kernel's expression; its output is the contiguous buffer of out
  out: LazyBuffer
  inputs: tuple         # the realized bases its BufferOps.LOAD leaves read, by index

MAX_KERNEL_DEPTH = 64   # longer chains are cut into several kernels, so kernel trees stay far from the recursion limit

def _inlinable(src: LazyBuffer, acc: tuple, kernel_has_reduce: bool) -> bool:
  """Can src be computed inside its consumer's kernel, seen through movement ops acc?"""
  ops = {op for op, _ in acc}
  if src.force_realize: return False
  if src.op in ReduceOps: return not kernel_has_reduce and ops <= {MovementOps.RESHAPE}
  if src.op not in ZERO_PRESERVING and MovementOps.PAD in ops: return False  # f(0) != 0: padding must stay outside
  return src.op.__class__ in ElementwiseOps and MovementOps.EXPAND not in ops  # an expand would recompute src per copy

def schedule(outs: list[LazyBuffer]) -> list[ScheduleItem]:
  """Cut the graph behind outs into kernels: elementwise chains and their reduce fuse, shared results get their own buffer."""
  outs = list({id(x.base): x.base for x in outs if x.base.realized is None}.values())
  order = toposort(outs, lambda b: [s.base for s in b.srcs if s.base.realized is None])  # sources before consumers
  # ctx: inlined base -> (kernel root, movement ops from it to the root's output, depth). A base is inlined when every
  # consumer can inline it into the same kernel through the same view: then the backend computes it once in that kernel.
  roots, ctx, has_reduce, proposals = {id(b) for b in outs}, {}, {}, defaultdict(list)
  for b in reversed(order):  # consumers before their sources: when b comes up, all its consumers have proposed
    if b.op is LoadOps.CONST and id(b) not in roots: continue  # constants are kernel leaves, never buffers
    p = proposals[id(b)]
    if id(b) not in roots and None not in p and len(set((id(r), acc) for r, acc, _ in p)) == 1 and \
       (b.op not in ReduceOps or (len(p) == 1 and not has_reduce.get(id(p[0][0])))):
      ctx[id(b)] = p[0][0], p[0][1], max(d for _, _, d in p)
      if b.op in ReduceOps: has_reduce[id(p[0][0])] = True
    else: roots.add(id(b))
    root, acc, depth = ctx.get(id(b), (b, (), 0))
    if b.op in ReduceOps: has_reduce[id(root)], acc = True, ()  # a reduce's inputs live in the unreduced shape
    for s in b.srcs:
      sb = s.base
      if sb.realized is not None or sb.op is LoadOps.CONST: continue
      sacc = s.mops + acc
      ok = b.op not in LoadOps and sb.op not in LoadOps and depth + 1 < MAX_KERNEL_DEPTH and _inlinable(sb, sacc, has_reduce.get(id(root), False))
      proposals[id(sb)].append((root, sacc, depth + 1) if ok else None)
  return [_schedule_item(b, ctx) for b in order if id(b) in roots and id(b) not in ctx]

def _schedule_item(root: LazyBuffer, ctx: dict) -> ScheduleItem:
  inputs: list = []
  def load(view: LazyBuffer, acc: tuple) -> LazyOp:
    b = view.base
    if id(b) in ctx: return build(b, view.mops + acc)
    st = view.st
    for op, arg in acc: st = st.movement(op, arg)
    if b.realized is None and b.op is LoadOps.CONST: return LazyOp(BufferOps.CONST, (), (b.arg, st, b.dtype))
    idx = next((i for i, x in enumerate(inputs) if x is b), None)
    if idx is None: idx, _ = len(inputs), inputs.append(b)
    return LazyOp(BufferOps.LOAD, (), (idx, st, b.dtype))
  def build(b: LazyBuffer, acc: tuple) -> LazyOp:
    if b.op in ReduceOps:
      ret = LazyOp(b.op, (load(b.srcs[0], ()),), b.arg)
      return LazyOp(MovementOps.RESHAPE, (ret,), acc[-1][1]) if acc and acc[-1][1] != b.shape else ret
    return LazyOp(b.op, tuple(load(s, acc) for s in b.srcs), b.arg)
  if root.op is LoadOps.CONST: ast = LazyOp(BufferOps.CONST, (), (root.arg, root.st, root.dtype))
  elif root.op in LoadOps: ast = LazyOp(root.op, (), root.arg)
  else: ast = build(root, ())
  return ScheduleItem(ast, root, tuple(inputs) if root.op is not LoadOps.COPY else (root.srcs[0].base,))

# the JIT sets this to a list to record the (schedule item, runner) pairs that run_schedule runs
CAPTURE: Optional[list] = None

def run_schedule(items: list[ScheduleItem]):
  """Run kernels in order, giving each output base its buffer, then drop its graph so memory can be freed."""
  steps = [(si, None if si.ast.op in LoadOps else Device.get(si.out.device).compile(si.ast, si.out.shape, si.out.dtype)) for si in items]
  if CAPTURE is not None: CAPTURE.extend(steps)
  run_steps(steps)
  for si in items: si.out.srcs = ()

def run_steps(steps: list, rand_arg=lambda arg: arg):
  """Run compiled schedule items; the JIT replays through here with fresh random seeds from rand_arg."""
  assigns = []
  for si, runner in steps:
    out, backend = si.out, Device.get(si.out.device)
    if runner is not None:
      t0 = time.perf_counter()
      out.realized = runner([x.realized for x in si.inputs])
      GlobalCounters.allocations.append(out.st.size()*out.dtype.itemsize)
      GlobalCounters.kernel_count += 1
      if DEBUG >= 2: print(f"kernel {GlobalCounters.kernel_count:4d} {(time.perf_counter() - t0)*1e3:8.2f} ms  {si.ast.op.name:<6} "
                           f"{out.shape} {out.dtype.name} <- {[x.shape for x in si.inputs]}")
    elif si.ast.op is LoadOps.COPY:
      src = si.inputs[0]
      x = Device.get(src.device).to_numpy(src.realized, ShapeTracker.from_shape(src.shape), src.dtype)
      out.realized = backend.from_numpy(x.reshape(-1))
    elif si.ast.op is LoadOps.EMPTY: out.realized = backend.alloc(out.st.size(), out.dtype)
    elif si.ast.op is LoadOps.RAND: out.realized = backend.rand(out.st.size(), out.dtype, rand_arg(si.ast.arg))
    if out.assign_target is not None: assigns.append(out)
  for out in assigns:  # writes into a tensor's own buffer wait until every kernel that read its old value has run
    target = out.assign_target
    Device.get(out.device).copyin(target.realized, out.realized)
    out.realized, target.assign_target = target.realized, None
