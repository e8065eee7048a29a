"""Small shared helpers: dtypes, counters, environment flags."""
from __future__ import annotations
import collections, functools, operator, os
from dataclasses import dataclass
import numpy as np

def prod(xs) -> int: return functools.reduce(operator.mul, xs, 1)
def argfix(*x): return tuple(x[0]) if x and isinstance(x[0], (tuple, list)) else tuple(x)
def make_pair(x, n=2, least=-2**63, what="") -> tuple:
  """x as n ints (an int n times); another count, or a value under least, is refused, as PyTorch (stride=(1, 2, 3) dropped
  the 3, dilation=0 and a negative padding gave a plausible shape)."""
  if len(ret := (x,)*n if isinstance(x, int) else tuple(x)) != n or min(ret, default=least) < least: raise ValueError(f"{what}expected an int or {n} ints{f' of at least {least}' if least > -2**63 else ''}, got {x}")
  return ret
def flatten(xss) -> list: return [x for xs in xss for x in xs]
def getenv(key: str, default=0):
  try: return type(default)(os.getenv(key, default))
  except ValueError: raise ValueError(f"environment variable {key}={os.getenv(key)!r}: expected {type(default).__name__}") from None
def ceildiv(a: int, b: int) -> int: return -(-a // b)

DEBUG = getenv("DEBUG", 0)

@dataclass(frozen=True, eq=True)
class DType:
  """A tensor element type: its name, numpy type and sort order for promotion."""
  priority: int
  itemsize: int
  name: str
  np: type
  def __repr__(self): return f"dtypes.{self.name}"
  @property
  def is_float(self) -> bool: return self.name.startswith("float")
  @property
  def is_int(self) -> bool: return self.name.startswith("int")

class dtypes:
  bool = DType(0, 1, "bool", np.bool_)
  int32 = DType(1, 4, "int32", np.int32)
  int64 = DType(2, 8, "int64", np.int64)
  float16 = DType(3, 2, "float16", np.float16)
  float32 = DType(4, 4, "float32", np.float32)
  default_float, default_int = float32, int32
  @staticmethod
  def from_np(x) -> DType:
    name = np.dtype(x).name
    if name == "float64": return dtypes.float32
    if not hasattr(dtypes, name): raise TypeError(f"unsupported numpy dtype {name}: use float32, float16, int32, int64 or bool")
    return getattr(dtypes, name)
  @staticmethod
  def promote(a: DType, b: DType) -> DType: return a if a.priority >= b.priority else b

class GlobalCounters:
  """Counts what the backends did since the last reset(): kernels run, and the sizes of the latest buffers allocated (at
  most 4096 kept, so a long training run does not grow it)."""
  kernel_count: int = 0
  allocations: collections.deque = collections.deque(maxlen=4096)
  @staticmethod
  def reset(): GlobalCounters.kernel_count, GlobalCounters.allocations = 0, collections.deque(maxlen=4096)

def toposort(roots: list, children) -> list:
  """Nodes reachable from roots, each after every node children() lists for it. Iterative: deep graphs are fine."""
  order, seen, stack = [], set(), [(r, False) for r in roots]
  while stack:
    node, done = stack.pop()
    if done: order.append(node); continue
    if id(node) in seen: continue
    seen.add(id(node))
    stack.append((node, True))
    stack.extend((c, False) for c in children(node) if id(c) not in seen)
  return order

