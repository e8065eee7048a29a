"""Views: how a tensor's logical index maps to an address in a flat buffer. Movement ops edit views, never data."""
from __future__ import annotations
import functools
from typing import NamedTuple, Optional
from drivegpt.helpers import prod, ceildiv

def strides_for_shape(shape: tuple) -> tuple:
  """Row-major strides, with 0 for size-1 dims so equal views compare equal."""
  strides, acc = [], 1
  for s in reversed(shape): strides.append(acc if s != 1 else 0); acc *= s
  return tuple(reversed(strides))

class View(NamedTuple):
  """address(idx) = offset + sum(idx*strides), valid only where mask[d][0] <= idx[d] < mask[d][1] (else the value is 0)."""
  shape: tuple
  strides: tuple
  offset: int
  mask: Optional[tuple]
  contiguous: bool

  @staticmethod
  def create(shape: tuple, strides: Optional[tuple] = None, offset: int = 0, mask: Optional[tuple] = None) -> View:
    shape = tuple(shape)
    strides = strides_for_shape(shape) if strides is None else tuple(0 if s == 1 else st for s, st in zip(shape, strides))
    if mask is not None:
      if any(lo >= hi for lo, hi in mask): strides, offset, mask = (0,)*len(shape), 0, ((0, 0),)*len(shape)  # nothing valid
      elif all(m == (0, s) for m, s in zip(mask, shape)): mask = None
    contiguous = offset == 0 and mask is None and strides == strides_for_shape(shape)
    return View(shape, tuple(strides), offset, mask if mask is None else tuple(mask), contiguous)

  def _masks(self) -> tuple: return self.mask if self.mask is not None else tuple((0, s) for s in self.shape)

  def permute(self, order: tuple) -> View:
    return View.create(*(tuple(x[i] for i in order) for x in (self.shape, self.strides)), self.offset, None if self.mask is None else tuple(self.mask[i] for i in order))

  def expand(self, new_shape: tuple) -> View:
    strides = tuple(st if s == ns else 0 for s, ns, st in zip(self.shape, new_shape, self.strides))
    mask = None if self.mask is None else tuple(m if s == ns or m == (0, 0) else (0, ns) for m, s, ns in zip(self.mask, self.shape, new_shape))
    return View.create(new_shape, strides, self.offset, mask)

  def pad(self, arg: tuple) -> View:
    if all(b == 0 and a == 0 for b, a in arg): return self
    shape = tuple(s + b + a for s, (b, a) in zip(self.shape, arg))
    mask = tuple((max(lo + b, 0), min(hi + b, n)) for (lo, hi), (b, _), n in zip(self._masks(), arg, shape))  # a < 0 crops
    return View.create(shape, self.strides, self.offset - sum(b*st for (b, _), st in zip(arg, self.strides)), mask)

  def shrink(self, arg: tuple) -> View:
    mask = tuple((max(mlo, lo) - lo, max(min(mhi, hi) - lo, 0)) for (mlo, mhi), (lo, hi) in zip(self._masks(), arg))
    return View.create(tuple(hi - lo for lo, hi in arg), self.strides, self.offset + sum(lo*st for (lo, _), st in zip(arg, self.strides)), mask)

  def stride(self, mul: tuple) -> View:
    """Take every m-th element along each dim; a negative m flips the dim first."""
    shape, strides, offset, mask = [], [], self.offset, []
    for s, st, (lo, hi), m in zip(self.shape, self.strides, self._masks(), mul):
      if m < 0: offset, st, lo, hi = offset + (s - 1)*st, -st, s - hi, s - lo
      shape.append(ceildiv(s, abs(m))); strides.append(st*abs(m)); mask.append((ceildiv(lo, abs(m)), ceildiv(hi, abs(m))))
    return View.create(tuple(shape), tuple(strides), offset, tuple(mask))

  def reshape(self, new_shape: tuple) -> Optional[View]:
    """The same memory seen with a new shape, or None when one view can't express it."""
    if self.shape == new_shape: return self
    if self.contiguous or prod(new_shape) == 0: return View.create(new_shape)
    if self.mask is not None:
      if any(lo >= hi for lo, hi in self.mask): return View.create(new_shape, None, 0, ((0, 0),)*len(new_shape)) if new_shape else None  # 0-d: no mask to say it
      if [s for s in self.shape if s != 1] != [s for s in new_shape if s != 1]: return None
      # only size-1 dims added or removed: keep the others' strides and masks in order
      kept = iter([(st, m) for s, st, m in zip(self.shape, self.strides, self.mask) if s != 1])
      sm = [next(kept) if s != 1 else (0, (0, 1)) for s in new_shape]
      return View.create(new_shape, tuple(st for st, _ in sm), self.offset, tuple(m for _, m in sm))
    old = [(s, st) for s, st in zip(self.shape, self.strides) if s != 1]
    strides, oi, ni = [0]*len(new_shape), 0, 0
    while ni < len(new_shape):
      if new_shape[ni] == 1: ni += 1; continue
      # grow a group of old dims and new dims until their sizes match
      og, ng, op, np_ = [oi], [ni], old[oi][0], new_shape[ni]
      oi, ni = oi + 1, ni + 1
      while op != np_:
        if op < np_: og.append(oi); op *= old[oi][0]; oi += 1
        else: ng.append(ni); np_ *= new_shape[ni]; ni += 1
      if any(old[a][1] != old[b][1]*old[b][0] for a, b in zip(og, og[1:])): return None  # old dims not mergeable
      acc = old[og[-1]][1]
      for k in reversed(ng): strides[k] = acc; acc *= new_shape[k]
    return View.create(new_shape, tuple(strides), self.offset, None)

class ShapeTracker(NamedTuple):
  """A stack of views: each view indexes the row-major layout of the shape of the view before it."""
  views: tuple

  @staticmethod
  def from_shape(shape: tuple) -> ShapeTracker: return _from_shape(tuple(shape))
  @property
  def shape(self) -> tuple: return self.views[-1].shape
  @property
  def contiguous(self) -> bool: return len(self.views) == 1 and self.views[0].contiguous
  def size(self) -> int: return prod(self.shape)

  def _replace_last(self, v: View) -> ShapeTracker: return ShapeTracker(self.views[:-1] + (v,))
  def reshape(self, new_shape: tuple) -> ShapeTracker:
    if (v := self.views[-1].reshape(tuple(new_shape))) is not None: return self._replace_last(v)
    return ShapeTracker(self.views + (View.create(tuple(new_shape)),))
  def permute(self, order: tuple) -> ShapeTracker: return self._replace_last(self.views[-1].permute(tuple(order)))
  def expand(self, shape: tuple) -> ShapeTracker: return self._replace_last(self.views[-1].expand(tuple(shape)))
  def pad(self, arg: tuple) -> ShapeTracker: return self._replace_last(self.views[-1].pad(tuple(arg)))
  def shrink(self, arg: tuple) -> ShapeTracker: return self._replace_last(self.views[-1].shrink(tuple(arg)))
  def stride(self, arg: tuple) -> ShapeTracker: return self._replace_last(self.views[-1].stride(tuple(arg)))
  # cached: a training step makes the same views every step (graph building was ~15% of a GPT step without the jit)
  @functools.lru_cache(maxsize=8192)
  def movement(self, op, arg) -> ShapeTracker: return getattr(self, op.name.lower())(arg)

@functools.lru_cache(maxsize=8192)
def _from_shape(shape: tuple) -> ShapeTracker: return ShapeTracker((View.create(shape),))
