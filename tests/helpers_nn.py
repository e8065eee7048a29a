"""float64 numpy references for drivegpt.nn layers (forward and hand-written backward), the harness that checks a layer
against them and against central finite differences, and small training loops shared by the nn tests.

Backward references take R, the gradient of the loss sum(out * R), and return the gradients of every input."""
from __future__ import annotations
import math
from typing import Callable
import numpy as np
from drivegpt import Tensor
from drivegpt.nn import get_state_dict, load_state_dict, get_parameters

# *** references: f(params, *inputs) -> out and f_grad(params, *inputs, R) -> (param grads, input grads) ***

def linear(p, x): return x @ p["weight"].T + (p["bias"] if "bias" in p else 0)
def linear_grad(p, x, R):
  g = {"weight": R.reshape(-1, R.shape[-1]).T @ x.reshape(-1, x.shape[-1])}
  if "bias" in p: g["bias"] = R.reshape(-1, R.shape[-1]).sum(0)
  return g, [R @ p["weight"]]

def embedding(p, idx): return p["weight"][idx]
def embedding_grad(p, idx, R):
  g = np.zeros_like(p["weight"])
  np.add.at(g, idx.reshape(-1), R.reshape(-1, R.shape[-1]))
  return {"weight": g}, []

def _norm_fwd(x, axes, eps):
  mu = x.mean(axes, keepdims=True)
  rstd = 1 / np.sqrt(((x - mu)**2).mean(axes, keepdims=True) + eps)
  return (x - mu) * rstd, rstd
def _norm_bwd(dxhat, xhat, rstd, axes):
  """Gradient through xhat = (x - mean) / std over axes."""
  return rstd * (dxhat - dxhat.mean(axes, keepdims=True) - xhat * (dxhat * xhat).mean(axes, keepdims=True))

def layernorm(p, x, n=1, eps=1e-5):
  xhat, _ = _norm_fwd(x, tuple(range(-n, 0)), eps)
  return xhat * p["weight"] + p["bias"] if "weight" in p else xhat
def layernorm_grad(p, x, R, n=1, eps=1e-5):
  axes = tuple(range(-n, 0))
  xhat, rstd = _norm_fwd(x, axes, eps)
  if "weight" not in p: return {}, [_norm_bwd(R, xhat, rstd, axes)]
  outer = tuple(range(x.ndim - n))
  return {"weight": (R * xhat).sum(outer), "bias": R.sum(outer)}, [_norm_bwd(R * p["weight"], xhat, rstd, axes)]

def groupnorm(p, x, groups, eps=1e-5):
  xg = x.reshape(x.shape[0], groups, -1)
  xhat = _norm_fwd(xg, (2,), eps)[0].reshape(x.shape)
  shape = (1, -1) + (1,)*(x.ndim - 2)
  return xhat * p["weight"].reshape(shape) + p["bias"].reshape(shape)
def groupnorm_grad(p, x, R, groups, eps=1e-5):
  xg = x.reshape(x.shape[0], groups, -1)
  xhat, rstd = _norm_fwd(xg, (2,), eps)
  shape, axes = (1, -1) + (1,)*(x.ndim - 2), (0,) + tuple(range(2, x.ndim))
  dxhat = (R * p["weight"].reshape(shape)).reshape(xg.shape)
  dx = _norm_bwd(dxhat, xhat, rstd, (2,)).reshape(x.shape)
  return {"weight": (R * xhat.reshape(x.shape)).sum(axes), "bias": R.sum(axes)}, [dx]

def rmsnorm(p, x, eps=float(np.finfo(np.float32).eps)): return x / np.sqrt((x**2).mean(-1, keepdims=True) + eps) * p["weight"]  # (PyTorch's default eps)
def rmsnorm_grad(p, x, R, eps=float(np.finfo(np.float32).eps)):
  r = 1 / np.sqrt((x**2).mean(-1, keepdims=True) + eps)
  d = R * p["weight"]
  dx = r * d - x * r**3 * (d * x).mean(-1, keepdims=True)
  return {"weight": (R * x * r).reshape(-1, x.shape[-1]).sum(0)}, [dx]

def _windows(H, k, s, d):
  """Output size and, per kernel tap, the input positions (a slice) it reads for every output position."""
  o = (H - d*(k - 1) - 1)//s + 1
  return o, [slice(t*d, t*d + (o - 1)*s + 1, s) for t in range(k)]

def conv2d(p, x, stride=1, padding=0, dilation=1, groups=1):
  """Direct convolution: a sum over kernel taps of strided input slices times the tap's weights, per group."""
  w = p["weight"]
  xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
  (oh, rows), (ow, cols) = _windows(xp.shape[2], w.shape[2], stride, dilation), _windows(xp.shape[3], w.shape[3], stride, dilation)
  cin, cout = w.shape[1], w.shape[0] // groups
  out = np.zeros((x.shape[0], w.shape[0], oh, ow))
  for g in range(groups):
    for i, rs in enumerate(rows):
      for j, cs in enumerate(cols):
        out[:, g*cout:(g+1)*cout] += np.einsum("nchw,oc->nohw", xp[:, g*cin:(g+1)*cin, rs, cs], w[g*cout:(g+1)*cout, :, i, j])
  return out + p["bias"].reshape(1, -1, 1, 1) if "bias" in p else out
def conv2d_grad(p, x, R, stride=1, padding=0, dilation=1, groups=1):
  w = p["weight"]
  xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
  (_, rows), (_, cols) = _windows(xp.shape[2], w.shape[2], stride, dilation), _windows(xp.shape[3], w.shape[3], stride, dilation)
  cin, cout = w.shape[1], w.shape[0] // groups
  dw, dxp = np.zeros_like(w), np.zeros_like(xp)
  for g in range(groups):
    for i, rs in enumerate(rows):
      for j, cs in enumerate(cols):
        Rg = R[:, g*cout:(g+1)*cout]
        dw[g*cout:(g+1)*cout, :, i, j] = np.einsum("nchw,nohw->oc", xp[:, g*cin:(g+1)*cin, rs, cs], Rg)
        dxp[:, g*cin:(g+1)*cin, rs, cs] += np.einsum("nohw,oc->nchw", Rg, w[g*cout:(g+1)*cout, :, i, j])
  H, W = x.shape[2:]
  grads = {"weight": dw, **({"bias": R.sum((0, 2, 3))} if "bias" in p else {})}
  return grads, [dxp[:, :, padding:padding + H, padding:padding + W]]

def _tconv_full_size(H, k, s, d, op): return (H - 1)*s + d*(k - 1) + 1 + op
def conv_transpose2d(p, x, stride=1, padding=0, output_padding=0, dilation=1, groups=1):
  """Scatter form: every input pixel adds weight-times-value into a window of the (uncropped) output, then crop padding."""
  w = p["weight"]  # (cin, cout/groups, kh, kw)
  cin, cout = w.shape[0] // groups, w.shape[1]
  Hf, Wf = (_tconv_full_size(n, k, stride, dilation, output_padding) for n, k in zip(x.shape[2:], w.shape[2:]))
  full = np.zeros((x.shape[0], cout*groups, Hf, Wf))
  for g in range(groups):
    for i in range(w.shape[2]):
      for j in range(w.shape[3]):
        rs = slice(i*dilation, i*dilation + (x.shape[2] - 1)*stride + 1, stride)
        cs = slice(j*dilation, j*dilation + (x.shape[3] - 1)*stride + 1, stride)
        full[:, g*cout:(g+1)*cout, rs, cs] += np.einsum("nchw,co->nohw", x[:, g*cin:(g+1)*cin], w[g*cin:(g+1)*cin, :, i, j])
  out = full[:, :, padding:Hf - padding, padding:Wf - padding]
  return out + p["bias"].reshape(1, -1, 1, 1) if "bias" in p else out
def conv_transpose2d_grad(p, x, R, stride=1, padding=0, output_padding=0, dilation=1, groups=1):
  w = p["weight"]
  cin, cout = w.shape[0] // groups, w.shape[1]
  Hf, Wf = (_tconv_full_size(n, k, stride, dilation, output_padding) for n, k in zip(x.shape[2:], w.shape[2:]))
  Rf = np.zeros((x.shape[0], cout*groups, Hf, Wf))
  Rf[:, :, padding:Hf - padding, padding:Wf - padding] = R
  dw, dx = np.zeros_like(w), np.zeros_like(x)
  for g in range(groups):
    for i in range(w.shape[2]):
      for j in range(w.shape[3]):
        rs = slice(i*dilation, i*dilation + (x.shape[2] - 1)*stride + 1, stride)
        cs = slice(j*dilation, j*dilation + (x.shape[3] - 1)*stride + 1, stride)
        Rg = Rf[:, g*cout:(g+1)*cout, rs, cs]
        dw[g*cin:(g+1)*cin, :, i, j] = np.einsum("nchw,nohw->co", x[:, g*cin:(g+1)*cin], Rg)
        dx[:, g*cin:(g+1)*cin] += np.einsum("nohw,co->nchw", Rg, w[g*cin:(g+1)*cin, :, i, j])
  return {"weight": dw, **({"bias": R.sum((0, 2, 3))} if "bias" in p else {})}, [dx]

def _sub(p, prefix): return {k[len(prefix):]: v for k, v in p.items() if k.startswith(prefix)}
def _softmax(s):
  e = np.exp(s - s.max(-1, keepdims=True))
  return e / e.sum(-1, keepdims=True)
def _attn_parts(p, x, n_heads, start_pos=0):
  B, T, C = x.shape
  qkv = linear(_sub(p, "c_attn."), x)
  q, k, v = (a.reshape(B, T, n_heads, C // n_heads).transpose(0, 2, 1, 3) for a in np.split(qkv, 3, axis=-1))
  mask = np.arange(T)[:, None] + start_pos >= np.arange(T)[None, :]
  P = _softmax(np.where(mask, q @ k.transpose(0, 1, 3, 2) / math.sqrt(C // n_heads), -np.inf))
  return q, k, v, P, (P @ v).transpose(0, 2, 1, 3).reshape(B, T, C)
def attention(p, x, n_heads): return linear(_sub(p, "c_proj."), _attn_parts(p, x, n_heads)[-1])
def attention_grad(p, x, R, n_heads):
  B, T, C = x.shape
  hd = C // n_heads
  q, k, v, P, y = _attn_parts(p, x, n_heads)
  gproj, (dy,) = linear_grad(_sub(p, "c_proj."), y, R)
  dY = dy.reshape(B, T, n_heads, hd).transpose(0, 2, 1, 3)
  dP, dv = dY @ v.transpose(0, 1, 3, 2), P.transpose(0, 1, 3, 2) @ dY
  dS = P * (dP - (dP * P).sum(-1, keepdims=True)) / math.sqrt(hd)  # masked entries have P = 0, so no gradient
  dq, dk = dS @ k, dS.transpose(0, 1, 3, 2) @ q
  dqkv = np.concatenate([a.transpose(0, 2, 1, 3).reshape(B, T, C) for a in (dq, dk, dv)], -1)
  gattn, (dx,) = linear_grad(_sub(p, "c_attn."), x, dqkv)
  return {**{f"c_attn.{k}": g for k, g in gattn.items()}, **{f"c_proj.{k}": g for k, g in gproj.items()}}, [dx]

def gelu(x): return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))  # GPT-2's tanh form

def gpt(p, idx, n_layer, n_head, tie_weights):
  """nanoGPT's forward: embeddings, pre-LN blocks (attention, 4x gelu MLP), final LayerNorm, lm head."""
  x = p["wte.weight"][idx] + p["wpe.weight"][np.arange(idx.shape[1])]
  for i in range(n_layer):
    b = _sub(p, f"h.{i}.")
    x = x + attention(_sub(b, "attn."), layernorm(_sub(b, "ln_1."), x), n_head)
    x = x + linear(_sub(b, "mlp.c_proj."), gelu(linear(_sub(b, "mlp.c_fc."), layernorm(_sub(b, "ln_2."), x))))
  return layernorm(_sub(p, "ln_f."), x) @ p["wte.weight" if tie_weights else "lm_head.weight"].T

def cross_entropy(logits, targets):
  z = logits - logits.max(-1, keepdims=True)
  logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
  return -np.take_along_axis(logp, targets[..., None], -1).mean()

# *** the harness ***

def randomize(layer, rng) -> dict[str, np.ndarray]:
  """Give every parameter random values (not the 0/1 inits), marked trainable; returns them in float64."""
  first = {}  # a tied weight takes its first name's draw (its other names' different values are refused)
  load_state_dict(layer, {k: first.setdefault(id(t), rng.uniform(-1, 1, t.shape).astype(np.float32)) for k, t in get_state_dict(layer).items()})
  for t in get_state_dict(layer).values(): t.requires_grad = True
  return {k: t.numpy().astype(np.float64) for k, t in get_state_dict(layer).items()}  # read back: tied weights agree

def check_layer(layer, inputs: list, ref: Callable, ref_grad: Callable, rng, rtol=1e-4, atol=1e-5, n_fd=6, call=None):
  """Compare layer(*inputs) and the gradients of sum(out * R) with the numpy reference, and the gradients with central
  finite differences (float64, eps=1e-3) of the reference at n_fd random entries of every float input and parameter."""
  p = randomize(layer, rng)
  xs = [x.astype(np.float32).astype(np.float64) if x.dtype.kind == "f" else x for x in inputs]
  ts = [Tensor(x.astype(np.float32), requires_grad=True) if x.dtype.kind == "f" else Tensor(x) for x in xs]
  out = (call or (lambda l, *a: l(*a)))(layer, *ts)
  want = ref(p, *xs)
  np.testing.assert_allclose(out.numpy(), want, rtol=rtol, atol=atol, err_msg="forward")
  R = rng.standard_normal(want.shape)
  (out * Tensor(R.astype(np.float32))).sum().backward()
  gp, gx = ref_grad(p, *xs, R)
  params = get_state_dict(layer)
  got = {k: params[k].grad.numpy() for k in p} | {i: t.grad.numpy() for i, t in enumerate(ts) if xs[i].dtype.kind == "f"}
  assert set(gp) == set(p), f"reference grads {sorted(gp)} != params {sorted(p)}"
  ref_grads = gp | {i: g for i, g in enumerate(gx) if xs[i].dtype.kind == "f"}
  for k, g in ref_grads.items():
    np.testing.assert_allclose(got[k], g, rtol=rtol, atol=atol * max(1.0, np.abs(g).max()), err_msg=f"grad of {k}")
  # finite differences of the float64 reference loss
  arrays = dict(p) | {i: x for i, x in enumerate(xs) if x.dtype.kind == "f"}
  def loss(a): return (ref({k: a[k] for k in p}, *[a.get(i, x) for i, x in enumerate(xs)]) * R).sum()
  for k, a in arrays.items():
    for flat in rng.choice(a.size, min(n_fd, a.size), replace=False):
      idx = np.unravel_index(flat, a.shape)
      plus, minus = dict(arrays), dict(arrays)
      plus[k], minus[k] = a.copy(), a.copy()
      plus[k][idx] += 1e-3; minus[k][idx] -= 1e-3
      fd = (loss(plus) - loss(minus)) / 2e-3
      assert abs(got[k][idx] - fd) <= 1e-3 * max(1.0, abs(fd)), f"grad of {k} at {idx}: engine {got[k][idx]} vs finite difference {fd}"

# *** a small training run for the checkpoint tests (also run in a fresh process) ***

CKPT_CONFIG = dict(vocab_size=16, context=8, n_layer=2, n_head=2, d_model=16, dropout=0.1)  # dropout: the RNG state matters

def make_run(config: dict):
  from drivegpt.models import GPT, GPTConfig
  from drivegpt.nn.optim import AdamW
  model = GPT(GPTConfig(**config))
  return model, AdamW(get_parameters(model), lr=1e-2, weight_decay=0.1)

def train_steps(model, opt, start: int, n: int) -> list[float]:
  """Steps start .. start+n-1 with a warmup-cosine lr, gradient clipping and dropout; batch s depends only on s."""
  from drivegpt.nn.optim import clip_grad_norm_, warmup_cosine
  losses, prev = [], Tensor.training
  Tensor.training = True
  try:
    for s in range(start, start + n):
      data = np.random.default_rng(1000 + s).integers(0, model.config.vocab_size, (4, model.config.context + 1))
      opt.lr = warmup_cosine(s, 1e-2, 5, 20, 1e-3)
      loss = model.loss(Tensor(data[:, :-1]), Tensor(data[:, 1:]))
      opt.zero_grad()
      loss.backward()
      clip_grad_norm_(opt.params, 1.0)
      opt.step(loss)
      losses.append(loss.item())
  finally: Tensor.training = prev
  return losses

def resume(ckpt: str, n: int, out: str) -> None:
  """In a fresh process: rebuild the run from a checkpoint, train n more steps, save the weights to out."""
  from drivegpt.nn.state import checkpoint_info, load_checkpoint, safe_save
  Tensor.manual_seed(999)  # a different RNG state: load_checkpoint must restore the saved one
  step, config, _ = checkpoint_info(ckpt)
  model, opt = make_run(config)
  assert load_checkpoint(ckpt, model, opt) == (step, config)
  train_steps(model, opt, step, n)
  safe_save(get_state_dict(model), out)
