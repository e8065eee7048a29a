"""The CPU backend: runs each fused kernel with numpy. Buffers are flat numpy arrays."""
from __future__ import annotations
import contextlib, ctypes, functools, math, os, threading, warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, NamedTuple
import numpy as np
from threadpoolctl import ThreadpoolController
from drivegpt.helpers import DType, GlobalCounters, DEBUG, prod, getenv
from drivegpt.ops import UnaryOps, BinaryOps, TernaryOps, ReduceOps, MovementOps, BufferOps, LazyOp, replace
from drivegpt.shape import ShapeTracker
from drivegpt import native

# Big elementwise kernels run on the engine's own threads (numpy releases the GIL inside ufuncs); while a kernel runs,
# BLAS is held to one thread except for big matmuls, and afterwards it is set back to what it was, so the rest of the
# process keeps its own BLAS settings. DRIVEGPT_THREADS sets how many threads (default: every core).
if (THREADS := getenv("DRIVEGPT_THREADS", os.cpu_count() or 1)) < 1: raise ValueError(f"DRIVEGPT_THREADS={THREADS}: needs at least 1")
_threads = ThreadPoolExecutor(THREADS, "drivegpt")  # (named: _copy tells its threads from others)
# a forked child has none of its parent's threads: a kernel waiting on the old pool would hang
def _new_pool(): global _threads; _threads = ThreadPoolExecutor(THREADS, "drivegpt")
os.register_at_fork(after_in_child=_new_pool)
# kernels compute IEEE floats as every device does (exp overflows to inf, x/0 is inf or nan): numpy's warnings about
# them, raised in this file only, would interleave with progress bars and say nothing about the caller's code
warnings.filterwarnings("ignore", category=RuntimeWarning, module=__name__)
_blas = ThreadpoolController().select(user_api="blas").lib_controllers

@contextlib.contextmanager
def _blas_threads(n: int):
  """BLAS at n threads inside the block. Setting is the dear part (~30 us through threadpoolctl, with cold caches after
  a big matmul): skipped where the count is n already."""
  change = [(lib, k) for lib in _blas if (k := lib.num_threads) != n]
  for lib, _ in change: lib.set_num_threads(n)
  try: yield
  finally:
    for lib, k in change: lib.set_num_threads(k)
CHUNK = 1 << 16  # elementwise kernels run in row blocks this big, so their temporaries stay in cache

# A training step frees and re-allocates the same big buffers every step. glibc maps each one fresh from the kernel
# (zeroed pages, one fault per 4 KiB: 2,800 faults and 70 ms of system time per GPT bench step); kept in its heap up to
# 32 MiB and never trimmed, they are reused as they are (35 faults, the step ~10% faster). Peak memory is unchanged.
# glibc only; DRIVEGPT_MALLOC=0 leaves malloc alone.
if getenv("DRIVEGPT_MALLOC", 1):
  with contextlib.suppress(OSError, AttributeError):
    _libc = ctypes.CDLL("libc.so.6")
    _libc.mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD first: setting either turns glibc's moving threshold off, and the
    _libc.mallopt(-1, 1 << 30)   # M_TRIM_THRESHOLD alone then maps every buffer fresh (60x the faults)

def alloc(size: int, dtype: DType) -> np.ndarray:
  GlobalCounters.allocations.append(size*dtype.itemsize); return native.empty(size, dtype.np)
def from_numpy(x: np.ndarray) -> np.ndarray:
  np.copyto(out := native.empty(x.size, x.dtype), x.reshape(-1)); return out
def rand(size: int, dtype: DType, seed) -> np.ndarray:  # in [0, 1): float32 draws near 1 round up to 1 in float16
  # keyed (seed, counter, ENGINE): a stage's own numpy stream default_rng([seed, step]) was the engine's draw number step
  return np.minimum(np.random.default_rng((*seed, 0x656E67)).random(size, dtype=np.float32), 0.99951171875 if dtype.np == np.float16 else 1).astype(dtype.np)
def copyin(dst: np.ndarray, src: np.ndarray): np.copyto(dst, src)
def to_numpy(buf: np.ndarray, st: ShapeTracker, dtype: DType) -> np.ndarray: return np.array(view(buf, st), copy=True)
def synchronize() -> None: pass  # kernels run when called

def _row_major(shape: tuple) -> tuple: return tuple(prod(shape[i+1:]) for i in range(len(shape)))

@functools.lru_cache(maxsize=4096)
def _compose(P: tuple, A: tuple, R: tuple, st: tuple, off: int):
  """Flat index off + sum(idx*st) into the row-major layout of shape P, whose elements sit at strides A in memory:
  is the memory address affine in idx over the box R? Then return (address strides, start address), else None.
  Checked on every index, so it is exact; cached, since a training loop meets the same views every step."""
  if A == _row_major(P) or len(P) == 1: return tuple(s*A[-1] for s in st), off*A[-1]
  def addr(p): return sum((p // w) % size * a for size, a, w in zip(P, A, _row_major(P)))
  start = int(addr(np.int64(off)))
  S = tuple(int(addr(np.int64(off + s))) - start if r > 1 and s != 0 else 0 for r, s in zip(R, st))
  live = [(r, s, S_) for r, s, S_ in zip(R, st, S) if r > 1 and s != 0] or [(1, 0, 0)]  # broadcast dims can't break affinity
  if prod(r for r, _, _ in live) > 1 << 24: return None
  def ok(lo, n):  # rows lo..lo+n of the first dim: int64 grids of every index at once took 0.7 GB for a conv's windows
    grids = np.meshgrid(np.arange(lo, min(lo + n, live[0][0]), dtype=np.int64), *[np.arange(r, dtype=np.int64) for r, _, _ in live[1:]], indexing="ij", sparse=True)
    return np.array_equal(*np.broadcast_arrays(addr(off + sum(g*s for g, (_, s, _) in zip(grids, live))), start + sum(g*S_ for g, (_, _, S_) in zip(grids, live))))
  n = max(1, (1 << 18) // prod(r for r, _, _ in live[1:]))
  return (S, start) if all(ok(lo, n) for lo in range(0, live[0][0], n)) else None

class Padded(NamedTuple):
  """A padded leaf kept sparse: zeros except `valid` in `box`. ADD takes it as is (cat and col2im are sums of these);
  every other op gets dense(x)."""
  valid: np.ndarray
  box: tuple
  shape: tuple
  @property
  def ndim(self) -> int: return len(self.shape)
  def __getitem__(self, rows: slice) -> Padded:  # a block of rows, as the blocked elementwise loop takes
    (lo, hi), i, j = self.box[0], rows.start, min(rows.stop, self.shape[0])
    a, b = min(max(lo, i), j), max(min(hi, j), i)  # (a block past the valid rows: an empty box at its edge)
    return Padded(self.valid[a - lo:b - lo], ((a - i, b - i),) + self.box[1:], (j - i,) + self.shape[1:])

def dense(x):  # zeros with the valid box written in (np.pad took ~25 us more: a decoding step's cache cat is ~8 of these a token)
  if not isinstance(x, Padded): return x
  (out := np.zeros(x.shape, x.valid.dtype))[tuple(slice(lo, hi) for lo, hi in x.box)] = x.valid
  return out

def _tiles(p: Padded, q: Padded) -> bool:
  """Do two padded parts fill their shape exactly, side by side along one dim? (A cat of two, as a decoding step's KV
  cache grows: written each once into an empty array, 2-3x faster than zeros, a copy and an add.)"""
  d = [i for i, (x, y) in enumerate(zip(p.box, q.box)) if x != y]  # the dims where their boxes differ: one
  if p.shape != q.shape or len(d) != 1: return False
  (lo, hi), others = sorted([p.box[d[0]], q.box[d[0]]]), [(box, (0, n)) for i, (box, n) in enumerate(zip(p.box, p.shape)) if i != d[0]]
  return lo[0] == 0 and lo[1] == hi[0] and hi[1] == p.shape[d[0]] and all(box == whole for box, whole in others)  # (0, m), (m, n); whole elsewhere

def _add(a, b):
  if not isinstance(a, Padded) and not isinstance(b, Padded):
    if a.size < native.MIN_WORK and b.size < native.MIN_WORK: return np.add(a, b)  # (the checks below cost more)
    # into a temporary of this kernel's own when one has the result's shape (writeable means used once: a matmul's C
    # plus its bias stays in C's aligned buffer, which a native kernel then reads in place)
    out = next((x for x in (a, b) if x.flags.writeable and x.shape == np.broadcast_shapes(a.shape, b.shape) and x.dtype == np.result_type(a, b)), None)
    return np.add(a, b, out=out)
  if isinstance(a, Padded) and isinstance(b, Padded) and _tiles(a, b):
    (out := np.empty(a.shape, np.result_type(a.valid, b.valid)))[tuple(slice(*x) for x in a.box)] = a.valid; out[tuple(slice(*x) for x in b.box)] = b.valid; return out
  if isinstance(a, Padded): a, b = b, a
  shape = b.shape if isinstance(a, Padded) else np.broadcast_shapes(a.shape, b.shape)
  # add into a fresh array: a writeable full-size result of an earlier op, else a copy
  if isinstance(a, Padded): out = dense(a) if a.shape == shape else np.array(np.broadcast_to(dense(a), shape))
  else: out = a if a.flags.writeable and a.shape == shape else np.array(np.broadcast_to(a, shape))
  out[tuple(slice(lo, hi) for lo, hi in b.box)] += b.valid
  return out
def _mul(a, b):  # two padded alike stay padded (0 * 0 outside the box: the scaled part of a cat's gradient), else dense
  return a._replace(valid=a.valid*b.valid) if isinstance(a, Padded) and isinstance(b, Padded) and (a.box, a.shape) == (b.box, b.shape) else np.multiply(dense(a), dense(b))

def _strided(mem: np.ndarray, shape: tuple, strides: tuple, start: int) -> np.ndarray:
  """A read-only view of the flat array mem (np.ndarray is ~5x faster than as_strided, which matters for tiny kernels)."""
  (ret := np.ndarray(shape, mem.dtype, mem, start*mem.itemsize, tuple(s*mem.itemsize for s in strides))).flags.writeable = False
  return ret

def view(flat: np.ndarray, st: ShapeTracker, sparse: bool = False):
  """The array a ShapeTracker sees in a flat buffer. Views compose into one numpy view when the addresses stay affine
  (an im2col window view is one strided array, no copy); padding is filled in, with broadcast dims kept size 1, or for
  sparse=True a padded last view comes back as a Padded."""
  mem, P, A, base, arr = flat, (flat.size,), (1,), 0, flat  # the previous view's shape P sits in mem at strides A from base
  for i, v in enumerate(st.views):
    if prod(v.shape) == 0: return np.zeros(st.shape, flat.dtype)
    box = v.mask if v.mask is not None else tuple((0, s) for s in v.shape)
    if any(lo >= hi for lo, hi in box): return np.zeros(st.shape, flat.dtype)  # nothing valid (in any view): all padding
    R, off = tuple(hi - lo for lo, hi in box), v.offset + sum(lo*s for (lo, _), s in zip(box, v.strides))
    if (c := _compose(P, A, R, v.strides, off)) is None:  # not one strided view: copy the previous view out first
      mem, A, base = np.ascontiguousarray(arr).reshape(-1), _row_major(P), 0
      c = _compose(P, A, R, v.strides, off)
    S, start = c
    arr = _strided(mem, R, S, base + start)
    if v.mask is not None and sparse and i == len(st.views) - 1: return Padded(arr, box, v.shape)
    if v.mask is not None:  # zeros outside the box; dims that are broadcast whole stay size 1 until the end
      small = tuple(1 if s == 0 and r == n else n for s, r, n in zip(S, R, v.shape))
      ret = np.zeros(small, flat.dtype)
      ret[tuple(slice(0, 1) if k == 1 and n > 1 else slice(lo, hi) for k, n, (lo, hi) in zip(small, v.shape, box))] = \
        arr[tuple(slice(0, 1) if k == 1 and n > 1 else slice(None) for k, n in zip(small, v.shape))]
      mem, base, arr = ret.reshape(-1), 0, np.broadcast_to(ret, v.shape)
      A = tuple(s // mem.itemsize for s in arr.strides)
    else: base, A = base + start, S
    P = v.shape
  return arr

def _div(a, b): return np.where((a % b != 0) & ((a < 0) != (b < 0)), a // b + 1, a // b).astype(a.dtype) if a.dtype.kind in "iu" else np.divide(a, b)  # ints: C's truncation
def _recip(a, out=None): return np.divide(1, a, out=out, dtype=a.dtype)
def _sub(a, b): return np.not_equal(a, b) if a.dtype == np.bool_ else np.subtract(a, b)  # bools: xor, as on CL (numpy refuses)
OPS = {UnaryOps.EXP2: np.exp2, UnaryOps.LOG2: np.log2, UnaryOps.SIN: np.sin, UnaryOps.SQRT: np.sqrt, UnaryOps.RECIP: _recip, UnaryOps.NEG: np.negative,
       BinaryOps.ADD: np.add, BinaryOps.SUB: _sub, BinaryOps.MUL: np.multiply, BinaryOps.DIV: _div, BinaryOps.MAX: np.maximum,
       BinaryOps.MOD: np.fmod, BinaryOps.CMPLT: np.less, BinaryOps.CMPEQ: np.equal, TernaryOps.WHERE: np.where}

# exp(x) reaches the backend as exp2(x*(1/ln 2)) and log(x) as log2(x)*ln 2: numpy's exp and log are 2-3x faster
EXP2_SCALE = {1/math.log(2): np.exp, -1/math.log(2): lambda a: np.exp(np.negative(a))}
def _const(node: LazyOp):
  """The value of an unmasked constant leaf, else None."""
  return node.arg[0] if node.op is BufferOps.CONST and all(v.mask is None for v in node.arg[1].views) else None
def _natural(node: LazyOp):
  """(numpy function, operand) when node is exp2(x*c) or log2(x)*c that numpy computes as one exp or log, else None."""
  if node.op is UnaryOps.EXP2 and node.src[0].op is BinaryOps.MUL:
    for x, c in (node.src[0].src, node.src[0].src[::-1]):
      if (f := EXP2_SCALE.get(_const(c))) is not None: return f, x
  if node.op is BinaryOps.MUL:
    for x, c in (node.src, node.src[::-1]):
      if x.op is UnaryOps.LOG2 and _const(c) == math.log(2): return np.log, x.src[0]
  return None

class _Plan(NamedTuple):
  suma: tuple; sumb: tuple     # dims only one operand has, summed before the matmul
  pick_a: tuple; perm_a: list; mat_a: tuple; dims_a: tuple  # index, transpose and (batch, m, k) reshape that make a's
  pick_b: tuple; perm_b: list; mat_b: tuple; dims_b: tuple  # matrix, and how many dims each of those has; b's: (batch, k, n)
  c_shape: list; c_perm: list; c_full: list  # C back to the kernel's dims
  scale: int                   # the size of summed dims neither operand has
  out_shape: tuple
  swap: bool                   # a and b trade places: C = B^T A^T comes out in the kernel's order, A B would be transposed

@functools.lru_cache(maxsize=4096)
def _plan(a_shape: tuple, a_strides: tuple, b_shape: tuple, b_strides: tuple, axis: tuple, shape: tuple, swap: bool = False, lead: tuple = ()) -> _Plan:
  """How sum_of_product runs, from which dims each operand has (size > 1, stride != 0): cached, so a training step's
  matmuls don't redo it. Each dim is a batch dim (in a, b, out), k (in a and b, summed), m (a only), n (b only).
  C comes out of BLAS as (batch, m, n); where that is not the kernel's order it would take a transposing copy, so two
  other layouts are tried: B^T A^T (swap), and leading output dims of one operand as batch dims with the other
  operand broadcast along them (lead: a conv's batch, so each image's output is W @ columns, already NCHW)."""
  has_a, has_b = [[n > 1 and s != 0 for n, s in zip(sh, st)] for sh, st in ((a_shape, a_strides), (b_shape, b_strides))]
  bat, m, n, k, suma, sumb, scale = [], [], [], [], [], [], 1
  for d, size in enumerate(shape):
    if size == 1: continue
    ha, hb, red = has_a[d], has_b[d], d in axis
    if d in lead or (ha and hb and not red): bat.append(d)
    elif ha and hb: k.append(d)
    elif ha: (suma if red else m).append(d)
    elif hb: (sumb if red else n).append(d)
    elif red: scale *= size
  out_dims, order = bat + m + n, sorted(bat + m + n)
  if out_dims != order and not swap and not lead:
    leads = [tuple(order[:i]) for own in (m, n) if not bat for i in range(len(own), 0, -1) if set(order[:i]) <= set(own)][:2]
    for ld in [()] + leads:
      for q in (_plan(b_shape, b_strides, a_shape, a_strides, axis, shape, True, ld),) + ((_plan(a_shape, a_strides, b_shape, b_strides, axis, shape, False, ld),) if ld else ()):
        if q.c_perm == sorted(q.c_perm): return q
  def pick(dims, has):  # a batch dim the operand lacks stays as size 1: numpy's matmul broadcasts it
    return tuple(slice(None) if d in dims and has[d] else slice(0, 1) if d in dims else 0 for d in range(len(shape))), [sorted(dims).index(d) for d in dims]
  def sz(dims, has=None): return prod(shape[d] for d in dims if has is None or has[d])
  return _Plan(tuple(suma), tuple(sumb), *pick(bat + m + k, has_a), (sz(bat, has_a), sz(m), sz(k)), (len(bat), len(m), len(k)),
               *pick(bat + k + n, has_b), (sz(bat, has_b), sz(k), sz(n)), (len(bat), len(k), len(n)), [shape[d] for d in out_dims], [out_dims.index(d) for d in order],
               [shape[d] if d in out_dims else 1 for d in range(len(shape))], scale, tuple(1 if d in axis else s for d, s in enumerate(shape)), swap)

def sum_of_product(a: np.ndarray, b: np.ndarray, axis: tuple, shape: tuple) -> np.ndarray:
  """sum(a*b, axis, keepdims) as one BLAS matmul, never allocating the broadcast product; broadcast (stride 0 or size 1)
  dims of an operand drop out of its matrix."""
  if 0 in shape: return np.zeros(tuple(1 if d in axis else s for d, s in enumerate(shape)), a.dtype)  # an empty sum is 0
  if a.ndim != len(shape): a = np.broadcast_to(a, shape)
  if b.ndim != len(shape): b = np.broadcast_to(b, shape)
  p = _plan(a.shape, a.strides, b.shape, b.strides, axis, shape)
  dtype = a.dtype  # the kernel's (its first operand's), before a swap
  if p.swap: a, b = b, a
  def wide(x): return np.float32 if x.dtype == np.float16 else x.dtype  # BLAS has no fp16: sums and products in fp32
  if p.suma: a = np.add.reduce(a, axis=p.suma, keepdims=True, dtype=wide(a))
  if p.sumb: b = np.add.reduce(b, axis=p.sumb, keepdims=True, dtype=wide(b))
  # BLAS wants unit stride along rows or columns; numpy's fallback loop is 100x slower
  def blas(x): return x if x.itemsize in x.strides[-2:] or min(x.shape[-2:]) <= 1 else np.ascontiguousarray(x)
  # an operand with one batch dim is cut into row blocks in mats; one with none or several is made a (batch, rows, cols) matrix now
  ops = [(x[pick].transpose(perm), mat, dims, wide(x)) if dims[0] == 1 else (_matrix(x[pick].transpose(perm), mat, dims), mat, (1, 1, 1), wide(x))
         for x, pick, perm, mat, dims in ((a, p.pick_a, p.perm_a, p.mat_a, p.dims_a), (b, p.pick_b, p.perm_b, p.mat_b, p.dims_b))]
  def mats(lo: int, hi: int) -> list:  # A and B for batch rows lo:hi (a conv's im2col copy is made by the thread that multiplies it)
    return [blas(_matrix(v[lo:hi] if len(v) > 1 else v, (len(v[lo:hi]) if len(v) > 1 else 1, *mat[1:]), dims).astype(w, copy=False)) for v, mat, dims, w in ops]
  C = _matmul(mats, max(p.mat_a[0], p.mat_b[0]), *p.mat_a[1:], p.mat_b[2], np.result_type(*(w for *_, w in ops))).reshape(p.c_shape).transpose(p.c_perm).reshape(p.c_full)
  if p.scale != 1: C = C * p.scale
  return (C if C.shape == p.out_shape else np.broadcast_to(C, p.out_shape)).astype(dtype, copy=False)

def _matrix(v: np.ndarray, mat: tuple, dims: tuple) -> np.ndarray:
  """v, its dims in (batch, rows, cols) groups, as a (batch, rows, cols) matrix: a view where one exists, else a copy made
  in whichever order reads v in longer contiguous runs (numpy's reshape copies cols innermost; a conv's weight gradient
  has im2col windows of 3 pixels there and 16-32 along the rows)."""
  try: return v.reshape(mat, copy=False)  # raises if no view has that shape (setting .shape copied first, then raised)
  except ValueError: pass
  nb, nr, nc = dims
  def run(d): return v.shape[d] if nr and nc and abs(v.strides[d]) == v.itemsize else 1
  if run(nb + nr - 1) <= run(v.ndim - 1): return v.reshape(mat)
  return _copy(v.transpose(*range(nb), *range(nb + nr, v.ndim), *range(nb, nb + nr))).reshape(mat[0], mat[2], mat[1]).transpose(0, 2, 1)

def _copy(x: np.ndarray) -> np.ndarray:
  """np.ascontiguousarray(x); a big one (a conv's weight gradient's im2col: 28 MB) made by the engine's threads, each a
  share of its first dim, when called from outside them (the copy alone was one core's 2.3 ms of a 180 ms step)."""
  if x.nbytes < 1 << 22 or len(x) < THREADS or threading.current_thread().name.startswith("drivegpt"): return np.ascontiguousarray(x)
  out, step = np.empty(x.shape, x.dtype), -(-len(x) // THREADS)
  list(_threads.map(lambda lo: np.copyto(out[lo:lo + step], x[lo:lo + step]), range(0, len(x), step))); return out

def _matmul(mats: Callable, nb: int, m: int, k: int, n: int, dtype) -> np.ndarray:
  """(nb, m, k) @ (nb, k, n), mats(lo, hi) giving the two operands' batch rows lo:hi (one of them may be broadcast, batch
  1). A big batch of matmuls is split across the engine's threads, one BLAS thread each, each making its own rows'
  matrices; a big single matmul gets BLAS's threads; a middling one runs on one thread (BLAS threads on a small matrix
  cost more than they give; OpenBLAS runs one of <= 2^18 multiply-adds on one thread anyway)."""
  size, work = nb*m*n, nb*m*k*n
  C = native.empty(size, dtype).reshape(nb, m, n) if size >= native.MIN_WORK else None  # in place for native kernels
  if nb >= THREADS > 1 and work >= 1 << 25:  # a conv's im2col copies in parallel too: 207 -> 184 ms, the VQVAE-small step
    C, bs = np.empty((nb, m, n), dtype) if C is None else C, -(-nb // THREADS)
    def part(lo): np.matmul(*mats(lo, lo + bs), out=C[lo:lo+bs])
    with _blas_threads(1): list(_threads.map(part, range(0, nb, bs)))
    return C
  A, B = mats(0, nb)
  # a few rows times a wide transposed weight (x @ W.T, decoding): OpenBLAS's kernel is 2-3x slower there than W @ x^T
  if C is None and m <= 16 and B.strides[1] == B.itemsize and n >= k >= 64: return (B.mT @ np.ascontiguousarray(A.mT)).mT
  # (a middling one at BLAS's own count saved the ~20 us of setting it to one and back on an idle machine, but a busy one
  # made each call wait for a sleeping BLAS thread: a decoding step's (8, 128) x (128, 512) took 1 ms, not 29 us)
  if m*k*n <= 1 << 18 or THREADS == 1: return np.matmul(A, B, out=C)  # (OpenBLAS runs each such product on one thread anyway)
  with _blas_threads(1 if work < 1 << 25 else THREADS): return np.matmul(A, B, out=C)

SUM_BLOCK = 1024  # long float sums add blocks of this many terms, then the blocks' sums

def _reduce(op: ReduceOps, x: np.ndarray, axis: tuple) -> np.ndarray:
  # an empty max is the dtype's lowest value, as on CL
  if op is ReduceOps.MAX: return np.maximum.reduce(x, axis=axis, keepdims=True, initial=-np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min if x.dtype.kind in "iu" else False)
  dtype, wide = x.dtype, np.float32 if x.dtype == np.float16 else x.dtype
  if x.dtype.kind != "f" or prod(x.shape[a] for a in axis) <= 4*SUM_BLOCK: return np.add.reduce(x, axis=axis, keepdims=True, dtype=wide).astype(dtype, copy=False)
  # numpy adds row after row along a non-contiguous axis: 1e6 terms of 0.1 come out 1% high in float32. One axis at a
  # time, and a long axis in blocks, keeps the rounding error to about (block + number of blocks) ulps.
  for a in axis:
    n, main = x.shape[a], x.shape[a] // SUM_BLOCK * SUM_BLOCK
    if n <= 2*SUM_BLOCK: x = np.add.reduce(x, axis=a, keepdims=True, dtype=wide); continue
    head = x[(slice(None),)*a + (slice(0, main),)].reshape(x.shape[:a] + (main // SUM_BLOCK, SUM_BLOCK) + x.shape[a+1:])
    blocks = np.add.reduce(head, axis=a + 1, dtype=wide)
    tail = np.add.reduce(x[(slice(None),)*a + (slice(main, n),)], axis=a, keepdims=True, dtype=wide)
    x = np.add.reduce(blocks, axis=a, keepdims=True, dtype=wide) + tail
  return x.astype(dtype, copy=False)

def _in_shape(node: LazyOp) -> tuple:
  while node.op not in BufferOps: node = node.src[0]
  return node.arg[1].shape

def _build(ast: LazyOp, leaves: list, shared: set, stop: frozenset = frozenset(), small: bool = False):
  """Turn an expression tree into a Python function f(L, M) over leaf arrays L, written out as straight-line source: one
  line per node, in order, each computed once (a closure per node cost ~2 us a node: half of a small kernel's time, and
  a decoding step is ~60 small kernels). Nodes in stop are leaves too: the runner computes them first. Only values that
  can be Padded (a masked leaf, a product of two) go through dense(), _add and _mul; in a small kernel (every array
  under native.MIN_WORK) no add writes in place. A kernel run in row blocks passes the block's rows in M. DEBUG=4
  prints the source."""
  names, padded, lines, env = {}, set(), [], {"dense": dense, "_add": _add, "_mul": _mul, "sum_of_product": sum_of_product, "_reduce": _reduce, "np": np, "__name__": __name__}  # (numpy's warnings in f: filtered as this module's)
  def obj(x) -> str: env[k := f"o{len(env)}"] = x; return k  # a function or value the source refers to by name
  def arr(node: LazyOp) -> str: return f"dense({v})" if (v := name(node)) in padded else v
  def name(node: LazyOp) -> str:
    if node in names: return names[node]
    if node.op in BufferOps or node in stop:
      leaves.append(node)
      if node not in stop and any(v.mask is not None for v in node.arg[1].views): padded.add(f"L[{len(leaves) - 1}]")
      return names.setdefault(node, f"L[{len(leaves) - 1}]")
    if _is_matmul(node) and not _row_dots(node): e = f"sum_of_product({arr(node.src[0].src[0])}, {arr(node.src[0].src[1])}, {node.arg!r}, {_in_shape(node)!r})"
    elif (nat := _natural(node)) is not None: e = f"{obj(nat[0])}({arr(nat[1])})"
    elif node.op in ReduceOps:  # a leaf keeps broadcast dims at size 1: a sum over one needs them whole (broadcast_to: ~4 us)
      lines.append(f"x = {arr(node.src[0])}; s = (M.get('rows', {(shp := _in_shape(node))[0]}),) + {shp[1:]!r}")
      e = f"_reduce({obj(node.op)}, x if x.shape == s else np.broadcast_to(x, s), {node.arg!r})"
    elif node.op is MovementOps.RESHAPE: e = f"{name(node.src[0])}.reshape({node.arg!r})"
    elif node.op is UnaryOps.CAST: e = f"{arr(node.src[0])}.astype({obj(node.arg.np)}, copy=False)"  # (a copy kernel's result is copied once, below)
    elif node.op in (BinaryOps.ADD, BinaryOps.MUL) and ({a := name(node.src[0]), b := name(node.src[1])} & padded or not small):
      e = f"{'_add' if node.op is BinaryOps.ADD else '_mul'}({a}, {b})"  # (two padded alike stay padded in a product)
      if node.op is BinaryOps.MUL and {a, b} <= padded: padded.add(f"v{len(names)}")
    else: e = f"{obj(OPS[node.op])}({', '.join(arr(s) for s in node.src)})"
    lines.append(f"v{len(names)} = {e}")
    if node in shared: lines.append(f"if isinstance(v{len(names)}, np.ndarray): v{len(names)}.flags.writeable = False  # used again: _add must not write into it")
    return names.setdefault(node, f"v{len(names)}")
  out = name(ast)
  src = "def f(L, M):\n" + "".join(f"  {line}\n" for line in lines) + f"  return {out}\n"
  if DEBUG >= 4: print(src)
  exec(src, env); return env["f"]

def _is_matmul(node: LazyOp) -> bool: return node.op is ReduceOps.SUM and node.src[0].op is BinaryOps.MUL

def _whole(ast: LazyOp) -> tuple:
  """The outermost nodes that must see whole rows: matmuls for BLAS (it has its own threads), reduces over axis 0 and
  reshapes; and the nodes above them, which work row by row, so they can run in blocks. Rows of dot products (_row_dots)
  work row by row too: as whole nodes a layernorm computed x - mean twice, once for its variance and once after."""
  nodes, whole, rest = [ast], set(), set()
  while nodes:
    n = nodes.pop()
    if n.op is MovementOps.RESHAPE or (_is_matmul(n) and not _row_dots(n)) or (n.op in ReduceOps and 0 in n.arg): whole.add(n)
    else: rest.add(n); nodes.extend(n.src)
  return frozenset(whole), rest

def _leaf(leaf: LazyOp):
  """f(bufs) -> the leaf's array, with broadcast dims kept at size 1 (numpy broadcasts them faster); an unmasked constant
  is a 0-d array. The view is fixed per kernel, so the work that needs only it is done here, once."""
  st = leaf.arg[1]
  if leaf.op is BufferOps.LOAD and len(st.views) == 1 and st.size() and all(lo < hi for lo, hi in st.views[0].mask or ()):
    # the usual cases, fast: one view, whole or padded (a cat's part, kept sparse: view(sparse=True) does the same)
    v, i, nbytes = st.views[0], leaf.arg[0], leaf.arg[2].itemsize
    box = v.mask or tuple((0, n) for n in v.shape)
    shape = tuple(hi - lo if v.mask else 1 if s == 0 and n > 1 else n for s, n, (lo, hi) in zip(v.strides, v.shape, box))
    strides, off = tuple(s*nbytes for s in v.strides), (v.offset + sum(lo*s for (lo, _), s in zip(box, v.strides)))*nbytes
    def load(bufs):  # _strided with the byte strides worked out (a buffer holds its LazyBuffer's dtype)
      ret = np.ndarray(shape, bufs[i].dtype, bufs[i], off, strides)
      ret.flags.writeable = False
      return ret if v.mask is None else Padded(ret, box, v.shape)
    return load
  if leaf.op is BufferOps.CONST and all(v.mask is None for v in st.views):
    (c := np.array(leaf.arg[0], leaf.arg[2].np)).flags.writeable = False  # shared by every run: _add must not add into it
    return lambda bufs: c
  def slow(bufs):
    x = view(np.array([leaf.arg[0]], leaf.arg[2].np) if leaf.op is BufferOps.CONST else bufs[leaf.arg[0]], st, sparse=True)
    if isinstance(x, Padded): return x
    x = x[tuple(slice(0, 1) if s == 0 and n > 1 else slice(None) for s, n in zip(x.strides, x.shape))] if x.ndim else x  # (a 0-d x[()] is a scalar, which has no flags to set)
    x.flags.writeable = False  # a leaf may be fresh zeros (a view of padding only), read again elsewhere in the kernel
    return x
  return slow

def _operand_dims(node: LazyOp) -> set:
  """The dims a product's operand varies along: those where one of its leaves has size > 1 and a non-zero stride."""
  return {d for n in _walk(node)[0] if n.op in BufferOps for d, (s, st) in enumerate(zip(n.arg[1].shape, n.arg[1].views[-1].strides)) if s > 1 and st}

def _blas_worthy(node: LazyOp) -> bool:
  """A sum of a product where an operand has output dims the other lacks: a matrix (or matrix-vector) product, for
  BLAS. Without them, batches of dot products (softmax's sum(g*y), layernorm's weight gradient) run as a native reduce:
  BLAS made them many 1x1 products (5x slower). A decoding step's q.K, one query row, stays a BLAS product (native: 25%
  slower simulator)."""
  if not _is_matmul(node): return False
  (a, b), k = (_operand_dims(s) for s in node.src[0].src), set(node.arg)
  return bool(a & k and b & k and (a - k) ^ (b - k))  # both run along the summed dims: sum(g*0.5) is no product

def _row_dots(node: LazyOp) -> bool:
  """sum(a*b) along the last dim, one operand's dims within the other's and no matrix product (layernorm's variance,
  softmax's sum(g*y)): a multiply and numpy's pairwise sum, 3x faster than BLAS's 1x1 products when small. Not along
  other dims (numpy adds rows there one after another: less exact than BLAS), nor where the product outgrows both."""
  (a, b), shape = (_operand_dims(s) for s in node.src[0].src), _in_shape(node)
  return node.arg == (len(shape) - 1,) and (a <= b or b <= a) and not _blas_worthy(node)

def _native_worthy(ast: LazyOp, shape: tuple, nodes: set) -> bool:
  """Does the kernel run faster as a native kernel (native.py)? Measured: big enough (and under 2^31 elements: its kernels
  indexed with 32-bit ints: a bool sum of 2^31 + 2^22 ones spun forever; codegen now uses longs there, numpy is as fast), no matmul (BLAS is faster), no
  padded view (numpy adds only the valid box; a native kernel tests every element), and not a plain copy or a plain
  reduce of one input along a leading dim (numpy does either in one fast pass)."""
  work = max([prod(shape)] + [prod(_in_shape(n)) for n in nodes if n.op in ReduceOps])
  plain = ast.op in BufferOps or (ast.op in ReduceOps and ast.src[0].op in BufferOps and len(shape) - 1 not in ast.arg)
  # (smaller kernels with many ops, 32k-262k elements, ran 1-3% faster native on an idle machine and 18-22% slower with one
  # core busy, the VQVAE-small step: a native kernel waits for its share on the busy core; numpy's passes run on one)
  return native.MIN_WORK <= work < 1 << 31 and not plain and not any(_blas_worthy(n) or (n.op in BufferOps and any(v.mask is not None for v in n.arg[1].views)) for n in nodes)

def _walk(ast: LazyOp) -> tuple:
  """(every distinct node, the nodes used more than once) of a kernel's tree."""
  nodes, seen, shared = [ast], set(), set()
  while nodes:
    n = nodes.pop()
    if n in seen: shared.add(n); continue
    seen.add(n); nodes.extend(n.src)
  return seen, shared

def _split_epilogue(ast: LazyOp, shape: tuple, dtype: DType):
  """A matmul with elementwise work after it (GELU's gradient, say) as two runners: BLAS computes the matmul, then a
  native kernel the rest in one pass, reading the matmul's result as one more input (numpy made a pass per op: GELU's
  gradient after a GPT matmul took 3x the matmul's time). None if not that kernel."""
  whole, rest = _whole(ast)
  # only for real work after it: a bias add is as fast on numpy, in row blocks while the matmul's result is in cache
  if len(whole) != 1 or ast in whole or prod(shape) < native.MIN_WORK or any(n.op in ReduceOps for n in rest) or \
     sum(n.op not in BufferOps for n in rest) < 4: return None
  top = next(iter(whole))
  mm = top.src[0] if top.op is MovementOps.RESHAPE else top
  if not _blas_worthy(mm): return None
  mshape, mdtype = tuple(1 if d in mm.arg else s for d, s in enumerate(_in_shape(mm))), next(n.arg[2] for n in _walk(mm)[0] if n.op in BufferOps)
  idx = 1 + max(n.arg[0] for n in _walk(ast)[0] if n.op is BufferOps.LOAD)
  load = LazyOp(BufferOps.LOAD, (), (idx, ShapeTracker.from_shape(top.arg if top is not mm else mshape), mdtype))
  epi = replace(ast, top, load)
  if not _native_worthy(epi, shape, _walk(epi)[0]): return None
  if (run_epi := native.compile(epi, shape, dtype, lambda: _numpy_runner(epi, shape, dtype, *_walk(epi)))) is None: return None
  return lambda bufs, run_mm=compile(mm, mshape, mdtype): run_epi(list(bufs) + [run_mm(bufs)])

def compiles(size: int) -> bool:
  """Does a kernel of size elements run natively (one compiled pass) rather than as a numpy op per node (function.py's
  LayerNorm picks its kernels by it)? Not in a forked child: native.compile runs numpy there."""
  return size >= native.MIN_WORK and (rt := native.runtime()) is not None and rt.pid == os.getpid()

@functools.lru_cache(maxsize=4096)
def compile(ast: LazyOp, shape: tuple, dtype: DType):
  """A runner(inputs) -> flat output buffer for one kernel. Big elementwise kernels run block by block, on all cores:
  that is what fusion buys on numpy."""
  if runner := _plain_matmul(ast, shape, dtype): return runner
  seen, shared = _walk(ast)
  if _native_worthy(ast, shape, seen) and (runner := native.compile(ast, shape, dtype, lambda: _numpy_runner(ast, shape, dtype, seen, shared))): return runner
  if native.runtime() is not None and (runner := _split_epilogue(ast, shape, dtype)): return runner
  return _numpy_runner(ast, shape, dtype, seen, shared)

def _plain_matmul(ast: LazyOp, shape: tuple, dtype: DType):
  """A kernel that is one matmul of two inputs (maybe reshaped), the commonest big kernel: sum_of_product on the inputs
  directly, without the general runner's bookkeeping (~0.1 ms a call with cold caches, 8% of a 512^3 matmul). Else None."""
  node = ast.src[0] if ast.op is MovementOps.RESHAPE else ast
  if not _blas_worthy(node) or any(s.op is not BufferOps.LOAD for s in node.src[0].src): return None
  (la, lb), axis, full = (_leaf(s) for s in node.src[0].src), node.arg, _in_shape(node)
  def runner(bufs: list) -> np.ndarray:
    r = dense(sum_of_product(dense(la(bufs)), dense(lb(bufs)), axis, full))
    if r.dtype != dtype.np or not (r.flags.c_contiguous and r.flags.writeable) or r.size != prod(shape):  # a broadcast
      r = np.array(np.broadcast_to(r, tuple(1 if d in axis else n for d, n in enumerate(full))), dtype=dtype.np)
    return r.reshape(-1)
  return runner

def _numpy_runner(ast: LazyOp, shape: tuple, dtype: DType, seen: set, shared: set):
  leaves: list = []
  whole, rest = _whole(ast)  # computed first, whole; the rest of the kernel (a matmul's epilogue, say) runs in row blocks
  # small: all its arrays under MIN_WORK (a BLAS product is never made)
  fn = _build(ast, leaves, shared, whole, small := max([prod(shape)] + [prod(_in_shape(n)) for n in seen if n.op in ReduceOps and (not _is_matmul(n) or _row_dots(n))]) < native.MIN_WORK)
  parts = [(k, _build(w, leaves, shared, small=small), w in shared) for k, w in list(enumerate(leaves)) if w in whole]
  loads = [_leaf(leaf) if leaf not in whole else None for leaf in leaves]  # decided here: a LazyOp hashes its whole tree
  # blocks cost a copy into the output: worth it when the rest has work to do, not for a bias add after a matmul
  unblocked = ast in whole or (whole and sum(n.op not in BufferOps for n in rest) < 4)
  size = max([prod(shape)] + [prod(_in_shape(n)) for n in rest if n.op in ReduceOps])  # elements a row block reads
  def runner(bufs: list) -> np.ndarray:
    L = [None if leaf is None else leaf(bufs) for leaf in loads]
    for k, part, reused in parts:
      L[k] = dense(part(L, {}))
      # read again, or by every row block (one row, broadcast): _add must not write into it
      if reused or (L[k].ndim and L[k].shape[0] == 1): L[k].flags.writeable = False
    rows = shape[0] if shape else 0
    if rows < 4 or size < 4*CHUNK or unblocked:
      r = dense(fn(L, {}))
      # a fresh contiguous result becomes the buffer; a view of an input (a copy kernel) or a broadcast is copied
      if ast.op in BufferOps or r.shape != shape or r.dtype != dtype.np or not (r.flags.c_contiguous and r.flags.writeable):
        r = np.array(np.broadcast_to(r, shape), dtype=dtype.np)  # a copy: buffers must be writeable for in-place assign
      return r.reshape(-1)
    out = native.empty(prod(shape), dtype.np).reshape(shape)
    step, n = max(1, rows*CHUNK // size), THREADS
    def blocks(lo, hi):
      for i in range(lo, hi, step):
        j = min(i + step, hi)
        out[i:j] = dense(fn([x[i:j] if x.ndim and x.shape[0] > 1 else x for x in L], {"rows": j - i}))
    per = -(-rows // (n*step))*step  # each thread takes a contiguous run of whole blocks
    list(_threads.map(lambda lo: blocks(lo, min(lo + per, rows)), range(0, rows, per)))
    return out.reshape(-1)
  return runner
