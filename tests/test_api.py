"""The API people port from (issue 10): indexing with tensors, lists and masks, __setitem__, gather in tinygrad's and
PyTorch's signatures, 1-D matmul, pool padding, conv2d padding='same', cross_entropy with label smoothing,
multinomial, stack, and PyTorch's exception types. References are float64 numpy (PyTorch's rules written in numpy)."""
import math, zlib
import numpy as np
import pytest
from drivegpt import Tensor, dtypes
from drivegpt.nn import Conv2d
import helpers_nn as ref

def rng_for(name: str) -> np.random.Generator: return np.random.default_rng(zlib.crc32(name.encode()))

def engine_grad(f, x: np.ndarray, up: np.ndarray) -> np.ndarray:
  t = Tensor(x.astype(np.float32), requires_grad=True)
  (f(t) * Tensor(up.astype(np.float32))).sum().backward()
  return t.grad.numpy()

def numpy_index_grad(x: np.ndarray, idx, up: np.ndarray) -> np.ndarray:
  """The gradient of sum(x[idx] * up): a scatter-add of up into x's shape."""
  g = np.zeros_like(x)
  np.add.at(g, idx, up)
  return g

# *** indexing ***

def _np_idx(i):
  return i.numpy() if isinstance(i, Tensor) else np.array(i) if isinstance(i, list) else i

INDEXES = {  # index -> the same index for numpy; all are cases where PyTorch and numpy agree
  "tensor": lambda r: (Tensor(r.integers(0, 4, 3)),),
  "list": lambda r: ([2, 0, 2],),
  "negative": lambda r: (Tensor([-1, 0, -4]),),
  "2d tensor": lambda r: (Tensor(r.integers(0, 4, (2, 3))),),
  "slice then list": lambda r: (slice(1, None), [2, 0]),
  "ellipsis then tensor": lambda r: (Ellipsis, Tensor([[5], [1]])),
  "two broadcast": lambda r: ([[0], [3]], slice(None), [1, 5]),
  "adjacent pair": lambda r: (slice(None), Tensor([0, 2, 1]), Tensor([5, 5, 0])),
  "None and list": lambda r: (None, [1, 3], slice(None, None, -2)),
  "int and list": lambda r: (1, [0, 2]),
  "bool mask": lambda r: (r.random((4, 3)) > 0.4,),
  "bool mask tensor": lambda r: (slice(None), Tensor(r.random(3) > 0.5)),
  "bool list": lambda r: ([True, False, False, True],),
}

@pytest.mark.parametrize("name", list(INDEXES))
def test_advanced_indexing_value_and_gradient(name):
  rng = rng_for(name)
  x = rng.standard_normal((4, 3, 6))
  idx = INDEXES[name](rng)
  nidx = tuple(_np_idx(i) for i in idx)
  want = x[nidx]
  got = Tensor(x.astype(np.float32))[idx if len(idx) > 1 else idx[0]]
  assert got.shape == want.shape and got.dtype == dtypes.float32
  np.testing.assert_allclose(got.numpy(), want, rtol=1e-6)
  up = rng.standard_normal(want.shape)
  np.testing.assert_allclose(engine_grad(lambda t: t[idx if len(idx) > 1 else idx[0]], x, up), numpy_index_grad(x, nidx, up), rtol=1e-5, atol=1e-6)

def test_indexing_follows_pytorch_where_numpy_differs():
  # PyTorch treats an int as basic indexing: x[0, :, [1, 2]] is (3, 2) (numpy says (2, 3))
  x = np.arange(24.0).reshape(2, 3, 4)
  got = Tensor(x)[0, :, [1, 2]]
  np.testing.assert_array_equal(got.numpy(), x[0][:, [1, 2]])

def test_indexing_int_tensors_keep_their_dtype():
  x = np.arange(-6, 6).reshape(3, 4).astype(np.int32)
  got = Tensor(x)[Tensor([2, 0])]
  assert got.dtype == dtypes.int32
  np.testing.assert_array_equal(got.numpy(), x[[2, 0]])

def test_indexing_errors():
  t = Tensor.ones(3, 4, device="CPU")  # host indices are checked eagerly (on a device they give NaN: test_correctness.py)
  with pytest.raises(IndexError): t[Tensor([0.5])]
  with pytest.raises(IndexError): t[0, 0, 0]
  with pytest.raises(IndexError): t[[3]]
  with pytest.raises(IndexError): t[:, [-5]]

SETITEMS = {
  "int": lambda r: ((1,), r.standard_normal(6)),
  "slice": lambda r: ((slice(None), slice(1, 4)), r.standard_normal((4, 3))),
  "step slice scalar": lambda r: ((slice(None, None, 2), slice(None, None, -3)), 7.5),
  "list": lambda r: (([3, 0],), r.standard_normal((2, 6))),
  "pair": lambda r: (([0, 1, 3], [5, 0, 2]), r.standard_normal(3)),
  "mask": lambda r: ((r.random((4, 6)) > 0.5,), -1.0),
  "broadcast": lambda r: ((slice(None), [1, 4]), r.standard_normal((1, 2))),
}

@pytest.mark.parametrize("name", list(SETITEMS))
def test_setitem(name):
  rng = rng_for(name)
  x = rng.standard_normal((4, 6)).astype(np.float32)
  idx, v = SETITEMS[name](rng)
  want = x.copy()
  want[tuple(_np_idx(i) for i in idx)] = v
  t = Tensor(x).realize()
  t[idx if len(idx) > 1 else idx[0]] = Tensor(np.asarray(v, np.float32)) if isinstance(v, np.ndarray) else v
  np.testing.assert_allclose(t.numpy(), want, rtol=1e-6)

def test_setitem_int_tensor_and_inside_a_graph():
  a = Tensor(np.arange(10).astype(np.int32))
  a[2:5] = 2**20 + 3
  assert a.dtype == dtypes.int32 and a.tolist() == [0, 1] + [2**20 + 3]*3 + [5, 6, 7, 8, 9]
  x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
  h = x * 2
  h[1] = 10.0  # as PyTorch: the overwritten element's gradient is cut
  (h * h).sum().backward()
  np.testing.assert_allclose(h.numpy(), [2, 10, 6])
  np.testing.assert_allclose(x.grad.numpy(), [8, 0, 24])

@pytest.mark.parametrize("shape,dim", [((4, 5), 1), ((3, 4, 2), 0), ((2, 3, 4), -1)])
def test_gather_both_signatures(shape, dim):
  rng = rng_for(f"gather{shape}")
  x = rng.standard_normal(shape)
  ishape = list(shape)
  ishape[dim] = 3
  ishape = [max(1, s - (i % 2)) if i != dim % len(shape) else s for i, s in enumerate(ishape)]  # index may be smaller elsewhere
  idx = rng.integers(0, shape[dim], ishape)
  small = x[tuple(slice(0, s) if i != dim % len(shape) else slice(None) for i, s in enumerate(ishape))]
  want = np.take_along_axis(small, idx, dim)
  np.testing.assert_allclose(Tensor(x.astype(np.float32)).gather(dim, Tensor(idx)).numpy(), want, rtol=1e-6)  # PyTorch, tinygrad 0.9
  np.testing.assert_allclose(Tensor(x.astype(np.float32)).gather(Tensor(idx), dim).numpy(), want, rtol=1e-6)  # tinygrad 0.7/0.8
  up = rng.standard_normal(want.shape)
  g = np.zeros_like(x)
  np.put_along_axis(sub := np.zeros_like(small), idx, 0, dim)
  for pos in np.ndindex(idx.shape):  # scatter-add
    src = list(pos); src[dim % len(shape)] = idx[pos]
    g[tuple(src)] += up[pos]
  np.testing.assert_allclose(engine_grad(lambda t: t.gather(dim, Tensor(idx)), x, up), g, rtol=1e-5, atol=1e-6)
  with pytest.raises(RuntimeError): Tensor(x).gather(dim, Tensor(idx).reshape(-1))

# *** matmul with 1-D operands (numpy's rules) ***

@pytest.mark.parametrize("sa,sb", [((5,), (5,)), ((5,), (5, 3)), ((4, 5), (5,)), ((2, 4, 5), (5,)), ((5,), (2, 5, 3))])
def test_matmul_1d(sa, sb):
  rng = rng_for(f"mm{sa}{sb}")
  a, b = rng.standard_normal(sa), rng.standard_normal(sb)
  want = a @ b
  got = Tensor(a.astype(np.float32)) @ Tensor(b.astype(np.float32))
  assert got.shape == np.shape(want)
  np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-5)
  up = rng.standard_normal(np.shape(want))
  ga = engine_grad(lambda t: t @ Tensor(b.astype(np.float32)), a, up)
  eps, fd = 1e-6, np.zeros_like(a)
  for i in np.ndindex(a.shape):
    ap = a.copy(); ap[i] += eps
    fd[i] = (((ap @ b) - want) * up).sum() / eps
  np.testing.assert_allclose(ga, fd, rtol=1e-4, atol=1e-4)
  assert Tensor(a.astype(np.float32)).dot(Tensor(b.astype(np.float32))).shape == np.shape(want)

# *** pooling padding, conv2d padding='same' ***

def np_pool(x, k, s, p, fill, fn):
  xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=fill)
  oh, ow = (xp.shape[2] - k) // s + 1, (xp.shape[3] - k) // s + 1
  return np.array([[[[fn(xp[n, c, i*s:i*s+k, j*s:j*s+k]) for j in range(ow)] for i in range(oh)] for c in range(x.shape[1])] for n in range(x.shape[0])])

@pytest.mark.parametrize("k,s,p", [(3, 2, 1), (2, 2, 1), (3, 1, 1), (4, 3, 2)])
def test_pool_padding(k, s, p):
  rng = rng_for(f"pool{k}{s}{p}")
  x = rng.standard_normal((2, 3, 7, 6))
  np.testing.assert_allclose(Tensor(x.astype(np.float32)).max_pool2d(k, s, padding=p).numpy(), np_pool(x, k, s, p, -np.inf, np.max), rtol=1e-6)
  np.testing.assert_allclose(Tensor(x.astype(np.float32)).avg_pool2d(k, s, padding=p).numpy(), np_pool(x, k, s, p, 0.0, np.mean), rtol=1e-5)
  with pytest.raises(ValueError, match="half the kernel"): Tensor(x).max_pool2d(k, s, padding=k)

@pytest.mark.parametrize("k,dilation", [(3, 1), (4, 1), ((2, 5), 1), (3, 2), (4, 3)])
def test_conv2d_padding_same(k, dilation):
  rng = rng_for(f"same{k}{dilation}")
  kh, kw = (k, k) if isinstance(k, int) else k
  x, w, b = rng.standard_normal((2, 3, 9, 8)), rng.standard_normal((4, 3, kh, kw)), rng.standard_normal(4)
  # PyTorch's 'same': total padding d*(k-1) per dim, the odd pixel after
  th, tw = dilation*(kh - 1), dilation*(kw - 1)
  xp = np.pad(x, ((0, 0), (0, 0), (th//2, th - th//2), (tw//2, tw - tw//2)))
  want = ref.conv2d({"weight": w, "bias": b}, xp, dilation=dilation)
  got = Tensor(x.astype(np.float32)).conv2d(Tensor(w.astype(np.float32)), Tensor(b.astype(np.float32)), dilation=dilation, padding="same")
  assert got.shape == x.shape[:1] + (4,) + x.shape[2:]
  np.testing.assert_allclose(got.numpy(), want, rtol=1e-4, atol=1e-4)
  layer = Conv2d(3, 4, k, padding="same", dilation=dilation)
  assert layer(Tensor(x.astype(np.float32))).shape == got.shape
  assert Tensor(x.astype(np.float32)).conv2d(Tensor(w.astype(np.float32)), padding="valid").shape[2:] == (9 - kh + 1, 8 - kw + 1)
  with pytest.raises(ValueError, match="stride 1"): Tensor(x).conv2d(Tensor(w), padding="same", stride=2)

# *** cross_entropy: PyTorch's F.cross_entropy ***

def np_cross_entropy(x, y, reduction="mean", label_smoothing=0.0, ignore_index=-100, cdim=1):
  """PyTorch's formula: per element (1-e)*(-logp[y]) + e*mean_c(-logp[c]); ignored targets give 0 and don't count."""
  logp = x - x.max(cdim, keepdims=True)
  logp = logp - np.log(np.exp(logp).sum(cdim, keepdims=True))
  logp = np.moveaxis(logp, cdim, -1)
  if y.dtype.kind == "f":  # probabilities
    t = np.moveaxis(y, cdim, -1) * (1 - label_smoothing) + label_smoothing / x.shape[cdim]
    loss, count = -(logp * t).sum(-1), loss_count(logp)
  else:
    keep = y != ignore_index
    picked = np.take_along_axis(logp, np.where(keep, y, 0)[..., None], -1)[..., 0]
    loss = np.where(keep, -(1 - label_smoothing) * picked - label_smoothing * logp.mean(-1), 0)
    count = keep.sum()
  return loss if reduction == "none" else loss.sum() if reduction == "sum" else loss.sum() / count
def loss_count(logp): return int(np.prod(logp.shape[:-1]))

CE_CASES = [((6, 5), "mean", 0.0), ((6, 5), "sum", 0.1), ((4, 3), "none", 0.25), ((2, 4, 3, 2), "mean", 0.1), ((2, 4, 3), "none", 0.0)]

@pytest.mark.parametrize("shape,reduction,ls", CE_CASES)
@pytest.mark.parametrize("target", ["labels", "probabilities"])
def test_cross_entropy(shape, reduction, ls, target):
  rng = rng_for(f"ce{shape}{reduction}{ls}{target}")
  x = rng.standard_normal(shape) * 2
  if target == "labels":
    y = rng.integers(0, shape[1], (shape[0],) + shape[2:])
    y.reshape(-1)[1] = -100  # ignore_index
    ty = Tensor(y)
  else:
    y = rng.random(shape)
    y /= y.sum(1, keepdims=True)
    ty = Tensor(y.astype(np.float32))
  f = lambda t: t.cross_entropy(ty, reduction=reduction, label_smoothing=ls)
  want = np_cross_entropy(x, y, reduction, ls)
  np.testing.assert_allclose(f(Tensor(x.astype(np.float32))).numpy(), want, rtol=1e-5, atol=1e-6)
  up = rng.standard_normal(np.shape(want))
  fd, eps = np.zeros_like(x), 1e-5
  for i in np.ndindex(x.shape):
    xp, xm = x.copy(), x.copy()
    xp[i] += eps; xm[i] -= eps
    fd[i] = ((np_cross_entropy(xp, y, reduction, ls) - np_cross_entropy(xm, y, reduction, ls)) * up).sum() / (2*eps)
  np.testing.assert_allclose(engine_grad(f, x, up), fd, rtol=1e-3, atol=1e-5)

def test_cross_entropy_1d_ignore_index_and_sparse_variant():
  rng = rng_for("ce1d")
  x, x2 = rng.standard_normal(5), rng.standard_normal((4, 5))
  np.testing.assert_allclose(Tensor(x.astype(np.float32)).cross_entropy(Tensor(3)).numpy(), np_cross_entropy(x[None], np.array([3])), rtol=1e-5)
  y = np.array([1, 7, 0, 7])
  np.testing.assert_allclose(Tensor(x2.astype(np.float32)).cross_entropy(Tensor(y), ignore_index=7, label_smoothing=0.2).numpy(),
                             np_cross_entropy(x2, y, label_smoothing=0.2, ignore_index=7), rtol=1e-5)
  np.testing.assert_allclose(Tensor(x2.astype(np.float32)).sparse_categorical_crossentropy(Tensor(y), ignore_index=7, label_smoothing=0.2,
                             reduction="sum").numpy(), np_cross_entropy(x2, y, "sum", 0.2, 7), rtol=1e-5)
  masked = x2.copy()
  masked[:, 4] = -np.inf  # a masked-out class: no nan from 0 * -inf
  assert np.isfinite(Tensor(masked.astype(np.float32)).cross_entropy(Tensor([1, 2, 0, 3])).item())
  with pytest.raises(ValueError, match="reduction"): Tensor(x2).cross_entropy(Tensor([1, 2, 0, 3]), reduction="avg")
  with pytest.raises(RuntimeError): Tensor(x2).cross_entropy(Tensor([1, 2]))
  for ls in (-0.1, 1.5):  # as PyTorch: 1.5 gave a loss that fell as the right class's probability fell
    with pytest.raises(ValueError, match="label_smoothing"): Tensor(x2).cross_entropy(Tensor([1, 2, 0, 3]), label_smoothing=ls)
    with pytest.raises(ValueError, match="label_smoothing"): Tensor(x2).cross_entropy(Tensor(np.full((4, 5), 0.2)), label_smoothing=ls)
    with pytest.raises(ValueError, match="label_smoothing"): Tensor(x2).sparse_categorical_crossentropy(Tensor([1, 2, 0, 3]), label_smoothing=ls)

# *** multinomial ***

def test_multinomial_with_replacement_matches_the_weights():
  Tensor.manual_seed(5)
  w = np.array([[0.1, 0.0, 0.5, 0.4], [3.0, 1.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0]])
  s = Tensor(w.astype(np.float32)).multinomial(4000, replacement=True).numpy()
  assert s.shape == (3, 4000) and s.dtype == np.int32
  for row, p in zip(s, w / w.sum(1, keepdims=True)):
    freq = np.bincount(row, minlength=4) / len(row)
    assert (freq[p == 0] == 0).all()
    np.testing.assert_allclose(freq, p, atol=4 * np.sqrt(0.25 / len(row)))  # 4 sigma
  assert Tensor([0.2, 0.8]).multinomial().shape == (1,)

def test_multinomial_without_replacement():
  Tensor.manual_seed(6)
  w = np.array([5.0, 1.0, 0.0, 2.0, 2.0])
  s = Tensor(w.astype(np.float32)).reshape(1, 5).expand(3000, 5).multinomial(2).numpy()
  assert s.shape == (3000, 2) and (s[:, 0] != s[:, 1]).all() and not (s == 2).any()
  # first draw ~ w; second draw given the first ~ w without it
  np.testing.assert_allclose(np.bincount(s[:, 0], minlength=5) / 3000, w / w.sum(), atol=0.04)
  p2 = sum(w[i] / w.sum() * np.where(np.arange(5) == i, 0, w) / (w.sum() - w[i]) for i in range(5))
  np.testing.assert_allclose(np.bincount(s[:, 1], minlength=5) / 3000, p2, atol=0.04)
  with pytest.raises(RuntimeError, match="without replacement"): Tensor([1.0, 2.0]).multinomial(3)

# *** small things tinygrad and PyTorch code uses ***

def test_stack_spellings_and_train_context():
  a, b = Tensor([1.0, 2.0]), Tensor([3.0, 4.0])
  for s in (Tensor.stack([a, b]), Tensor.stack(a, b), a.stack(b)): np.testing.assert_array_equal(s.numpy(), [[1, 2], [3, 4]])
  np.testing.assert_array_equal(a.stack(b, dim=1).numpy(), [[1, 3], [2, 4]])
  assert not Tensor.training
  with Tensor.train(): assert Tensor.training
  assert not Tensor.training
  np.testing.assert_array_equal(Tensor([2, 0]).one_hot(3).numpy(), [[0, 0, 1], [1, 0, 0]])

def test_error_types_match_pytorch():
  t = Tensor.ones(2, 3)
  for bad_dim in (lambda: t.sum(2), lambda: t.transpose(0, 3), lambda: t.unsqueeze(4), lambda: t.softmax(-3), lambda: t.cat(t, dim=2)):
    with pytest.raises(IndexError): bad_dim()
  for bad_shape in (lambda: t + Tensor.ones(3, 2), lambda: t @ Tensor.ones(2, 3), lambda: t.reshape(4, 2), lambda: t.expand(4, 3),
                    lambda: t.cat(Tensor.ones(2, 4)), lambda: t.item(), lambda: t.permute(0, 0), lambda: t.assign(Tensor.ones(3))):
    with pytest.raises(RuntimeError): bad_shape()  # PyTorch's type for shapes that don't fit ...
    with pytest.raises(ValueError): bad_shape()    # ... and the project's
