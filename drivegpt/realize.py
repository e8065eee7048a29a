"""Running kernels: compile each ScheduleItem for its device, run them in order, and write assigned results into their
tensors' own buffers once every kernel that read the old values has run. The JIT records the ExecItems and replays them."""
from __future__ import annotations
import time, weakref
from typing import Any, Callable, NamedTuple, Optional, TYPE_CHECKING
from drivegpt.helpers import DType, GlobalCounters, DEBUG
from drivegpt.ops import Op, LoadOps
from drivegpt.device import Device
from drivegpt.shape import ShapeTracker
if TYPE_CHECKING: from drivegpt.lazy import LazyBuffer

class ExecItem(NamedTuple):
  """One compiled kernel or load op. inputs and out are keys into the buffers of a run: LazyBuffers, or the JIT's slots."""
  runner: Optional[Callable]   # runner(input buffers) -> new output buffer; None for a load op
  op: Op                       # the kernel's root op (a LoadOps for a load op)
  arg: Any                     # a load op's argument; for COPY, (source device, source dtype)
  device: str
  shape: tuple
  dtype: DType
  inputs: tuple
  out: Any
  target: Optional[LazyBuffer]  # the realized tensor whose buffer receives this result (Tensor.assign), else None

# the JIT sets this to a list to record the ExecItems that run_schedule runs
CAPTURE: Optional[list] = None
# assigns not yet realized: a JIT replay runs them first, since its kernels read the buffers they write into
PENDING_ASSIGNS: weakref.WeakSet = weakref.WeakSet()

def realize_pending_assigns() -> None:
  from drivegpt.schedule import schedule
  if todo := [lb for lb in PENDING_ASSIGNS if not lb.is_realized]: run_schedule(schedule(todo))
  PENDING_ASSIGNS.clear()

# unrealized lazy buffers that read a realized buffer: before an assign overwrites that buffer, the ones built outside
# the schedule being run are realized, so `b = a*2; a.assign(x).realize(); b.numpy()` gives the old a times 2
READERS: weakref.WeakSet = weakref.WeakSet()

def realize_readers(buffers: list, graph: set) -> None:
  """Realize every unrealized lazy buffer (not in graph, a set of ids) that reads one of buffers, while they still
  hold the values it must see."""
  from drivegpt.schedule import schedule
  ids = {id(b) for b in buffers}
  todo = [r for r in list(READERS) if r.realized is None and id(r) not in graph and r.srcs and
          any(s.base.realized is not None and id(s.base.realized) in ids for s in r.srcs)]
  if todo: run_schedule(schedule(todo))

def run_schedule(items: list) -> None:
  """Run ScheduleItems: each output base gets its buffer, then drops its graph so memory can be freed."""
  if targets := [si.out.assign_target.realized for si in items if si.out.assign_target is not None]:
    from drivegpt.helpers import toposort
    realize_readers(targets, {id(b) for b in toposort([si.out for si in items], lambda b: [s.base for s in b.srcs])})
  steps = [ExecItem(None if si.ast.op in LoadOps else Device.get(si.out.device).compile(si.ast, si.out.shape, si.out.dtype),
                    si.ast.op, (si.inputs[0].device, si.inputs[0].dtype) if si.ast.op is LoadOps.COPY else si.ast.arg,
                    si.out.device, si.out.shape, si.out.dtype, si.inputs, si.out, si.out.assign_target) for si in items]
  if CAPTURE is not None: CAPTURE.extend(steps)
  bufs = run(steps, {})
  for si in items:  # the assign target is kept by the ExecItem: dropping it here ends the chain of earlier assigns
    si.out.realized, si.out.srcs, si.out.assign_target = bufs[si.out], (), None

def run(steps: list[ExecItem], bufs: dict, rand_arg: Callable = lambda arg: arg) -> dict:
  """Run steps in order. bufs maps keys to buffers (an input not in it is a LazyBuffer read through .realized); each
  step's output is added under its key. The JIT replays through here with fresh random seeds from rand_arg."""
  assigns = []
  for it in steps:
    backend = Device.get(it.device)
    ins = [bufs[x] if x in bufs else x.realized for x in it.inputs]
    size = ShapeTracker.from_shape(it.shape).size()
    if it.runner is not None:
      t0 = time.perf_counter()
      out = it.runner(ins)
      GlobalCounters.allocations.append(size*it.dtype.itemsize)
      GlobalCounters.kernel_count += 1
      if DEBUG >= 2: print(f"kernel {GlobalCounters.kernel_count:4d} {(time.perf_counter() - t0)*1e3:8.2f} ms  {it.op.name:<6} "
                           f"{it.shape} {it.dtype.name}")
    elif it.op is LoadOps.COPY:
      x = Device.get(it.arg[0]).to_numpy(ins[0], ShapeTracker.from_shape(it.shape), it.arg[1])
      out = backend.from_numpy(x.reshape(-1))
    elif it.op is LoadOps.EMPTY: out = backend.alloc(size, it.dtype)
    elif it.op is LoadOps.RAND: out = backend.rand(size, it.dtype, rand_arg(it.arg))
    else: raise RuntimeError(f"can't run load op {it.op}")
    bufs[it.out] = out
    if it.target is not None: assigns.append(it)
  for it in assigns:  # writes into a tensor's own buffer wait until every kernel that read its old value has run
    Device.get(it.device).copyin(it.target.realized, bufs[it.out])
    bufs[it.out] = it.target.realized
  return bufs
