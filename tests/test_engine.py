"""Engine internals: laziness, views, fusion (kernel counts), BLAS lowering without big temporaries, deep graphs, long and
empty sums on every backend, the backend contract, BLAS threads left alone (the one process-wide setting is glibc's
malloc tuning, README: DRIVEGPT_MALLOC), row kernels against float64, line budget."""
import inspect, os, subprocess, sys, tracemalloc
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
  assert list(GlobalCounters.allocations) == [m * n * 4], GlobalCounters.allocations

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

def test_sum_of_product_in_every_layout_matches_float64():
  # random sums of products over random dims: each dim in both operands (batch or summed) or in one (rows, columns, or
  # summed before the matmul), operands stored permuted; the plan's three layouts (A B, B^T A^T, a broadcast batch) all occur
  from drivegpt.backend_numpy import sum_of_product, _plan
  rng, layouts = np.random.default_rng(0), set()
  for _ in range(150):
    nd = int(rng.integers(2, 7))
    shape = tuple(int(x) for x in rng.integers(1, 7, nd))
    ina, inb = rng.random(nd) < 0.7, rng.random(nd) < 0.7
    axis = tuple(int(d) for d in np.flatnonzero(rng.random(nd) < 0.4))
    def operand(has):
      x = rng.standard_normal(tuple(s if h else 1 for s, h in zip(shape, has))).astype(np.float32)
      perm = rng.permutation(nd)
      return np.ascontiguousarray(x.transpose(perm)).transpose(np.argsort(perm))
    a, b = operand(ina), operand(inb)
    got, want = sum_of_product(a, b, axis, shape), np.broadcast_to(a.astype(np.float64)*b, shape).sum(axis, keepdims=True)
    assert got.shape == want.shape, (shape, axis)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4, err_msg=f"{shape} {axis}")
    A, B = np.broadcast_to(a, shape), np.broadcast_to(b, shape)
    p = _plan(A.shape, A.strides, B.shape, B.strides, axis, shape)
    layouts.add("broadcast batch" if p.mat_a[0] != p.mat_b[0] else "swap" if p.swap else "plain")
  assert layouts == {"plain", "swap", "broadcast batch"}, layouts

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
  # a numpy scalar keeps its dtype as a 0-d array does (and PyTorch's tensor() does): np.float16 came out float32
  rng = np.random.default_rng(2)
  for v, want in ((np.float16(rng.normal()), dtypes.float16), (np.int64(rng.integers(1 << 40)), dtypes.int64)):
    assert Tensor(v).dtype == Tensor(np.array(v)).dtype == want and Tensor(v).numpy() == v

ENGINE_LINE_BUDGET = 2500

def test_engine_core_line_budget():
  total, files = engine_core_lines()
  print(f"\nengine core: {total} code lines in {files} files (budget {ENGINE_LINE_BUDGET})", file=sys.stderr)
  assert total <= ENGINE_LINE_BUDGET

DEVICES = ["CPU", "CL"]

@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("shape,axis", [((1_000_000, 4), 0), ((4, 1_000_000), 1), ((500, 2000, 2), (0, 1)), ((1_000_000,), None)])
def test_long_float_sums_stay_accurate(device, shape, axis):
  """1e6 float32 terms near 0.1: a naive running sum is 1% high along a non-contiguous axis; blocked sums are not."""
  x = (0.1 + rng.random(shape, dtype=np.float32)*1e-3).astype(np.float32)
  ref = x.astype(np.float64).sum(axis)
  np.testing.assert_allclose(Tensor(x, device=device).sum(axis).numpy(), ref, rtol=1e-5)
  np.testing.assert_allclose(Tensor(x, device=device).mean(axis).numpy(), x.astype(np.float64).mean(axis), rtol=1e-5)

@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("a,b", [((0, 3), (3, 4)), ((2, 0), (0, 4)), ((3,), (3, 0)), ((0,), (0,)), ((2, 0, 3), (3, 5))])
def test_empty_matmul_and_its_gradient(device, a, b):
  x, w = rand(*a), rand(*b)
  tx, tw = Tensor(x, device=device, requires_grad=True), Tensor(w, device=device, requires_grad=True)
  out = tx @ tw
  np.testing.assert_array_equal(out.numpy(), np.matmul(x, w))
  (out * 2).sum().backward()
  # d/dw sum(2 x@w) = 2 X^T 1, d/dx = 2 * 1 W^T with X (M, K), W (K, N): zeros where the sum over K is empty
  X = x.reshape(int(np.prod(x.shape[:-1])), x.shape[-1]).astype(np.float64)
  W = w.reshape(w.shape[0], int(np.prod(w.shape[1:]))).astype(np.float64)
  ones = np.ones((X.shape[0], W.shape[1]))
  np.testing.assert_allclose(tw.grad.numpy(), (2 * X.T @ ones).reshape(w.shape), rtol=1e-6)
  np.testing.assert_allclose(tx.grad.numpy(), (2 * ones @ W.T).reshape(x.shape), rtol=1e-6)

@pytest.mark.parametrize("device", DEVICES)
def test_empty_max_is_the_lowest_value(device):
  from drivegpt import function as F
  t = Tensor(np.zeros((0, 3), np.float32), device=device)
  np.testing.assert_array_equal(t._reduce(F.Max, 0).numpy(), [-np.inf]*3)   # the reduce's identity, on every device
  with pytest.raises(ValueError, match=r"max/min over a dim of size 0 \(shape \(0, 3\), axis 0\)"): t.max(0)   # as numpy (it gave -inf; session 51)
  with pytest.raises(ValueError, match="max/min over a dim of size 0"): Tensor(np.zeros((2, 0), np.int32), device=device).min(1)   # (2147483647)
  np.testing.assert_array_equal(t.logsumexp(0).numpy(), [-np.inf]*3)   # as PyTorch

def test_backends_follow_the_contract():
  from drivegpt.device import Backend, Device
  for name in ("CPU", "CL"):
    mod = Device.get(name)
    assert isinstance(mod, Backend), name
    for fn in ("alloc", "from_numpy", "rand", "copyin", "to_numpy", "compile", "synchronize"):
      want = [p for p in inspect.signature(getattr(Backend, fn)).parameters][1:]  # without self
      assert list(inspect.signature(getattr(mod, fn)).parameters) == want, (name, fn)

def test_wide_vector_devices_fall_back_to_8_where_16_does_not_divide():
  """On a 16-float (AVX-512) device, kernels vectorize 16 wide where a dim divides into 16, else 8 wide (a last dim of
  8 times an odd number), and stay scalar where neither divides; an 8-float device never uses 16."""
  from drivegpt.codegen import render, DeviceLimits
  from drivegpt.schedule import schedule
  rng = np.random.default_rng(3)
  rows = 2*int(rng.integers(1, 20)) + 1  # odd: vectors can only run along the columns
  for cols, wide, narrow in ((16*int(rng.integers(1, 30)), "float16 ", "float8 "), (8*(2*int(rng.integers(0, 30)) + 1), "float8 ", "float8 "),
                             (4*(2*int(rng.integers(1, 30)) + 1), None, None)):
    t = Tensor(rng.standard_normal((rows, cols)).astype(np.float32))
    for graph in ((t*2).exp() + 1, (t*t).exp().sum(axis=1)):
      si = schedule([graph.lazydata])[-1]
      for limits, want in ((DeviceLimits(vector_width=16), wide), (DeviceLimits(vector_width=8), narrow)):
        src = render(si.ast, si.out.shape, si.out.dtype, limits).src
        vectors = [w for w in ("float16 ", "float8 ") if w in src]
        assert vectors == ([want] if want else []), (cols, limits.vector_width, vectors)
  for shape, axis in (((16, 24), 0), ((24, 16, 40), 1)):  # 16 divides a dim, but not one vectors can run along
    si = schedule([(Tensor(rng.standard_normal(shape).astype(np.float32))**2).sum(axis).lazydata])[-1]
    assert "float8 " in render(si.ast, si.out.shape, si.out.dtype, DeviceLimits(vector_width=16)).src, shape

@pytest.mark.parametrize("seed", range(8))
def test_pack_views_copy_and_read_back_every_element(seed):
  """codegen.pack_views (CPU devices copy a matmul's B into panels): the copy view then the read view give the elements the
  original view gives, for transposed, strided, flipped, padded and broadcast views of B, against numpy's own indexing;
  and the read view steps W floats along the reduce, in order, with the W lanes next to each other."""
  from drivegpt.backend_numpy import to_numpy
  from drivegpt.codegen import pack_views, lanes_of
  rng = np.random.default_rng(seed)
  m, n, k, W = int(rng.integers(1, 5)), 8*int(rng.integers(1, 6)), int(rng.integers(2, 40)), 8
  base = rng.standard_normal((k + 2, 2*n)).astype(np.float32)
  st, ref = ShapeTracker.from_shape(base.shape), base
  kind = ["plain", "strided", "flipped", "padded"][seed % 4]
  if kind == "padded": st, ref = st.shrink(((1, k + 1), (0, 2*n))).pad(((1, 2), (0, 0))), np.pad(base[1:k + 1], ((1, 2), (0, 0)))
  st, ref = st.shrink(((0, k), (0, 2*n))), ref[:k]
  if kind == "strided": st, ref = st.stride((1, 2)), ref[:, ::2]
  else: st, ref = st.shrink(((0, k), (0, n))), ref[:, :n]
  if kind == "flipped": st, ref = st.stride((-1, -1)), ref[::-1, ::-1]
  # the matmul's full shape (m, n, k): B^T broadcast over the rows, reduced over k
  st = st.permute((1, 0)).reshape((1, n, k)).expand((m, n, k))
  want = np.broadcast_to(ref.T[None], (m, n, k))
  np.testing.assert_array_equal(to_numpy(base.ravel(), st, dtypes.float32), want)
  copy_st, read_st = pack_views(st, 1, W, (2,))
  copied = to_numpy(base.ravel(), copy_st, dtypes.float32)
  assert copied.size == n*k  # read once, not once per row
  np.testing.assert_array_equal(to_numpy(np.ascontiguousarray(copied).ravel(), read_st, dtypes.float32), want)
  lanes = lanes_of(read_st, (m, n, k), 1, W)
  assert [i for i, _ in lanes] == [lanes[0][0] + type(lanes[0][0])((), j) for j in range(W)] and dict(lanes[0][0].terms)["d2"] == W

@pytest.mark.parametrize("width", [8, 16])
def test_packed_kernels_read_their_panels_in_order(width):
  """A CPU device's kernels that copy an operand into panels (matmuls, batched and transposed; convs, 1x1 ones too; and
  their gradients) render, once reading the copies, with nothing left to pack: backend_cl compiles them that way (a
  1x1 conv's size-1 reduced dims once made it pack the same panels again, without end, as did an operand constant along
  the reduce, found by a hostile review)."""
  from drivegpt.codegen import render, packed, DeviceLimits
  from drivegpt.schedule import schedule
  from drivegpt.ops import LoadOps
  rng, limits, seen = np.random.default_rng(width), DeviceLimits(vector_width=width, pack=True), 0
  t = lambda *s: Tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True)
  x, w, a, b, q = t(2, 64, 16, 32), t(64, 64, 3, 3), t(192, 160), t(160, 256), t(2, 4, 128, 32)
  outs = [x.conv2d(w, padding=1).relu(), x.conv2d(t(256, 64, 1, 1)), a @ b, (b.T @ a.T).T, q @ q.transpose(-1, -2),
          t(64, 4) @ t(1, 32768).expand(4, 32768), (t(72, 40, 3)[:, :, :, None] * b[None, :40, None, :]).sum((1, 2))]
  loss = sum(o.square().mean() for o in outs)
  loss.backward()
  for si in schedule([o.lazydata for o in outs] + [p.grad.lazydata for p in (x, w, a, b, q)]):
    if si.ast.op in LoadOps or not (prg := render(si.ast, si.out.shape, si.out.dtype, limits)).packs: continue
    seen += 1
    assert not render(packed(si.ast, prg.packs)[1], si.out.shape, si.out.dtype, limits).packs, si.out.shape
  assert seen >= 4

@pytest.mark.parametrize("n", [64, 1 << 18])  # small, and big enough for adds into a kernel's own temporaries
def test_a_view_of_padding_only_read_twice_in_a_kernel_stays_zero(n):
  """A view that sees only padding is zeros; read twice in one kernel, an add must not write into it (it was made
  writeable: (z + y) * z came out y*y, and cat(a, b)[:, n:] + cat(a, c)[:, n:] 6.9 off)."""
  rng = np.random.default_rng(n)
  a, b, c = (rng.standard_normal((1, n)).astype(np.float32) for _ in range(3))
  ta, tb, tc = Tensor(a), Tensor(b), Tensor(c)
  np.testing.assert_allclose((Tensor.cat(ta, tb, dim=1)[:, n:] + Tensor.cat(ta, tc, dim=1)[:, n:]).numpy(), b.astype(np.float64) + c, rtol=1e-6, atol=1e-6)
  z = ta.pad(((0, 0), (0, n)))[:, n:]
  np.testing.assert_array_equal(((z + tb) * z).numpy(), np.zeros((1, n), np.float32))
  np.testing.assert_array_equal(((z + tb) + z).numpy(), b)
  half = ta.pad(((0, 0), (0, n)))[:, n//2:n + n//2]  # half data, half padding
  np.testing.assert_array_equal(((z + half) * z).numpy(), np.zeros((1, n), np.float32))
  np.testing.assert_array_equal(ta.numpy(), a)

@pytest.mark.parametrize("rows", [3, 256])  # one block, and big enough for the row-blocked runner
def test_padded_products_in_one_kernel_match_numpy(rows):
  """A cat's gradient scales its parts (sdpa's q): the pad reaches the kernel as pad(c) * pad(g), both kept padded when
  their boxes agree (numpy made both whole first); boxes that differ, a padded constant with a where or an add, and
  an inf beside the padding (0 * inf) must come out as numpy's."""
  g = rand(rows, 5)
  tg = Tensor(g)
  out = (tg * 0.125).pad(((0, 0), (0, 10))) + (tg * 2).pad(((0, 0), (5, 5))) + tg.pad(((0, 0), (10, 0)))
  np.testing.assert_allclose(out.numpy(), np.concatenate([g * 0.125, g * 2, g], 1), rtol=1e-6)
  h = rand(rows, 5)
  h[0, 0] = np.inf
  th = Tensor(h)
  np.testing.assert_array_equal((tg.pad(((0, 0), (0, 3))) * th.pad(((0, 0), (3, 0)))).numpy(), np.pad(g, ((0, 0), (0, 3))) * np.pad(h, ((0, 0), (3, 0))))
  c = Tensor.full((rows, 5), 3.0).pad(((0, 0), (1, 2)))
  p = tg.pad(((0, 0), (1, 2)))
  np.testing.assert_allclose((c * p + c).numpy(), np.pad(g * 3 + 3, ((0, 0), (1, 2))), rtol=1e-6, atol=1e-6)  # (a GPU fuses it: fma)
  np.testing.assert_array_equal((p > 0).where(c, p).numpy(), np.pad(np.where(g > 0, 3, g), ((0, 0), (1, 2))))
  qkv = Tensor(rand(rows, 15), requires_grad=True)
  q, k, v = qkv.split(5, -1)
  ((q * 0.125) * tg + (k * 2) * tg + v * tg).sum().backward()
  np.testing.assert_allclose(qkv.grad.numpy(), np.concatenate([g * 0.125, g * 2, g], 1), rtol=1e-6)

def test_lazy_and_codegen_agree_on_output_dtypes():
  from drivegpt.codegen import node_dtype
  from drivegpt.schedule import schedule
  a, i, m = Tensor(rand(3, 4)), Tensor(np.arange(12, dtype=np.int32).reshape(3, 4)), Tensor(rand(3, 4) > 0)
  for t in [a < 0, i.eq(3), m.where(i, i + 1), m.where(a, 0.5), i.cast(dtypes.float16), (a * 2).cast(dtypes.int32), i % 5, -a]:
    (si,) = schedule([t.lazydata])
    assert node_dtype(si.ast) == t.dtype == si.out.dtype

def test_import_and_kernels_leave_blas_threads_alone():
  """Importing the engine or running its matmuls doesn't change the process's BLAS thread count."""
  code = ("from threadpoolctl import threadpool_info\n"
          "import numpy as np\n"
          "blas = lambda: [i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas']\n"
          "before = blas()\n"
          "from drivegpt import Tensor\n"
          "after_import = blas()\n"
          "a = Tensor(np.ones((512, 512), np.float32)); (a @ a).numpy(); (a @ a.T).sum().numpy()\n"
          "print(before, after_import, blas())")
  r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, "OPENBLAS_NUM_THREADS": "2"})
  before, after_import, after = eval(r.stdout.strip().replace("] [", "], ["))
  assert before == after_import == after and before, r.stdout + r.stderr

@pytest.mark.parametrize("case", ["drivegpt first", "numpy first", "user's own"])
def test_blas_threads_sleep_when_idle_unless_told_otherwise(case):
  """Importing drivegpt before numpy sets OPENBLAS_THREAD_TIMEOUT (idle OpenBLAS threads spun and took a core from the
  engine's threads); a user's own value is kept, and after numpy it changes nothing (OpenBLAS read its settings already)."""
  first = "import numpy, drivegpt" if case == "numpy first" else "import drivegpt, numpy"
  env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_THREAD_TIMEOUT"}
  if case == "user's own": env["OPENBLAS_THREAD_TIMEOUT"] = "7"
  r = subprocess.run([sys.executable, "-c", f"{first}, os; print(os.environ.get('OPENBLAS_THREAD_TIMEOUT'))"],
                     capture_output=True, text=True, env=env)
  assert r.stdout.strip() == {"drivegpt first": "4", "numpy first": "None", "user's own": "7"}[case], r.stdout + r.stderr

@pytest.mark.parametrize("var, value, message", [("DRIVEGPT_DEVICE", "bogus", "unknown device 'DRIVEGPT_DEVICE=BOGUS'"),
                                                   ("DRIVEGPT_THREADS", "0", "DRIVEGPT_THREADS=0: needs at least 1"),
                                                   ("DRIVEGPT_THREADS", "two", "environment variable DRIVEGPT_THREADS='two': expected int")])
def test_bad_environment_variable_is_named(var, value, message):
  """A bad setting is one error naming the variable (DRIVEGPT_THREADS=0 failed inside ThreadPoolExecutor, an unknown
  DRIVEGPT_DEVICE was reported as device None)."""
  r = subprocess.run([sys.executable, "-c", "import drivegpt; from drivegpt import Tensor; print((Tensor([1.0, 2.0]) + 1).numpy())"],
                     capture_output=True, text=True, env={**os.environ, var: value})
  assert r.returncode != 0 and message in r.stderr.splitlines()[-1], r.stderr[-2000:]

def _row_refs(x: np.ndarray, up: np.ndarray, axis: int) -> dict:
  """float64 forward and input gradient (upstream gradient up) of softmax, log_softmax and layernorm along axis."""
  X, U = x.astype(np.float64), up.astype(np.float64)
  e = np.exp(X - X.max(axis, keepdims=True)); p = e / e.sum(axis, keepdims=True)
  m = X - X.mean(axis, keepdims=True); r = 1 / np.sqrt((m*m).mean(axis, keepdims=True) + 1e-5); z = m*r
  return {"softmax": (p, p*(U - (U*p).sum(axis, keepdims=True))), "log_softmax": (np.log(p), U - p*U.sum(axis, keepdims=True)),
          "layernorm": (z, r*(U - U.mean(axis, keepdims=True) - z*(U*z).mean(axis, keepdims=True)))}

@pytest.mark.parametrize("device", DEVICES)
def test_row_kernels_match_float64_in_random_layouts(device):
  """Softmax, log-softmax and layernorm run as row kernels (several reduces over the same rows in one kernel): random
  shapes, axes (contiguous or not) and row lengths (multiples of the vector width or not), forward and backward."""
  r = np.random.default_rng(77)
  for _ in range(6):
    shape = tuple(int(n) for n in r.integers(1, 9, size=int(r.integers(2, 4))))
    axis = int(r.integers(len(shape)))
    shape = shape[:axis] + (int(r.choice([8, 16, 24, 40, 13, 256])),) + shape[axis+1:]
    x, up = (r.standard_normal(shape)*3).astype(np.float32), r.standard_normal(shape).astype(np.float32)
    for name, (want, want_grad) in _row_refs(x, up, axis).items():
      t = Tensor(x, device=device, requires_grad=True)
      y = getattr(t, name)(axis)
      (y*Tensor(up, device=device)).sum().backward()
      np.testing.assert_allclose(y.numpy(), want, rtol=1e-4, atol=1e-5, err_msg=f"{name} {shape} axis {axis}")
      np.testing.assert_allclose(t.grad.numpy(), want_grad, rtol=1e-3, atol=1e-4, err_msg=f"{name} grad {shape} axis {axis}")

@pytest.mark.parametrize("device", DEVICES)
def test_softmax_is_one_row_kernel_and_keeps_inf_and_nan(device):
  x = rand(6, 64)
  x[1, 3], x[2, :] = np.inf, -np.inf  # an inf row element gives NaN (inf - inf), an all -inf row NaN, as numpy
  x[3, 5] = np.nan
  t = Tensor(x, device=device)
  with np.errstate(invalid="ignore"):
    assert kernels(t.softmax(-1)) == 1 and kernels(t.layernorm(-1)) == 1
    e = np.exp(x.astype(np.float64) - x.max(-1, keepdims=True))
    np.testing.assert_allclose(t.softmax(-1).numpy(), e / e.sum(-1, keepdims=True), rtol=1e-5, atol=1e-7)  # NaN where numpy has

def test_the_cpu_backend_compiles_a_kernel_once():
  """backend_numpy.compile is cached by AST (a decorator that slid onto a helper added above it left it uncached: every
  kernel the runners had not seen was built again, a first step 145 -> 219 ms)."""
  from drivegpt import backend_numpy
  from drivegpt.schedule import schedule
  [si] = schedule([(Tensor(rand(64, 32), device="CPU").exp() * 3).sum(-1).lazydata])
  assert backend_numpy.compile(si.ast, si.out.shape, si.out.dtype) is backend_numpy.compile(si.ast, si.out.shape, si.out.dtype)

def test_layernorm_picks_its_kernels_by_how_the_device_runs_them(monkeypatch):
  """Where row kernels run compiled (backend.compiles(size): native CPU kernels, CL), layernorm's backward works out
  rstd again from x: y and dx are two kernels. Run as a numpy op per node it keeps rstd (four kernels: the recomputation
  cost more there). The same numbers either way, and float64's."""
  from drivegpt import backend_numpy
  from drivegpt.schedule import schedule
  r = np.random.default_rng(31)
  x, up = (r.standard_normal((3, 5, 40))*2 + 7).astype(np.float32), r.standard_normal((3, 5, 40)).astype(np.float32)
  want, want_grad = _row_refs(x, up, -1)["layernorm"]
  got = {}
  for compiled, n in ((True, 2), (False, 4)):
    monkeypatch.setattr(backend_numpy, "compiles", lambda size, c=compiled: c)
    t = Tensor(x, device="CPU", requires_grad=True)
    y = t.layernorm(-1)
    y.backward(Tensor(up, device="CPU"))
    assert len(schedule([y.lazydata, t.grad.lazydata])) == n, compiled
    got[compiled] = y.numpy(), t.grad.numpy()
    np.testing.assert_allclose(got[compiled][0], want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got[compiled][1], want_grad, rtol=1e-4, atol=1e-5)
  assert all(np.array_equal(a, b) for a, b in zip(got[True], got[False]))
  counts = []   # rows across the leading dim: its reduces are kernels of their own, and rstd is kept (redoing it cost more)
  for compiled in (True, False):
    monkeypatch.setattr(backend_numpy, "compiles", lambda size, c=compiled: c)
    t = Tensor(x, device="CPU", requires_grad=True)
    (y := t.layernorm(0)).backward(Tensor(up, device="CPU"))
    counts.append(len(schedule([y.lazydata, t.grad.lazydata])))
    np.testing.assert_allclose(t.grad.numpy(), _row_refs(x, up, 0)["layernorm"][1], rtol=1e-4, atol=1e-5)
  assert counts[0] == counts[1], counts

@pytest.mark.parametrize("device", DEVICES)
def test_row_values_broadcast_back_and_empty_rows(device):
  """A row's reduce broadcast back with no per-element term stores every element (it once stored one lane in 8), as
  value and as gradient; row ops over empty rows give empty results on every backend."""
  r = np.random.default_rng(5)
  x = r.standard_normal((1024, 512)).astype(np.float32)  # big enough for native kernels on CPU
  want = 2*x.astype(np.float64).sum(-1, keepdims=True)
  np.testing.assert_allclose((Tensor(x, device=device).sum(-1, keepdim=True).expand(1024, 512)*2).numpy(), np.broadcast_to(want, x.shape), rtol=1e-4, atol=1e-3)
  t = Tensor(x, device=device, requires_grad=True)
  (t.sum(-1, keepdim=True)*t.sum(-1, keepdim=True)).sum().backward()
  np.testing.assert_allclose(t.grad.numpy(), np.broadcast_to(want, x.shape), rtol=1e-4, atol=1e-3)
  for shape, axis in (((4, 0), -1), ((0, 8), -1), ((3, 0, 16), 1)):
    e = Tensor(np.zeros(shape, np.float32), device=device, requires_grad=True)
    with np.errstate(divide="ignore"):
      outs = [e.softmax(axis), e.layernorm(axis), e.log_softmax(axis)]
      sum(o.sum() for o in outs).backward()
      assert all(o.numpy().shape == shape for o in outs) and e.grad.numpy().shape == shape

def test_chained_row_ops_stay_bounded_and_right():
  """Six softmaxes in a row, no gradient: row kernels take at most MAX_ROW_REDUCES reduces each (every pass recomputes
  what feeds it), and the result matches float64."""
  from drivegpt.schedule import schedule, MAX_ROW_REDUCES
  from drivegpt.codegen import nodes
  from drivegpt.ops import ReduceOps
  x = rand(64, 136)
  y, want = Tensor(x), x.astype(np.float64)
  for _ in range(6):
    y = y.softmax(-1)
    e = np.exp(want - want.max(-1, keepdims=True)); want = e / e.sum(-1, keepdims=True)
  assert all(sum(n.op in ReduceOps for n in nodes(it.ast)) <= MAX_ROW_REDUCES for it in schedule([y.lazydata]))
  np.testing.assert_allclose(y.numpy(), want, rtol=1e-5, atol=1e-8)

def test_kernel_trees_stay_small_when_a_node_is_reached_many_ways():
  """gelu of gelu of ... : each gelu reads its input several times, so the fused kernel's tree (hashed and compared
  whole, for the kernel caches) doubled per gelu: 8 took 2.3 s to compile, 10 a minute. A node reached by more than
  MAX_PATHS paths gets its own buffer; the values match float64, forward and backward."""
  from drivegpt.schedule import schedule
  def tree(n, memo):  # nodes of the tree with every shared node counted on each path
    if id(n) not in memo: memo[id(n)] = 1 + sum(tree(s, memo) for s in n.src)
    return memo[id(n)]
  x = rand(33)
  t = Tensor(x, requires_grad=True)
  y, want = t, x.astype(np.float64)
  for _ in range(8):
    y = y.gelu()
    want = 0.5 * want * (1 + np.tanh(np.sqrt(2 / np.pi) * (want + 0.044715 * want ** 3)))
  assert max(tree(it.ast, {}) for it in schedule([y.lazydata])) < 10_000  # 125,606 before
  np.testing.assert_allclose(y.numpy(), want, rtol=1e-5, atol=1e-6)
  y.sum().backward()
  assert max(tree(it.ast, {}) for it in schedule([t.grad.lazydata])) < 10_000  # 84,925 before
  eps, g = 1e-6, np.ones_like(want)
  def f(v):
    for _ in range(8): v = 0.5 * v * (1 + np.tanh(np.sqrt(2 / np.pi) * (v + 0.044715 * v ** 3)))
    return v
  x64 = x.astype(np.float64)
  np.testing.assert_allclose(t.grad.numpy(), (f(x64 + eps) - f(x64 - eps)) / (2 * eps) * g, rtol=1e-3, atol=1e-5)

@pytest.mark.parametrize("device", DEVICES)
def test_constants_keep_their_sign_of_zero_and_nan_in_kernel_caches(device):
  """Kernels and schedules are cached by expression: 0.0 == -0.0 as floats, but x*-0.0 must not get x*0.0's kernel."""
  x = rand(5, 7) + 3
  for c in (-0.0, 0.0, -0.0, float("nan"), float("nan"), 0.0):
    got = (1 / (Tensor(x, device=device) * c)).numpy()
    with np.errstate(divide="ignore", invalid="ignore"): want = (1 / (x * np.float32(c)))
    np.testing.assert_array_equal(got, want)

def test_schedule_cache_hits_give_each_graph_its_own_buffers_seeds_and_assigns():
  """The same graph structure scheduled twice reuses the cut (one cache entry), yet reads the new inputs, draws new
  random numbers, writes into the new assign target, and a different constant is a different graph."""
  from drivegpt.schedule import SCHEDULES
  SCHEDULES.clear()
  outs = []
  for k in range(3):
    a, w = rand(6, 9), rand(9)
    ta, tw = Tensor(a), Tensor(w).realize()
    y = (ta * 2 + Tensor.rand(6, 9)).sum(0)
    tw.assign(tw - y*0.5).realize()
    np.testing.assert_allclose(tw.numpy() - w, -0.5*y.numpy(), rtol=1e-5, atol=1e-5)
    assert ((y.numpy() - 2*a.sum(0)) / 6).min() >= 0 and ((y.numpy() - 2*a.sum(0)) / 6).max() < 1  # mean of 6 in [0, 1)
    outs.append(y.numpy() - 2*a.sum(0))
  assert not np.allclose(outs[0], outs[1])  # fresh random numbers on a hit
  n = len(SCHEDULES)
  a = rand(4, 3)
  np.testing.assert_allclose((Tensor(a) * 3).numpy(), a*3, rtol=1e-6)
  np.testing.assert_allclose((Tensor(a) * 4).numpy(), a*4, rtol=1e-6)
  assert len(SCHEDULES) == n + 2
  b = rand(4, 3)
  for x, y, want in ((a, a, a*a), (a, b, a*b), (b, b, b*b)):  # one buffer read twice is a different graph from two
    tx = Tensor(x).realize()
    ty = tx if y is x else Tensor(y).realize()
    np.testing.assert_allclose((tx * ty.flip(0).flip(0)).numpy(), want, rtol=1e-6)

def test_small_exp_runs_as_numpys_exp():
  """exp is exp2(x/ln 2) in the graph; the numpy backend spots the constant and calls np.exp (faster, and exactly
  numpy's). Kernel constants compare by bits now: the lookup must still find it."""
  x = rand(7, 9)
  np.testing.assert_array_equal(Tensor(x, device="CPU").exp().numpy(), np.exp(x))
  np.testing.assert_array_equal((-Tensor(x, device="CPU")).exp().numpy(), np.exp(-x))

def test_a_value_fused_into_an_assign_keeps_the_old_weights():
  """h reads w and is fused into the kernel that computes w's new value: it never gets a buffer. A loss built on h and
  realized after the assign was computed from the new w (silently); now it reads a copy of the old w, as tinygrad's
  `loss.backward(); opt.step(); loss.numpy()` expects. Realized in the same call, no copy is needed."""
  w0, x0 = rand(5), rand(5)
  want = np.exp(x0 * w0).sum()
  for together in (False, True):
    w, x = Tensor(w0).realize(), Tensor(x0).realize()
    h = (x * w).exp()
    loss, other = h.sum(), (h * w).sum()  # other also reads w directly: the old w in both places
    upd = w.assign(h * 0.5 + 1)
    if together: Tensor.corealize([upd, loss])
    else: upd.realize()
    np.testing.assert_allclose(loss.numpy(), want, rtol=1e-5)
    np.testing.assert_allclose(other.numpy(), (np.exp(x0 * w0) * w0).sum(), rtol=1e-5)
    np.testing.assert_allclose(w.numpy(), np.exp(x0 * w0) * 0.5 + 1, rtol=1e-5)

@pytest.mark.parametrize("dst,src", [("CL", "CPU"), ("CPU", "CL")])
def test_moving_a_view_or_a_constant_between_devices(dst, src):
  """A copy moves whole buffers: a transposed or flipped view used to arrive untransposed, a constant crashed."""
  x = rand(3, 5)
  for f, nf in ((lambda t: t.T, lambda a: a.T), (lambda t: t.flip(1)[:, 1:], lambda a: a[:, ::-1][:, 1:]),
                (lambda t: Tensor(-0.0, device=src), lambda a: np.float32(-0.0)), (lambda t: t[1:, None] * 2, lambda a: a[1:, None] * 2)):
    got = f(Tensor(x, device=src)).to(dst)
    assert got.device == dst
    np.testing.assert_array_equal(got.numpy(), nf(x))
    np.testing.assert_array_equal(np.signbit(got.numpy()), np.signbit(nf(x)))

def test_half_sums_and_half_gradients_keep_float32_accuracy():
  """A float16 sum of a product with a constant pre-summed in float16 came out ~20 ulp off; a float16 gradient handed to
  a float32 matmul's backward made its weight gradient float16 (inf above 65504)."""
  r = np.random.default_rng(5)
  a = r.standard_normal((600, 64)).astype(np.float16)
  np.testing.assert_array_equal((Tensor(a, device="CPU") * 0.5).sum(0).numpy(), (a.astype(np.float64).sum(0) * 0.5).astype(np.float16))
  x, w = (r.standard_normal((64, 32)) * 3000).astype(np.float32), r.standard_normal((32, 16)).astype(np.float32)
  g = r.standard_normal((64, 16)).astype(np.float16)
  tx, tw = Tensor(x, requires_grad=True), Tensor(w, requires_grad=True)
  (tx @ tw).backward(Tensor(g))
  np.testing.assert_allclose(tw.grad.numpy(), x.astype(np.float64).T @ g.astype(np.float64), rtol=1e-4, atol=1e-2)
  assert tw.grad.dtype == dtypes.float32

def test_half_constants_round_as_on_the_numpy_backend():
  """A float16 kernel's constant is a float16 on numpy (2147483647 is inf there, 0.1 is 0.0999755859375); CL computes
  in float and rendered the float: 0 * 2147483647 gave 0 on CL and nan on numpy, and x*0.1 differed."""
  x = np.array([0.0, 1.5, -3.0, 2e-3], np.float16)
  for c in (2147483647, 0.1, -70000.0, 65519.0):
    with np.errstate(invalid="ignore", over="ignore"):
      got = [(Tensor(x, device=d) * c).numpy() for d in ("CPU", "CL")]
    np.testing.assert_array_equal(got[0], got[1])

def test_a_reader_whose_source_is_realized_later_keeps_the_old_value():
  """y was built while w was still lazy, so it wasn't known as a reader of w's buffer: w.assign then overwrote what y
  reads, and y came out [200, 202, ...] instead of [0, 2, ...]."""
  a = np.arange(4, dtype=np.float32)
  w = Tensor(a) + 0
  y = w * 2
  w.realize()
  w.assign(w + 100).realize()
  np.testing.assert_array_equal(y.numpy(), a * 2)
  np.testing.assert_array_equal(w.numpy(), a + 100)

def test_two_assigns_that_read_each_others_targets_swap():
  """Realizing one of two pending assigns that read each other's old values (a swap) recursed without end: each
  realized the other first, as a reader of its target. Now both run in one schedule, before either writes. (t is a copy
  of a's old value: a detach would share a's data, and see the write, as PyTorch's.)"""
  x, y = rand(3), rand(3)
  a, b = Tensor(x).realize(), Tensor(y).realize()
  t = a * 1
  a.assign(b * 1)
  b.assign(t * 1)
  a.realize()
  np.testing.assert_array_equal(a.numpy(), y)
  np.testing.assert_array_equal(b.numpy(), x)

def test_a_write_through_a_detached_tensor_is_seen_by_the_original():
  """t = b.detach(); t.assign(x): b, and what was built from b afterwards, kept b's old values (b.detach().assign(x) lost
  the write altogether), and a write into b wasn't seen through t. PyTorch's detach shares b's data: compared with it, for a
  realized, a lazy and a constant b, written by assign, an in-place op or setitem, through either name."""
  torch = pytest.importorskip("torch")  # the reference; the tests run without it (README: pip install torch==2.13.0)
  rng = np.random.default_rng(23)
  bv, xv = rng.standard_normal(3).astype(np.float32), rng.standard_normal(3).astype(np.float32)
  writes = {"assign": lambda t, T: t.assign(T(xv)) if isinstance(t, Tensor) else t.copy_(T(xv)),
            "+=": lambda t, T: t.__iadd__(T(xv)), "t[1] = 5": lambda t, T: t.__setitem__(1, 5.0)}
  for start in ("realized", "lazy", "zeros"):
    for name, write in writes.items():
      for into in ("the detach", "the original", "a detach not kept"):
        def run(T, zeros):
          b = zeros(3) if start == "zeros" else T(bv) * 1 if start == "lazy" else T(bv)
          if isinstance(b, Tensor) and start == "realized": b.realize()
          t = b.detach()
          before = b * 1  # built before the write: the old values
          if into == "the detach": write(t, T)
          elif into == "the original": write(b, T)
          else: write(b.detach(), T)
          return [v.numpy() for v in (b, b * 10, b[1:], t, before)]
        got, want = run(Tensor, Tensor.zeros), run(torch.tensor, torch.zeros)
        for g, w in zip(got, want): np.testing.assert_allclose(g, w, rtol=1e-6, err_msg=f"{start} {name} into {into}")
  x = Tensor(xv, requires_grad=True)   # a write inside a graph reaches the detach too
  y = x * 2
  t = y.detach()
  y[0] = 5.0
  np.testing.assert_allclose(t.numpy(), [5.0, *(xv[1:] * 2)], rtol=1e-6)

def test_assign_to_a_view_of_a_constant_is_refused():
  """Tensor.zeros(1).expand(3) and Tensor(2.0).reshape(1) took an assign alone: the constant's tensor kept its value,
  silently. Only Tensor.full's own view of its constant (zeros, ones, full: a whole tensor) takes one."""
  for make, view in ((lambda: Tensor.zeros(1), lambda z: z.expand(3)), (lambda: Tensor.ones(2, 1), lambda z: z.expand(2, 3)),
                     (lambda: Tensor(2.0), lambda z: z.reshape(1, 1).expand(2, 2))):
    z = make()
    v = view(z)
    with pytest.raises(ValueError, match="can't write into the tensor it views"): v.assign(Tensor.ones(*v.shape))
    with pytest.raises(ValueError, match="can't write into the tensor it views"): v += 1
    np.testing.assert_array_equal(z.numpy(), make().numpy())
  z = Tensor(2.0)  # a reshape is a view (PyTorch's): the write goes into z (since session 27)
  v = z.reshape(1)
  v.assign(Tensor([5.0]))
  v += 1
  assert z.item() == 6.0 and v.item() == 6.0
  for shape in ((), (1,), (3,), (2, 1), (2, 3)):  # zeros, ones and full of any shape are whole tensors
    for f in (Tensor.zeros, Tensor.ones, lambda *s: Tensor.full(s, 7.0)):
      z = f(*shape)
      z.assign(Tensor.full(shape, 3.0))
      z += 1
      np.testing.assert_array_equal(z.numpy(), np.full(shape, 4.0, np.float32))

def test_assign_from_another_device_moves_the_value():
  """It raised from deep in the backend (copyto() argument 1 must be a numpy.ndarray, or an IndexError)."""
  x = rand(3, 2)
  for dst, src in (("CPU", "CL"), ("CL", "CPU")):
    w = Tensor(np.zeros((2, 3), np.float32), device=dst).realize()
    w.assign(Tensor(x, device=src).T * 2).realize()
    assert w.device == dst
    np.testing.assert_allclose(w.numpy(), x.T * 2, rtol=1e-6)

def test_mixing_devices_in_one_op_is_a_clear_error_when_built():
  """A CPU tensor plus a CL one failed only at realize, deep in numpy: "Cannot interpret 'dtypes.float32' as a data type"."""
  a, b = Tensor(rand(2, 3), device="CPU"), Tensor(rand(2, 3), device="CL")
  for f in (lambda: a + b, lambda: b * a, lambda: a @ b.T, lambda: (a > 0).where(b, 1.0)):
    with pytest.raises(RuntimeError, match=r"different devices \['(CPU|CL)', '(CPU|CL)'.*\]: move one there with \.to\(device\)"): f()
  np.testing.assert_allclose((a + b.to("CPU")).numpy(), a.numpy() + b.numpy(), rtol=1e-6)
  # a Python number's tensor not yet in a buffer is a constant, any device's (CL * Tensor(2.0) worked before): either side,
  # in where, with its gradient; one in a buffer (realized), or an expression of one, is data on its device: refused at build
  # (a realized one failed at run time inside the kernel, "a CL kernel got an input from another device")
  for x, other in ((b, "CPU"), (a, "CL")):
    c = Tensor(2.5, device=other, requires_grad=True)
    np.testing.assert_allclose((x * c).numpy(), x.numpy() * 2.5, rtol=1e-6)
    assert (x * c).device == (c - x).device == x.device
    np.testing.assert_allclose((c - x).numpy(), 2.5 - x.numpy(), rtol=1e-6)
    (x * c).sum().backward()
    assert np.isclose(float(c.grad.numpy()), float(x.numpy().astype(np.float64).sum()), rtol=1e-5)
    np.testing.assert_allclose(Tensor(True, device=other).where(x, 0.0).numpy(), x.numpy())
    np.testing.assert_allclose((x > 0).where(Tensor(1.0, device=other), Tensor(0.0, device=other)).numpy(), (x.numpy() > 0).astype(np.float32))
    done = Tensor(2.5, device=other)
    done.item()
    for bad in (done, Tensor(2.0, device=other) * 3, Tensor([2.0], device=other)):
      with pytest.raises(RuntimeError, match="different devices"): (x * bad).numpy()

def test_a_scalars_cumsum_and_attention_with_empty_heads():
  """cumsum of a 0-d tensor raised IndexError and sdpa with head dim 0 ZeroDivisionError; PyTorch gives the scalar, and
  the mean of the values (every score 0)."""
  x = float(rand(1)[0])
  assert Tensor(x).cumsum().shape == () and np.isclose(Tensor(x).cumsum(-1).numpy(), x)
  assert Tensor(True).cumsum().numpy() == 1 and Tensor(True).cumsum().dtype == dtypes.int64
  # a 0-d tensor's dim 0 or -1 is no dim (PyTorch's rule): sum(-1), softmax() and the like raised IndexError
  torch = pytest.importorskip("torch")  # (a bench and test reference only: not in the test extra)
  for f in (lambda t: t.sum(-1), lambda t: t.mean(0), lambda t: t.softmax(-1), lambda t: t.log_softmax(0), lambda t: t.logsumexp(-1)):
    got, want = f(Tensor(x)), f(torch.tensor(x, dtype=torch.float64))
    assert got.shape == () and np.isclose(got.numpy(), want.item(), rtol=1e-6)
  assert Tensor(x).max(-1).numpy() == np.float32(x)
  for got in (Tensor(x).argmax(0), Tensor(x).argmin(-1), Tensor(x).argmax(0, keepdim=True)): assert got.shape == () and got.numpy() == 0
  with pytest.raises(IndexError, match=r"dim 1 out of range for shape \(\)"): Tensor(x).sum(1)
  v = rand(2, 3, 5, 4)
  got = Tensor.zeros(2, 3, 5, 0).scaled_dot_product_attention(Tensor.zeros(2, 3, 7, 0), Tensor(v[:, :, :1].repeat(7, 2)))
  np.testing.assert_allclose(got.numpy(), np.broadcast_to(v[:, :, :1], (2, 3, 5, 4)), rtol=1e-6)

def test_division_gradient_and_rsqrt_keep_their_range():
  """d(a/b)/db was -g a / (b * b): b * b overflowed for |b| < ~1e-19 (-inf where the true value is finite) and went
  denormal (5e-6 off) near it; rsqrt was 1 / x's sqrt: inf for denormal x, nan at -0.0. Against float64 by hand."""
  r = np.random.default_rng(7)
  a = (r.uniform(0.5, 2, 6) * np.array([1e-25, 1e-30, 1e-10, 1e25, 3e-20, 1e-38])).astype(np.float32)  # (b*b: 0, 1e-40, 1e-40, inf, ...)
  b = (r.uniform(0.5, 2, 6) * np.array([1e-25, 1e-20, 1e-20, 1e30, 1e-20, 1e-30])).astype(np.float32)
  ta, tb = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
  (ta / tb).sum().backward()
  a64, b64 = a.astype(np.float64), b.astype(np.float64)
  np.testing.assert_allclose(tb.grad.numpy(), -a64 / b64 / b64, rtol=1e-5)
  np.testing.assert_allclose(ta.grad.numpy(), 1 / b64, rtol=1e-6)
  x = np.array([1e-39, 1e-45, 4.0, np.inf, -0.0, 0.0], np.float32)
  tx = Tensor(x, requires_grad=True)
  y = tx.rsqrt()
  y[:4].sum().backward()
  with np.errstate(divide="ignore"): want = 1 / np.sqrt(x.astype(np.float64))
  np.testing.assert_allclose(y.numpy(), want.astype(np.float32), rtol=1e-6)
  assert np.isneginf(y.numpy()[4]) and np.isposinf(y.numpy()[5])
  assert tx.grad.numpy()[3] == 0 and np.isclose(tx.grad.numpy()[2], -0.5 * 4.0 ** -1.5)

def test_mean_over_nothing_is_nan():
  """numpy and PyTorch give nan for the mean of no elements; the engine gave 0, a plausible-looking number."""
  for shape, axis in (((3, 0), 1), ((0,), None), ((2, 0, 4), (1, 2))):
    with np.errstate(invalid="ignore"), pytest.warns(RuntimeWarning):
      want = np.zeros(shape, np.float32).mean(axis)
    np.testing.assert_array_equal(Tensor(np.zeros(shape, np.float32)).mean(axis).numpy(), want)

def test_product_over_nothing_is_one():
  """prod over an empty axis raised a ShapeError; numpy and PyTorch give 1."""
  for shape, axis in (((3, 0), 1), ((0,), None), ((2, 0, 3), 1)):
    for keepdim in (False, True):
      got = Tensor(np.zeros(shape, np.float32)).prod(axis, keepdim=keepdim).numpy()
      np.testing.assert_array_equal(got, np.zeros(shape, np.float32).prod(axis, keepdims=keepdim))

@pytest.mark.parametrize("device", DEVICES)
def test_bool_minus_bool_is_xor_on_every_backend(device):
  """CL computed a != b; the numpy backend raised numpy's TypeError from inside a kernel."""
  a, b = np.array([True, False, True, False]), np.array([False, True, True, False])
  np.testing.assert_array_equal((Tensor(a, device=device) - Tensor(b, device=device)).numpy(), a ^ b)

def test_a_read_between_two_pending_assigns_sees_the_first():
  """The second assign writes the tensor's own buffer; the first one's value, read lazily in between, must not become
  that buffer too (r1 came out 20, the second value)."""
  a = Tensor(np.array([1.0], np.float32)).realize()
  a.assign(a + 1)
  r1 = a * 1
  a.assign(a * 10)
  np.testing.assert_array_equal(a.numpy(), [20.0])
  np.testing.assert_array_equal(r1.numpy(), [2.0])

def test_prod_with_empty_kept_dims_and_wide_ints():
  """A kept dim of size 0 divided by zero in the reshape; int prods wrapped around in int32 (numpy widens to int64)."""
  for shape, axis in (((3, 0), 0), ((0, 3), 1), ((2, 0, 3), (0, 2))):
    np.testing.assert_array_equal(Tensor(np.ones(shape, np.float32)).prod(axis).numpy(), np.ones(shape, np.float32).prod(axis))
  x = np.array([100000, 100000, 3], np.int32)
  got = Tensor(x).prod()
  assert got.dtype == dtypes.int64 and got.item() == x.prod() == 30000000000
  assert Tensor(np.array([True, True])).prod().dtype == dtypes.int64

def test_view_composition_checks_every_index_in_blocks():
  """backend_numpy._compose decides whether a view of a view is one strided array by checking every index; it now does
  so in blocks (a conv's windows made int64 grids of 0.7 GB at once). A break in affinity in a late block is found."""
  from drivegpt.backend_numpy import _compose, _row_major
  n = 1 << 19
  P, A = (2, n), (1, 2)  # a transposed layout: element (i, j) at address i + 2j
  assert _compose(P, A, (n,), (1,), 0) == ((2,), 0)            # the first row: affine, stride 2
  assert _compose(P, A, (n,), (1,), n) == ((2,), 1)            # the second row starts at address 1
  assert _compose(P, A, (n + 1,), (1,), 0) is None             # one index past the row breaks it, in the last block
  assert _compose(P, A, (2, n - 7), (n, 1), 3) == ((1, 2), 6)  # both rows, from column 3
  assert _compose((4, n), _row_major((4, n)), (4, n), (n, 1), 0) == ((n, 1), 0)  # row-major: no check needed

@pytest.mark.parametrize("device", DEVICES)
def test_the_lowest_int_as_a_kernel_constant(device):
  """-2147483648 in C is a long: int32 max(x, -2^31) didn't compile on CL ('call to max is ambiguous')."""
  for dt, lo in ((np.int32, -2**31), (np.int64, -2**63)):
    x = rng.integers(-1000, 1000, (5, 7)).astype(dt)
    x[0, 0] = lo
    t = Tensor(x, device=device)
    np.testing.assert_array_equal(t.maximum(lo).numpy(), np.maximum(x, lo))
    np.testing.assert_array_equal(t.eq(lo).where(lo, t - 1).numpy(), np.where(x == lo, lo, x - 1))

def test_an_assigned_value_stays_when_its_source_is_assigned_again():
  """w.assign(u) with u lazy made u's graph node w's pending write: u.assign(y) afterwards was taken for a second write
  into w (w read 7 where PyTorch's copy_ keeps 2), whatever the order of the reads. Compared with PyTorch."""
  torch = pytest.importorskip("torch")  # the reference; the tests run without it (README: pip install torch==2.13.0)
  rng = np.random.default_rng(11)
  a, y = rng.standard_normal(3).astype(np.float32), rng.standard_normal(3).astype(np.float32)
  for order in ("w first", "u first", "u realized"):
    w = Tensor(np.zeros(3, np.float32)).realize()
    u = Tensor(a).realize() * 2
    w.assign(u)
    if order == "u realized": u.realize()
    u.assign(Tensor(y))
    tw, tu = torch.zeros(3), torch.from_numpy(a) * 2
    tw.copy_(tu); tu.copy_(torch.from_numpy(y))
    got = (w.numpy(), u.numpy()) if order != "u first" else tuple(reversed((u.numpy(), w.numpy())))
    np.testing.assert_array_equal(got[0], tw.numpy(), err_msg=order)
    np.testing.assert_array_equal(got[1], tu.numpy(), err_msg=order)
    w.assign(Tensor(np.ones(3, np.float32))).realize()   # and a later write into w leaves u alone
    np.testing.assert_array_equal(u.numpy(), y, err_msg=order)

def test_a_superseded_pending_assign_never_overwrites_the_newer_value():
  """a.assign(X), a reader s of X, a.assign(Y) before anything ran: realizing a wrote Y, then realizing s ran X's pending
  write into a's buffer again (a read X after reading Y). Only a second value that does not read the first (a constant,
  load_state_dict, a reset to zeros) did it. Compared with PyTorch, in both read orders."""
  torch = pytest.importorskip("torch")  # the reference; the tests run without it (README: pip install torch==2.13.0)
  rng = np.random.default_rng(12)
  x0, y = rng.standard_normal((2, 3)).astype(np.float32), rng.standard_normal((2, 3)).astype(np.float32)
  for order in ("a, s, a", "s, a, a"):
    a = Tensor(x0).realize()
    a.assign(a * 2 - 1)
    s = a.sum(0)
    a.assign(Tensor(y))
    ta = torch.from_numpy(x0.copy()); ta.copy_(ta * 2 - 1); ts = ta.sum(0); ta.copy_(torch.from_numpy(y))
    reads = [a.numpy(), s.numpy(), a.numpy()] if order == "a, s, a" else [s.numpy(), a.numpy(), a.numpy()]
    want = [ta.numpy(), ts.numpy(), ta.numpy()] if order == "a, s, a" else [ts.numpy(), ta.numpy(), ta.numpy()]
    for got, w in zip(reads, want): np.testing.assert_allclose(got, w, rtol=1e-6, err_msg=order)
  z = Tensor(x0).realize()   # a zero-reset pending, then a constant: the last write stands
  z.assign(z * 0); first = z + 1; z.assign(Tensor.ones(2, 3))
  np.testing.assert_array_equal(z.numpy(), np.ones((2, 3))); np.testing.assert_array_equal(first.numpy(), np.ones((2, 3)))
  np.testing.assert_array_equal(z.numpy(), np.ones((2, 3)))

def test_in_place_ops_inside_a_graph_pass_the_gradient_on():
  """y = x * 2; y *= 3 (or y += x, a residual in a forward pass) assigned y's new value but kept y's old node for
  backward: x got a gradient of 2, PyTorch 6; a plain y.assign(z * 3) in a graph gave z no gradient. Compared with
  PyTorch; an assign into a graph tensor is refused (use y = ...), and in-place ops outside a graph still write in place."""
  torch = pytest.importorskip("torch")  # the reference; the tests run without it (README: pip install torch==2.13.0)
  rng = np.random.default_rng(13)
  xv, zv = rng.standard_normal(4).astype(np.float32), rng.standard_normal(4).astype(np.float32)
  for op in ("+=", "-=", "*=", "/="):
    for other in ("x", "3.0"):
      def run(lib, T):
        x = T(xv); z = T(zv)
        y = x * 2 + z
        o = x if other == "x" else 3.0
        if op == "+=": y += o
        elif op == "-=": y -= o
        elif op == "*=": y *= o
        else: y /= o
        (y * y).sum().backward()
        return [v.detach().numpy() if lib == "torch" else v.numpy() for v in (y, x.grad, z.grad)]
      got = run("engine", lambda v: Tensor(v, requires_grad=True))
      want = run("torch", lambda v: torch.tensor(v, requires_grad=True))
      for g, w in zip(got, want): np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6, err_msg=f"y {op} {other}")
  # operands built from y itself (the usual residual h += f(h)), a matmul's output (a view) plus a bias, a setitem that
  # reads the tensor it writes: a review found self-made cycles (x's gradient 2 where PyTorch's is 4) and refusals
  wv = rng.standard_normal((4, 4)).astype(np.float32)
  for name in ("h += tanh(h)", "y *= y", "y /= y.sum()", "h = x @ w; h += b", "y[0] = y[1] * 5", "y[1:3] *= 2"):
    def run(lib, T):
      x, w = T(xv), T(wv)
      y = x * 2 + 1
      if name == "h += tanh(h)":   # PyTorch refuses some of these in place (a saved input modified): its side is y = y + ...
        for _ in range(2):
          if lib == "torch": y = y + y.tanh() * 0.5
          else: y += y.tanh() * 0.5
      elif name == "y *= y":
        if lib == "torch": y = y * y
        else: y *= y
      elif name == "y /= y.sum()":
        if lib == "torch": y = y / y.sum()
        else: y /= y.sum()
      elif name == "h = x @ w; h += b": y = x.reshape(1, 4) @ w; y += x
      elif name == "y[0] = y[1] * 5": y[0] = y[1] * 5
      else: y[1:3] *= 2
      (y * y).sum().backward()
      return [v.detach().numpy() if lib == "torch" else v.numpy() for v in (y, x.grad, w.grad if w.grad is not None else w * 0)]
    got = run("engine", lambda v: Tensor(v, requires_grad=True))
    want = run("torch", lambda v: torch.tensor(v, requires_grad=True))
    for g, w in zip(got, want): np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-5, err_msg=name)
  x = Tensor(xv, requires_grad=True)
  y = x * 2
  with pytest.raises(RuntimeError, match="in an autograd graph"): y.assign(Tensor(zv) * 3)
  for init in (Tensor.glorot_uniform, Tensor.scaled_uniform):   # leaves (uniform * scale was a graph node: SGD refused it)
    p = init(3, 2, requires_grad=True)
    (p * p).sum().backward()
    from drivegpt.nn.optim import SGD
    before = p.numpy().copy(); SGD([p], lr=0.1).step()
    np.testing.assert_allclose(p.numpy(), before * 0.8, rtol=1e-5)
  w = Tensor(xv).realize()
  w += 1; w *= 2
  np.testing.assert_allclose(w.numpy(), (xv + 1) * 2, rtol=1e-6)

def test_an_accumulator_outside_the_graph_takes_in_place_ops_in_place():
  """acc += v where v has a gradient changes acc in place, so every name of acc sees it: another name, a function's
  caller, a jitted step's argument over several calls. A version that bound the name to a new tensor in the graph left
  them all at 0 (a review). Since the 28th session acc joins the graph, as PyTorch's: the gradient flows through it (an
  auxiliary loss summed into a zeros accumulator gave its heads no gradient, silently)."""
  from drivegpt import jit
  x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
  acc = Tensor.zeros(3)
  other = acc
  acc += x * 2
  np.testing.assert_allclose(other.numpy(), [2, 4, 6])
  (acc * Tensor([1.0, 10.0, 100.0])).sum().backward()
  np.testing.assert_allclose(x.grad.numpy(), [2, 20, 200])   # PyTorch's
  def add(a, v): a += v
  total = Tensor.zeros(1).contiguous().realize()
  add(total, (x * x).sum().reshape(1))
  np.testing.assert_allclose(total.numpy(), [14])
  @jit
  def step(a, v):
    a += (v * v).sum().reshape(1).detach()   # a running total: detached, as in PyTorch (else it holds every call's graph)
    return (v * v).sum()
  run = Tensor.zeros(1).contiguous().realize()
  for _ in range(4): step(run, x)
  np.testing.assert_allclose(run.numpy(), [56])
  @jit
  def leaky(a, v): a += (v * v).sum().reshape(1)
  run = Tensor.zeros(1).contiguous().realize()
  leaky(run, x)
  with pytest.raises(ValueError, match="jit: an argument of shape \\(1,\\) is part of an autograd graph"): leaky(run, x)

def test_an_in_place_write_into_a_leaf_that_requires_grad_is_refused():
  """w = Tensor.randn(3, requires_grad=True); w += 1 (-=, *=, /=, w[0] = 5) ran silently with autograd on; PyTorch raises (a
  leaf that requires grad used in an in-place operation). Under no_grad (an optimizer's update) it writes, as PyTorch's;
  a tensor that doesn't require grad, or is undecided (None, made trainable by an optimizer later), writes too."""
  torch = pytest.importorskip("torch")  # the reference; the tests run without it (README: pip install torch==2.13.0)
  from drivegpt.tensor import no_grad
  rng = np.random.default_rng(22)
  wv = rng.standard_normal(3).astype(np.float32)
  ops = {"+=": lambda w: w.__iadd__(2.0), "-=": lambda w: w.__isub__(2.0), "*=": lambda w: w.__imul__(2.0),
         "/=": lambda w: w.__itruediv__(2.0), "w[0] = 5": lambda w: w.__setitem__(0, 5.0), "w[1:] = x": lambda w: w.__setitem__(slice(1, None), x * 3)}
  for name, f in ops.items():
    for realized in (False, True):
      x, tx = Tensor(wv[:2], requires_grad=True), torch.tensor(wv[:2], requires_grad=True)
      w, tw = Tensor(wv, requires_grad=True), torch.tensor(wv, requires_grad=True)
      if realized: w.realize()
      with pytest.raises(RuntimeError, match="leaf Variable that requires grad"): f(tw) if name != "w[1:] = x" else tw.__setitem__(slice(1, None), tx * 3)
      with pytest.raises(RuntimeError, match="into a leaf of shape \\(3,\\) that requires grad"): f(w)
      np.testing.assert_array_equal(w.numpy(), wv, err_msg=name)  # untouched
      with no_grad():
        f(w)
        with torch.no_grad(): f(tw) if name != "w[1:] = x" else tw.__setitem__(slice(1, None), tx * 3)
      np.testing.assert_allclose(w.numpy(), tw.detach().numpy(), rtol=1e-6, err_msg=name)
      assert w._ctx is None and w.requires_grad
      for rq in (None, False):
        u = Tensor(wv, requires_grad=rq)
        f(u)
        np.testing.assert_allclose(u.numpy(), tw.detach().numpy(), rtol=1e-6, err_msg=f"{name} requires_grad={rq}")

def test_a_realized_constant_parameter_trains():
  """w = Tensor.zeros(3, requires_grad=True), realized (w.realize(), w.numpy()) before training: an optimizer step raised
  "assign to a view ... a reshaped or transposed Tensor.zeros/ones/full has no buffer" (it is neither). It trains as an
  unrealized one does, against PyTorch."""
  torch = pytest.importorskip("torch")  # the reference; the tests run without it (README: pip install torch==2.13.0)
  from drivegpt.nn.optim import SGD, Adam
  c = np.random.default_rng(15).standard_normal(3).astype(np.float32)
  for how in ("realize", "numpy"):
    for ours, theirs in ((SGD, torch.optim.SGD), (Adam, torch.optim.Adam)):
      w, tw = Tensor.full((3,), 0.5, requires_grad=True), torch.full((3,), 0.5, requires_grad=True)
      getattr(w, how)()
      o, to = ours([w], lr=0.1), theirs([tw], lr=0.1)
      for _ in range(3):
        o.zero_grad(); ((w * Tensor(c)) ** 2).sum().backward(); o.step()
        to.zero_grad(); ((tw * torch.from_numpy(c)) ** 2).sum().backward(); to.step()
      np.testing.assert_allclose(w.numpy(), tw.detach().numpy(), rtol=1e-5, atol=1e-6, err_msg=f"{how} {ours.__name__}")

def test_a_scalar_read_through_padding():
  """A 0-d view of a padded tensor (an element of t.pad(...) reshaped to a scalar) raised "Cannot set flags on array
  scalars" on the CPU device: x[()] of a 0-d array is a numpy scalar. A CL-against-CPU fuzzer met it."""
  v = np.random.default_rng(41).standard_normal(3).astype(np.float32)
  t, p = Tensor(v).realize(), np.pad(v, (1, 1))
  for i in range(5):
    s = t.pad(((1, 1),))[i:i + 1].reshape(())
    np.testing.assert_allclose((s * 2 + 1).numpy(), p[i] * 2 + 1, rtol=1e-6)
    np.testing.assert_allclose((s.reshape(1).expand(3) * Tensor(np.ones(3, np.float32))).sum().numpy(), 3 * p[i], rtol=1e-6)

def test_a_gradient_two_leaves_share_is_two_grads():
  """a + b passes one gradient to both leaves, and a.contiguous().backward(G) passes G itself: each .grad held that one
  buffer, so an in-place write into one (another backward's sum, a.grad *= 2, clip_grad_norm_) changed the other, or the
  caller's G. PyTorch's AccumulateGrad clones; so does backward here."""
  from drivegpt.nn.optim import clip_grad_norm_
  X = rand(2, 3)
  def leaves(): return [Tensor(np.ones((2, 3), np.float32), requires_grad=True) for _ in range(2)]
  a, b = leaves()
  ((a + b) * Tensor(X)).sum().backward(); a.grad.realize()
  (a * 3).sum().backward(); a.grad.realize()   # a second micro-batch reaches a alone
  np.testing.assert_allclose(b.grad.numpy(), X, rtol=1e-6); np.testing.assert_allclose(a.grad.numpy(), X + 3, rtol=1e-6)
  a, b = leaves()
  ((a + b) * Tensor(X)).sum().backward(); a.grad.realize()
  a.grad *= 2; a.grad.realize()
  np.testing.assert_allclose(b.grad.numpy(), X, rtol=1e-6)
  G = Tensor(X.copy()).realize()
  a.grad = None
  a.contiguous().backward(G)
  clip_grad_norm_([a], 1e-3); a.grad.realize()
  np.testing.assert_array_equal(G.numpy(), X)
  np.testing.assert_allclose(np.linalg.norm(a.grad.numpy()), 1e-3, rtol=1e-4)


def test_assign_between_aliases_and_of_a_value_with_a_gradient():
  """Two review findings. t = b.detach(); t.assign(b) (or b.assign(t)) split the two for good: every later write into
  either was not seen by the other (PyTorch's copy_ changes nothing, and they keep sharing). And t.assign(w * 5) into a
  tensor outside the graph dropped w's gradient without a word (PyTorch's copy_ passes it on): refused, naming the
  ways that keep it (t[...] = value joins the graph) or drop it on purpose (detach); a parameter's own update
  (w.assign(w - lr * g), tinygrad-style) still writes."""
  torch = pytest.importorskip("torch")
  rng = np.random.default_rng(57)
  bv, xv = rng.standard_normal(4).astype(np.float32), rng.standard_normal(4).astype(np.float32)
  for src, dst in (("b", "t"), ("t", "b")):
    for write in ("b", "t"):
      out = []
      for T in (Tensor, torch.tensor):
        b = T(bv.copy()); t = b.detach()
        names = {"b": b, "t": t}
        (names[dst].assign if T is Tensor else names[dst].copy_)(names[src])
        names[write] *= T(xv)
        out.append([names[k].numpy() for k in "bt"])
      for g, w in zip(*out): np.testing.assert_allclose(g, w, rtol=1e-6, err_msg=f"{dst} = {src}, then {write} *= x")
  w = Tensor(bv, requires_grad=True)
  with pytest.raises(RuntimeError, match=r"would drop that gradient .* t\[\.\.\.\] = value"): Tensor.zeros(4).assign(w * 5)
  t = Tensor.zeros(4)
  t[...] = w * 5
  (t * Tensor(xv)).sum().backward()
  np.testing.assert_allclose(w.grad.numpy(), 5 * xv, rtol=1e-6)
  t2 = Tensor.zeros(4)
  t2.assign((w * 5).detach())
  from drivegpt import no_grad
  with no_grad(): Tensor.zeros(4).assign(w * 5)  # dropped on purpose
  w.assign(w - 0.1 * Tensor(xv))  # a parameter's own update, outside no_grad
  np.testing.assert_allclose(w.numpy(), bv - 0.1 * xv, rtol=1e-6)


def test_chunk_of_an_empty_dim_gives_every_chunk():
  """A review's finding: Tensor.zeros(0).chunk(3) gave one chunk, PyTorch three (code indexing [1] raised)."""
  torch = pytest.importorskip("torch")
  for shape, n, dim in (((0,), 3, 0), ((2, 0), 4, 1), ((0, 5), 2, 0), ((7, 2), 3, 0), ((5,), 5, 0), ((4, 3), 2, -1)):
    got = [t.shape for t in Tensor.zeros(*shape).chunk(n, dim)]
    assert got == [tuple(t.shape) for t in torch.zeros(*shape).chunk(n, dim)], (shape, n, dim, got)
