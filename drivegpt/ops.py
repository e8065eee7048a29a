"""The engine's whole instruction set. Everything else is built from these ops."""
from __future__ import annotations
from enum import Enum, auto
from typing import Any, Callable, NamedTuple
from drivegpt.helpers import dtypes

class UnaryOps(Enum): EXP2 = auto(); LOG2 = auto(); SIN = auto(); SQRT = auto(); RECIP = auto(); NEG = auto(); CAST = auto() # noqa: E702
class BinaryOps(Enum): ADD = auto(); SUB = auto(); MUL = auto(); DIV = auto(); MAX = auto(); MOD = auto(); CMPLT = auto(); CMPEQ = auto() # noqa: E702
class TernaryOps(Enum): WHERE = auto() # noqa: E702
class ReduceOps(Enum): SUM = auto(); MAX = auto() # noqa: E702
class MovementOps(Enum): RESHAPE = auto(); PERMUTE = auto(); EXPAND = auto(); PAD = auto(); SHRINK = auto(); STRIDE = auto() # noqa: E702
class LoadOps(Enum): CONST = auto(); EMPTY = auto(); COPY = auto(); RAND = auto() # noqa: E702
# the leaves of a kernel's expression: read an input buffer (arg: input index, ShapeTracker) or a constant (arg: value, ShapeTracker)
class BufferOps(Enum): LOAD = auto(); CONST = auto() # noqa: E702

Op = UnaryOps | BinaryOps | TernaryOps | ReduceOps | MovementOps | LoadOps | BufferOps
ElementwiseOps = (UnaryOps, BinaryOps, TernaryOps)
# ops with f(0, ..., 0) == 0: a padded view can be pushed through them into their inputs
ZERO_PRESERVING = {UnaryOps.SIN, UnaryOps.SQRT, UnaryOps.NEG, UnaryOps.CAST, BinaryOps.ADD, BinaryOps.SUB, BinaryOps.MUL,
                   BinaryOps.MAX, BinaryOps.CMPLT, TernaryOps.WHERE}

class LazyOp(NamedTuple):
  """One node of a kernel's expression tree: an op, its sources and an argument. Hashable, so kernels cache by it."""
  op: Op
  src: tuple = ()
  arg: Any = None

def result_dtype(op: Op, arg: Any, src_dtype: Callable[[int], Any]) -> Any:
  """The dtype an elementwise op produces, src_dtype(i) being its i-th source's: the one place this is decided."""
  if op in (BinaryOps.CMPLT, BinaryOps.CMPEQ): return dtypes.bool
  return arg if op is UnaryOps.CAST else src_dtype(1) if op is TernaryOps.WHERE else src_dtype(0)
