"""drivegpt.nn layers against float64 numpy references (forward, hand-written backward, finite differences), their
PyTorch-style init, state dicts, and the conv autoencoder acceptance test."""
import functools, math, re, sys, time, zlib
import numpy as np
import pytest
from drivegpt import Tensor
from drivegpt.nn import (Linear, Conv2d, ConvTranspose2d, Embedding, LayerNorm, GroupNorm, RMSNorm, Dropout, CausalSelfAttention,
                         get_parameters, get_state_dict, load_state_dict)
from drivegpt.nn.optim import Adam
import helpers_nn as ref

@pytest.fixture
def rng(request):
  return np.random.default_rng(zlib.crc32(request.node.name.encode()))  # hash() is salted per process

@pytest.mark.parametrize("shape,fin,fout,bias", [((5,), 3, 4, True), ((2, 3), 7, 5, True), ((4,), 6, 2, False), ((2, 1, 3), 8, 8, True)])
def test_linear(rng, shape, fin, fout, bias):
  ref.check_layer(Linear(fin, fout, bias), [rng.standard_normal((*shape, fin))], ref.linear, ref.linear_grad, rng)

@pytest.mark.parametrize("cin,cout,k,stride,padding,dilation,groups,bias,hw", [
  (3, 4, 3, 1, 0, 1, 1, True, (7, 6)), (2, 4, 3, 2, 1, 1, 1, True, (8, 8)), (4, 6, (2, 3), 1, 2, 1, 2, False, (5, 7)),
  (2, 3, 3, 1, 1, 2, 1, True, (7, 7)), (4, 4, 1, 3, 0, 1, 4, True, (6, 5))])
def test_conv2d(rng, cin, cout, k, stride, padding, dilation, groups, bias, hw):
  kw = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
  ref.check_layer(Conv2d(cin, cout, k, bias=bias, **kw), [rng.standard_normal((2, cin, *hw))],
                  functools.partial(ref.conv2d, **kw), functools.partial(ref.conv2d_grad, **kw), rng)

@pytest.mark.parametrize("cin,cout,k,stride,padding,output_padding,dilation,groups,bias,hw", [
  (3, 2, 3, 1, 0, 0, 1, 1, True, (4, 5)), (4, 3, 4, 2, 1, 0, 1, 1, True, (4, 4)), (2, 2, 3, 2, 1, 1, 1, 1, False, (3, 5)),
  (4, 6, 3, 1, 1, 0, 2, 2, True, (5, 4)), (2, 3, 2, 3, 0, 2, 1, 1, True, (3, 3))])
def test_conv_transpose2d(rng, cin, cout, k, stride, padding, output_padding, dilation, groups, bias, hw):
  kw = dict(stride=stride, padding=padding, output_padding=output_padding, dilation=dilation, groups=groups)
  ref.check_layer(ConvTranspose2d(cin, cout, k, bias=bias, **kw), [rng.standard_normal((2, cin, *hw))],
                  functools.partial(ref.conv_transpose2d, **kw), functools.partial(ref.conv_transpose2d_grad, **kw), rng)

@pytest.mark.parametrize("idx_shape,vocab,dim", [((5,), 7, 3), ((2, 6), 11, 4), ((3, 2, 2), 4, 5)])
def test_embedding(rng, idx_shape, vocab, dim):
  idx = rng.integers(0, vocab, idx_shape)
  idx.reshape(-1)[:2] = idx.reshape(-1)[0]  # a repeated index: its gradient rows must add up
  ref.check_layer(Embedding(vocab, dim), [idx], ref.embedding, ref.embedding_grad, rng)

@pytest.mark.parametrize("shape,normalized", [((4, 6), 6), ((2, 3, 5), 5), ((2, 3, 4), (3, 4))])
def test_layernorm(rng, shape, normalized):
  n = 1 if isinstance(normalized, int) else len(normalized)
  ref.check_layer(LayerNorm(normalized), [rng.standard_normal(shape) * 2 + 0.5],
                  functools.partial(ref.layernorm, n=n), functools.partial(ref.layernorm_grad, n=n), rng)

def test_layernorm_without_affine(rng):
  ln = LayerNorm(5, elementwise_affine=False)
  assert get_state_dict(ln) == {}
  ref.check_layer(ln, [rng.standard_normal((3, 5))], ref.layernorm, ref.layernorm_grad, rng)

@pytest.mark.parametrize("shape,groups", [((2, 6, 3, 3), 3), ((3, 4, 5), 2), ((2, 4, 2, 3), 1), ((2, 4, 3, 2), 4)])
def test_groupnorm(rng, shape, groups):
  ref.check_layer(GroupNorm(groups, shape[1]), [rng.standard_normal(shape) + 0.3],
                  functools.partial(ref.groupnorm, groups=groups), functools.partial(ref.groupnorm_grad, groups=groups), rng)

@pytest.mark.parametrize("shape", [(4, 6), (2, 3, 8)])
def test_rmsnorm(rng, shape):
  ref.check_layer(RMSNorm(shape[-1]), [rng.standard_normal(shape)], ref.rmsnorm, ref.rmsnorm_grad, rng)

def test_norm_layers_use_their_eps(rng):
  """A LayerNorm's and an RMSNorm's own eps, not a default: on inputs of scale 0.05 an eps of 0.01 changes the output
  ~2x (a LayerNorm that passed 1e-5 on gave +-1.34 for PyTorch's +-0.45)."""
  x = rng.standard_normal((3, 6)) * 0.05 + 0.02
  d = x - x.mean(-1, keepdims=True)
  np.testing.assert_allclose(LayerNorm(6, eps=0.01)(Tensor(x.astype(np.float32))).numpy(), d / np.sqrt((d*d).mean(-1, keepdims=True) + 0.01), rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(RMSNorm(6, eps=0.01)(Tensor(x.astype(np.float32))).numpy(), x / np.sqrt((x*x).mean(-1, keepdims=True) + 0.01), rtol=1e-5, atol=1e-6)

@pytest.mark.parametrize("B,T,C,H,bias", [(2, 5, 8, 2, True), (1, 7, 12, 3, False), (3, 4, 8, 1, True)])
def test_attention(rng, B, T, C, H, bias):
  ref.check_layer(CausalSelfAttention(C, H, bias=bias), [rng.standard_normal((B, T, C))],
                  functools.partial(ref.attention, n_heads=H), functools.partial(ref.attention_grad, n_heads=H), rng)

def test_attention_kv_cache_matches_full_sequence(rng):
  B, T, C, H = 2, 7, 12, 3
  attn = CausalSelfAttention(C, H, max_context=T)
  p = ref.randomize(attn, rng)
  x = rng.standard_normal((B, T, C)).astype(np.float32)
  want = ref.attention(p, x.astype(np.float64), H)
  pieces, pos = [], 0
  for n in (3, 1, 2, 1):  # a prompt, then tokens one or two at a time
    pieces.append(attn(Tensor(x[:, pos:pos + n]), start_pos=pos, use_cache=True).numpy())
    pos += n
  np.testing.assert_allclose(np.concatenate(pieces, 1), want, rtol=1e-4, atol=1e-5)
  assert "_cache_k" not in " ".join(get_state_dict(attn))
  # start_pos=0 starts a new sequence; a start_pos the cache doesn't hold, or past max_context, is an error
  np.testing.assert_allclose(attn(Tensor(x[:, :2]), 0, use_cache=True).numpy(), want[:, :2], rtol=1e-4, atol=1e-5)
  with pytest.raises(ValueError, match="cache holds 2 positions, but start_pos is 4"): attn(Tensor(x[:, :1]), 4, use_cache=True)
  with pytest.raises(ValueError, match="exceed max_context 7"): attn(Tensor(x[:, :6]), 2, use_cache=True)

def test_dropout(rng):
  x = rng.uniform(0.5, 1.5, (64, 64))
  d = Dropout(0.25)
  np.testing.assert_array_equal(d(Tensor(x.astype(np.float32))).numpy(), x.astype(np.float32))  # not training: identity
  Tensor.training = True
  try:
    t = Tensor(x.astype(np.float32), requires_grad=True)
    out = d(t)
    R = rng.standard_normal(x.shape)
    (out * Tensor(R.astype(np.float32))).sum().backward()
  finally: Tensor.training = False
  y = out.numpy()
  keep = y != 0
  assert abs(1 - keep.mean() - 0.25) < 0.03, f"dropped {1 - keep.mean():.3f} of elements, expected 0.25"
  np.testing.assert_allclose(y[keep], x[keep] / 0.75, rtol=1e-6)
  np.testing.assert_allclose(t.grad.numpy(), R * keep / 0.75, rtol=1e-6)
  with pytest.raises(ValueError, match="p must be in"): Dropout(1.5)
  prev, Tensor.training = Tensor.training, True
  try: assert (Dropout(1.0)(Tensor(x.astype(np.float32))).numpy() == 0).all()   # (refused until a review: PyTorch gives zeros)
  finally: Tensor.training = prev

def test_layer_arguments_are_checked_and_numpy_ints_taken():
  """A review: groups 0 or n_heads 0 were a ZeroDivisionError, a kernel of -1 a 'math domain error', numpy ints 'not
  iterable'; RMSNorm's eps was 1e-6, not PyTorch's machine epsilon (27% off on activations of scale 1e-3)."""
  for make, msg in ((lambda: Conv2d(4, 4, 3, groups=0), "Conv2d: groups must be a whole number >= 1, got 0"),
                    (lambda: Conv2d(4, 4, (3, -1)), "Conv2d: kernel_size must be a whole number >= 1, got -1"),
                    (lambda: Conv2d(4, 4, 3, padding=-1), "padding must be a whole number >= 0"),
                    (lambda: ConvTranspose2d(4, 4, 0), "ConvTranspose2d: kernel_size must be"),
                    (lambda: GroupNorm(0, 4), "GroupNorm: num_groups must be"), (lambda: CausalSelfAttention(8, 0), "n_heads must be"),
                    (lambda: Linear(2.5, 3), "Linear: in_features must be a whole number >= 0")):
    with pytest.raises(ValueError, match=re.escape(msg)): make()
  c = Conv2d(4, 6, np.int64(3), stride=np.int64(2), padding=np.int64(1), groups=np.int64(2))
  assert (c.kernel_size, c.stride, c.padding, c.groups, c.weight.shape) == ((3, 3), 2, 1, 2, (6, 2, 3, 3))
  assert LayerNorm(np.int64(4)).normalized_shape == (4,) and Linear(0, 5).weight.shape == (5, 0)
  x = np.random.default_rng(0).standard_normal((3, 8)).astype(np.float32) * 1e-3
  np.testing.assert_allclose(RMSNorm(8)(Tensor(x)).numpy(), ref.rmsnorm({"weight": 1.0}, x.astype(np.float64)), rtol=1e-5)
  h = (x * 10).astype(np.float16)   # half input: float32's epsilon too, as PyTorch (half's 9.8e-4 was 79% off at 1e-2)
  np.testing.assert_allclose(RMSNorm(8)(Tensor(h)).numpy(), ref.rmsnorm({"weight": 1.0}, h.astype(np.float64)), rtol=2e-3)
  assert (Linear(0, 5).bias.numpy() == 0).all()   # PyTorch's bound for no inputs: 0
  assert abs(ref.rmsnorm({"weight": 1.0}, x.astype(np.float64), 1e-6) / ref.rmsnorm({"weight": 1.0}, x.astype(np.float64)) - 1).max() > 0.1  # (the old eps)

def test_init_bounds_and_stats():
  # PyTorch's defaults: uniform(+-1/sqrt(fan_in)) for Linear/conv weights and biases, N(0, 1) embeddings, 1/0 norms
  Tensor.manual_seed(5)
  for layer, fan_in in [(Linear(300, 200), 300), (Conv2d(6, 40, 5, groups=2), 3*25), (ConvTranspose2d(8, 40, 4, groups=2), 20*16)]:
    w, b = layer.weight.numpy(), layer.bias.numpy()
    bound = 1 / math.sqrt(fan_in)
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound, "uniform(-b, b) has std b/sqrt(3)"
  e = Embedding(500, 64).weight.numpy()
  assert abs(e.mean()) < 0.02 and abs(e.std() - 1) < 0.02
  ln = LayerNorm((3, 4))
  np.testing.assert_array_equal(ln.weight.numpy(), np.ones((3, 4))); np.testing.assert_array_equal(ln.bias.numpy(), np.zeros((3, 4)))

def test_layer_shape_errors():
  with pytest.raises(ValueError, match="not divisible by n_heads 3"): CausalSelfAttention(8, 3)
  with pytest.raises(ValueError, match="divisible by groups 3"): Conv2d(4, 6, 3, groups=3)
  with pytest.raises(ValueError, match=r"expected input \(N, 4, ...\)"): GroupNorm(2, 4)(Tensor.ones(2, 3, 5))
  with pytest.raises(ValueError, match=r"doesn't end with it"): LayerNorm(5)(Tensor.ones(2, 4))

class _Net:
  def __init__(self):
    self.layers = [Linear(3, 4), {"norm": LayerNorm(4), "skip": None}, (Conv2d(1, 2, 3, bias=False),)]
    self.head = Linear(4, 3, bias=False)
    self.tied = self.head  # the same layer reachable twice
    self.scale, self.name, self._scratch = 2.0, "net", Tensor.ones(3)

def test_state_dict_names_and_dedup():
  net = _Net()
  sd = get_state_dict(net)
  assert list(sd) == ["layers.0.weight", "layers.0.bias", "layers.1.norm.weight", "layers.1.norm.bias", "layers.2.0.weight",
                      "head.weight", "tied.weight"]
  params = get_parameters(net)
  assert len(params) == 6 and {id(p) for p in params} == {id(t) for t in sd.values()}
  assert get_state_dict(net.layers, prefix="m.").keys() >= {"m.0.weight", "m.1.norm.bias"}

def test_load_state_dict(rng):
  a, b = _Net(), _Net()
  vals = {id(t): Tensor(rng.standard_normal(t.shape).astype(np.float32)) for t in get_state_dict(b).values()}  # tied: one value
  load_state_dict(b, {k: vals[id(t)] for k, t in get_state_dict(b).items()})
  load_state_dict(a, get_state_dict(b))
  for (k, x), y in zip(get_state_dict(a).items(), get_state_dict(b).values()): np.testing.assert_array_equal(x.numpy(), y.numpy(), err_msg=k)
  good = {k: v.numpy() for k, v in get_state_dict(b).items()}
  before = a.layers[0].weight.numpy()
  # (head.weight alone missing is no error: its tied name tied.weight gives it, as PyTorch's safetensors files keep one name)
  bad_cases = [({k: v for k, v in good.items() if k not in ("head.weight", "tied.weight")}, KeyError, "missing key 'head.weight'"),
               (good | {"layers.9.weight": good["head.weight"]}, KeyError, "unexpected key 'layers.9.weight'"),
               (good | {"layers.1.norm.bias": np.zeros(5, np.float32)}, ValueError, r"'layers.1.norm.bias' has shape \(5,\), expected \(4,\)"),
               (good | {"head.weight": good["head.weight"].astype(np.int32)}, ValueError, "'head.weight' has dtype dtypes.int32, expected dtypes.float32")]
  for sd, err, msg in bad_cases:
    with pytest.raises(err, match=msg): load_state_dict(a, sd | {"layers.0.weight": before + 1})
    np.testing.assert_array_equal(a.layers[0].weight.numpy(), before)  # nothing was written
  load_state_dict(a, {"head.weight": good["head.weight"] * 2}, strict=False)
  np.testing.assert_array_equal(a.head.weight.numpy(), good["head.weight"] * 2)

def _images(rng, n: int, size: int) -> np.ndarray:
  """Random but structured: each image is a few smooth blobs and a stripe pattern, so it compresses well."""
  yy, xx = np.mgrid[0:size, 0:size] / size
  imgs = np.zeros((n, 1, size, size))
  for i in range(n):
    for _ in range(3):
      cy, cx, r = rng.uniform(0.2, 0.8, 2).tolist() + [rng.uniform(0.1, 0.25)]
      imgs[i, 0] += rng.uniform(-1, 1) * np.exp(-((yy - cy)**2 + (xx - cx)**2) / (2 * r * r))
    th, f = rng.uniform(0, np.pi), rng.uniform(1, 3)
    imgs[i, 0] += 0.3 * np.sin(2 * np.pi * f * (np.cos(th) * xx + np.sin(th) * yy))
  return imgs.astype(np.float32)

def test_conv_autoencoder_learns():
  """Acceptance: a stride-2 conv encoder and ConvTranspose2d decoder cut reconstruction MSE on fixed images 10x."""
  Tensor.manual_seed(0)
  imgs = _images(np.random.default_rng(0), 16, 16)
  enc = [Conv2d(1, 16, 3, stride=2, padding=1), Conv2d(16, 32, 3, stride=2, padding=1)]           # 16 -> 8 -> 4
  dec = [ConvTranspose2d(32, 16, 4, stride=2, padding=1), ConvTranspose2d(16, 1, 4, stride=2, padding=1)]  # 4 -> 8 -> 16
  def model(x): return x.sequential([enc[0], Tensor.relu, enc[1], Tensor.relu, dec[0], Tensor.relu, dec[1]])
  opt = Adam(get_parameters([enc, dec]), lr=3e-3)
  x = Tensor(imgs)
  t0, losses = time.perf_counter(), []
  for step in range(300):
    loss = (model(x) - x).square().mean()
    opt.zero_grad()
    loss.backward()
    opt.step(loss)
    losses.append(loss.item())
    if losses[-1] < losses[0] / 10: break
  dt = time.perf_counter() - t0
  print(f"\nconv autoencoder: mse {losses[0]:.4f} -> {losses[-1]:.5f} ({losses[0]/losses[-1]:.1f}x) in {len(losses)} steps, {dt:.1f} s", file=sys.stderr)
  assert losses[-1] < losses[0] / 10, f"mse only fell from {losses[0]:.4f} to {losses[-1]:.4f} in {len(losses)} steps"
  assert dt < 60

def test_review_19_nn_refusals():
  """A review (twentieth session): Embedding with float indices picked rows of zeros (0.5) and bool ones rows 0 and 1;
  a weight frozen when its optimizer was made, unfrozen later, got gradients and never an update; two tensors reachable
  under one dotted name ({0: a, "0": b}) left one out of state dicts, checkpoints and optimizers. All refused now."""
  from drivegpt.nn import Embedding, Linear, get_state_dict
  from drivegpt.nn.optim import SGD
  rng = np.random.default_rng(19)
  emb = Embedding(5, 3)
  np.testing.assert_allclose(emb(Tensor(np.array([4, 0], np.int32))).numpy(), emb.weight.numpy()[[4, 0]])
  for bad in (Tensor(np.array([0.5, 2.0], np.float32)), Tensor(np.array([True, False]))):
    with pytest.raises(TypeError, match="Embedding indices must be an int tensor"): emb(bad)
  lin = Linear(4, 2)
  lin.weight.requires_grad = False
  opt = SGD([lin.weight, lin.bias], lr=0.1)
  lin.weight.requires_grad = True
  lin(Tensor(rng.standard_normal((3, 4)).astype(np.float32))).sum().backward()
  with pytest.raises(RuntimeError, match="frozen .* make the optimizer after unfreezing"): opt.step()
  class Two:
    def __init__(self): self.d = {0: Tensor([3.0]), "0": Tensor([4.0])}
  with pytest.raises(ValueError, match="two different tensors are both named 'd.0'"): get_state_dict(Two())
  class Tied:
    def __init__(self): t = Tensor([1.0]); self.d = {0: t, "0": t}
  assert list(get_state_dict(Tied())) == ["d.0"]  # the same tensor twice: one name, as before
  for bad in (dict(dilation=0), dict(stride=(1, 0))):
    with pytest.raises(ValueError, match="(dilation|stride) must be a whole number >= 1"): Conv2d(2, 2, 3, **bad)
  for bad in (dict(stride=2, output_padding=2), dict(stride=1, output_padding=1), dict(stride=2, output_padding=-1)):
    with pytest.raises(ValueError, match="output_padding"): ConvTranspose2d(2, 2, 3, **bad)
  ConvTranspose2d(2, 2, 3, stride=1, dilation=2, output_padding=1)  # below the dilation: allowed, as PyTorch

def test_half_rmsnorm_large_values_and_negative_conv_padding(rng):
  """From a review: RMSNorm of float16 values over ~256 squared them in half precision (inf), so the output was all
  zeros (PyTorch in half: the right numbers); Conv2d and ConvTranspose2d took a negative padding and cropped the input
  (PyTorch refuses it)."""
  x = (rng.standard_normal((3, 16)) * 300).astype(np.float16)
  got = RMSNorm(16)(Tensor(x)).numpy()
  x64 = x.astype(np.float64)
  np.testing.assert_allclose(got, x64 / np.sqrt((x64**2).mean(-1, keepdims=True) + 1e-6), rtol=2e-3)
  for pad in (-1, (0, -1), (1, -1, 0, 0)):
    with pytest.raises(ValueError, match="padding must be a whole number >= 0"): Conv2d(1, 1, 3, padding=pad)
  with pytest.raises(ValueError, match="padding must be a whole number >= 0, got -1"): ConvTranspose2d(1, 1, 3, padding=-1)
  assert Conv2d(1, 1, 3, padding="same")(Tensor(rng.standard_normal((1, 1, 5, 5)).astype(np.float32))).shape == (1, 1, 5, 5)

def test_tied_weights_given_two_different_values_are_refused(rng):
  """A model whose head is tied to its embedding, loaded from an untied state dict: the head's values were dropped
  without a word (the first name's written). Equal values (what get_state_dict saves) load; different ones are refused."""
  from drivegpt.nn import load_state_dict, Embedding, Linear
  class Tied:
    def __init__(self): self.emb, self.head = Embedding(4, 2), Linear(2, 4, bias=False); self.head.weight = self.emb.weight
  m, w = Tied(), rng.standard_normal((4, 2)).astype(np.float32)
  load_state_dict(m, {"emb.weight": w, "head.weight": w.copy()})
  np.testing.assert_array_equal(m.head.weight.numpy(), w)
  with pytest.raises(ValueError, match="'head.weight' and 'emb.weight' are one tied tensor"):
    load_state_dict(m, {"emb.weight": np.zeros((4, 2), np.float32), "head.weight": w})
  np.testing.assert_array_equal(m.emb.weight.numpy(), w)   # nothing written

def test_a_bfloat16_tensor_is_refused_with_the_way_out():
  torch = pytest.importorskip("torch")
  from drivegpt.nn import load_state_dict
  lin = Linear(2, 3)
  with pytest.raises(TypeError, match=r"'weight': .*BFloat16.* \(convert it first: \.float\(\)\)"):
    load_state_dict(lin, {"weight": torch.zeros(3, 2, dtype=torch.bfloat16), "bias": torch.zeros(3)})
