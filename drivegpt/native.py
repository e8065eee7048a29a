"""Native kernels for the CPU device. The numpy backend runs a fused kernel as one numpy pass per op; here the same
kernel is rendered by codegen.py into one OpenCL C function and compiled by an OpenCL CPU runtime (PoCL, or Intel's),
which runs it on all cores with vector instructions, reading and writing the numpy backend's own arrays in place
(USE_HOST_PTR: no copies). backend_numpy.compile sends it the kernels this is faster for, measured: elementwise chains
and reduces (3-5x numpy); matmuls stay with BLAS, and kernels that read padded views with numpy's sparse adds.
Used when pyopencl and a CPU runtime are installed (pip install -e '.[cl]'); DRIVEGPT_NATIVE=0 turns it off. Without it
every kernel runs on numpy, with the same results up to float rounding."""
from __future__ import annotations
import functools, os, threading
from typing import Any, Callable, NamedTuple, Optional
import numpy as np
from drivegpt import codegen, opencl
from drivegpt.helpers import DType, DEBUG, getenv, prod
from drivegpt.ops import ReduceOps, BufferOps

ALIGN = 128  # bytes. Intel's CPU runtime copies a USE_HOST_PTR buffer whose address is not a multiple of its base address
             # alignment (1024 bits) in and out around every kernel: a 10-op chain over 4M floats took 9.7 ms, 1.5 ms aligned
MIN_WORK = 1 << 18  # elements a kernel reads or writes: below this, measured, numpy is as fast (waking the runtime costs ~1 ms)
OFF_REASON = ""

class Runtime(NamedTuple):
  cl: Any
  ctx: Any
  queue: Any
  limits: codegen.DeviceLimits
  name: str
  pid: int  # the process it was made in: a forked child has none of the runtime's threads, so numpy runs its kernels

# a kernel object holds its arguments between setting them and the launch, and our runners share one per kernel: two
# threads launching it at once could each run with the other's buffers (leaving an output unwritten), so one at a time
_launch = threading.Lock()

def empty(size: int, dtype) -> np.ndarray:
  """np.empty(size, dtype) at an address that is a multiple of ALIGN: buffers the runtime can use in place."""
  raw = np.empty((nbytes := size*np.dtype(dtype).itemsize) + ALIGN, np.uint8)
  start = -raw.ctypes.data % ALIGN
  return raw[start:start + nbytes].view(dtype)

@functools.lru_cache(maxsize=None)
def runtime() -> Optional[Runtime]:
  """The first OpenCL CPU device that compiles and runs a test kernel, or None: then numpy runs every kernel."""
  global OFF_REASON
  if not getenv("DRIVEGPT_NATIVE", 1): OFF_REASON = "DRIVEGPT_NATIVE=0"; return None
  try: cl, device, ctx = opencl.select(cpu_only=True)
  except RuntimeError as e:
    OFF_REASON = str(e).splitlines()[0]
    if DEBUG: print(f"native CPU kernels off: {e}")
    return None
  return Runtime(cl, ctx, cl.CommandQueue(ctx), opencl.limits(cl, device), f"{device.platform.name.strip()} / {device.name.strip()}", os.getpid())

# compiled programs by source: a few hundred, each ~2 MB in the runtime. A runner looks its program up at each launch (a
# cached string's hash), so an evicted one is freed: a Python number that changes every step is a new source every step,
# and runners holding their programs grew memory 2 MB a step without bound (16 GB an hour); a needed one is built again
@functools.lru_cache(maxsize=256)
def _build(src: str, name: str):
  rt = runtime()
  return opencl.build(rt.cl, rt.ctx, src, name)

def compile(ast, shape: tuple, dtype: DType, fallback: Callable[[], Callable]):
  """runner(flat input arrays) -> flat output array for the kernel ast, or None (no runtime, or a kernel that would not
  vectorize). The runner waits for the kernel: its result is an ordinary numpy array the next (numpy) kernel may read.
  In a forked child it runs fallback() instead, the kernel's numpy runner."""
  if (rt := runtime()) is None or rt.pid != os.getpid(): return None
  prg = codegen.render(ast, shape, dtype, rt.limits)
  # an elementwise kernel only where codegen could use vectors (float32, a last dim that divides into them): measured,
  # scalar ones with their per-element index arithmetic run slower than numpy (exp over (8, 4, 258, 258): 37 ms vs ~10).
  # A reduce with work before it runs a loop per output, which the runtime vectorizes across outputs: 2x numpy.
  # The same for a row kernel that stores whole rows (a reduce's input size): a cross-entropy gradient with a bool where
  # took 34 ms as scalar code against ~3 on numpy.
  red = next((n for n in codegen.nodes(ast) if n.op in ReduceOps), None)
  if (red is None or prod(next(n for n in codegen.nodes(red) if n.op in BufferOps).arg[1].shape) == prod(shape)) and \
     "typedef float" not in prg.src: return None  # (the typedef of its vector type: codegen used vectors)
  _build(prg.src, prg.name); size, n, mf = prod(shape), len(prg.in_dtypes), rt.cl.mem_flags  # (built now: errors here)
  def wrap(a: np.ndarray, flags):
    if not a.size: return rt.cl.Buffer(rt.ctx, flags, 4)
    if a.ctypes.data % ALIGN or not a.flags.c_contiguous:  # a numpy kernel's result: one copy here, not two in the runtime
      aligned = empty(a.size, a.dtype)
      np.copyto(aligned, a.reshape(-1))
      a = aligned
    return rt.cl.Buffer(rt.ctx, flags | mf.USE_HOST_PTR, hostbuf=a)
  numpy_runner = []
  def runner(bufs: list) -> np.ndarray:
    if os.getpid() != rt.pid:
      if not numpy_runner: numpy_runner.append(fallback())
      return numpy_runner[0](bufs)
    out = empty(size, dtype.np)
    if not size or not prg.global_size: return out
    args, o = [wrap(b, mf.READ_ONLY) for b in bufs[:n]], wrap(out, mf.READ_WRITE)  # a row kernel reads back what it stored
    with _launch:
      _build(prg.src, prg.name)(rt.queue, (prg.global_size,), (prg.local_size,), o, *args)
      # mapping a USE_HOST_PTR buffer lands the result in out (a runtime that kept its own copy writes it back then)
      mapped, _ = rt.cl.enqueue_map_buffer(rt.queue, o, rt.cl.map_flags.READ, 0, out.shape, out.dtype)
      rt.queue.finish()
      del mapped
    return out
  return runner
