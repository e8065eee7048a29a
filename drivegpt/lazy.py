"""Lazy buffers: the graph a tensor expression records. Nothing runs until realize(): then schedule.py cuts the graph into
fused kernels and realize.py runs them."""
from __future__ import annotations
from typing import Any, Optional
from drivegpt.helpers import DType, dtypes, prod
from drivegpt.device import Device
from drivegpt.ops import UnaryOps, ReduceOps, MovementOps, LoadOps, result_dtype
from drivegpt.shape import ShapeTracker
from drivegpt import schedule, realize

class LazyBuffer:
  """Either a base (an op on its sources, producing a contiguous buffer) or a view of a base through movement ops."""
  def __init__(self, device: str, st: ShapeTracker, dtype: DType, op=None, srcs: tuple = (), arg: Any = None, base: Optional[LazyBuffer] = None, mops: tuple = ()):
    self.device, self.st, self.dtype, self.shape = device, st, dtype, st.shape
    # mops: the movement ops that lead from the base to this view; whole: a tensor's whole data, which an assign may replace
    # (a view is part of another's, except Tensor.full's own view of its constant)
    self._base, self.mops, self.whole = base, mops, base is None
    if base is None:
      self.op, self.srcs, self.arg, self.realized, self.force_realize, self.assign_target, self.seq = op, srcs, arg, None, False, None, next(realize._keys)
      if srcs: realize.READERS.add(self)  # an assign must not overwrite what it reads (now, or once a source is realized)
  def __repr__(self): return f"<LB {self.device} {self.shape} {self.dtype} {'view of ' if self._base is not None else ''}{self.base.op}>"
  @property
  def base(self) -> LazyBuffer: return self._base if self._base is not None else self
  @property
  def is_realized(self) -> bool: return self.base.realized is not None
  @property
  def expanded(self) -> bool: return any(s == 0 and hi - lo > 1 for v in self.st.views for (lo, hi), s in zip(v._masks(), v.strides))  # stride 0 (a pad of a size-1 dim is not)

  # *** creation ***
  @staticmethod
  def loadop(op: LoadOps, shape: tuple, dtype: DType, device: str, arg=None) -> LazyBuffer:
    return LazyBuffer(device, ShapeTracker.from_shape(shape), dtype, op, (), arg)
  @staticmethod
  def from_numpy(x, device: str) -> LazyBuffer:
    (ret := LazyBuffer(device, ShapeTracker.from_shape(x.shape), dtypes.from_np(x.dtype), LoadOps.COPY)).realized = Device.get(device).from_numpy(x.reshape(-1))
    return ret
  def const(self, val, shape: Optional[tuple] = None) -> LazyBuffer:
    """A constant of this buffer's dtype and device, broadcast to shape: a view of one element, never materialized."""
    shape = self.shape if shape is None else shape
    val = bool(val) if self.dtype == dtypes.bool else int(val) if self.dtype.is_int else float(val)
    return LazyBuffer.loadop(LoadOps.CONST, (), self.dtype, self.device, val).reshape((1,)*len(shape)).expand(shape)

  # *** compute ops: each makes a new base ***
  def e(self, op, *srcs: LazyBuffer, arg=None) -> LazyBuffer:
    assert all(s.shape == self.shape for s in srcs), f"shape mismatch in {op}: {[self.shape] + [s.shape for s in srcs]}"
    # a constant not yet in a buffer (a Python number's tensor) is any device's, inlined in the kernel: the result is on the
    # others' device (a realized one, an expression of one, is data on its device: refused, as any other mix)
    fixed = [s for s in (self,) + srcs if s.base.op is not LoadOps.CONST or s.base.realized is not None]
    if any(s.device != fixed[0].device for s in fixed): raise RuntimeError(f"{op.name} of tensors on different devices {[self.device] + [s.device for s in srcs]}: move one there with .to(device)")
    return LazyBuffer(fixed[0].device if fixed else self.device, ShapeTracker.from_shape(self.shape), result_dtype(op, arg, lambda i: (self, *srcs)[i].dtype), op, (self,) + srcs, arg)
  def r(self, op: ReduceOps, axis: tuple) -> LazyBuffer:
    """Reduce over axis, keeping reduced dims as size 1."""
    if not axis: return self
    if len(axis) == len(self.shape) and getattr(Device.get(self.device), "SPLIT_REDUCE", False) and (n := prod(self.shape)) >= 2**16 and (k := min(n & -n, 4096)) >= 64:
      return self.reshape((k, n // k)).r(op, (1,)).r(op, (0,)).reshape((1,)*len(self.shape))  # a GPU's one work-item walked all n
    shape = tuple(1 if i in axis else s for i, s in enumerate(self.shape))
    return LazyBuffer(self.device, ShapeTracker.from_shape(shape), self.dtype, op, (self,), tuple(sorted(axis)))
  def cast(self, dtype: DType) -> LazyBuffer: return self if dtype == self.dtype else self.e(UnaryOps.CAST, arg=dtype)
  def contiguous(self) -> LazyBuffer:
    """This data in a buffer of its own: a copy kernel unless it is already an unshared contiguous result."""
    if self._base is None and self.op is not LoadOps.CONST: return self
    (ret := self.e(UnaryOps.CAST, arg=self.dtype)).force_realize = True
    return ret
  def assign_to(self, target: LazyBuffer) -> LazyBuffer:
    """This value, written into target's buffer when it is realized: weights keep their buffer across updates."""
    if target._base is None and target.realized is None and target.assign_target is not None:  # assigned twice before realized: the
      target.assign_target, target = None, target.assign_target  # same buffer; the first value writes nowhere (realized later for a reader, it overwrote the second)
    if target._base is not None or target.realized is None: return self if self._base is None else self.e(UnaryOps.CAST, arg=self.dtype)  # a view: copied (it read its tensor's later writes)
    # the value's own node, unless it is already written into another tensor (h assigned into a and b: both took one buffer)
    ret = self if self._base is None and self.realized is None and self.op not in LoadOps and self.assign_target is None else self.e(UnaryOps.CAST, arg=self.dtype)
    ret.force_realize, ret.assign_target, ret.dated = True, target, next(realize._keys)  # dated: when assign() was called (see realize.run)
    realize.PENDING_ASSIGNS.add(ret)
    return ret
  def copy_to(self, device: str) -> LazyBuffer:
    """This data on device. A copy moves a whole buffer, so a view (or a constant) is made contiguous first."""
    return LazyBuffer(device, ShapeTracker.from_shape(self.shape), self.dtype, LoadOps.COPY, (self.contiguous(),))

  # *** movement ops: views, no data moves ***
  def _view(self, op: MovementOps, arg) -> LazyBuffer:
    st = self.st.movement(op, arg)
    if st.contiguous and st.shape == self.base.shape and (self.base.op is not LoadOps.CONST or not self.mops) and all(o not in (MovementOps.STRIDE, MovementOps.PAD) for o, _ in self.mops + ((op, arg),)): return self.base  # (a constant's element, a flip of a flip, stay views: not the tensor's own data)
    return LazyBuffer(self.device, st, self.dtype, base=self.base, mops=self.mops + ((op, arg),))
  def reshape(self, shape: tuple) -> LazyBuffer: return self if shape == self.shape else self._view(MovementOps.RESHAPE, tuple(shape))
  def permute(self, order: tuple) -> LazyBuffer: return self if tuple(order) == tuple(range(len(order))) else self._view(MovementOps.PERMUTE, tuple(order))
  def expand(self, shape: tuple) -> LazyBuffer: return self if shape == self.shape else self._view(MovementOps.EXPAND, tuple(shape))
  def pad(self, arg: tuple) -> LazyBuffer: return self if all(tuple(p) == (0, 0) for p in arg) else self._view(MovementOps.PAD, tuple(map(tuple, arg)))
  def shrink(self, arg: tuple) -> LazyBuffer:
    return self if all(tuple(p) == (0, s) for p, s in zip(arg, self.shape)) else self._view(MovementOps.SHRINK, tuple(map(tuple, arg)))
  def stride(self, arg: tuple) -> LazyBuffer: return self if all(a == 1 for a in arg) else self._view(MovementOps.STRIDE, tuple(arg))

  def realize(self) -> LazyBuffer:
    if not self.is_realized: realize.run_schedule(schedule.schedule([self]))
    return self
  def numpy(self):
    if realize.CAPTURE is not None:
      raise RuntimeError("a jitted step read a tensor's value (.numpy(), .item(), .tolist(), t[bool mask]: its count of trues) while "
                         "being recorded: a replay can't redo that. Return it from the step and read it after; for a mask use t * mask")
    self.realize()
    return Device.get(self.device).to_numpy(self.base.realized, self.st, self.dtype)
