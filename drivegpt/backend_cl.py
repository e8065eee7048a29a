"""The OpenCL backend: kernels rendered by codegen.py, compiled with pyopencl and cached by source. Buffers live on the
device; data crosses to the host only on input and in to_numpy."""
from __future__ import annotations
import functools, hashlib, importlib
import numpy as np
from drivegpt.helpers import DType, GlobalCounters, DEBUG, dtypes, prod
from drivegpt.ops import LazyOp
from drivegpt.shape import ShapeTracker
from drivegpt import backend_numpy, codegen, opencl

cl, _device, _ctx = opencl.select()
_queue, LIMITS = cl.CommandQueue(_ctx), opencl.limits(cl, _device)
SPLIT_REDUCE = not LIMITS.pack  # GPUs: a full reduction in two kernels (lazy.py); on CPUs one more launch costs more
# NVIDIA's driver waits for the queue to drain before it releases a buffer: freeing a step's intermediates made the host
# wait for the GPU at every kernel (a jitted GPT step 46 -> 29 ms on an H200). On GPUs buffers come from a pool that keeps
# freed memory for the next ones (the queue runs in order: a kernel writing into a reused buffer runs after every kernel
# that read it); CPU runtimes release at once.
POOL = None if LIMITS.pack else (tools := importlib.import_module("pyopencl.tools")).MemoryPool(tools.ImmediateAllocator(_queue))

class Buffer:
  """A device buffer of size elements; half is stored as 2-byte halves and bool as bytes, like numpy."""
  def __init__(self, size: int, dtype: DType, host=None):
    self.size, self.dtype = size, dtype
    flags, nbytes = cl.mem_flags.READ_WRITE | (cl.mem_flags.COPY_HOST_PTR if host is not None and size else 0), max(size, 1)*dtype.itemsize
    self.cl = POOL.allocate(nbytes) if POOL is not None and host is None else cl.Buffer(_ctx, flags, nbytes, hostbuf=host if size else None)

def alloc(size: int, dtype: DType) -> Buffer:
  GlobalCounters.allocations.append(size*dtype.itemsize)
  return Buffer(size, dtype)
def from_numpy(x: np.ndarray) -> Buffer: return Buffer(x.size, dtypes.from_np(x.dtype), np.ascontiguousarray(x))
def rand(size: int, dtype: DType, seed) -> Buffer: return from_numpy(backend_numpy.rand(size, dtype, seed))  # same numbers as CPU
def copyin(dst: Buffer, src: Buffer): return cl.enqueue_copy(_queue, dst.cl, src.cl, byte_count=dst.size*dst.dtype.itemsize) if dst.size else None
def to_numpy(buf: Buffer, st: ShapeTracker, dtype: DType) -> np.ndarray:
  host = np.empty(buf.size, dtype.np)
  if buf.size: cl.enqueue_copy(_queue, host, buf.cl)
  return backend_numpy.to_numpy(host, st, dtype)

def synchronize(): _queue.finish()  # wait for every queued kernel: for timing, since realize() only queues work here

@functools.lru_cache(maxsize=2048)  # looked up at each launch, so an evicted program is freed (see native._build); a PPO step's 1,155 cycled through 256, all built again each iteration (11x slower)
def _build(src: str, name: str) -> cl.Kernel:
  """One compiled kernel per distinct source (pyopencl also keeps the binaries on disk across processes)."""
  if DEBUG >= 4: print(src)
  return opencl.build(cl, _ctx, src, name)

@functools.lru_cache(maxsize=4096)
def compile(ast: LazyOp, shape: tuple, dtype: DType):
  """A runner(inputs) -> new output buffer for one kernel; the kernel is queued, the host does not wait for it."""
  prg = codegen.render(ast, shape, dtype, LIMITS)
  if prg.packs:  # copy inputs into panels first (codegen.Kernel.packs), then run the kernel reading them there
    copies, main = codegen.packed(ast, prg.packs)
    copies, main = [(i, compile(c, c.arg[1].shape, c.arg[2])) for i, c in copies], compile(main, shape, dtype)
    return lambda bufs: main(list(bufs) + [copy([bufs[i]]) for i, copy in copies])
  _build(prg.src, prg.name); size, n = prod(shape), len(prg.in_dtypes)  # (built now: errors here)
  if DEBUG >= 3: print(f"{prg.name}: global {prg.global_size} local {prg.local_size} ({hashlib.sha256(prg.src.encode()).hexdigest()[:12]})")
  def runner(bufs: list) -> Buffer:
    out = Buffer(size, dtype)
    try: args = [b.cl for b in bufs[:n]]
    except AttributeError: raise TypeError(f"a CL kernel got an input from another device ({[type(b).__name__ for b in bufs]}): "
                                           "move tensors with .to('CL') or set DRIVEGPT_DEVICE=CL so all are made on CL") from None
    if prg.global_size: _build(prg.src, prg.name)(_queue, (prg.global_size,), (prg.local_size,), out.cl, *args)
    return out
  return runner
