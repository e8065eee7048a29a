"""The GPT model against a float64 numpy forward, its gradients against finite differences, KV-cache decoding,
and the acceptance test: a small GPT overfits one batch."""
import sys, time
import numpy as np
import pytest
from drivegpt import Tensor
from drivegpt.models import GPT, GPTConfig
from drivegpt.nn import get_state_dict, get_parameters
from drivegpt.nn.optim import AdamW
import helpers_nn as ref

def small(tie: bool, bias: bool = True, dropout: float = 0.0) -> GPTConfig:
  return GPTConfig(vocab_size=11, context=8, n_layer=2, n_head=2, d_model=8, dropout=dropout, bias=bias, tie_weights=tie)

def test_state_dict_layout():
  m = GPT(GPTConfig(vocab_size=10, context=6, n_layer=3, n_head=2, d_model=8, bias=False, tie_weights=True))
  sd = get_state_dict(m)
  assert {"wte.weight", "wpe.weight", "h.2.attn.c_attn.weight", "h.0.mlp.c_fc.weight", "h.1.ln_2.bias", "ln_f.weight", "lm_head.weight"} <= set(sd)
  assert "h.0.attn.c_attn.bias" not in sd and sd["lm_head.weight"] is sd["wte.weight"]
  assert sd["h.0.mlp.c_fc.weight"].shape == (32, 8) and sd["wpe.weight"].shape == (6, 8)
  # tied: the shared matrix is one parameter; 2 embeddings + 3 blocks * (2 LN * 2 + 4 Linears) + final LN * 2
  assert len(get_parameters(m)) == 2 + 3*8 + 2 and len(sd) == len(get_parameters(m)) + 1

@pytest.mark.parametrize("tie,bias,B,T", [(True, True, 2, 8), (False, True, 3, 5), (False, False, 1, 7)])
def test_gpt_forward_and_gradients(tie, bias, B, T):
  rng = np.random.default_rng(B * 10 + T)
  cfg = small(tie, bias)
  m = GPT(cfg)
  p = ref.randomize(m, rng)
  idx = rng.integers(0, cfg.vocab_size, (B, T))
  logits = m(Tensor(idx))
  assert logits.shape == (B, T, cfg.vocab_size)
  want = ref.gpt(p, idx, cfg.n_layer, cfg.n_head, tie)
  np.testing.assert_allclose(logits.numpy(), want, rtol=1e-4, atol=1e-4)
  targets = rng.integers(0, cfg.vocab_size, (B, T))
  loss = m.loss(Tensor(idx), Tensor(targets))
  assert loss.item() == pytest.approx(ref.cross_entropy(want, targets), rel=1e-5)
  loss.backward()
  # central differences (float64, eps 1e-3) of the reference loss, at a few entries of every distinct parameter
  sd = get_state_dict(m)
  for k in [k for k in p if not (tie and k == "lm_head.weight")]:
    for flat in rng.choice(p[k].size, min(3, p[k].size), replace=False):
      i = np.unravel_index(flat, p[k].shape)
      lp, lm = dict(p), dict(p)
      lp[k], lm[k] = p[k].copy(), p[k].copy()
      lp[k][i] += 1e-3; lm[k][i] -= 1e-3
      fd = (ref.cross_entropy(ref.gpt(lp, idx, cfg.n_layer, cfg.n_head, tie), targets) -
            ref.cross_entropy(ref.gpt(lm, idx, cfg.n_layer, cfg.n_head, tie), targets)) / 2e-3
      assert abs(sd[k].grad.numpy()[i] - fd) <= 1e-4 + 1e-3 * abs(fd), f"grad of {k} at {i}: {sd[k].grad.numpy()[i]} vs {fd}"

def test_kv_cache_decoding_matches_full_forward():
  rng = np.random.default_rng(3)
  m = GPT(small(True))
  ref.randomize(m, rng)
  idx = rng.integers(0, 11, (2, 8))
  full = m(Tensor(idx)).numpy()
  steps = [m(Tensor(idx[:, :4]), 0, use_cache=True).numpy()] + [m(Tensor(idx[:, t:t + 1]), t, use_cache=True).numpy() for t in range(4, 8)]
  np.testing.assert_allclose(np.concatenate(steps, 1), full, rtol=1e-4, atol=1e-5)
  with pytest.raises(ValueError, match="exceed context 8"): m(Tensor(idx[:, :2]), 7, use_cache=True)

def test_dropout_only_while_training():
  rng = np.random.default_rng(4)
  m = GPT(small(False, dropout=0.5))
  idx = Tensor(rng.integers(0, 11, (2, 6)))
  a, b = m(idx).numpy(), m(idx).numpy()
  np.testing.assert_array_equal(a, b)
  Tensor.training = True
  try: c = m(idx).numpy()
  finally: Tensor.training = False
  assert np.abs(a - c).max() > 1e-3

def test_gpt_overfits_one_batch():
  """Acceptance: loss on one fixed batch falls below 0.05 within 300 AdamW steps, in under 60 s."""
  Tensor.manual_seed(0)
  cfg = GPTConfig(vocab_size=64, context=32, n_layer=2, n_head=4, d_model=64)
  m = GPT(cfg)
  data = np.random.default_rng(0).integers(0, cfg.vocab_size, (4, cfg.context + 1))
  x, y = Tensor(data[:, :-1]), Tensor(data[:, 1:])
  opt = AdamW(get_parameters(m), lr=3e-3, weight_decay=0.0)
  t0, losses = time.perf_counter(), []
  for step in range(300):
    loss = m.loss(x, y)
    opt.zero_grad()
    loss.backward()
    opt.step(loss)
    losses.append(loss.item())
    if losses[-1] < 0.05: break
  dt = time.perf_counter() - t0
  print(f"\nGPT overfit: loss {losses[0]:.3f} -> {losses[-1]:.4f} in {len(losses)} steps, {dt:.1f} s ({1e3*dt/len(losses):.0f} ms/step)", file=sys.stderr)
  assert losses[-1] < 0.05, f"loss {losses[-1]:.4f} after {len(losses)} steps"
  assert dt < 60

def test_losses_refuse_targets_of_another_layout():
  """Session 43 (a review of shapes): GPT.loss and WorldModel.loss flattened their targets, so targets.T (the same count
  of tokens) trained without a word; DisengageModel.loss took a pos_weight (B, 1) as per-sample weights."""
  from drivegpt.models.gpt import GPT, GPTConfig
  from drivegpt.models.world import WorldModel, WorldConfig
  rng = np.random.default_rng(43)
  g = GPT(GPTConfig(vocab_size=11, context=8, n_layer=1, n_head=1, d_model=8))
  idx = Tensor(rng.integers(0, 11, (2, 3)).astype(np.int32))
  with pytest.raises(ValueError, match=r"GPT.loss: targets \(3, 2\) must be idx's \(2, 3\)"): g.loss(idx, idx.T)
  w = WorldModel(WorldConfig(vocab_size=11, tokens_per_frame=4, frames=2, n_layer=1, n_head=1, d_model=8, pose="none"))
  tok = Tensor(rng.integers(0, 11, (2, 2, 4)).astype(np.int32))
  with pytest.raises(ValueError, match=r"WorldModel.loss: targets \(2, 4, 2\)"): w.loss(tok, None, tok.permute(0, 2, 1))
  assert np.isfinite(w.loss(tok, None, tok).item())
