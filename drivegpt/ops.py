"""The engine's whole instruction set. Everything else is built from these ops."""
from __future__ import annotations
import math, struct
from enum import Enum, EnumType, auto
from typing import Any, Callable, NamedTuple
from drivegpt.helpers import dtypes

class _OpsType(EnumType):
  def __contains__(cls, op) -> bool: return op.__class__ is cls  # `op in ReduceOps`: Enum's own check ran ~10x slower
class Ops(Enum, metaclass=_OpsType):
  """The base of the op enums. Members are singletons, so they hash by identity, in C: Enum hashes a member's name in
  Python, and a LazyOp tree is hashed whole at every kernel cache lookup (~500 member hashes per layernorm step)."""
  __hash__ = object.__hash__

class UnaryOps(Ops): EXP2 = auto(); LOG2 = auto(); SIN = auto(); SQRT = auto(); RECIP = auto(); NEG = auto(); CAST = auto() # noqa: E702
class BinaryOps(Ops): ADD = auto(); SUB = auto(); MUL = auto(); DIV = auto(); MAX = auto(); MOD = auto(); CMPLT = auto(); CMPEQ = auto() # noqa: E702
class TernaryOps(Ops): WHERE = auto() # noqa: E702
class ReduceOps(Ops): SUM = auto(); MAX = auto() # noqa: E702
class MovementOps(Ops): RESHAPE = auto(); PERMUTE = auto(); EXPAND = auto(); PAD = auto(); SHRINK = auto(); STRIDE = auto() # noqa: E702
class LoadOps(Ops): CONST = auto(); EMPTY = auto(); COPY = auto(); RAND = auto() # noqa: E702
# the leaves of a kernel's expression: read an input buffer (arg: input index, ShapeTracker) or a constant (arg: value, ShapeTracker)
class BufferOps(Ops): LOAD = auto(); CONST = auto() # noqa: E702

Op = UnaryOps | BinaryOps | TernaryOps | ReduceOps | MovementOps | LoadOps | BufferOps
ElementwiseOps = (UnaryOps, BinaryOps, TernaryOps)
# ops with f(0, ..., 0) == 0: a padded view can be pushed through them into their inputs
ZERO_PRESERVING = {UnaryOps.SIN, UnaryOps.SQRT, UnaryOps.NEG, UnaryOps.CAST, BinaryOps.ADD, BinaryOps.SUB, BinaryOps.MUL, BinaryOps.MAX, BinaryOps.CMPLT, TernaryOps.WHERE}

class LazyOp(NamedTuple):
  """One node of a kernel's expression tree: an op, its sources and an argument. Hashable, so kernels cache by it."""
  op: Op
  src: tuple = ()
  arg: Any = None

def replace(node: LazyOp, old: LazyOp, new: LazyOp) -> LazyOp:
  """node's tree with every subtree equal to old replaced by new."""
  return new if node == old else LazyOp(node.op, tuple(replace(s, old, new) for s in node.src), node.arg)

class Bits(float):
  """A float constant that equals only a number with the same bits as a float: 0.0 != -0.0 and nan == nan, else as a
  float (Bits(1.0) == 1). Kernels are cached by their expression, and plain floats would hand x*0.0 the kernel
  compiled for x*-0.0; a nan would never find its kernel again. Hashes as a float, so dicts keyed by floats find it."""
  def __eq__(self, other):
    try: return isinstance(other, (int, float)) and struct.pack("d", self) == struct.pack("d", float(other))
    except OverflowError: return False  # an int too big for a float
  def __ne__(self, other): return not self == other
  def __hash__(self): return 0x7ff8 if math.isnan(self) else float.__hash__(self)  # every nan alike (a float's is by id)
def const_key(v: Any) -> Any: return Bits(v) if v.__class__ is float else v

def result_dtype(op: Op, arg: Any, src_dtype: Callable[[int], Any]) -> Any:
  """The dtype an elementwise op produces, src_dtype(i) being its i-th source's: the one place this is decided."""
  if op in (BinaryOps.CMPLT, BinaryOps.CMPEQ): return dtypes.bool
  return arg if op is UnaryOps.CAST else src_dtype(1) if op is TernaryOps.WHERE else src_dtype(0)
