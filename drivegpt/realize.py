"""Running kernels: compile each ScheduleItem for its device, run them in order, and write assigned results into their
tensors' own buffers once every kernel that read the old values has run. The JIT records the ExecItems and replays them."""
from __future__ import annotations
import functools, itertools, time, weakref
from typing import Any, Callable, NamedTuple, Optional, TYPE_CHECKING
from drivegpt.helpers import DType, GlobalCounters, DEBUG, prod, toposort
from drivegpt.ops import Op, LoadOps
from drivegpt.device import Device
from drivegpt.shape import ShapeTracker
if TYPE_CHECKING: from drivegpt.lazy import LazyBuffer

class ExecItem(NamedTuple):
  """One compiled kernel or load op. inputs and out are keys into the buffers of a run: ints for buffers made in the run
  (a schedule's results, the JIT's slots), LazyBuffers for buffers realized before it (read through .realized)."""
  runner: Optional[Callable]   # runner(input buffers) -> new output buffer; None for a load op
  op: Op                       # the kernel's root op (a LoadOps for a load op)
  arg: Any                     # a load op's argument; for COPY, (source device, source dtype)
  device: str
  shape: tuple
  dtype: DType
  inputs: tuple
  out: Any
  target: Optional[LazyBuffer]  # the realized tensor whose buffer receives this result (Tensor.assign), else None

# the JIT sets this to a list to record what run_schedule runs: (ExecItem, weakref to the LazyBuffer it realizes) pairs
CAPTURE: Optional[list] = None
# and the Python values folded into its kernels, {key: (weakref to the object, attribute)}: a replay needs the values the
# recording call left them at (a GAN's step freezes and unfreezes a net inside it: read at the end, it still replays)
GUARDS: dict = {}
LAZY_LOADS = 0  # load_state_dict into tensors still lazy (Tensor.zeros kept by a model): each recording guards on it, as its
                # kernels had their old values folded in (a jitted step kept computing with them, silently)
_keys = itertools.count()  # keys of results, unique across schedules, so a recording can tell them apart; also a clock:
                           # when an autograd op was made (Function.t) and when an assign last wrote a buffer (WRITES)
WRITES: dict = {}  # id(buffer) -> (when its last in-place write was made, on the _keys clock; id of the node written): a
                  # backward reading it, saved by an op made before, raises
# assigns not yet realized: a JIT replay runs them first, since its kernels read the buffers they write into
PENDING_ASSIGNS: weakref.WeakSet = weakref.WeakSet()

def realize_pending_assigns() -> None:
  from drivegpt.schedule import schedule
  if todo := [lb for lb in PENDING_ASSIGNS if not lb.is_realized]: run_schedule(schedule(todo))
  PENDING_ASSIGNS.clear()

# unrealized lazy buffers that read a realized buffer: before an assign overwrites that buffer, the ones built outside
# the schedule being run are realized, so `b = a*2; a.assign(x).realize(); b.numpy()` gives the old a times 2
READERS: weakref.WeakSet = weakref.WeakSet()

def readers(buffers: list) -> list:
  """The unrealized lazy buffers that read one of buffers (realized ones): what an assign into them must not change."""
  ids = {id(b) for b in buffers}
  return [r for r in list(READERS) if r.realized is None and r.srcs and any(s.base.realized is not None and id(s.base.realized) in ids for s in r.srcs)]

_runners: dict = {}  # id(ast) -> (ast, runner). The schedule cache hands back the same AST objects every step: found by
                     # identity here, they skip the backend's cache, which hashes the whole expression tree at each lookup
def _compile(si) -> Callable:
  if (hit := _runners.get(id(si.ast))) is not None and hit[0] is si.ast: return hit[1]
  if len(_runners) >= 4096: _runners.clear()
  # holding the AST keeps its id from being reused by another
  _runners[id(si.ast)] = si.ast, (runner := Device.get(si.out.device).compile(si.ast, si.out.shape, si.out.dtype))
  return runner

def run_schedule(items: list) -> None:
  """Run ScheduleItems. Each output gets its buffer and drops its graph as soon as its kernel has run, and the schedule
  holds its results only weakly: a result nothing refers to any more (an intermediate) is freed once read for the last time."""
  stale: list = []
  if targets := [si.out.assign_target.realized for si in items if si.out.assign_target is not None]:
    from drivegpt.schedule import schedule
    graph = {id(b) for b in toposort([si.out for si in items], lambda b: [s.base for s in b.srcs])}
    # readers outside this schedule join it: run before any assign writes, they see the old values (and two assigns
    # that read each other's targets, a swap, run together). Those computed only inside its kernels may need a copy
    found = readers(targets)
    if outside := [r for r in found if id(r) not in graph]: return run_schedule(schedule([si.out for si in items] + outside))
    roots = {id(si.out) for si in items}; stale = [weakref.ref(r) for r in found if id(r) not in roots]
    del found, outside  # held here, every reader would look held by someone
  keys = {id(si.out): next(_keys) for si in items}
  steps = [ExecItem(None if si.ast.op in LoadOps else _compile(si), si.ast.op, (si.inputs[0].device, si.inputs[0].dtype) if si.ast.op is LoadOps.COPY else si.ast.arg,
                    si.out.device, si.out.shape, si.out.dtype, tuple(keys.get(id(x), x) for x in si.inputs), keys[id(si.out)], si.out.assign_target) for si in items]
  refs = {keys[id(si.out)]: weakref.ref(si.out) for si in items}
  if CAPTURE is not None: CAPTURE.extend((it, refs[it.out]) for it in steps)
  del items  # from here on the graph alone keeps the results alive
  run(steps, {}, refs=refs, keep=(), before_writes=lambda: _keep_old(stale, targets))

def _publish(lb: Optional[LazyBuffer], buf) -> None:
  # the assign target is kept by the ExecItem: dropping it here ends the chain of earlier assigns
  if lb is not None: lb.realized, lb.srcs, lb.assign_target = buf, (), None

def _keep_old(readers: list, buffers: list) -> None:
  """Readers of buffers that the schedule computed only inside its kernels yet are still held once they have run (a
  loss built before an optimizer step and read after it) read a copy of the old values from now on, as if the assign
  had made new buffers: nothing else would give them the values they were built from. readers: weak references, taken
  one at a time (a list of them all would keep each other alive through their graphs)."""
  from drivegpt.lazy import LazyBuffer
  ids, copies = {id(b) for b in buffers if b is not None}, {}
  for ref in readers:
    if (r := ref()) is None or r.realized is not None: continue
    srcs = []
    for v in r.srcs:
      if (b := v.base).realized is not None and id(b.realized) in ids:
        if id(b) not in copies:
          copies[id(b)] = LazyBuffer.from_numpy(Device.get(b.device).to_numpy(b.realized, b.st, b.dtype), b.device)
          if CAPTURE is not None:  # a jit recording: the copy is a step of its own, redone from the live buffer each replay
            CAPTURE.append((ExecItem(None, LoadOps.COPY, (b.device, b.dtype), b.device, b.shape, b.dtype, (b,), next(_keys), None), weakref.ref(copies[id(b)])))
        v = functools.reduce(lambda x, m: x._view(*m), v.mops, copies[id(b)])  # the same view of the copy
      srcs.append(v)
    r.srcs = tuple(srcs)

def run(steps: list[ExecItem], bufs: dict, rand_arg: Callable = lambda arg: arg, refs: Optional[dict] = None, keep=None, before_writes: Optional[Callable] = None) -> dict:
  """Run steps in order. bufs maps keys to buffers (an input not in it is a LazyBuffer read through .realized); each
  step's output is added under its key, and given at once to the LazyBuffer refs[key] refers to, if it is alive.
  Outputs not in keep (None: all) leave bufs after the last step that reads them. The JIT replays through here with fresh
  random seeds from rand_arg. before_writes() runs after the kernels, before assigned results go into their buffers."""
  refs, last = refs or {}, {x: i for i, it in enumerate(steps) for x in it.inputs}
  keep, assigns = None if keep is None else set(keep) | {it.out for it in steps if it.target is not None}, []
  for i, it in enumerate(steps):
    ins, size = [bufs[x] if x in bufs else x.realized for x in it.inputs], prod(it.shape)
    if it.runner is not None:
      if DEBUG >= 2: t0 = time.perf_counter()
      out = it.runner(ins)
      GlobalCounters.allocations.append(size*it.dtype.itemsize)
      GlobalCounters.kernel_count += 1
      if DEBUG >= 2: print(f"kernel {GlobalCounters.kernel_count:4d} {(time.perf_counter() - t0)*1e3:8.2f} ms  {it.op.name:<6} {it.shape} {it.dtype.name}")
    elif it.op is LoadOps.COPY: out = Device.get(it.device).from_numpy(Device.get(it.arg[0]).to_numpy(ins[0], ShapeTracker.from_shape(it.shape), it.arg[1]).reshape(-1))
    elif it.op is LoadOps.EMPTY: out = Device.get(it.device).alloc(size, it.dtype)
    elif it.op is LoadOps.RAND: out = Device.get(it.device).rand(size, it.dtype, rand_arg(it.arg))
    else: raise RuntimeError(f"can't run load op {it.op}")
    bufs[it.out] = out
    if it.target is not None: assigns.append(it)
    elif it.out in refs: _publish(refs[it.out](), out)
    if keep is not None:
      for x in [x for x in it.inputs if last[x] == i and x not in keep]: bufs.pop(x, None)
  if before_writes is not None and assigns:
    for it in assigns:  # computed: their graphs go now, so before_writes sees only readers held from elsewhere
      if it.out in refs and (lb := refs[it.out]()) is not None: lb.srcs = ()
    before_writes()
  final = {id(it.target): it for it in assigns}  # two assigns to one tensor: the earlier one keeps its value in its own buffer
  for it in assigns:  # writes into a tensor's own buffer wait until every kernel that read its old value has run
    Device.get(it.device).copyin(buf := it.target.realized, bufs[it.out])
    if id(buf) not in WRITES: weakref.finalize(buf, WRITES.pop, id(buf), None)  # (keyed by the buffer: LazyBuffers share one)
    # when: an assign's, when assign() was called (an op made after it read the new value: w.assign(w - g) pending, then
    # a forward, then loss.item() realized both; not the value's own seq, which may be older than the op); a jit
    # replay's, now (its recording's assign nodes are old). The node written is the value's own when it was lazy: an op
    # that saved it (h = x.exp(); state.assign(h)) reads the value it saved, so that write does not count for it
    WRITES[id(buf)] = (lb.dated, id(lb)) if it.out in refs and (lb := refs[it.out]()) is not None and lb.assign_target is it.target else (next(_keys), None)
    if final[id(it.target)] is it: bufs[it.out] = it.target.realized
    if it.out in refs: _publish(refs[it.out](), bufs[it.out])
  return bufs
