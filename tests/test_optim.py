"""Optimizers against the textbook updates in float64 numpy, over several steps with parameter-dependent gradients;
one batched realize per step; lr changes without new kernels; state round trip; gradient clipping; lr schedules."""
import math, re
import numpy as np
import pytest
import drivegpt.tensor
from drivegpt import Tensor, dtypes
from drivegpt.backend_numpy import compile as backend_compile
from drivegpt.nn.optim import SGD, Adam, AdamW, clip_grad_norm_, linear_warmup, warmup_cosine

SHAPES = [(3, 4), (5,), (2, 1, 3), (1,)]  # (1,): one-element state buffers must take in-place updates too

def problem(seed: int, steps: int):
  """Params p0, curvatures c and per-step targets G: loss_t = sum(c*p^2/2 + G_t*p), so grad_t = c*p + G_t depends on p."""
  rng = np.random.default_rng(seed)
  p0 = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
  c = [rng.uniform(0.5, 2.0, s) for s in SHAPES]
  G = [[rng.standard_normal(s) for s in SHAPES] for _ in range(steps)]
  return p0, c, G

def run_engine(make_opt, seed: int, lrs: list) -> list:
  p0, c, G = problem(seed, len(lrs))
  params = [Tensor(p, requires_grad=True) for p in p0]
  opt = make_opt(params)
  for t, lr in enumerate(lrs):
    opt.lr = lr
    loss = Tensor._sum_all([(Tensor(ci.astype(np.float32)) * p * p * 0.5 + Tensor(g.astype(np.float32)) * p).sum()
                            for p, ci, g in zip(params, c, G[t])])
    opt.zero_grad()
    loss.backward()
    opt.step()
  assert opt.step_count == len(lrs)
  return [p.numpy() for p in params]

def sgd_reference(seed, lrs, momentum=0.0, weight_decay=0.0, nesterov=False):
  """Sutskever/PyTorch SGD: b_1 = g_1, b_t = mu*b_{t-1} + g_t; step along g + mu*b (nesterov) or b."""
  p0, c, G = problem(seed, len(lrs))
  ps, bufs = [p.astype(np.float64) for p in p0], [None]*len(p0)
  for t, lr in enumerate(lrs):
    for i in range(len(ps)):
      g = c[i]*ps[i] + G[t][i] + weight_decay*ps[i]
      if momentum:
        bufs[i] = g if bufs[i] is None else momentum*bufs[i] + g
        g = g + momentum*bufs[i] if nesterov else bufs[i]
      ps[i] = ps[i] - lr*g
  return ps

def adam_reference(seed, lrs, b1=0.9, b2=0.999, eps=1e-8, weight_decay=0.0, decoupled=False):
  """Kingma & Ba's Adam with bias-corrected moments; L2 added to the gradient, or decoupled (Loshchilov & Hutter)."""
  p0, c, G = problem(seed, len(lrs))
  ps = [p.astype(np.float64) for p in p0]
  m, v = [np.zeros_like(p) for p in ps], [np.zeros_like(p) for p in ps]
  for t, lr in enumerate(lrs, start=1):
    for i in range(len(ps)):
      g = c[i]*ps[i] + G[t-1][i]
      if decoupled: ps[i] = ps[i] - lr*weight_decay*ps[i]
      else: g = g + weight_decay*ps[i]
      m[i] = b1*m[i] + (1 - b1)*g
      v[i] = b2*v[i] + (1 - b2)*g*g
      m_hat, v_hat = m[i] / (1 - b1**t), v[i] / (1 - b2**t)
      ps[i] = ps[i] - lr*m_hat / (np.sqrt(v_hat) + eps)
  return ps

# Adam's update m/sqrt(v) is sensitive where a gradient is near 0, so float32 rounding shows up at ~1e-6 absolute;
# still far below one step's size (~lr = 0.05), so a wrong rule can't pass
ADAM_TOL = dict(rtol=1e-5, atol=1e-5)
LRS = [0.05, 0.03, 0.08, 0.01, 0.05]  # lr changes every step, as under a schedule

@pytest.mark.parametrize("momentum,nesterov,wd", [(0.0, False, 0.0), (0.9, False, 0.0), (0.8, True, 0.0), (0.0, False, 0.1), (0.9, True, 0.05)])
def test_sgd(momentum, nesterov, wd):
  got = run_engine(lambda ps: SGD(ps, lr=0.1, momentum=momentum, weight_decay=wd, nesterov=nesterov), 1, LRS)
  for g, w in zip(got, sgd_reference(1, LRS, momentum, wd, nesterov)): np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)

@pytest.mark.parametrize("b1,b2,wd", [(0.9, 0.999, 0.0), (0.8, 0.99, 0.1), (0.5, 0.9, 0.0)])
def test_adam(b1, b2, wd):
  got = run_engine(lambda ps: Adam(ps, lr=0.1, b1=b1, b2=b2, weight_decay=wd), 2, LRS)
  for g, w in zip(got, adam_reference(2, LRS, b1, b2, weight_decay=wd)): np.testing.assert_allclose(g, w, **ADAM_TOL)

@pytest.mark.parametrize("wd", [0.01, 0.3])
def test_adamw(wd):
  got = run_engine(lambda ps: AdamW(ps, lr=0.1, weight_decay=wd), 3, LRS)
  for g, w in zip(got, adam_reference(3, LRS, weight_decay=wd, decoupled=True)): np.testing.assert_allclose(g, w, **ADAM_TOL)
  # decoupled decay really differs from L2 decay: the test above can tell them apart
  l2 = adam_reference(3, LRS, weight_decay=wd)
  assert max(np.abs(a - b).max() for a, b in zip(got, l2)) > 1e-4

def _grad_step(opt, params, rng):
  loss = Tensor._sum_all([(p * p * Tensor(rng.standard_normal(p.shape).astype(np.float32))).sum() for p in params])
  opt.zero_grad()
  loss.backward()
  return loss

@pytest.mark.parametrize("make", [lambda ps: SGD(ps, 0.1, momentum=0.9), lambda ps: Adam(ps, 0.01), lambda ps: AdamW(ps, 0.01)])
def test_step_is_one_batch_and_lr_changes_compile_nothing(make, monkeypatch):
  rng = np.random.default_rng(4)
  params = [Tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True) for s in SHAPES]
  opt = make(params)
  for _ in range(2): opt.step(_grad_step(opt, params, rng))
  misses = backend_compile.cache_info().misses
  opt.lr = opt.lr * 0.37
  loss = _grad_step(opt, params, rng)
  calls, real = [], drivegpt.tensor.run_schedule
  monkeypatch.setattr(drivegpt.tensor, "run_schedule", lambda items: (calls.append(len(items)), real(items)))
  opt.step(loss)
  assert len(calls) == 1, f"step ran {len(calls)} schedules, expected one batch"
  assert backend_compile.cache_info().misses == misses, "a new lr compiled new kernels: lr must not be a folded constant"
  state = list(opt.state_dict().values())
  assert all(t.lazydata.is_realized for t in params + state + [loss])
  assert opt.step_count == 3 and opt.lr == pytest.approx(0.37 * (0.1 if isinstance(opt, SGD) else 0.01))

def test_optimizer_state_round_trip():
  rng = np.random.default_rng(5)
  init = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
  pa = [Tensor(x, requires_grad=True) for x in init]
  a = Adam(pa, lr=0.02, weight_decay=0.1)
  for _ in range(3): a.step(_grad_step(a, pa, rng))
  pb = [Tensor(p.numpy(), requires_grad=True) for p in pa]
  b = Adam(pb, lr=0.5, weight_decay=0.1)
  b.load_state_dict({k: Tensor(v.numpy(), dtype=v.dtype) for k, v in a.state_dict().items()})
  assert b.step_count == 3 and b.lr == pytest.approx(0.02)
  for opt, ps in ((a, pa), (b, pb)):
    opt.step(_grad_step(opt, ps, np.random.default_rng(6)))
  for x, y in zip(pa, pb): np.testing.assert_array_equal(x.numpy(), y.numpy())
  sd = a.state_dict()
  with pytest.raises(KeyError, match="missing key 'v.1'"): b.load_state_dict({k: v for k, v in sd.items() if k != "v.1"})
  with pytest.raises(ValueError, match=r"'m.0' is dtypes.float32 \(4, 3\), expected dtypes.float32 \(3, 4\)"):
    b.load_state_dict(sd | {"m.0": Tensor.zeros(4, 3)})
  with pytest.raises(KeyError, match="unexpected key 'momentum.0'"): b.load_state_dict(sd | {"momentum.0": sd["m.0"]})

def test_tied_frozen_and_gradless_params():
  rng = np.random.default_rng(7)
  w = Tensor(rng.standard_normal((3,)).astype(np.float32), requires_grad=True)
  frozen = Tensor(rng.standard_normal((3,)).astype(np.float32), requires_grad=False)
  unused = Tensor(rng.standard_normal((2,)).astype(np.float32))
  opt = SGD([w, w, frozen, unused], lr=0.1)
  assert len(opt.params) == 2 and unused.requires_grad  # duplicates dropped, frozen left out, undecided made trainable
  before, unused_before = w.numpy(), unused.numpy()
  ((w * frozen).sum() + (w * w).sum()).backward()  # w used twice: its gradient adds up
  opt.step()
  np.testing.assert_allclose(w.numpy(), before - 0.1 * (frozen.numpy() + 2 * before), rtol=1e-6)
  np.testing.assert_array_equal(unused.numpy(), unused_before)
  with pytest.raises(ValueError, match="empty parameter list"): SGD([], lr=0.1)
  with pytest.raises(ValueError, match="nesterov needs momentum"): SGD([w], lr=0.1, nesterov=True)

@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm(max_norm):
  rng = np.random.default_rng(8)
  params = [Tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True) for s in SHAPES]
  R = [rng.standard_normal(s) for s in SHAPES]
  Tensor._sum_all([(p * Tensor(r.astype(np.float32))).sum() for p, r in zip(params, R)]).backward()
  norm = clip_grad_norm_(params + params[:1], max_norm)  # a repeated param counts once
  want = math.sqrt(sum((r**2).sum() for r in R))
  assert norm.item() == pytest.approx(want, rel=1e-5)
  scale = min(1.0, max_norm / (want + 1e-6))
  for p, r in zip(params, R): np.testing.assert_allclose(p.grad.numpy(), r * scale, rtol=1e-5, atol=1e-7)
  if max_norm < want: assert math.sqrt(sum((p.grad.numpy().astype(np.float64)**2).sum() for p in params)) == pytest.approx(max_norm, rel=1e-4)
  for bad in (0.0, -1.0, float("nan")):  # a negative max_norm reversed the gradients, silently
    with pytest.raises(ValueError, match="max_norm must be positive"): clip_grad_norm_(params, bad)

def test_adam_betas_changed_between_steps_enter_the_bias_corrections():
  """The bias corrections are 1 - b^t of the betas of the step, as PyTorch's (its _single_tensor_adam: 1 - beta1 ** step
  with the group's beta of then). Until session 40 they were the product of the betas used, and before that a factor
  cache keyed without the betas kept multiplying by the first b1."""
  rng = np.random.default_rng(36)
  w0, grads, betas = rng.standard_normal(5), rng.standard_normal((3, 5)), [(0.9, 0.999), (0.5, 0.99), (0.7, 0.9)]
  p = Tensor(w0.astype(np.float32), requires_grad=True)
  opt = Adam([p], lr=0.1)
  w, m, v = w0.copy(), np.zeros(5), np.zeros(5)
  for t, (g, (b1, b2)) in enumerate(zip(grads, betas), start=1):
    opt.b1, opt.b2 = b1, b2
    p.grad = Tensor(g.astype(np.float32))
    opt.step()
    m, v = b1*m + (1 - b1)*g, b2*v + (1 - b2)*g*g
    w = w - 0.1 * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + 1e-8)
    np.testing.assert_allclose(p.numpy(), w, **ADAM_TOL)
  assert opt.steps.numpy().tolist() == [3]

def test_adam_bias_correction_at_betas_near_one():
  """1 - b2^t at b2 = 0.99999: kept as b^t in float32, 1 - b^t cancelled (1 - float32(0.99999) = 1.0014e-5, not 1e-5),
  so every step was 7e-4 off the float64 rule (PyTorch's, which computes 1 - b2**t in Python floats); kept as 1 - b^t
  updated by c = b c + (1 - b) it stopped growing under 1 (3e-5 short at b2 = 0.999 after 20,000 steps)."""
  lrs = [0.01] * 30
  got = run_engine(lambda ps: Adam(ps, b1=0.9999, b2=0.99999), 38, lrs)
  for a, b in zip(got, adam_reference(38, lrs, b1=0.9999, b2=0.99999)): np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-5)
  # the corrections of 20,000 steps (the step count set as a checkpoint would): exactly what float64 gives, rounded
  for b1, b2 in ((0.9, 0.999), (0.9999, 0.99999)):
    w = Tensor(np.ones(1, np.float32), requires_grad=True)
    opt = Adam([w], lr=1.0, b1=b1, b2=b2, eps=0)
    opt.steps.assign(Tensor(np.array([19999], np.int32))).realize()
    w.grad = Tensor(np.ones(1, np.float32))
    opt.step()   # m = (1 - b1), v = (1 - b2): the step is (1 - b1)/(1 - b1^t) / sqrt((1 - b2)/(1 - b2^t))
    want = (1 - b1) / (1 - b1**20000) / np.sqrt((1 - b2) / (1 - b2**20000))
    assert 1 - w.numpy()[0] == pytest.approx(want, rel=1e-6)

def test_adam_loads_state_saved_as_beta_powers(tmp_path):
  """State saved before session 40 held b1^t, b2^t under 'beta_pow.0': each parameter's step count is read back from
  them on load, from a state dict (numpy or Tensor) and from a checkpoint file alike."""
  from drivegpt.nn.state import save_checkpoint, load_checkpoint, safe_load, safe_save, read_safetensors
  rng = np.random.default_rng(39)
  ps = [Tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True) for s in SHAPES]
  a = Adam(ps, lr=0.02)
  for _ in range(3): a.step(_grad_step(a, ps, rng))
  pows = np.array([[0.9**3, 0.9**3, 0.9**3, 1.0], [0.999**3, 0.999**3, 0.999**3, 1.0]], np.float32)  # the last: never stepped
  old = {k: v for k, v in a.state_dict().items() if k != "steps.0"} | {"beta_pow.0": pows}
  b = Adam([Tensor(p.numpy(), requires_grad=True) for p in ps], lr=0.5)
  b.load_state_dict(old)
  assert b.steps.numpy().tolist() == [3, 3, 3, 0] and b.step_count == 3
  class M: pass
  m = M(); m.w = ps[0]
  path = str(tmp_path / "old.safetensors")
  save_checkpoint(path, m, a, 3, {})
  t = safe_load(path)
  t.pop("optim.steps.0")
  t["optim.beta_pow.0"] = Tensor(pows)
  safe_save(t, path, read_safetensors(path)[1])
  c = Adam([Tensor(p.numpy(), requires_grad=True) for p in ps], lr=0.5)
  load_checkpoint(path, m, c)
  assert c.steps.numpy().tolist() == [3, 3, 3, 0]
  # the 1 - b^t state ('beta_corr.0') kept for a few commits of session 40 converts too
  d = Adam([Tensor(p.numpy(), requires_grad=True) for p in ps], lr=0.5)
  d.load_state_dict({k: v for k, v in a.state_dict().items() if k != "steps.0"} | {"beta_corr.0": (1 - pows).astype(np.float32)})
  assert d.steps.numpy().tolist() == [3, 3, 3, 0]

def test_adam_reads_long_runs_old_beta_powers_back_exactly():
  """The old b^t was a running product of float32(b): read back with log(b) in float64, 20,000 steps at 0.9999 came
  back as 20,003 (a review)."""
  for b2, t in ((0.999, 60_000), (0.9999, 5_000), (0.9999, 20_000), (0.99999, 3_000)):
    pw = np.float32(1.0)
    for _ in range(t): pw = np.float32(pw * np.float32(b2))
    p = Tensor(np.zeros(3, np.float32), requires_grad=True)
    a = Adam([p], lr=0.1, b2=b2)
    a.load_state_dict({k: v for k, v in a.state_dict().items() if k != "steps.0"} | {"beta_pow.0": np.array([[0.9 ** 50], [pw]], np.float32)})
    assert a.steps.numpy().tolist() == [t], (b2, t, a.steps.numpy())

def test_optimizers_refuse_what_is_not_a_list_of_tensors_and_negative_settings():
  """A review: one Tensor given (not [t]) was iterated into its rows (views that never get a gradient: nothing trained,
  or a 'no graph' error far from the cause), and clip_grad_norm_ of one Tensor clipped nothing and returned 0; a state
  dict, numpy arrays or a None bias failed on '_ctx'; SGD's momentum -0.5 trained without a word."""
  w = Tensor(np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32), requires_grad=True).realize()
  (w * 10).sum().backward()
  norm = clip_grad_norm_(w, 1.0)   # PyTorch takes a lone tensor here
  assert norm.item() == pytest.approx(np.sqrt(12) * 10, rel=1e-6) and np.linalg.norm(w.grad.numpy()) == pytest.approx(1.0, rel=1e-4)
  cases = ((w, r"got a Tensor: pass \[t\]"), ({"w": w}, r"got a dict: pass get_parameters\(model\)"),
           ([w, None], r"params\[1\] is NoneType, not a Tensor \(a layer made with bias=False"), ([w.numpy()], r"params\[0\] is ndarray"))
  for params, msg in cases:
    for make in (lambda ps: SGD(ps, lr=0.1), Adam) + (() if isinstance(params, Tensor) else (lambda ps: clip_grad_norm_(ps, 1.0),)):
      with pytest.raises(TypeError, match=msg): make(params)
  for make, msg in ((lambda: SGD([w], 0.1, momentum=-0.5), "momentum must be a number >= 0"), (lambda: SGD([w], 0.1, weight_decay=-1), "weight_decay"),
                    (lambda: Adam([w], eps=-1e-8), "eps must be a number >= 0"), (lambda: Adam([w], weight_decay=-0.1), "weight_decay")):
    with pytest.raises(ValueError, match=msg): make()

def test_lr_set_inside_a_jitted_step_is_said():
  """A schedule set inside a jitted step froze at the recording's lr, the weights trained at it, unsaid (a review)."""
  from drivegpt import jit
  w = Tensor(np.ones(3, np.float32), requires_grad=True).realize()
  opt, it = SGD([w], lr=0.1), [0]
  @jit
  def step():
    opt.lr = 0.1 / (1 + it[0]); it[0] += 1
    opt.zero_grad(); (w * w).sum().backward(); opt.step()
  with pytest.warns(UserWarning, match="lr set inside a jitted step"):
    for _ in range(4): step()

def test_a_view_of_a_parameter_or_a_graph_result_is_refused():
  """Session 40 (an nn-API review): a module holding w and wt = w.T gave both to the optimizer; each got a gradient, and
  step() updated w, then failed on the view, saying the caller wrote into a leaf (the step half done). PyTorch refuses
  a non-leaf at construction; a view made a leaf on its own (w = b.T) still trains (README)."""
  w = Tensor(np.arange(4, dtype=np.float32).reshape(2, 2)).realize()
  with pytest.raises(ValueError, match="parameter 1 is a view of another parameter"): SGD([w, w.T], lr=1.0)
  for v in (w[0][1:], w.T.reshape(-1)):  # a view of a view: its source's source (a review: one level only was looked at)
    with pytest.raises(ValueError, match="parameter 1 is a view of another parameter"): SGD([w, v], lr=1.0)
  x = Tensor(np.ones(2, np.float32), requires_grad=True)
  with pytest.raises(ValueError, match="parameter 0 is computed from other tensors, not a leaf"): SGD([x * 2], lr=1.0)
  lone = Tensor(np.ones((2, 3), np.float32)).T
  lone.requires_grad = True
  opt = SGD([lone], lr=0.5)
  (lone * 2).sum().backward()
  opt.step()
  np.testing.assert_array_equal(lone.numpy(), np.zeros((3, 2)))

def test_clip_grad_norm_of_tiny_gradients_keeps_pytorchs_epsilon():
  """scale = max_norm / (norm + 1e-6), PyTorch's: with norms near 1e-3 the 1e-6 is a 0.1% change the test above can't see."""
  g = np.random.default_rng(37).standard_normal(6) * 2e-4
  p = Tensor(np.zeros(6, np.float32), requires_grad=True)
  p.grad = Tensor(g.astype(np.float32))
  clip_grad_norm_([p], 1e-4)
  np.testing.assert_allclose(p.grad.numpy(), g * 1e-4 / (np.sqrt((g*g).sum()) + 1e-6), rtol=2e-5)

def test_clip_grad_norm_of_float16_gradients_scales_in_float32():
  """Session 42 (a review against PyTorch): the scale was cast to float16 before the multiply, so a clip by more than
  ~1.6e4x used a coarse subnormal (the norm came out 7% over max_norm) and past ~3e7x zeroed every gradient."""
  rng = np.random.default_rng(42)
  for n, size, max_norm in ((10000, 3e4, 1.0), (4, 6e4, 1e-4), (500, 2e3, 1e-3)):
    g = (rng.uniform(0.5, 1, n) * size * rng.choice([-1, 1], n)).astype(np.float16)
    p = Tensor(np.zeros(n, np.float16), requires_grad=True)
    p.grad = Tensor(g)
    ref = p.grad
    norm = clip_grad_norm_([p], max_norm)
    want = g.astype(np.float64) * max_norm / (np.linalg.norm(g.astype(np.float64)) + 1e-6)
    assert p.grad is ref and p.grad.dtype == dtypes.float16 and norm.numpy() == pytest.approx(np.linalg.norm(g.astype(np.float64)), rel=1e-6)
    np.testing.assert_allclose(p.grad.numpy().astype(np.float64), want, rtol=1e-3, atol=max_norm * 1e-4 / np.sqrt(n))

def test_lr_schedules():
  lr, lo, warm, total = 6e-4, 6e-5, 10, 110
  lrs = [warmup_cosine(s, lr, warm, total, lo) for s in range(total + 5)]
  for s in range(warm):  # linear ramp: the first step already gets lr/warm, step warm-1 gets lr
    assert lrs[s] == pytest.approx(lr * (s + 1) / warm) == pytest.approx(linear_warmup(s, lr, warm))
  for s in range(warm, total):  # cosine written as cos^2: 0.5*(1 + cos(pi*f)) == cos(pi*f/2)^2
    assert lrs[s] == pytest.approx(lo + (lr - lo) * math.cos(math.pi / 2 * (s - warm) / (total - warm))**2)
  assert lrs[warm] == pytest.approx(lr) and lrs[(warm + total) // 2] == pytest.approx((lr + lo) / 2)
  assert all(a >= b for a, b in zip(lrs[warm:], lrs[warm + 1:])) and lrs[total:] == [lo] * 5
  assert linear_warmup(50, lr, warm) == lr and linear_warmup(0, lr, 0) == lr

# *** issue 10: per-parameter bias corrections, betas=, float16 parameters ***

def test_adam_counts_steps_per_parameter():
  """A parameter without a gradient on some steps keeps its own step count, as PyTorch: its bias corrections use the
  number of updates it got, not the optimizer's step count."""
  rng = np.random.default_rng(21)
  p0 = [rng.standard_normal(s) for s in [(3, 2), (4,)]]
  G = [[rng.standard_normal(p.shape) for p in p0] for _ in range(5)]
  skip = {1: [1], 2: [1], 4: [0]}  # step -> parameters without a gradient on it
  lr, b1, b2, eps = 0.05, 0.8, 0.95, 1e-8
  ps = [Tensor(p.astype(np.float32), requires_grad=True) for p in p0]
  opt = Adam(ps, lr=lr, betas=(b1, b2))
  ref, m, v, t = [p.copy() for p in p0], [np.zeros_like(p) for p in p0], [np.zeros_like(p) for p in p0], [0, 0]
  for step, gs in enumerate(G):
    opt.zero_grad()
    used = [i for i in range(2) if i not in skip.get(step, [])]
    Tensor._sum_all([(ps[i] * Tensor(gs[i].astype(np.float32))).sum() for i in used]).backward()
    opt.step()
    for i in used:  # PyTorch's Adam for a parameter that has a gradient; the others are left alone, step count included
      t[i] += 1
      m[i] = b1*m[i] + (1 - b1)*gs[i]
      v[i] = b2*v[i] + (1 - b2)*gs[i]**2
      ref[i] = ref[i] - lr * (m[i] / (1 - b1**t[i])) / (np.sqrt(v[i] / (1 - b2**t[i])) + eps)
  for p, r in zip(ps, ref): np.testing.assert_allclose(p.numpy(), r, **ADAM_TOL)

def test_adam_betas_and_adamw_spellings():
  got = run_engine(lambda ps: Adam(ps, lr=0.1, betas=(0.8, 0.99), weight_decay=0.1), 2, LRS)
  for g, w in zip(got, adam_reference(2, LRS, 0.8, 0.99, weight_decay=0.1)): np.testing.assert_allclose(g, w, **ADAM_TOL)
  got = run_engine(lambda ps: AdamW(ps, lr=0.1, betas=(0.5, 0.9), wd=0.3), 3, LRS)
  for g, w in zip(got, adam_reference(3, LRS, 0.5, 0.9, weight_decay=0.3, decoupled=True)): np.testing.assert_allclose(g, w, **ADAM_TOL)
  with pytest.raises(ValueError, match="betas"): Adam([Tensor.ones(2)], betas=(1.0, 0.9))

@pytest.mark.parametrize("make", [lambda ps: SGD(ps, 0.1, momentum=0.9, weight_decay=0.01), lambda ps: Adam(ps, 0.01), lambda ps: AdamW(ps, 0.01)])
def test_float16_parameters(make):
  """float16 weights train and stay float16; the update is the float32 one rounded to float16."""
  rng = np.random.default_rng(22)
  w16 = [Tensor(rng.standard_normal(s).astype(np.float16), requires_grad=True) for s in SHAPES]
  w32 = [Tensor(w.numpy().astype(np.float32), requires_grad=True) for w in w16]
  G = [rng.standard_normal(s).astype(np.float16) for s in SHAPES]
  for ws in (w16, w32):
    opt = make(ws)
    for _ in range(3):
      opt.zero_grad()
      Tensor._sum_all([(w * w * Tensor(g).cast(w.dtype)).sum() for w, g in zip(ws, G)]).backward()
      opt.step()
  for a, b in zip(w16, w32):
    assert a.dtype == dtypes.float16 and a.numpy().dtype == np.float16
    np.testing.assert_allclose(a.numpy().astype(np.float32), b.numpy(), rtol=2e-2, atol=2e-2)
  # gradients of a realistic size (1e-3): Adam's v = (1 - b2) g^2 underflowed in float16, and one step moved a weight
  # at 1.0 to -99
  w = Tensor(np.ones(4, np.float16), requires_grad=True)
  opt = make([w])
  opt.zero_grad()
  (w * Tensor(np.full(4, 1e-3, np.float16))).sum().backward()
  opt.step()
  assert np.abs(w.numpy().astype(np.float32) - 1).max() < 0.02, w.numpy()   # a step of about lr (0.01)

def test_adam_per_parameter_steps_replay_under_jit():
  """The per-parameter counters are realized buffers updated in place, so a jitted step replays them."""
  from drivegpt import jit
  rng = np.random.default_rng(25)
  init = [rng.standard_normal(s).astype(np.float32) for s in [(3, 2), (4,)]]
  G = [rng.standard_normal(s).astype(np.float32) for s in [(3, 2), (4,)]]
  def run(use_jit):
    ps = [Tensor(p.copy(), requires_grad=True) for p in init]
    opt = Adam(ps, lr=0.05)
    def step(g0: Tensor) -> Tensor:  # the second parameter never gets a gradient here
      loss = (ps[0] * g0).sum() + (ps[0] * ps[0]).sum()
      opt.zero_grad()
      loss.backward()
      opt.step(loss)
      return loss
    f = jit(step) if use_jit else step
    for _ in range(5): f(Tensor(G[0]).realize())
    return [p.numpy() for p in ps] + [opt.steps.numpy()]
  for a, b in zip(run(False), run(True)): np.testing.assert_array_equal(a, b)
  assert run(False)[-1].tolist() == [5, 0]

def test_a_step_copies_no_weights_unless_a_lazy_value_still_needs_them(monkeypatch):
  """Readers of the old weights that nothing holds after the step need no copy; a held lazy loss does (it reads the
  old weights). A list of all readers kept them all alive, and every step copied weights (13 ms of a GPT step)."""
  from drivegpt import realize
  from drivegpt.nn.optim import Adam
  held, keep_old = [], realize._keep_old
  def spy(readers, buffers):  # how many readers of the old weights are still held when the assigns write
    held.append(sum(1 for ref in readers if (r := ref()) is not None and r.realized is None))
    return keep_old(readers, buffers)
  monkeypatch.setattr(realize, "_keep_old", spy)
  r = np.random.default_rng(3)
  w1, w2 = (Tensor(r.standard_normal(s).astype(np.float32) * 0.1, requires_grad=True).realize() for s in ((16, 32), (32, 4)))
  opt = Adam([w1, w2], lr=1e-2, weight_decay=0.01)
  x = Tensor(r.standard_normal((8, 16)).astype(np.float32)).realize()
  def step(hold: bool):
    opt.zero_grad()
    loss = ((x @ w1).relu() @ w2).square().mean()
    loss.backward()
    opt.step(*(() if hold else (loss,)))
    return loss
  step(False)
  assert held and not any(held)
  before = [w.numpy().copy() for w in (w1, w2)]
  loss = step(True)  # loss left lazy through the step: it must come out at the old weights
  assert loss.item() == pytest.approx(float(((np.maximum(x.numpy() @ before[0], 0) @ before[1])**2).mean()), rel=1e-5)

@pytest.mark.parametrize("make", ["SGD", "Adam", "AdamW"])
def test_optimizers_on_a_device_other_than_the_default(make):
  """lr, the step count and Adam's powers were made on the default device: weights on CL, with CPU the default, raised."""
  import drivegpt.nn.optim as O
  other = "CL" if Tensor(0.0).device == "CPU" else "CPU"
  w0 = np.random.default_rng(4).standard_normal((3, 2)).astype(np.float32)
  x = np.arange(6, dtype=np.float32).reshape(2, 3)
  got = []
  for dev in (other, None):
    w = Tensor(w0, device=dev, requires_grad=True).realize()
    opt = getattr(O, make)([w], lr=0.05)
    for _ in range(3):
      opt.zero_grad()
      loss = (Tensor(x, device=dev) @ w).square().mean()
      loss.backward()
      opt.step(loss)
    assert w.device == (dev or Tensor(0.0).device)
    got.append(w.numpy())
  np.testing.assert_allclose(got[0], got[1], rtol=1e-5, atol=1e-6)

def test_review_53_views_and_detaches_taken_before_the_optimizer_follow_the_weight():
  """A view of an undecided weight taken at build time (a module's wt = w.T) had no graph: the weight got no gradient
  through it, and one used only through it never trained; a detach of a lazy Tensor.zeros parameter kept the zeros once
  an optimizer was made (a review). Against the gradient by hand in float64 over random values."""
  rng = np.random.default_rng(53)
  w0, x = rng.standard_normal(4).astype(np.float32), rng.standard_normal(2).astype(np.float32)
  w = Tensor(w0)                        # requires_grad None, as nn layers make their weights
  head, part = w.reshape(2, 2).T, w[1:3]
  opt = SGD([w], lr=0.1)
  loss = (head @ Tensor(x)).square().sum() + (part * part).sum()
  loss.backward()
  W, X = w0.astype(np.float64).reshape(2, 2), x.astype(np.float64)
  want = (2 * np.outer(X, W.T @ X)).reshape(-1)   # d/dW_ij of |W.T x|^2 = 2 x_i (W.T x)_j
  want[1:3] += 2 * w0[1:3]
  np.testing.assert_allclose(w.grad.numpy(), want, rtol=1e-5, atol=1e-6)
  opt.step()
  np.testing.assert_allclose(head.numpy(), (w0 - 0.1 * want).reshape(2, 2).T, rtol=1e-5, atol=1e-6)   # the view follows the step
  z = Tensor.zeros(3, requires_grad=True); d = z.detach()
  opt = SGD([z], lr=1.0)
  (z * Tensor(x[:1].repeat(3) * np.arange(1, 4, dtype=np.float32))).sum().backward(); opt.step()
  np.testing.assert_allclose(d.numpy(), z.numpy())
  np.testing.assert_allclose(z.numpy(), -x[0] * np.arange(1, 4), rtol=1e-6)
  d += 10
  np.testing.assert_allclose(z.numpy(), 10 - x[0] * np.arange(1, 4), rtol=1e-5)   # one data, as a detach shares it
  # made under no_grad, the views were taken again without their graph; a copy (not a view) can't be: said (a review)
  v = Tensor(w0)
  vt = v.reshape(2, 2).T
  with drivegpt.tensor.no_grad(): opt = SGD([v], lr=0.1)
  (vt * Tensor(x[:, None])).sum().backward()
  np.testing.assert_allclose(v.grad.numpy(), np.repeat(x, 2).reshape(2, 2).T.reshape(-1), rtol=1e-6)
  c = Tensor(w0)
  e, ct = c.expand(2, 4), c.reshape(2, 2).T.reshape(4)
  with pytest.warns(UserWarning, match=r"2 copy\(ies\) of a parameter .* keep its value of then and pass it no gradient"): SGD([c], lr=0.1)
