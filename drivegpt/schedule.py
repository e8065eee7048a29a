"""The scheduler: cuts the graph behind some lazy buffers into fused kernels (ScheduleItems), in the order they must run."""
from __future__ import annotations
from collections import defaultdict
from typing import NamedTuple, TYPE_CHECKING
from drivegpt.helpers import toposort
from drivegpt.ops import ReduceOps, MovementOps, LoadOps, BufferOps, LazyOp, ElementwiseOps, ZERO_PRESERVING, const_key
if TYPE_CHECKING: from drivegpt.lazy import LazyBuffer

class ScheduleItem(NamedTuple):
  ast: LazyOp           # the kernel's expression; its output is the contiguous buffer of out
  out: LazyBuffer
  inputs: tuple         # the realized bases its BufferOps.LOAD leaves read, by index

MAX_KERNEL_DEPTH, MAX_PATHS = 64, 64   # longer chains are cut into several kernels, so kernel trees stay far from the recursion limit;
                        # and a node reached by more paths from the root (tanh of cosh of ..., gelu of gelu of ...) gets its own buffer:
                        # kernel trees are hashed and compared whole, so 8 chained gelus took 2.3 s to compile, 10 a minute
MAX_ROW_REDUCES = 4     # reduces in one row kernel (a layernorm's forward + backward): each pass recomputes what feeds
                        # it, so six chained softmaxes in one kernel would be 12 passes, each redoing the chain before it

def _row_sig(b: LazyBuffer, sigs: dict):
  """(axes, input shape) of the reduce whose rows b's value is one per: a reduce's own, or that of an elementwise op on
  reduces of the same rows (a mean, a 1/sqrt(var + eps)); else None. Only rows along the trailing dims, which sit together
  in memory: a pass over a column of a big matrix reads the whole matrix (softmax over dim 0 of 2048^2 took 1.7x longer)."""
  if b.op in ReduceOps:
    shape = b.srcs[0].shape
    return (b.arg, shape) if all(i in b.arg or shape[i] == 1 for i in range(min(b.arg), len(shape))) else None
  if b.op.__class__ not in ElementwiseOps: return None
  found = {sigs.get(id(s.base)) for s in b.srcs if not s.mops and s.base.realized is None} - {None}
  return found.pop() if len(found) == 1 else None

def _reexpands(src: LazyBuffer, acc: tuple, sig) -> bool:
  """Does acc only broadcast src's per-row value back over the rows of sig's reduce (softmax's x - max(x))?"""
  if sig is None or not acc or acc[-1][0] is not MovementOps.EXPAND or any(op is not MovementOps.RESHAPE for op, _ in acc[:-1]): return False
  axes, shape = sig
  return acc[-1][1] == shape and (acc[-2][1] if len(acc) > 1 else src.shape) == tuple(1 if i in axes else n for i, n in enumerate(shape))

def _inlinable(src: LazyBuffer, acc: tuple, nred: int, kernel_sig, src_sig) -> bool:
  """Can src be computed inside its consumer's kernel, seen through movement ops acc? The kernel has nred reduces so
  far, over the rows kernel_sig (None: not rows)."""
  ops = {op for op, _ in acc}
  if src.force_realize: return False
  # a row kernel: several reduces over the same rows, a pass each
  if _reexpands(src, acc, src_sig): return (nred == 0 or kernel_sig == src_sig) and (src.op not in ReduceOps or nred < MAX_ROW_REDUCES)
  if src.op in ReduceOps: return nred == 0 and ops <= {MovementOps.RESHAPE}
  if src.op not in ZERO_PRESERVING and MovementOps.PAD in ops: return False  # f(0) != 0: padding must stay outside
  return src.op.__class__ in ElementwiseOps and MovementOps.EXPAND not in ops  # an expand would recompute src per copy

# graph structure -> its kernels, with buffers as positions in the structure's list of bases. Code without the JIT builds
# the same graph every step: a hit skips the cutting below and hands back the same ASTs, which the kernel caches know.
SCHEDULES, SEEN = {}, None  # SEEN: while the JIT records a step, (its start, the lazy values made before it that its schedules compute)
MAX_CACHED_NODES = 50_000  # ~20 MB of keys (a GPT training step's graph is ~2,500 nodes); the oldest schedules go first

def _structure(order: list, outs: list) -> tuple:
  """(key, bases): the graph behind outs (order: its unrealized bases, sources first) as a hashable key, and every base
  it reads (realized ones included) by position. Equal keys mean graphs that cut into the same kernels: each base's op,
  arg, dtype, shape and what it reads through which movement ops, and whether it must be its own buffer."""
  pos, key, bases, outs = {}, [], [], {id(b) for b in outs}
  for b in order:
    srcs = []
    for s in b.srcs:
      if (n := pos.get(id(s.base))) is None:  # a realized buffer: a leaf, known by device, dtype and shape
        n = pos[id(s.base)] = len(key)
        key.append((s.base.device, s.base.dtype, s.base.shape)); bases.append(s.base)
      srcs.append((n, s.mops))
    pos[id(b)] = len(bases); bases.append(b)
    key.append((b.op, None if b.op is LoadOps.RAND else const_key(b.arg), b.dtype, b.shape, b.device, b.force_realize, b.assign_target is not None, id(b) in outs, tuple(srcs)))
  return tuple(key), bases

def schedule(outs: list[LazyBuffer]) -> list[ScheduleItem]:
  """Cut the graph behind outs into kernels: elementwise chains and their reduce fuse, shared results get their own buffer."""
  outs = list({id(x.base): x.base for x in outs if x.base.realized is None}.values())
  order = toposort(outs, lambda b: [s.base for s in b.srcs if s.base.realized is None])  # sources before consumers
  if SEEN is not None: SEEN[1].extend(b for b in order if b.seq < SEEN[0] and b.op is not LoadOps.CONST)  # (not the step's own: held, they kept every activation alive)
  key, bases = _structure(order, outs)
  if (cut := SCHEDULES.get(key)) is None:
    where = {id(b): i for i, b in enumerate(bases)}
    cut = [(where[id(si.out)], si.ast, tuple(where[id(x)] for x in si.inputs)) for si in _cut(order, outs)]
    SCHEDULES[key] = cut
    while sum(map(len, SCHEDULES)) > MAX_CACHED_NODES and len(SCHEDULES) > 1: del SCHEDULES[next(iter(SCHEDULES))]
  # a load op's AST is its op and arg: rebuilt, since a RAND's seed is not part of the key
  return [ScheduleItem(ast if ast.op not in LoadOps else LazyOp(bases[o].op, (), bases[o].arg), bases[o], tuple(bases[i] for i in ins)) for o, ast, ins in cut]

def _cut(order: list, outs: list) -> list[ScheduleItem]:
  """The scheduler proper (schedule() without its cache)."""
  # ctx: inlined base -> (kernel root, movement ops from it to the root's output, depth). A base is inlined when every
  # consumer can inline it into the same kernel through the same view: then the backend computes it once in that kernel.
  roots, ctx, sig, proposals, sigs, nred = {id(b) for b in outs}, {}, {}, defaultdict(list), {}, defaultdict(int)
  for b in order: sigs[id(b)] = _row_sig(b, sigs)
  for b in reversed(order):  # consumers before their sources: when b comes up, all its consumers have proposed
    if b.op is LoadOps.CONST and id(b) not in roots: continue  # constants are kernel leaves, never buffers
    p = proposals[id(b)]
    if id(b) not in roots and None not in p and len(set((id(r), acc) for r, acc, *_ in p)) == 1 and \
       (b.op not in ReduceOps or (len(p) == 1 and _inlinable(b, p[0][1], nred[id(p[0][0])], sig.get(id(p[0][0])), sigs[id(b)]))):
      ctx[id(b)] = p[0][0], p[0][1], max(d for _, _, d, _ in p), sum(n for *_, n in p)
    else: roots.add(id(b))
    root, acc, depth, paths = ctx.get(id(b), (b, (), 0, 1))
    if b.op in ReduceOps: sig[id(root)], acc, nred[id(root)] = sigs[id(b)], (), nred[id(root)] + 1  # its inputs: unreduced shape
    for s in b.srcs:
      sb = s.base
      if sb.realized is not None or sb.op is LoadOps.CONST: continue
      sacc = s.mops + acc
      ok = b.op not in LoadOps and sb.op not in LoadOps and depth + 1 < MAX_KERNEL_DEPTH and paths < MAX_PATHS and _inlinable(sb, sacc, nred[id(root)], sig.get(id(root)), sigs[id(sb)])
      proposals[id(sb)].append((root, sacc, depth + 1, paths) if ok else None)
  return [_schedule_item(b, ctx) for b in order if id(b) in roots and id(b) not in ctx]

def _schedule_item(root: LazyBuffer, ctx: dict) -> ScheduleItem:
  inputs: list = []
  index: dict = {}  # id of an input's buffer -> its place in inputs
  def load(view: LazyBuffer, acc: tuple) -> LazyOp:
    b = view.base
    if id(b) in ctx: return build(b, view.mops + acc)
    st = view.st
    for op, arg in acc: st = st.movement(op, arg)
    if b.realized is None and b.op is LoadOps.CONST: return LazyOp(BufferOps.CONST, (), (const_key(b.arg), st, b.dtype))
    if (idx := index.get(id(b))) is None: idx = index[id(b)] = len(inputs); inputs.append(b)
    return LazyOp(BufferOps.LOAD, (), (idx, st, b.dtype))
  built: dict = {}  # a node used several times in a kernel (a row kernel's x - mean) is built once, one shared LazyOp
  def build(b: LazyBuffer, acc: tuple) -> LazyOp:
    if (key := (id(b), acc)) in built: return built[key]
    if b.op in ReduceOps:
      ret = LazyOp(b.op, (load(b.srcs[0], ()),), b.arg)
      ret = LazyOp(MovementOps.RESHAPE, (ret,), acc[-1][1]) if acc and acc[-1][0] is MovementOps.RESHAPE and acc[-1][1] != b.shape else ret
    else: ret = LazyOp(b.op, tuple(load(s, acc) for s in b.srcs), b.arg)
    return built.setdefault(key, ret)
  if root.op is LoadOps.CONST: ast = LazyOp(BufferOps.CONST, (), (const_key(root.arg), root.st, root.dtype))
  elif root.op in LoadOps: ast = LazyOp(root.op, (), root.arg)
  else: ast = build(root, ())
  del load, build, built  # they refer to each other: a cycle that would keep the inputs' buffers until the garbage collector runs
  return ScheduleItem(ast, root, tuple(inputs) if root.op is not LoadOps.COPY else (root.srcs[0].base,))
