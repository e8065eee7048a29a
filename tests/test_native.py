"""The CPU device's native kernels (drivegpt/native.py): the kernels it takes run there and agree with numpy float64;
matmuls, padded views, plain copies and small kernels stay on numpy; DRIVEGPT_NATIVE=0 turns it off."""
import os, subprocess, sys
import numpy as np
import pytest
from drivegpt import Tensor, jit, native, backend_numpy
from helpers_ops import exp2_cases, check_exp2

pytestmark = pytest.mark.skipif(native.runtime() is None, reason=f"no OpenCL CPU runtime ({native.OFF_REASON}): pip install -e '.[cl]'")

@pytest.fixture
def used(monkeypatch):
  """The kernels native.compile was asked for, as (shape, whether it gave a runner)."""
  calls, compile = [], native.compile
  def spy(ast, shape, dtype, fallback):
    r = compile(ast, shape, dtype, fallback)
    calls.append((shape, r is not None))
    return r
  monkeypatch.setattr(native, "compile", spy)
  backend_numpy.compile.cache_clear()
  yield calls
  backend_numpy.compile.cache_clear()

def test_elementwise_and_reduce_run_natively_and_match_float64(used):
  rng = np.random.default_rng(7)
  rows, cols = int(rng.integers(300, 700)), 8*int(rng.integers(90, 160))  # rows odd; the last dim divides into vectors
  a, b = rng.standard_normal((rows, cols)).astype(np.float32), rng.uniform(0.5, 2, (rows, 1)).astype(np.float32)
  ta, tb = Tensor(a), Tensor(b)
  y = ((ta*tb).exp2()*0.5 - ta.abs().sqrt()/tb)  # one fused elementwise kernel
  s = (ta.sigmoid() + ta).sum(axis=1)             # a reduce with work before it (a sum of a product goes to BLAS)
  A, B = a.astype(np.float64), b.astype(np.float64)
  np.testing.assert_allclose(y.numpy(), np.exp2(A*B)*0.5 - np.sqrt(np.abs(A))/B, rtol=1e-5, atol=1e-5)
  np.testing.assert_allclose(s.numpy(), (1/(1 + np.exp(-A)) + A).sum(1), rtol=1e-4, atol=1e-3)
  assert sum(ok for _, ok in used) >= 2, used

def test_exp2_matches_float64_over_its_whole_range(used, monkeypatch):
  # the CPU's kernels compute exp2 as a polynomial of their own (codegen.XEXP2), scalar and in vectors
  monkeypatch.setattr(native, "MIN_WORK", 0)
  x = exp2_cases(np.random.default_rng(9))
  check_exp2(Tensor(x).exp2().numpy(), x)
  assert used and all(ok for _, ok in used), used

def test_gradients_through_native_kernels_match_float64(used):
  rng = np.random.default_rng(8)
  x = rng.standard_normal((int(rng.integers(260, 400)), 1024)).astype(np.float32)
  up = rng.standard_normal(x.shape).astype(np.float32)
  t = Tensor(x, requires_grad=True)
  (t.softmax(-1)*Tensor(up)).sum().backward()
  X = x.astype(np.float64)
  p = np.exp(X - X.max(-1, keepdims=True)); p /= p.sum(-1, keepdims=True)
  want = p*(up - (p*up).sum(-1, keepdims=True))
  np.testing.assert_allclose(t.grad.numpy(), want, rtol=1e-4, atol=1e-6)
  assert any(ok for _, ok in used)

def test_jit_replays_native_kernels_on_new_inputs(used):
  rng = np.random.default_rng(9)
  f = jit(lambda x, y: ((x*y).exp() + y).realize())
  for _ in range(4):  # record, then replays: each call must see its own inputs
    a, b = rng.standard_normal((512, 600)).astype(np.float32), rng.standard_normal((512, 600)).astype(np.float32)
    np.testing.assert_allclose(f(Tensor(a), Tensor(b)).numpy(), np.exp(a.astype(np.float64)*b) + b, rtol=1e-5, atol=1e-5)
  assert any(ok for _, ok in used)

def test_what_stays_on_numpy(used):
  rng = np.random.default_rng(10)
  a, b = rng.standard_normal((640, 640)).astype(np.float32), rng.standard_normal((640, 640)).astype(np.float32)
  np.testing.assert_allclose((Tensor(a) @ Tensor(b)).numpy(), a.astype(np.float64) @ b, rtol=1e-4, atol=1e-3)  # BLAS
  np.testing.assert_allclose(Tensor(a).pad(((3, 3), (0, 5))).exp().numpy(), np.exp(np.pad(a, ((3, 3), (0, 5)))), rtol=1e-6)  # padded
  np.testing.assert_allclose((Tensor(a[:8, :8])*2).numpy(), a[:8, :8]*2)  # small
  assert not any(ok for _, ok in used), used
  c = rng.standard_normal((515, 517)).astype(np.float32)  # no dim divides into vectors: scalar code, slower than numpy
  np.testing.assert_allclose((Tensor(c).exp()*3).numpy(), np.exp(c.astype(np.float64))*3, rtol=1e-6)
  assert used and not any(ok for _, ok in used), used

def test_a_kernel_past_32_bit_indices_stays_on_numpy():
  """Native kernels index with 32-bit ints: a bool sum of 2^31 + 2^22 ones (a broadcast constant: no memory) spun
  forever in the runtime, a wider one segfaulted. Such kernels run on numpy (a child process: a hang ends at the timeout)."""
  code = "import drivegpt; from drivegpt import Tensor, dtypes; print(Tensor.ones(2**31 + 2**22, dtype=dtypes.bool).sum().numpy())"
  r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
  assert r.returncode == 0 and r.stdout.split() == [str(2**31 + 2**22)], r

def test_matmul_then_elementwise_runs_blas_then_one_native_pass(used):
  # GELU after a matmul: BLAS computes the product, a native kernel the epilogue reading it as an extra input
  rng = np.random.default_rng(12)
  m, k, n = 8*int(rng.integers(60, 90)), int(rng.integers(40, 100)), 1024
  a, b = rng.standard_normal((m, k)).astype(np.float32), rng.standard_normal((k, n)).astype(np.float32) / 8
  x = rng.standard_normal((m, n)).astype(np.float32)
  y = ((Tensor(a) @ Tensor(b)).gelu()*Tensor(x) + 1).numpy()
  h = a.astype(np.float64) @ b.astype(np.float64)
  gelu = 0.5*h*(1 + np.tanh(np.sqrt(2/np.pi)*(h + 0.044715*h**3)))
  np.testing.assert_allclose(y, gelu*x + 1, rtol=1e-4, atol=1e-4)
  assert ((m, n), True) in used, used

def test_reduces_along_the_row_match_float64_and_keep_nan(used):
  # vectors run along the reduced (contiguous) last dim, then across their lanes: max, sum, a row's dot product
  rng = np.random.default_rng(13)
  rows, cols = int(rng.integers(600, 900)), 8*int(rng.integers(40, 70))
  x, y = rng.standard_normal((rows, cols)).astype(np.float32), rng.standard_normal((rows, cols)).astype(np.float32)
  x[5, int(rng.integers(cols))] = np.nan
  X, Y = x.astype(np.float64), y.astype(np.float64)
  np.testing.assert_array_equal(Tensor(x).max(-1).numpy(), X.max(-1).astype(np.float32))
  np.testing.assert_allclose(Tensor(y).exp().sum(-1).numpy(), np.exp(Y).sum(-1), rtol=1e-5)
  np.testing.assert_allclose((Tensor(x)*Tensor(y)).sum(-1).numpy(), (X*Y).sum(-1), rtol=1e-4, atol=1e-3)
  assert sum(ok for _, ok in used) >= 3, used

def test_native_off_gives_the_same_numbers():
  code = ("import numpy as np; from drivegpt import Tensor, native; x = np.random.default_rng(3).standard_normal((600, 900)).astype(np.float32);"
          "print(native.runtime() is None, float((Tensor(x).exp()*Tensor(x).sigmoid()).sum().numpy()))")
  outs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "DRIVEGPT_NATIVE": flag}).stdout.split() for flag in ("0", "1")]
  assert outs[0][0] == "True" and outs[1][0] == "False"
  assert abs(float(outs[0][1]) - float(outs[1][1])) <= 1e-4*abs(float(outs[0][1]))

def test_two_threads_launching_one_kernel_each_get_their_own_result():
  import threading
  from drivegpt.schedule import schedule
  switch = sys.getswitchinterval()
  sys.setswitchinterval(1e-6)  # switch threads as often as possible: without the launch lock ~1 in 1000 results came back unwritten
  try:
    rng, shape = np.random.default_rng(11), (256, 1024)
    xs = [rng.standard_normal(shape).astype(np.float32) for _ in range(2)]
    si = schedule([((Tensor(xs[0])*2).exp() + 1).lazydata])[-1]
    run = backend_numpy.compile(si.ast, si.out.shape, si.out.dtype)
    assert run.__module__ == "drivegpt.native"
    wants, bad = [np.exp(x.astype(np.float64)*2) + 1 for x in xs], [0, 0]
    def work(k):
      for _ in range(1500):
        if not np.allclose(run([xs[k].reshape(-1)]).reshape(shape), wants[k], rtol=1e-5): bad[k] += 1
    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in threads: t.start()
    for t in threads: t.join()
  finally: sys.setswitchinterval(switch)
  assert bad == [0, 0]

def test_buffers_are_aligned_and_misaligned_inputs_still_compute():
  """Buffers the engine makes start at a multiple of native.ALIGN (Intel's CPU runtime copies others in and out around
  each kernel); an input at any other address (a numpy kernel's result) is copied once, and the result is the same."""
  from drivegpt.schedule import schedule
  from drivegpt.helpers import dtypes
  rng = np.random.default_rng(12)
  for size in rng.integers(1, 5000, 6):
    assert backend_numpy.alloc(int(size), dtypes.float32).ctypes.data % native.ALIGN == 0
    assert backend_numpy.from_numpy(rng.standard_normal(int(size))).ctypes.data % native.ALIGN == 0
  shape = (int(rng.integers(300, 600)), 8*int(rng.integers(80, 120)))
  x = rng.standard_normal(shape).astype(np.float32)
  t = Tensor(x)
  si = schedule([((t*1.5).exp() - t).lazydata])[-1]
  run = backend_numpy.compile(si.ast, si.out.shape, si.out.dtype)
  assert run.__module__ == "drivegpt.native"
  want = np.exp(x.astype(np.float64)*1.5) - x
  raw = np.empty(x.size + 64, np.float32)
  for shift in rng.choice(32, 5, replace=False):  # every 4-byte offset from an aligned start, in random order
    start = (-raw.ctypes.data % native.ALIGN)//4 + int(shift)
    buf = raw[start:start + x.size]
    buf[:] = x.reshape(-1)
    out = run([buf])
    assert out.ctypes.data % native.ALIGN == 0
    np.testing.assert_allclose(out.reshape(shape), want, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(buf, x.reshape(-1))  # the input is read, never written

@pytest.mark.parametrize("native_on", ["1", "0"])
def test_a_forked_child_computes_after_its_parent_used_the_engine(native_on):
  # the child has none of the parent's threads (the OpenCL runtime's, the numpy backend's pool): it must not wait on them
  code = """
import os, sys, numpy as np
from drivegpt import Tensor
x = np.random.default_rng(12).standard_normal((512, 1024)).astype(np.float32)
f = lambda: (((Tensor(x)*3).exp() + 1).numpy(), (Tensor(x)*2).exp().sum(0).numpy())  # a row-blocked kernel, a reduce
want = (np.exp(x.astype(np.float64)*3) + 1, np.exp(x.astype(np.float64)*2).sum(0))
ok = lambda: all(np.allclose(a, b, rtol=1e-4) for a, b in zip(f(), want))
assert ok()
pid = os.fork()
if pid == 0: os._exit(0 if ok() else 3)
print(os.waitpid(pid, 0)[1])
"""
  r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env={**os.environ, "DRIVEGPT_NATIVE": native_on})
  assert r.returncode == 0 and r.stdout.split()[-1] == "0", (r.stdout, r.stderr[-2000:])

@pytest.mark.slow  # (out of the default run: 33-85 s each on a 2-core Zen 4 VM, where the suite took 20 min cold)
def test_programs_are_evicted_and_built_again():
  """A Python number that changes every step is a new kernel source every step: each runner held its compiled program
  (~2 MB in the runtime) and memory grew without bound (16 GB an hour at one a step). Runners look their program up at
  each launch in a cache of 256, so evicted ones are freed; a runner whose program went is built again, and is right."""
  if native.runtime() is None: pytest.skip(native.OFF_REASON)
  x = np.random.default_rng(31).standard_normal(1 << 18).astype(np.float32)
  t = Tensor(x)
  first = lambda: ((t * 1.25).exp() + 0.5).sum().numpy()
  want = np.exp(x.astype(np.float64) * 1.25).sum() + 0.5 * x.size
  np.testing.assert_allclose(first(), want, rtol=1e-5)
  for k in range(native._build.cache_info().maxsize + 8):  # as many other programs as the cache holds, and more
    ((t * (2.0 + k / 1024)).exp() + 0.5).sum().numpy()
  assert native._build.cache_info().currsize <= native._build.cache_info().maxsize
  np.testing.assert_allclose(first(), want, rtol=1e-5)   # its program evicted: built again on launch
