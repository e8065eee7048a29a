"""World model: causal masking, KV-cache sampling against full recomputation, bits/token against a numpy float64 forward,
the sampler's distribution, and pose composition for strided frames. Each with and without the previous frame's tokens as
an input (prev_frame)."""
import math
import numpy as np
import pytest
from drivegpt import Tensor
from drivegpt.nn import get_state_dict
from drivegpt.models.world import WorldModel, WorldConfig, FrameSampler, sample_logits
from train.world_data import strided_motion, rot_from_axis_angle, axis_angle_from_rot

def tiny(pose="start", **kw) -> WorldModel:
  Tensor.manual_seed(kw.pop("seed", 0))
  c = WorldConfig(vocab_size=48, tokens_per_frame=6, frames=3, n_layer=2, n_head=2, d_model=16, pose=pose,
                  pose_mean=[0.5, 0, 0, 0, 0, 0.01], pose_std=[0.3, 0.1, 0.1, 0.01, 0.01, 0.02], **kw)
  m = WorldModel(c)
  # random (not near-zero) weights everywhere, so every path matters
  rng = np.random.default_rng(1)
  for k, t in get_state_dict(m).items(): t.assign(Tensor(rng.normal(0, 0.3, t.shape).astype(np.float32))).realize()
  return m

def data(rng, B=3, F=3, N=6, V=48):
  return rng.integers(0, V, (B, F, N)).astype(np.int32), rng.normal(0, 1, (B, F, 6)).astype(np.float32) * [0.3, .1, .1, .01, .01, .02]

# *** numpy float64 reference of the whole model ***

def np_forward(m: WorldModel, tokens: np.ndarray, pose) -> np.ndarray:
  c, p = m.config, {k: v.numpy().astype(np.float64) for k, v in get_state_dict(m).items()}
  B, F, N = tokens.shape
  ln = lambda x, w, b: (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-5) * w + b
  gelu = lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
  x = np.concatenate([np.broadcast_to(p["frame_start"], (B, F, 1, c.d_model)), p["wte.weight"][tokens]], 2)
  x = x + p["wpe_frame"][:F][None, :, None] + p["wpe_slot"][None, None]
  if c.pose != "none" and pose is not None:
    pe = ((pose - np.array(c.pose_mean)) / np.array(c.pose_std)) @ p["pose_proj.weight"].T + p["pose_proj.bias"]  # (B, F, C)
    if c.pose == "start": x[:, :, 0] += pe
    else: x += pe[:, :, None]
  if c.prev_frame: x[:, 1:, :N] += p["wte_prev.weight"][tokens[:, :-1]]  # slot j of frame f: token j of frame f-1
  x = x.reshape(B, F * (N + 1), c.d_model)
  T, H, hd = x.shape[1], c.n_head, c.d_model // c.n_head
  for i in range(c.n_layer):
    q = lambda n: p[f"h.{i}.{n}"]
    h = ln(x, q("ln_1.weight"), q("ln_1.bias")) @ q("attn.c_attn.weight").T + q("attn.c_attn.bias")
    qq, kk, vv = [a.reshape(B, T, H, hd).transpose(0, 2, 1, 3) for a in np.split(h, 3, -1)]
    s = qq @ kk.transpose(0, 1, 3, 2) / math.sqrt(hd) + np.triu(np.full((T, T), -np.inf), 1)
    a = np.exp(s - s.max(-1, keepdims=True))
    y = (a / a.sum(-1, keepdims=True)) @ vv
    x = x + y.transpose(0, 2, 1, 3).reshape(B, T, c.d_model) @ q("attn.c_proj.weight").T + q("attn.c_proj.bias")
    h = gelu(ln(x, q("ln_2.weight"), q("ln_2.bias")) @ q("mlp.c_fc.weight").T + q("mlp.c_fc.bias"))
    x = x + h @ q("mlp.c_proj.weight").T + q("mlp.c_proj.bias")
  x = ln(x, p["ln_f.weight"], p["ln_f.bias"]).reshape(B, F, N + 1, c.d_model)[:, :, :N]
  return x @ p["lm_head.weight"].T

def np_bits(logits: np.ndarray, tokens: np.ndarray) -> np.ndarray:
  z = logits - logits.max(-1, keepdims=True)
  logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
  return -np.take_along_axis(logp, tokens[..., None], -1)[..., 0].mean(2) / math.log(2)  # (B, F)

@pytest.mark.parametrize("pose,prev", [("start", False), ("frame", False), ("none", False), ("start", True), ("frame", True)])
def test_bits_against_numpy(pose, prev):
  m, rng = tiny(pose, prev_frame=prev), np.random.default_rng(2)
  tok, ps = data(rng)
  ref = np_forward(m, tok, ps)
  np.testing.assert_allclose(m(Tensor(tok), Tensor(ps)).numpy(), ref, rtol=1e-4, atol=1e-4)
  np.testing.assert_allclose(m.bits(Tensor(tok), Tensor(ps)).numpy(), np_bits(ref, tok), rtol=1e-5, atol=1e-5)
  loss = m.loss(Tensor(tok), Tensor(ps), Tensor(tok)).item()
  np.testing.assert_allclose(loss / math.log(2), np_bits(ref, tok).mean(), rtol=1e-5)

@pytest.mark.parametrize("prev", [False, True])
def test_causal_mask(prev):
  """Changing token (f, j) or the pose of frame f changes no logit that predicts (f, j) or anything before it."""
  m, rng = tiny(prev_frame=prev), np.random.default_rng(3)
  tok, ps = data(rng)
  base = m(Tensor(tok), Tensor(ps)).numpy().reshape(3, -1, 48)  # (B, F*N, V): flat order is prediction order
  N = 6
  for f, j in [(0, 0), (1, 3), (2, 5), (1, 0)]:
    t2 = tok.copy()
    t2[:, f, j] = (t2[:, f, j] + 1 + rng.integers(0, 46, 3)) % 48
    out = m(Tensor(t2), Tensor(ps)).numpy().reshape(3, -1, 48)
    k = f * N + j
    np.testing.assert_array_equal(out[:, :k + 1], base[:, :k + 1])
    if k + 1 < out.shape[1]: assert np.abs(out[:, k + 1:] - base[:, k + 1:]).max() > 1e-3  # and the future does see it
  p2 = ps.copy()
  p2[:, 2] += 0.5
  out = m(Tensor(tok), Tensor(p2)).numpy().reshape(3, -1, 48)
  np.testing.assert_array_equal(out[:, :2 * N], base[:, :2 * N])
  assert np.abs(out[:, 2 * N:] - base[:, 2 * N:]).max() > 1e-3

def test_the_sampler_replays_its_slots_from_the_third_frame():
  """Each slot step runs on the first frame, is recorded on the second and replayed from the third, never run again:
  a JIT key that took requires_grad None (a replay's outputs) apart from False (the recording's) made every slot a new
  kind of call, and the simulator ran 3x slower without a word (bench/sim.py caught it)."""
  m, rng = tiny("start"), np.random.default_rng(5)
  sampler = FrameSampler(m)
  prefill, step = sampler._jits_for(3)
  calls, fxn = [], step.fxn
  step.fxn = lambda *a: (calls.append(1), fxn(*a))[1]
  pf_calls, pf = [], prefill.fxn
  prefill.fxn = lambda *a: (pf_calls.append(1), pf(*a))[1]
  for _ in range(5):
    tok, ps = data(rng)
    sampler.generate(tok[:, :2], ps[:, :3], temperature=1.0, rng=rng)
  assert len(calls) == 2 * 6 and len(pf_calls) == 2   # 6 slots a frame, run and recorded; the rest replayed

def test_the_sampler_keeps_the_recordings_of_a_few_batch_sizes():
  """A sampler called with many batch sizes keeps the jits of the last KEEP (each size's recordings stayed for good: 400
  sizes held 531 MB more), and a size brought back is recorded again and samples what a fresh sampler samples."""
  m, rng = tiny("start"), np.random.default_rng(6)
  sampler, sizes = FrameSampler(m), [1, 2, 3, 4, 5, 6, 2]
  for B in sizes:
    tok, ps = data(rng, B=B)
    for rep in range(3):  # run, recorded, replayed
      got = sampler.generate(tok[:, :2], ps[:, :3], temperature=1.0, rng=np.random.default_rng(rep))
      np.testing.assert_array_equal(got, FrameSampler(m).generate(tok[:, :2], ps[:, :3], temperature=1.0, rng=np.random.default_rng(rep)))
  assert list(sampler._jits) == [4, 5, 6, 2] and FrameSampler.KEEP == 4

@pytest.mark.parametrize("pose,F,prev", [("start", 2, False), ("frame", 2, False), ("none", 1, False), ("start", 0, False),
                                         ("start", 2, True), ("frame", 1, True), ("none", 0, True)])
def test_kv_cache_sampling_equals_recompute(pose, F, prev):
  """Frames sampled with the KV cache (3 frames: run, recorded, replayed by the JIT) get the logits a full forward of the
  window gives, and so the same tokens from the same random stream."""
  m, rng = tiny(pose, prev_frame=prev), np.random.default_rng(4)
  sampler = FrameSampler(m)
  for rep in range(3):
    tok, ps = data(rng)
    out, logits = sampler.generate(tok[:, :F], ps[:, :F + 1] if pose != "none" else None, temperature=1.0, top_k=20,
                                   rng=np.random.default_rng(rep), return_logits=True)
    full = tok[:, :F + 1].copy()
    full[:, F] = out
    ref = m(Tensor(full), Tensor(ps[:, :F + 1])).numpy()[:, F]       # (B, N, V)
    np.testing.assert_allclose(logits, ref, rtol=1e-4, atol=1e-4)
    again = np.stack([sample_logits(ref[:, j], 1.0, 20, r) for r in [np.random.default_rng(rep)] for j in range(6)], 1)
    np.testing.assert_array_equal(out, again)

def test_generate_refuses_a_pose_it_would_ignore_or_a_missing_one():
  """FrameSampler.generate dropped a pose handed to a model without pose conditioning, ran a pose-conditioned one
  unconditioned when the pose was None, and took a negative top_k as all tokens: each without a word."""
  rng = np.random.default_rng(9)
  tok, ps = data(rng)
  with pytest.raises(ValueError, match="no pose conditioning"): FrameSampler(tiny("none")).generate(tok[:, :2], ps[:, :3])
  with pytest.raises(ValueError, match="is pose-conditioned: give the pose"): FrameSampler(tiny("frame")).generate(tok[:, :2], None)
  for k in (-3, True, 2.5):  # (True ran as greedy sampling, 2.5 failed in numpy naming no argument)
    with pytest.raises(ValueError, match=f"top_k {k!r} a whole number >= 0"): FrameSampler(tiny("frame")).generate(tok[:, :2], ps[:, :3], top_k=k)
  assert FrameSampler(tiny("none")).generate(tok[:, :2], None, temperature=0).shape == tok[:, 0].shape

def test_a_float_context_samples_as_its_int_ids():
  """With prev_frame, a float context (whole-number ids) raised IndexError once embeddings were looked up on the host."""
  m, rng = tiny("frame", prev_frame=True), np.random.default_rng(7)
  tok, ps = data(rng)
  got = [FrameSampler(m).generate(c, ps[:, :3], temperature=0) for c in (tok[:, :2], tok[:, :2].astype(np.float32))]
  np.testing.assert_array_equal(got[0], got[1])

def test_sample_logits_distribution():
  rng = np.random.default_rng(5)
  logits = rng.normal(0, 1, (1, 10))
  draws = np.concatenate([sample_logits(np.repeat(logits, 4000, 0), 0.7, 4, rng) for _ in range(5)])
  top = np.argsort(logits[0])[-4:]
  assert set(np.unique(draws)) <= set(top)
  p = np.exp(logits[0, top] / 0.7); p /= p.sum()
  freq = np.array([(draws == t).mean() for t in top])
  np.testing.assert_allclose(freq, p, atol=0.015)  # 20000 draws: 3 sigma is about 0.01
  np.testing.assert_array_equal(sample_logits(logits, 0, 0, rng), logits.argmax(-1))
  # top_k=1 is greedy (it raised: an empty slice); ties at the k-th value keep k tokens, not all of them (it kept 3 of
  # [2, 1, 1, 0] at k=2)
  np.testing.assert_array_equal(sample_logits(np.repeat(logits, 50, 0), 1.0, 1, rng), np.full(50, logits.argmax()))
  tied = sample_logits(np.tile([[2.0, 1.0, 1.0, 0.0]], (4000, 1)), 1.0, 2, rng)
  assert tied.min() == 0 and len(np.unique(tied)) == 2
  # a tiny positive temperature is all but greedy (logits / 1e-308 overflowed: inf - inf, token 0 on every row)
  for t in (1e-308, 5e-324, 1e-30):
    np.testing.assert_array_equal(sample_logits(np.repeat(logits, 6, 0), t, 0, rng), np.full(6, logits.argmax()))
  # a draw at the very top (1 - 2^-53), above a normalised cdf that rounds under 1, gave the last token, outside the top_k;
  # a draw of 0 must not give a token of probability 0 either (session 40)
  class At:
    def __init__(self, u): self.u = u
    def random(self, shape=None): return np.full(shape, self.u) if shape else self.u
  rows = np.random.default_rng(40).normal(0, 3, (2000, 10))
  for u in (1 - 2**-53, 0.0):
    got = sample_logits(rows, 1.0, 3, At(u))
    assert (np.argsort(-rows, -1)[:, :3] == got[:, None]).any(1).all()
  # one generator per row: a list of one for 8 rows drew one number for all, 8 equal rows (session 43)
  eight = np.repeat(logits, 8, 0)
  assert len(np.unique(sample_logits(eight, 1.0, 0, [np.random.default_rng(k) for k in range(8)]))) > 1
  for gens in ([np.random.default_rng(1)], [np.random.default_rng(k) for k in range(3)]):
    with pytest.raises(ValueError, match=f"{len(gens)} random generators for 8 rows"): sample_logits(eight, 1.0, 0, gens)

def test_sampling_is_inference_whatever_the_training_flag():
  """A training loop leaves Tensor.training on: the sampler then drew dropout masks (at temperature 0, frames differed
  from eval mode's and from each other)."""
  Tensor.manual_seed(0)
  m = WorldModel(WorldConfig(vocab_size=32, tokens_per_frame=8, frames=3, n_layer=1, n_head=2, d_model=16, dropout=0.3))
  rng = np.random.default_rng(0)
  ctx, pose = rng.integers(0, 32, (2, 2, 8)), rng.normal(0, 1, (2, 3, 6)).astype(np.float32)
  outs = []
  for training in (False, True, True):
    Tensor.training = training
    try: outs.append(FrameSampler(m).generate(ctx, pose, temperature=0))
    finally: Tensor.training = False
  assert all(np.array_equal(outs[0], o) for o in outs[1:])
  Tensor.training = True
  try:
    FrameSampler(m).generate(ctx, pose, temperature=0)
    assert Tensor.training and not Tensor.no_grad   # the caller's flags are back
  finally: Tensor.training = False

def test_scoring_is_inference_whatever_the_training_flag():
  """Session 51 (a review): train-disengage or BC earlier in the process left Tensor.training on, and train-world's
  held-out bits per token (its Scorer) were scored with dropout: 9.896 against eval-world's 9.874, unsaid."""
  from train.world import Scorer
  Tensor.manual_seed(0)
  m = WorldModel(WorldConfig(vocab_size=32, tokens_per_frame=8, frames=3, n_layer=1, n_head=2, d_model=16, dropout=0.3))
  rng = np.random.default_rng(1)
  tok, pose = rng.integers(0, 32, (2, 3, 8)), rng.normal(0, 1, (2, 3, 6)).astype(np.float32)
  outs = []
  for training in (False, True, True):
    Tensor.training = training
    try: outs.append(Scorer(m)(tok, pose))
    finally: Tensor.training = False
  assert all(np.array_equal(outs[0], o) for o in outs[1:])

def test_bad_config_rejected():
  with pytest.raises(ValueError, match="pose"): WorldConfig(pose="tokens")
  with pytest.raises(ValueError, match="d_model"): WorldConfig(d_model=30, n_head=4)
  m = tiny()
  with pytest.raises(ValueError, match="tokens"): m(Tensor(np.zeros((1, 4, 6), np.int32)))

def test_strided_motion_matches_absolute_poses():
  """Composed motions over `stride` frames equal the relative pose computed directly from absolute poses."""
  rng = np.random.default_rng(6)
  n = 12
  R = rot_from_axis_angle(rng.normal(0, 0.3, (n, 3)))             # camera -> world
  pos = np.cumsum(rng.normal(0, 1, (n, 3)), 0)
  rel = np.concatenate([np.einsum("nji,nj->ni", R[:-1], pos[1:] - pos[:-1]),
                        axis_angle_from_rot(np.einsum("nji,njk->nik", R[:-1], R[1:]))], 1)
  rel = np.concatenate([rel, rel[-1:]])
  for stride in (1, 3):
    got = strided_motion(rel, stride)
    for i in range(stride, n):
      t = R[i - stride].T @ (pos[i] - pos[i - stride])
      r = axis_angle_from_rot(R[i - stride].T @ R[i])
      np.testing.assert_allclose(got[i], np.concatenate([t, r]), atol=1e-5)
    assert not got[:stride].any()

def test_dropout_reaches_the_attention_and_the_inputs():
  """model.dropout reached only the MLP's output (nanoGPT's, and gpt.py's, also drop the attention's output and the
  embeddings): with the MLP branch zeroed, two training passes at dropout 0.9 came out equal."""
  Tensor.manual_seed(3)
  m = WorldModel(WorldConfig(vocab_size=8, tokens_per_frame=2, frames=2, n_layer=1, n_head=2, d_model=8, dropout=0.9, pose="none"))
  for blk in m.h: blk.mlp.c_proj.weight = Tensor.zeros(*blk.mlp.c_proj.weight.shape).contiguous()
  tok = Tensor(np.array([[[1, 2], [3, 4]]], np.int32))
  with Tensor.train(): a, b = m(tok).numpy(), m(tok).numpy()
  plain = m(tok).numpy()
  assert not np.allclose(a, b) and not np.allclose(a, plain) and np.array_equal(plain, m(tok).numpy())
