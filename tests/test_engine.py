"""Engine internals: laziness, views, fusion (kernel counts), BLAS lowering without big temporaries, deep graphs, line budget."""
import sys, tracemalloc
import numpy as np
import pytest
from drivegpt import Tensor, GlobalCounters, dtypes
from drivegpt.shape import ShapeTracker
from linecount import engine_core_lines

rng = np.random.default_rng(1234)
def rand(*shape): return rng.standard_normal(shape).astype(np.float32)

def kernels(t: Tensor) -> int:
  GlobalCounters.reset()
  t.realize()
  return GlobalCounters.kernel_count

def test_nothing_runs_until_realize():
  a, b = Tensor(rand(4, 5)), Tensor(rand(4, 5))
  GlobalCounters.reset()
  c = (a * b + 1).exp().sum(axis=1)
  assert GlobalCounters.kernel_count == 0 and not c.lazydata.is_realized
  np.testing.assert_allclose(c.numpy(), np.exp(a.numpy() * b.numpy() + 1).sum(1), rtol=1e-5)
  assert GlobalCounters.kernel_count >= 1

def test_movement_ops_are_views():
  a = Tensor(rand(6, 8)).realize()
  for v in (a.permute(1, 0), a.reshape(2, 3, 8), a[1:5, ::-2], a.pad(((1, 1), (0, 2))), a.reshape(6, 1, 8).expand(6, 4, 8), a.flip(0)):
    assert v.lazydata.base is a.lazydata  # same buffer, only the view changed
    GlobalCounters.reset()
    v.numpy()
    assert GlobalCounters.kernel_count == 0

def test_expand_is_never_materialized():
  a = Tensor(rand(1, 1000)).realize()
  big = a.expand(1000, 1000)
  st = big.lazydata.st
  assert st.views[-1].strides[0] == 0 and len(st.views) == 1

@pytest.mark.parametrize("shape", [(7,), (3, 5), (2, 3, 4)])
def test_elementwise_chain_is_one_kernel(shape):
  a, b, c = (Tensor(rand(*shape)).realize() for _ in range(3))
  assert kernels(a * b + c) == 1
  assert kernels(((a * b + c).exp() - a).abs().sqrt().relu()) == 1
  np.testing.assert_allclose((a * b + c).numpy(), a.numpy() * b.numpy() + c.numpy(), rtol=1e-6)

def test_elementwise_fuses_into_reduce_and_after():
  a, b = Tensor(rand(8, 9)).realize(), Tensor(rand(8, 9)).realize()
  assert kernels((a * b + 1).exp().sum(axis=1)) == 1
  assert kernels((a * 2).sum(axis=0) * 3 + 1) == 1
  np.testing.assert_allclose(((a * 2).sum(axis=0) * 3 + 1).numpy(), (a.numpy() * 2).sum(0) * 3 + 1, rtol=1e-5)

def test_shared_intermediate_is_computed_once_per_kernel():
  a = Tensor(rand(64)).realize()
  t = (a * 1.5).exp()
  assert kernels(t * t + t) == 1
  np.testing.assert_allclose((t * t + t).numpy(), np.exp(a.numpy() * 1.5)**2 + np.exp(a.numpy() * 1.5), rtol=1e-5)

@pytest.mark.parametrize("m,k,n", [(64, 48, 32), (1, 17, 5), (33, 1, 9)])
def test_matmul_is_one_kernel_and_allocates_only_its_output(m, k, n):
  a, b = Tensor(rand(m, k)).realize(), Tensor(rand(k, n)).realize()
  assert kernels(a @ b) == 1
  GlobalCounters.reset()
  (a @ b).realize()
  assert GlobalCounters.allocations == [m * n * 4], GlobalCounters.allocations

def test_matmul_never_allocates_the_broadcast_product():
  # numpy reports its allocations to tracemalloc: the M*N*K product would be 64 MiB here
  m = k = n = 256
  a, b = Tensor(rand(m, k)).realize(), Tensor(rand(k, n)).realize()
  (a @ b).realize()  # compile first
  tracemalloc.start()
  out = (a @ b).numpy()
  peak = tracemalloc.get_traced_memory()[1]
  tracemalloc.stop()
  np.testing.assert_allclose(out, a.numpy().astype(np.float64) @ b.numpy(), rtol=1e-3, atol=1e-3)
  assert peak < 4 * (m * k + k * n + m * n) * 4, f"peak {peak} bytes: bigger than inputs and output"

@pytest.mark.parametrize("shapes", [((3, 4, 5), (3, 5, 6)), ((2, 1, 4, 5), (3, 5, 2)), ((5,), (5, 3)), ((4, 5), (5,))])
def test_batched_matmul_lowering_matches_numpy(shapes):
  x, y = rand(*shapes[0]), rand(*shapes[1])
  tx, ty = Tensor(x).realize(), Tensor(y).realize()
  assert kernels(tx @ ty) == 1
  np.testing.assert_allclose((tx @ ty).numpy(), np.matmul(x.astype(np.float64), y), rtol=1e-4, atol=1e-5)

def test_noncontiguous_matmul_inputs():
  x, y = rand(6, 5), rand(7, 6)
  out = (Tensor(x).T.flip(0) @ Tensor(y)[::-1].T)
  np.testing.assert_allclose(out.numpy(), x.T[::-1] @ y[::-1].T, rtol=1e-4, atol=1e-5)

def test_long_chain_has_no_recursion_limit():
  x = Tensor(rand(5), requires_grad=True)
  y = x
  for _ in range(10000): y = y * 1.0001 + 0.0001
  ref = x.numpy().astype(np.float64)
  for _ in range(10000): ref = ref * 1.0001 + 0.0001
  np.testing.assert_allclose(y.numpy(), ref, rtol=1e-3, atol=1e-3)
  y.sum().backward()
  np.testing.assert_allclose(x.grad.numpy(), np.full(5, 1.0001**10000), rtol=1e-3)

def test_pad_is_not_pushed_through_ops_with_nonzero_at_zero():
  a = Tensor(rand(3, 4)).realize()
  out = (a + 1).exp().pad(((1, 1), (2, 0))).numpy()
  np.testing.assert_allclose(out, np.pad(np.exp(a.numpy() + 1), ((1, 1), (2, 0))), rtol=1e-6)

def test_shapetracker_matches_numpy_views():
  x = np.arange(2*3*4*5).reshape(2, 3, 4, 5)
  from drivegpt.backend_numpy import view
  flat = x.reshape(-1)
  st = ShapeTracker.from_shape(x.shape)
  checks = [(st.permute((3, 1, 0, 2)), x.transpose(3, 1, 0, 2)),
            (st.permute((3, 1, 0, 2)).reshape((5, 3, 8)), x.transpose(3, 1, 0, 2).reshape(5, 3, 8)),
            (st.shrink(((0, 2), (1, 3), (0, 4), (2, 5))).stride((1, -1, 2, -2)), x[:, 1:3, :, 2:5][:, ::-1, ::2, ::-2]),
            (st.pad(((1, 0), (0, 0), (2, 1), (0, 0))), np.pad(x, ((1, 0), (0, 0), (2, 1), (0, 0)))),
            (st.pad(((1, 0), (0, 0), (2, 1), (0, 0))).reshape((3, 3, 7*5)), np.pad(x, ((1, 0), (0, 0), (2, 1), (0, 0))).reshape(3, 3, 35)),
            (st.reshape((6, 20)).permute((1, 0)).reshape((4, 5, 6)), x.reshape(6, 20).T.reshape(4, 5, 6))]
  for s, ref in checks: np.testing.assert_array_equal(view(flat, s), ref)

def test_dtypes_survive():
  assert Tensor([1, 2]).dtype == dtypes.int32 and Tensor([1.0]).dtype == dtypes.float32 and Tensor([True]).dtype == dtypes.bool
  assert (Tensor([1, 2]) < 2).dtype == dtypes.bool
  np.testing.assert_array_equal(Tensor(np.array([7, -7], np.int64)).idiv(2).numpy(), [3, -3])

ENGINE_LINE_BUDGET = 3500

def test_engine_core_line_budget():
  total, files = engine_core_lines()
  print(f"\nengine core: {total} code lines in {files} files (budget {ENGINE_LINE_BUDGET})", file=sys.stderr)
  assert total <= ENGINE_LINE_BUDGET
