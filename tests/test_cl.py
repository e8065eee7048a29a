"""The OpenCL backend against numpy (float64) and the numpy backend, in the default run: a representative subset.
The whole engine and nn suites run on CL with `DRIVEGPT_DEVICE=CL python -m pytest -q` (or `-m slow` here)."""
import os, subprocess, sys, pathlib
import numpy as np
import pytest
from drivegpt import Tensor, dtypes, GlobalCounters

from drivegpt import codegen
from helpers_ops import exp2_cases, check_exp2
import drivegpt.backend_cl as backend_cl  # CL is a supported backend: no device that compiles fails these tests, never skips them

def test_device_in_use(capsys):
  with capsys.disabled(): print(f"\nCL device: {backend_cl._device.platform.name.strip()} / {backend_cl._device.name.strip()}")

rng = np.random.default_rng(5)
def rand(*shape): return rng.standard_normal(shape).astype(np.float32)

@pytest.mark.parametrize("shape", [(1,), (7,), (3, 8), (2, 3, 16), (4096,)])
def test_fused_chain(shape):
  x = np.abs(rand(*shape)) + 0.1
  t = Tensor(x, device="CL")
  GlobalCounters.reset()
  out = ((-(t*1.5 + 0.25)).exp2() * t - 2.0).abs().sqrt().div(t*t + 1.0).maximum(0.1).numpy()
  assert GlobalCounters.kernel_count == 1
  x = x.astype(np.float64)
  np.testing.assert_allclose(out, np.maximum(np.sqrt(np.abs(np.exp2(-(x*1.5 + 0.25))*x - 2.0))/(x*x + 1.0), 0.1), rtol=1e-5)

def test_exp2_over_its_whole_range_in_vectors_scalars_and_a_softmax():
  # on a CPU device the kernels compute exp2 as a polynomial of codegen's own (XEXP2); a GPU's driver its builtin
  x = exp2_cases(np.random.default_rng(11))
  check_exp2(Tensor(x, device="CL").exp2().numpy(), x)
  check_exp2(Tensor(x.reshape(-1, 16), device="CL").exp2()[:, 3].numpy(), x.reshape(-1, 16)[:, 3])  # one lane: scalar code
  r = np.random.default_rng(12).uniform(-60, 60, (37, 256)).astype(np.float32)
  r[3, 5:9], r[4, :] = -np.inf, -np.inf  # masked entries, and a row that is all masked (NaN, as numpy's 0/0)
  with np.errstate(invalid="ignore"):
    want = np.exp(r.astype(np.float64) - r.max(1, keepdims=True).astype(np.float64))
    want /= want.sum(1, keepdims=True)
  np.testing.assert_allclose(Tensor(r, device="CL").softmax(1).numpy(), want, rtol=2e-5, atol=1e-30)

def test_an_int_max_summed_into_a_long_builds():
  """Intel's CPU OpenCL compiler crashed (SIGSEGV in its vectorizer) on an int max(x, c) summed into a long: an int32
  tensor's relu().sum() killed the process. Int max renders as a select now. In a child process: a crash fails here."""
  code = ("import drivegpt, numpy as np; from drivegpt import Tensor; x = np.random.default_rng(9).integers(-99, 99, 1000)"
          ".astype(np.int32); t = Tensor(x, device='CL'); assert t.relu().sum().numpy() == np.maximum(x, 0).sum(); "
          "assert t.maximum(3).sum().numpy() == np.maximum(x, 3).sum(); "
          "assert (t.reshape(-1, 8).relu().sum(1).numpy() == np.maximum(x, 0).reshape(-1, 8).sum(1)).all(); print('ok')")
  r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
  assert r.returncode == 0 and r.stdout.strip() == "ok", (r.returncode, r.stderr[-1500:])

def test_a_one_item_reduce_of_a_math_function_builds():
  """Intel's CPU OpenCL compiler crashed the process (SIGSEGV in its loop vectorizer) on a kernel of one work-item whose
  100- or 1000-long reduce loop calls log, exp, sqrt or sin: (a * b.log()).sum(0) of (100, 1) floats. Such a kernel now
  stores at gid (its one work-item's, 0). In a child process: a crash fails here."""
  code = ("import drivegpt, numpy as np; from drivegpt import Tensor; rng = np.random.default_rng(4)\n"
          "for n in (40, 100, 1000):\n"
          "  a, b = rng.random((n, 1)).astype(np.float32) + 0.5, rng.random((n, 1)).astype(np.float32) + 0.5\n"
          "  got = (Tensor(a, device='CL') * Tensor(b, device='CL').log()).sum(0).numpy()\n"
          "  assert np.allclose(got, (a.astype(np.float64) * np.log(b)).sum(0), rtol=1e-5), (n, got)\n"
          "  for f in ('exp', 'sqrt', 'sin'):\n"
          "    got = getattr(Tensor(b, device='CL'), f)().sum().numpy()\n"
          "    assert np.allclose(got, getattr(np, f)(b.astype(np.float64)).sum(), rtol=1e-5), (n, f, got)\n"
          "print('ok')")
  r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
  assert r.returncode == 0 and r.stdout.strip() == "ok", (r.returncode, r.stderr[-1500:])

def test_int_and_bool_semantics():
  a, b = np.array([7, -7, 7, -7, 5, 0], np.int32), np.array([2, 2, -2, -2, 0, 3], np.int32)
  ta, tb = Tensor(a, device="CL"), Tensor(b, device="CL")
  np.testing.assert_array_equal((ta % tb).numpy()[:4], np.mod(a, b)[:4])   # floor-mod, as Python and PyTorch
  np.testing.assert_array_equal(ta.fmod(tb).numpy()[:4], np.fmod(a, b)[:4])  # C's truncating remainder
  np.testing.assert_array_equal(ta.idiv(tb).numpy()[:4], [3, -3, -3, 3])   # truncating division
  np.testing.assert_array_equal((ta < tb).numpy(), a < b)
  np.testing.assert_array_equal((ta == tb).numpy(), a == b)
  assert (ta < tb).dtype == dtypes.bool and (ta < tb).numpy().dtype == np.bool_
  big = np.array([2**40, -2**40 + 3], np.int64)
  np.testing.assert_array_equal((Tensor(big, device="CL") * 3 - 1).numpy(), big*3 - 1)
  m = Tensor(np.array([True, False, True]), device="CL")
  np.testing.assert_array_equal(m.where(Tensor([1.0, 2.0, 3.0], device="CL"), -1.0).numpy(), [1.0, -1.0, 3.0])
  n = Tensor(np.array([True, True, False]), device="CL")
  np.testing.assert_array_equal((m * n).numpy(), [True, False, False])
  np.testing.assert_array_equal((m + n).numpy(), [True, True, True])

def test_half_is_stored_as_half_and_rounds_on_cast():
  x = rand(33) * 100
  t = Tensor(x, device="CL")
  np.testing.assert_array_equal(t.cast(dtypes.float16).cast(dtypes.float32).numpy(), x.astype(np.float16).astype(np.float32))
  h = Tensor(x.astype(np.float16), device="CL")
  assert h.dtype == dtypes.float16 and (h * 2).numpy().dtype == np.float16
  np.testing.assert_allclose((h * 2).numpy(), x.astype(np.float16) * 2, rtol=1e-3)
  np.testing.assert_allclose(h.sum().numpy(), x.astype(np.float16).astype(np.float64).sum(), rtol=1e-2)

def test_views_pad_flip_stride_multiview():
  x = rand(6, 10)
  t = Tensor(x, device="CL")
  np.testing.assert_array_equal(t[1:5, ::-3].numpy(), x[1:5, ::-3])
  np.testing.assert_array_equal(t.pad(((1, 2), (3, 0))).numpy(), np.pad(x, ((1, 2), (3, 0))))
  np.testing.assert_array_equal((t.T.reshape(5, 12) + 0).numpy(), x.T.reshape(5, 12))  # two views: unravel
  np.testing.assert_array_equal((t.pad(((1, 1), (0, 0))).reshape(4, 20).T * 1).numpy(), np.pad(x, ((1, 1), (0, 0))).reshape(4, 20).T)
  np.testing.assert_allclose((t.reshape(6, 1, 10).expand(6, 4, 10) * t.reshape(1, 6, 10)[:, :4]).numpy(), x[:, None] * x[None, :4], rtol=1e-6)

@pytest.mark.parametrize("axis", [None, 0, 1, (0, 2)])
def test_reductions(axis):
  x = rand(5, 16, 9)
  t = Tensor(x, device="CL")
  np.testing.assert_allclose(t.sum(axis).numpy(), x.astype(np.float64).sum(axis), rtol=1e-5, atol=1e-5)
  np.testing.assert_array_equal(t.max(axis).numpy(), x.max(axis))
  np.testing.assert_allclose((t.exp().sum(axis, keepdim=True) * 2 + t).numpy(), np.exp(x.astype(np.float64)).sum(axis, keepdims=True) * 2 + x, rtol=1e-5)

@pytest.mark.parametrize("width", [1, 4])
def test_kernels_shaped_for_a_gpu_driver(monkeypatch, width):
  """NVIDIA's driver prefers scalar floats (vector width 1) and gets no panels: reductions along a vector dim rendered
  `float vacc.s0` there. Kernels shaped for such limits build and compute right on this device too (shapes of their own,
  so no kernel cached for this device's limits is reused)."""
  monkeypatch.setattr(backend_cl, "LIMITS", codegen.DeviceLimits(max_work_group=1024, compute_units=132, vector_width=width, pack=False))
  x, a, b = rand(3, 11, 4*width + 20), rand(67, 52 + width), rand(52 + width, 36)
  t, f = Tensor(x, device="CL"), x.astype(np.float64)
  np.testing.assert_allclose(t.sum(2).numpy(), f.sum(2), rtol=1e-5, atol=1e-5)
  np.testing.assert_allclose(t.sum().numpy(), f.sum(), rtol=1e-5)
  np.testing.assert_array_equal(t.max((0, 2)).numpy(), x.max((0, 2)))
  np.testing.assert_array_equal(t.max().numpy(), x.max())
  np.testing.assert_allclose(t.softmax(-1).numpy(), np.exp(f - f.max(-1, keepdims=True)) / np.exp(f - f.max(-1, keepdims=True)).sum(-1, keepdims=True), rtol=1e-5, atol=1e-7)
  np.testing.assert_allclose((Tensor(a, device="CL") @ Tensor(b, device="CL")).numpy(), a.astype(np.float64) @ b, rtol=1e-4, atol=1e-4)

def test_full_reductions_split_in_two_on_gpus(monkeypatch):
  """On a GPU a full reduction ran as one work-item walking every element (a VQVAE's MSE over 786K pixels: 10 ms on an
  H200): there (SPLIT_REDUCE) it runs as k partial reductions, then one over the k. Same results, values and gradients."""
  monkeypatch.setattr(backend_cl, "SPLIT_REDUCE", True)
  x = rand(6, 128, 97)  # 74496 = 2^8 * 291 elements: 256 partial sums
  f = x.astype(np.float64)
  t = Tensor(x, device="CL", requires_grad=True)
  GlobalCounters.reset()
  np.testing.assert_allclose(t.sum().numpy(), f.sum(), rtol=1e-5)
  assert GlobalCounters.kernel_count == 2
  np.testing.assert_array_equal(t.max().numpy(), x.max())
  np.testing.assert_allclose(t.mean(keepdim=True).numpy(), f.mean(keepdims=True), rtol=1e-4)
  np.testing.assert_allclose((t.permute(2, 0, 1)[:, ::2] * 3).sum().numpy(), 3 * f[::2].sum(), rtol=1e-5)
  assert (t > 0).sum().numpy() == (x > 0).sum() and (t > 0).sum().dtype == dtypes.int64
  np.testing.assert_array_equal(t.argmax().numpy(), x.argmax())
  (t.exp().sum() * 0.5).backward()
  np.testing.assert_allclose(t.grad.numpy(), 0.5 * np.exp(f), rtol=1e-5)
  GlobalCounters.reset()
  odd = rand(3, 5, 7, 11, 13, 7)  # odd count: no power-of-two split, one kernel as before
  np.testing.assert_allclose(Tensor(odd, device="CL").sum().numpy(), odd.astype(np.float64).sum(), rtol=1e-5, atol=1e-3)
  assert GlobalCounters.kernel_count == 1

@pytest.mark.parametrize("shapes", [((64, 48), (48, 32)), ((1, 17), (17, 5)), ((33, 9), (9, 24)), ((3, 16, 8), (3, 8, 40)),
                                    ((2, 1, 4, 5), (3, 5, 2)), ((5,), (5, 3)), ((128, 256), (256, 64))])
def test_matmul(shapes):
  a, b = rand(*shapes[0]), rand(*shapes[1])
  ta, tb = Tensor(a, device="CL"), Tensor(b, device="CL")
  GlobalCounters.reset()
  out = (ta @ tb).numpy()
  assert GlobalCounters.kernel_count == 1
  np.testing.assert_allclose(out, np.matmul(a.astype(np.float64), b), rtol=1e-4, atol=1e-4)
  if a.ndim == 2:  # a transposed, flipped view as the left operand
    ta = Tensor(np.ascontiguousarray(a.T), device="CL").T.flip(0)
    np.testing.assert_allclose((ta @ tb).numpy(), a[::-1].astype(np.float64) @ b, rtol=1e-4, atol=1e-4)

def _programs(monkeypatch) -> list:
  """Collects every CL program rendered from here on, to check that matmuls really read B in panels."""
  progs, render = [], codegen.render
  monkeypatch.setattr(codegen, "render", lambda *a: (progs.append(render(*a)), progs[-1])[1])
  return progs

@pytest.mark.parametrize("shapes", [((256, 200), (200, 264)), ((3, 136, 160), (3, 160, 192)), ((256, 4500), (4500, 256)),
                                    ((1, 300), (300, 520)), ((264, 1009), (1009, 256))])
def test_packed_matmul_odd_shapes_views_and_epilogue(shapes, monkeypatch):
  """B copied into panels first (CPU devices): odd reduce lengths, rows and columns no tile divides, batches, a transposed
  flipped view, a strided view and a fused epilogue, against float64."""
  progs = _programs(monkeypatch)
  a, b, bias = rand(*shapes[0]), rand(*shapes[1]), rand(shapes[1][-1])
  ta, tb = Tensor(a, device="CL"), Tensor(b, device="CL")
  want = np.matmul(a.astype(np.float64), b)
  np.testing.assert_allclose((ta @ tb).numpy(), want, rtol=1e-4, atol=1e-3)
  np.testing.assert_allclose(((ta @ tb + Tensor(bias, device="CL")).relu() * 2).numpy(), np.maximum(want + bias, 0) * 2, rtol=1e-4, atol=1e-3)
  at = Tensor(np.ascontiguousarray(np.swapaxes(a, -1, -2)[..., ::-1, :]), device="CL").flip(-2).transpose(-1, -2)  # a, as a view
  bs = Tensor(np.repeat(b, 2, axis=-1), device="CL")[..., ::2]  # b, as a strided view
  np.testing.assert_allclose((at @ bs).numpy(), want, rtol=1e-4, atol=1e-3)
  if shapes[0][-2] >= 64 and shapes[1][-1] % 8 == 0 and backend_cl.LIMITS.pack: assert any(p.packs for p in progs)

def test_packed_max_reduce_and_conv(monkeypatch):
  """A max over a broadcast product and a convolution (three reduced dims) reading an operand in panels."""
  progs = _programs(monkeypatch)
  a, b = rand(256, 150), rand(150, 512)
  out = (Tensor(a, device="CL")[:, :, None] * Tensor(b, device="CL")[None]).max(1).numpy()
  np.testing.assert_array_equal(out, (a[:, :, None] * b[None]).max(1))
  x, w = rand(2, 64, 16, 64), rand(64, 64, 3, 3)  # weights past the 2^15 floats a copy needs
  got = Tensor(x, device="CL").conv2d(Tensor(w, device="CL"), padding=1).numpy()
  np.testing.assert_allclose(got, Tensor(x, device="CPU").conv2d(Tensor(w, device="CPU"), padding=1).numpy(), rtol=1e-4, atol=1e-4)
  if backend_cl.LIMITS.pack: assert sum(bool(p.packs) for p in progs) >= 2, "the max and the conv should both read panels"

def test_conv_and_backward_match_numpy_backend():
  x, w = rand(2, 3, 9, 9), rand(5, 3, 3, 3)
  grads = []
  for dev in ("CPU", "CL"):
    tx, tw = Tensor(x, device=dev, requires_grad=True), Tensor(w, device=dev, requires_grad=True)
    y = tx.conv2d(tw, padding=1, stride=2).relu()
    (y * y).mean().backward()
    grads.append([y.numpy(), tx.grad.numpy(), tw.grad.numpy()])
  for c, g in zip(*grads): np.testing.assert_allclose(g, c, rtol=1e-4, atol=1e-5)

@pytest.mark.parametrize("xs,pad", [((2, 2, 2, 5), 1), ((3, 2, 2, 5), 1), ((2, 2, 2, 5), (1, 0)), ((2, 3, 5, 7), 2)])
def test_review_35_small_padded_convs_on_a_cpu_runtime(xs, pad):
  """Session 35 (a review of spatial ops against PyTorch): Intel's CPU runtime miscompiled a guarded load whose index
  is out of range where the guard is false, once a work-group reached its vector width: conv2d of (2, 2, 2, 5) with
  padding 1 was 6.9 off in one row and 1e29 in the next batch, from run to run (its input gradient too). The load
  reads index 0 there now. Against numpy in float64, forward and input gradient."""
  x, w = rand(*xs), rand(2, xs[1], 3, 3)
  ph, pw = (pad, pad) if isinstance(pad, int) else pad
  xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (ph, ph), (pw, pw)))
  H, W = xp.shape[2] - 2, xp.shape[3] - 2
  want = np.einsum("bchwij,ocij->bohw", np.lib.stride_tricks.sliding_window_view(xp, (3, 3), axis=(2, 3)), w.astype(np.float64))
  for _ in range(3):  # (the wrong values changed from run to run)
    tx = Tensor(x, device="CL", requires_grad=True)
    (y := tx.conv2d(Tensor(w, device="CL"), padding=pad)).sum().backward()
    np.testing.assert_allclose(y.numpy(), want, rtol=1e-5, atol=1e-5)
    gx = np.zeros_like(xp)
    for i in range(3):
      for j in range(3): gx[:, :, i:i + H, j:j + W] += w[:, :, i, j].sum(0)[None, :, None, None]
    np.testing.assert_allclose(tx.grad.numpy(), gx[:, :, ph:ph + xs[2], pw:pw + xs[3]], rtol=1e-5, atol=1e-5)

def test_review_35_guarded_loads_in_a_one_work_item_reduce_loop():
  """Session 35 (a CL fuzz after the fix above): the first fix's rendering, (ok?in[ok?i:0]:0), was miscompiled by Intel's
  CPU runtime in a one-work-item reduce loop: the sum of a flipped cat of three pieces was 1e22 or nan from run to run
  (the gradient of a maximum over such a tensor too). Against numpy in float64, float32, float16, int32 and bool."""
  rng = np.random.default_rng(35)
  for _ in range(3):
    a, b, c = (rng.standard_normal(s).astype(np.float32) for s in ((40, 2), (40, 4), (40, 33)))
    for dt in (np.float32, np.float16, np.int32):
      parts = [(x * 10).astype(dt) if dt == np.int32 else x.astype(dt) for x in (a, b, c)]
      got = Tensor(parts[0], device="CL").cat(*(Tensor(x, device="CL") for x in parts[1:]), dim=1).flip(1).sum().numpy()
      want = np.concatenate(parts, 1).astype(np.float64).sum()
      assert abs(float(got) - want) <= 2e-2 * max(1.0, abs(want)), (dt, got, want)
    m = rng.random((40, 7)) > 0.5
    assert Tensor(m, device="CL").cat(Tensor(m, device="CL"), dim=1).flip(1).cast(dtypes.int32).sum().item() == 2 * m.sum()
    t = Tensor(np.concatenate([a, b, c], 1)[::-1].copy(), device="CL", requires_grad=True)
    o = Tensor(np.float32(0.1).reshape(1, 1), device="CL", requires_grad=True)
    x = Tensor(a, device="CL").cat(Tensor(b, device="CL"), Tensor(c, device="CL"), dim=1).flip(1)
    x.requires_grad = False
    (y := (x + t).maximum(o)).sum().backward()
    np.testing.assert_allclose(o.grad.numpy(), [[(np.concatenate([a, b, c], 1)[:, ::-1] + t.numpy() <= 0.1).sum() - ((np.concatenate([a, b, c], 1)[:, ::-1] + t.numpy()) == 0.1).sum() / 2]], rtol=1e-6)

def test_to_moves_between_devices_and_rand_matches_cpu():
  x = rand(3, 4)
  t = Tensor(x, device="CPU").to("CL")
  assert t.device == "CL" and not t.lazydata.is_realized
  back = (t * 2).to("CPU")
  assert back.device == "CPU"
  np.testing.assert_array_equal(back.numpy(), x * 2)
  Tensor.manual_seed(11); r_cpu = Tensor.rand(1000, device="CPU").numpy()
  Tensor.manual_seed(11); r_cl = Tensor.rand(1000, device="CL").numpy()
  np.testing.assert_array_equal(r_cl, r_cpu)

def test_empty_and_zero_size():
  assert Tensor.empty(3, 4, device="CL").realize().shape == (3, 4)
  z = Tensor(np.zeros((0, 4), np.float32), device="CL")
  assert (z + 1).numpy().shape == (0, 4)
  np.testing.assert_array_equal(z.sum(0).numpy(), np.zeros(4))

def test_conv_gradients_stay_on_the_device(monkeypatch):
  # conv2d's hand-written gradients (a transposed conv) run where the tensors live, and agree with the CPU backend
  from drivegpt import backend_numpy
  cpu_kernels, compile = [], backend_numpy.compile
  monkeypatch.setattr(backend_numpy, "compile", lambda *a: (cpu_kernels.append(a[1]), compile(*a))[1])
  rng = np.random.default_rng(21)
  x, w = rng.standard_normal((2, 6, 9, 11)).astype(np.float32), rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
  grads = {}
  for dev in ("CL", "CPU"):
    tx, tw = Tensor(x, device=dev, requires_grad=True), Tensor(w, device=dev, requires_grad=True)
    out = tx.conv2d(tw, groups=2, padding=(1, 2), dilation=(2, 1))
    (out*out).sum().backward()
    assert out.device == tx.grad.device == tw.grad.device == dev
    grads[dev] = (tx.grad.numpy(), tw.grad.numpy())
    if dev == "CL": assert not cpu_kernels, f"CL tensors ran kernels on the CPU backend: {cpu_kernels}"
  for cl, cpu in zip(grads["CL"], grads["CPU"]): np.testing.assert_allclose(cl, cpu, rtol=1e-4, atol=1e-3)

@pytest.mark.slow
def test_whole_engine_and_nn_suites_on_cl():
  """The acceptance run: every engine and nn test with DRIVEGPT_DEVICE=CL (about 10 minutes on 2 cores with PoCL)."""
  root = pathlib.Path(__file__).resolve().parents[1]
  files = [f"tests/{f}" for f in ("test_engine.py", "test_ops.py", "test_jit.py", "test_nn.py", "test_optim.py", "test_state.py", "test_models.py")]
  r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *[f for f in files if (root / f).exists()]],
                     cwd=root, env={**os.environ, "DRIVEGPT_DEVICE": "CL"}, capture_output=True, text=True)
  assert r.returncode == 0, r.stdout[-5000:] + r.stderr[-2000:]

def test_max_propagates_nan_like_the_numpy_backend():
  x = np.array([[1.0, np.nan, 3.0], [2.0, -np.inf, np.inf]], np.float32)
  for dev in ("CPU", "CL"):
    t = Tensor(x, device=dev)
    np.testing.assert_array_equal(t.max(1).numpy(), [np.nan, np.inf])
    np.testing.assert_array_equal(t.maximum(2.0).numpy(), np.maximum(x, 2.0))
    np.testing.assert_array_equal(t.relu().numpy(), np.maximum(x, 0))

@pytest.mark.parametrize("shape", [(40, 24), (64, 40), (5, 24)])
def test_layernorm_gradient_after_a_minimum(shape):
  """Intel's CPU runtime compiled a reduce kernel holding (float)(uchar)(a==b) (the gradient of a minimum, through a
  layernorm over axis 0) into a wrong sum: d/db of 0.3 11.49 where it is -17.86, without an error. A bool becomes a
  number by a select now."""
  torch = pytest.importorskip("torch")
  g = np.random.default_rng(0)
  a, w = g.standard_normal(shape).astype(np.float32), g.standard_normal(shape).astype(np.float32)
  tb = Tensor(np.array([0.3], np.float32), device="CL", requires_grad=True)
  (tb.minimum(Tensor(a, device="CL")).layernorm(0) * Tensor(w, device="CL")).sum().backward()
  A, B = torch.tensor(a, dtype=torch.float64), torch.tensor([0.3], dtype=torch.float64, requires_grad=True)
  x = torch.minimum(B, A)
  ((x - x.mean(0, keepdim=True)) / (x.var(0, keepdim=True, unbiased=False) + 1e-5).sqrt() * torch.tensor(w, dtype=torch.float64)).sum().backward()
  np.testing.assert_allclose(tb.grad.numpy(), B.grad.numpy(), rtol=1e-4, atol=1e-4)

@pytest.mark.parametrize("n", [8, 40, 100])
def test_abs_inside_a_short_reduce_builds(n):
  """Intel's CPU runtime crashed the process (SIGSEGV in its vectorizer) on max rendered as select() inside a 40- or
  100-long reduce loop: (a * |b|).sum(0). Max is a ?: now (the same per-lane choice, NaN kept)."""
  a, b = rand(n, 1), rand(n, 1)
  b[0, 0] = np.nan if n == 100 else b[0, 0]
  np.testing.assert_allclose((Tensor(a, device="CL") * Tensor(b, device="CL").abs()).sum(0).numpy(), (a.astype(np.float64) * np.abs(b)).sum(0), rtol=1e-5)

def test_operand_constant_along_the_reduce_is_not_packed_again():
  """An operand broadcast along the reduce (found by a hostile review: its copy into panels was packed again without
  end, a RecursionError) gives numpy's numbers: a matmul with an expanded row, a max over it, a two-axis einsum."""
  a, w, A, B = rand(64, 4), rand(1, 32768), rand(72, 400, 3), rand(400, 264)
  ta, tw = Tensor(a, device="CL"), Tensor(w, device="CL").expand(4, 32768)
  np.testing.assert_allclose((ta @ tw).numpy(), a.astype(np.float64) @ np.repeat(w, 4, 0), rtol=1e-4, atol=1e-4)
  np.testing.assert_array_equal((ta[:, :, None] * tw[None]).max(1).numpy(), (a[:, :, None] * np.repeat(w, 4, 0)[None]).max(1))
  got = (Tensor(A, device="CL")[:, :, :, None] * Tensor(B, device="CL")[None, :, None, :]).sum((1, 2)).numpy()
  np.testing.assert_allclose(got, np.einsum("mkj,kn->mn", A.astype(np.float64), B), rtol=1e-4, atol=1e-3)

def test_gpu_buffer_pool_reuses_memory_and_changes_no_result(monkeypatch):
  """GPUs take buffers from a pool (backend_cl.POOL; NVIDIA's driver made the host wait for the queue at every buffer
  release: a jitted GPT step 46 -> 29 ms on an H200). The pool forced on this device: a jitted training loop gives the
  same bits as without it, and after the first steps it allocates no more memory (freed buffers are reused, in queue
  order)."""
  from drivegpt import jit, nn
  from drivegpt.nn import optim
  def run(pool):
    monkeypatch.setattr(backend_cl, "POOL", pool)
    Tensor.manual_seed(3)
    m = [nn.Linear(16, 32), nn.Linear(32, 4)]
    for layer in m:
      for p in (layer.weight, layer.bias): p.lazydata = p.to("CL").realize().lazydata
    o = optim.Adam(nn.get_parameters(m), lr=0.01)
    @jit
    def step(x, y):
      o.zero_grad()
      loss = (m[1](m[0](x).gelu()) - y).square().mean()
      loss.backward()
      o.step(loss)
      return loss
    data, losses, held = np.random.default_rng(8), [], []
    for i in range(8):
      losses.append(step(Tensor(data.standard_normal((8, 16)).astype(np.float32), device="CL"), Tensor(data.standard_normal((8, 4)).astype(np.float32), device="CL")).numpy())
      if pool is not None: held.append(pool.managed_bytes)
    return np.array(losses), held
  plain, _ = run(None)
  import pyopencl.tools as tools
  pooled, held = run(tools.MemoryPool(tools.ImmediateAllocator(backend_cl._queue)))
  np.testing.assert_array_equal(pooled, plain)
  assert held[3] > 0 and held[-1] == held[3], held

def test_a_view_stacked_on_a_non_linear_one_reads_the_right_elements():
  """codegen.view_index multiplied a non-linear index (24+(i/3)*-3+(i%3), a padded view's address) by the next view's
  stride without parentheses: only its last term was scaled, so a step slice or flip under a pad and a reshape read
  shuffled values, or past the buffer (sums of 1e32; an int sum the same). A fuzzer against the CPU device found it."""
  r = np.random.default_rng(11)
  x, s, n = np.arange(1, 49, dtype=np.float32), r.standard_normal(40).astype(np.float32), r.integers(-9, 9, 40).astype(np.int32)
  got = (Tensor(x, device="CL")[::2].pad(((0, 3),)).reshape(9, 3).T.reshape(27) + 0).numpy()
  np.testing.assert_equal(got, np.pad(x[::2], (0, 3)).reshape(9, 3).T.reshape(27))
  for v in (s, n):
    got = Tensor(v, device="CL").flip(0).pad(((0, 2),)).reshape(6, 7).flip(1).reshape(7, 6).sum(0).numpy()
    want = np.pad(v[::-1], (0, 2)).reshape(6, 7)[:, ::-1].reshape(7, 6).sum(0)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)

def test_a_kernel_past_32_bit_indices_indexes_with_longs():
  """A CL kernel indexed with ints: a bool sum of 2^31 + 2^22 ones (a broadcast constant: no memory) spun forever, its
  loop counter wrapping. Kernels over 2^31 elements index with longs (a child process: a hang ends at the timeout)."""
  code = "import drivegpt; from drivegpt import Tensor, dtypes; print(Tensor.ones(2**31 + 2**22, dtype=dtypes.bool, device='CL').sum().numpy())"
  r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=pathlib.Path(__file__).resolve().parents[1])
  assert r.returncode == 0 and r.stdout.split() == [str(2**31 + 2**22)], r

def test_a_small_kernel_reading_past_2_31_addresses_indexes_with_longs():
  """A kernel of 8.4M elements reading the first 16 of 4096 columns of a (2^19 + 2^10, 4096) bool buffer indexed it as
  g0*4096 + r1 in ints: rows past 2^19 wrapped and the process segfaulted (native CPU and CL). The address bound, not the
  kernel's size, picks long; a small one keeps int. Rendered only: the buffer itself would take 2 GiB."""
  from drivegpt.schedule import schedule
  def src(out): return [codegen.render(si.ast, si.out.shape, si.out.dtype).src for si in schedule([out.lazydata]) if si.ast.op.name not in ("LOAD", "EMPTY")]
  [big] = src(Tensor.empty(2**19 + 2**10, 4096, dtype=dtypes.bool)[:, :16].float().sum(1))
  assert "long gid" in big and "int gid" not in big
  [small] = src(Tensor.empty(64, 4096)[:, :16].sum(1))
  assert "int gid" in small
  # a left pad of 4096 rows of stride 2^20: the view's offset -2^32, its terms past 2^31 (int: a segfault on CL)
  [padded] = src(Tensor.empty(4, 2**20)[:, :2].pad(((4096, 0), (0, 0))).sum(1) * 2)
  assert "long gid" in padded

@pytest.mark.parametrize("width,pad", [(20, (0, 12)), (20, (12, 0)), (37, (5, 22))])
def test_vector_loads_across_a_pad_boundary_keep_the_padding(width, pad):
  """A vector load whose lanes straddle a pad's edge must test each lane's mask: a load that took the first lane's
  validity for all read past the data (20 columns padded to 32: columns 20-23 came back as 21..24 + 1, not 1)."""
  x = rand(3, width)
  t = Tensor(x, device="CL")
  np.testing.assert_allclose((t.pad(((0, 0), pad)) + 1).numpy(), np.pad(x, ((0, 0), pad)) + 1, rtol=1e-6)
  np.testing.assert_allclose((t.pad(((0, 0), pad)) * 2 - t.pad(((0, 0), pad)).exp()).numpy(),
                             np.pad(x, ((0, 0), pad))*2 - np.exp(np.pad(x, ((0, 0), pad))), rtol=1e-5, atol=1e-6)


def _on_every_cpu_runtime(script: str) -> None:
  """Run script (it prints ok) in a process of its own on the default CL device and on each CPU runtime installed."""
  ran = 0
  for want in ("", "pocl", "intel"):
    env = {**os.environ, "DRIVEGPT_CL_DEVICE": want} if want else dict(os.environ)
    r = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    if want and "no OpenCL device matches it" in r.stderr: continue  # (that runtime is not installed here)
    assert r.returncode == 0 and r.stdout.strip() == "ok", (want, r.stderr[-1500:])
    ran += 1
  assert ran >= 2

def test_the_lowest_int_mod_minus_one_is_zero_on_every_cpu_runtime():
  """A CL fuzz's finding: INT_MIN % -1 (and fmod) came out -1 on PoCL (C leaves it undefined; LLVM gave -1), 0 on
  Intel's runtime, numpy and PyTorch: the kernel's remainder skips a divisor of -1 as it skips 0."""
  script = ("import numpy as np\nfrom drivegpt import Tensor\nfor dt in (np.int32, np.int64):\n"
            "  a, b = np.array([np.iinfo(dt).min, -7, 7, np.iinfo(dt).min + 1], dt), np.array([-1, -1, -1, 3], dt)\n"
            "  x, y = Tensor(a, device='CL'), Tensor(b, device='CL')\n"
            "  assert (x % y).numpy().tolist() == (a.astype(object) % b.astype(object)).tolist(), ((x % y).numpy(), dt)\n"
            "  assert x.fmod(y).numpy().tolist() == np.fmod(a, b).tolist(), (x.fmod(y).numpy(), dt)\nprint('ok')\n")
  _on_every_cpu_runtime(script)


def test_int_overflow_wraps_on_every_cpu_runtime_and_on_native_kernels():
  """A fusion fuzz's finding: generated C did int +, -, * and negation on signed types, whose overflow C leaves undefined:
  Intel's compiler folded (x + 1) < x to false and widened (long)(x * 4), so the same expression changed its answer with
  the array size (native kernels from 2^18 elements) and between devices. They wrap, as numpy and PyTorch."""
  script = ("import numpy as np\nfrom drivegpt import Tensor, dtypes\nfrom drivegpt import native\nnative.MIN_WORK = 0\n"
            "for dev in ('CPU', 'CL'):\n"
            "  for dt, idt in ((np.int32, dtypes.int64), (np.int64, dtypes.int64)):\n"
            "    lo, hi = np.iinfo(dt).min, np.iinfo(dt).max\n"
            "    a = np.array([hi, lo, hi // 2 + 1, 5, -(hi // 3), lo + 1], dt)\n"
            "    x = Tensor(a, device=dev)\n"
            "    with np.errstate(over='ignore'):\n"
            "      for got, want in ((((x + 1) < x).numpy(), (a + dt(1)) < a), ((x * 4).cast(idt).numpy(), (a * dt(4)).astype(np.int64)),\n"
            "                        ((x - 2).numpy(), a - dt(2)), ((-x).numpy(), -a), ((x * 3).sum().numpy(), (a * dt(3)).sum(dtype=np.int64)),\n"
            "                        (((x + 1) < x).sum().numpy(), ((a + dt(1)) < a).sum())):\n"
            "        assert np.array_equal(got, want), (dev, dt, got, want)\n"
            "print('ok')\n")
  _on_every_cpu_runtime(script)

def test_a_mask_on_another_device_writes_through():
  """Session 44 (a review of the mask write's where): a mask Tensor on the CPU for a CL tensor (and the reverse) was
  refused ('WHERE of tensors on different devices'); it is moved, as an index tensor is read from any device."""
  rng = np.random.default_rng(44)
  x = rng.standard_normal((5, 7)).astype(np.float32)
  want = x.copy(); want[x > 0] = -1
  for dev, mdev in (("CL", "CPU"), ("CPU", "CL")):
    t = Tensor(x, device=dev)
    t[Tensor(x > 0, device=mdev)] = -1.0
    np.testing.assert_array_equal(t.numpy(), want)
    # int index tensors too ("CMPEQ of tensors on different devices"), a realized one checked first, as on its own device
    if mdev == "CPU":  # (as on CL itself, a CL index out of range picks NaN: README)
      with pytest.raises(IndexError, match="index 9 is out of range for size 7"): Tensor(x, device=dev)[:, Tensor(np.array([0, 9], np.int32), device=mdev).realize()]
    idx = Tensor(np.array([3, 0, 3], np.int32), device=mdev)
    np.testing.assert_array_equal(Tensor(x, device=dev)[idx].numpy(), x[[3, 0, 3]])
    t = Tensor(x, device=dev)
    t[:, idx] = 5.0
    w = x.copy(); w[:, [3, 0, 3]] = 5.0
    np.testing.assert_array_equal(t.numpy(), w)
