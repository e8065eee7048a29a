"""The JIT replays a recorded step bit-identically to running it normally, on new inputs, with fresh randomness."""
import time
import numpy as np
import pytest
from drivegpt import Tensor, jit, GlobalCounters

def make_params(seed: int) -> list:
  rng = np.random.default_rng(seed)
  return [Tensor(rng.standard_normal(s).astype(np.float32) * 0.3, requires_grad=True) for s in [(8, 32), (32,), (32, 4), (4,)]]

def sgd_step(params, x, y, lr=0.1):
  w1, b1, w2, b2 = params
  h = (x @ w1 + b1).relu()
  h = h.dropout(0.25)  # uses Tensor.rand: replay must draw fresh, identical-to-unjitted numbers
  loss = ((h @ w2 + b2) - y).square().mean()
  for p in params: p.grad = None
  loss.backward()
  for p in params: p.assign((p - p.grad * lr).detach())
  Tensor.corealize([loss, *params])
  return loss

def batches(n: int):
  rng = np.random.default_rng(7)
  return [(Tensor(rng.standard_normal((16, 8)).astype(np.float32)), Tensor(rng.standard_normal((16, 4)).astype(np.float32))) for _ in range(n)]

def run(step_fn, n=6):
  Tensor.manual_seed(3)
  Tensor.training = True
  params = make_params(0)
  losses = [step_fn(params, x, y).numpy().copy() for x, y in batches(n)]
  Tensor.training = False
  return losses, [p.numpy() for p in params]

def test_jit_replay_is_bit_identical():
  ref_losses, ref_params = run(sgd_step)
  jitted = jit(sgd_step)
  losses, params = run(jitted)
  assert jitted.calls == 2 and len(jitted.steps) > 0
  for a, b in zip(losses, ref_losses): np.testing.assert_array_equal(a, b)
  for a, b in zip(params, ref_params): np.testing.assert_array_equal(a, b)
  assert len(set(float(l) for l in losses)) == len(losses)  # the inputs really changed every step

def test_jit_replay_skips_graph_building():
  jitted = jit(sgd_step)
  params = make_params(1)
  data = batches(4)
  for x, y in data[:2]: jitted(params, x, y)
  GlobalCounters.reset()
  jitted(params, *data[2])
  assert GlobalCounters.kernel_count == len([s for s in jitted.steps if s[1] is not None])

def test_jit_rejects_new_shapes():
  jitted = jit(sgd_step)
  params = make_params(2)
  x, y = batches(1)[0]
  for _ in range(2): jitted(params, x, y)
  with pytest.raises(ValueError, match="don't match the recorded"):
    jitted(params, Tensor(np.ones((3, 8), np.float32)), Tensor(np.ones((3, 4), np.float32)))

def test_jitted_gpt_step_is_bit_identical():
  from drivegpt.models.gpt import GPT, GPTConfig
  from drivegpt.nn import get_parameters
  from drivegpt.nn.optim import AdamW
  def train(use_jit: bool):
    Tensor.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=64, context=16, n_layer=2, n_head=2, d_model=32, dropout=0.1))
    opt = AdamW(get_parameters(model), lr=1e-3)
    def step(x, y):
      loss = model.loss(x, y)
      opt.zero_grad()
      loss.backward()
      opt.step(loss)
      return loss
    fn = jit(step) if use_jit else step
    rng = np.random.default_rng(5)
    Tensor.training, losses = True, []
    for _ in range(5):
      d = rng.integers(0, 64, (3, 17)).astype(np.int32)
      losses.append(fn(Tensor(d[:, :-1]), Tensor(d[:, 1:])).numpy().copy())
    Tensor.training = False
    return losses, [p.numpy() for p in get_parameters(model)]
  ref_losses, ref_params = train(False)
  losses, params = train(True)
  for a, b in zip(losses, ref_losses): np.testing.assert_array_equal(a, b)
  for a, b in zip(params, ref_params): np.testing.assert_array_equal(a, b)
