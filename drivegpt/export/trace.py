"""Tracing: run a model once on example tensors and record its Tensor calls as ONNX nodes.

Why the Tensor API and not the lazy graph: by the time a conv reaches the LazyBuffers it is a stack of views, a multiply
and a sum, and folding it back into Conv means re-deriving kernel, stride and padding from strides and masks. At the
Tensor level `conv2d` is one call with those as arguments. So each call with an ONNX counterpart (COMPOUND and LAYERS:
matmul, linear, conv, pools, softmax, norms, embedding, cat, pad, ...) becomes one node and runs unrecorded inside; any
other call is recorded at the autograd Functions it is built from (PRIMITIVES), each of which is one ONNX op, so every
model the engine runs exports. Values that don't depend on the inputs (weights, masks, positions) become initializers."""
from __future__ import annotations
import functools
from contextlib import contextmanager
from typing import Callable, Optional
import numpy as np
import onnx
import drivegpt.function as F
from drivegpt import Tensor, nn
from drivegpt.helpers import make_pair
from drivegpt.tensor import no_grad
from drivegpt.nn import get_state_dict
from drivegpt.export.graph import Graph, ExportError, ONNX_DTYPES

class _State:
  graph: Optional[Graph] = None
  recording = False

def _tensors(args: tuple, kw: dict) -> list:
  return [t for a in (*args, *kw.values()) for t in (a if isinstance(a, (list, tuple)) else (a,)) if isinstance(t, Tensor)]

# *** compound calls: one ONNX op each (an emitter returns None where it has none, and the call's parts are recorded) ***

def _dot(g: Graph, x: Tensor, w: Tensor) -> Optional[str]:  # ints: the engine sums in int64 (an int32 MatMul wrapped)
  return g.node("MatMul", [g.name(x), g.name(w)]) if x.dtype.is_float and w.dtype.is_float else None
def _linear(g: Graph, x: Tensor, weight: Tensor, bias: Optional[Tensor] = None) -> Optional[str]:
  if weight.ndim != 2: return None
  y = g.node("MatMul", [g.name(x), g.name(weight)])
  return y if bias is None else g.node("Add", [y, g.name(bias)])

def _conv_pads(hw: tuple, dilation, padding) -> list:
  """(before, after) per spatial dim, read as Tensor.conv2d reads its padding argument."""
  n = len(hw)
  if padding == "same": return [(d*(k - 1)//2, d*(k - 1) - d*(k - 1)//2) for d, k in zip(make_pair(dilation, n), hw)]
  if padding == "valid" or isinstance(padding, int) or len(padding) == n: return [(p, p) for p in make_pair(0 if padding == "valid" else padding, n)]
  return [(padding[2*i], padding[2*i+1]) for i in range(n)][::-1]  # flat (left, right, top, bottom): last dim first

def _conv2d(g: Graph, x: Tensor, weight: Tensor, bias=None, groups=1, stride=1, dilation=1, padding=0) -> Optional[str]:
  hw = weight.shape[2:]
  pads = _conv_pads(hw, dilation, padding)
  if any(p < 0 for pp in pads for p in pp): return None  # negative padding crops: recorded as its parts
  return g.node("Conv", [g.name(x), g.name(weight)] + ([g.name(bias)] if bias is not None else []), kernel_shape=list(hw),
                strides=list(make_pair(stride, len(hw))), dilations=list(make_pair(dilation, len(hw))), group=groups,
                pads=[b for b, _ in pads] + [a for _, a in pads])

def _conv_transpose2d(g: Graph, x: Tensor, weight: Tensor, bias=None, groups=1, stride=1, dilation=1, padding=0, output_padding=0) -> str:
  hw, n = weight.shape[2:], weight.ndim - 2
  return g.node("ConvTranspose", [g.name(x), g.name(weight)] + ([g.name(bias)] if bias is not None else []), kernel_shape=list(hw),
                strides=list(make_pair(stride, n)), dilations=list(make_pair(dilation, n)), group=groups,
                pads=list(make_pair(padding, n))*2, output_padding=list(make_pair(output_padding, n)))

def _max_pool2d(g: Graph, x: Tensor, kernel_size=(2, 2), stride=None, dilation=1, padding=0) -> Optional[str]:
  k, p = make_pair(kernel_size), make_pair(padding, len(make_pair(kernel_size)))
  if x.ndim != len(k) + 2: return None
  # a float input is padded with -inf by a Pad node, as the engine pads: onnxruntime's MaxPool pads with the lowest finite
  # value (-3.4e38), so a window of -inf and padding came out -3.4e38 where the engine's is -inf
  src = g.node("Pad", [g.name(x), g.ints([0, 0, *p, 0, 0, *p]), g.const(np.array(-np.inf, x.dtype.np), "pad_value")]) \
    if x.dtype.is_float and any(p) else g.name(x)
  pool = functools.partial(g.node, "MaxPool", kernel_shape=list(k), strides=list(make_pair(stride if stride is not None else k, len(k))),
                           dilations=list(make_pair(dilation, len(k))), pads=list(p if src == g.name(x) else (0,) * len(k))*2)
  return _nan_if(g, x, lambda v: pool([v]), src)
def _nan_if(g: Graph, x: Tensor, reduce: Callable, name: Optional[str] = None) -> str:
  """reduce (a max over windows or axes) of x (or of name, a value computed from it, as x padded), NaN where a window
  holds a NaN, as the engine: onnxruntime's skip NaN."""
  name = name or g.name(x)
  if not x.dtype.is_float: return reduce(name)
  c = lambda v: g.const(np.array(v, x.dtype.np), "nan_mark")
  marks = reduce(g.node("Where", [g.node("Equal", [name, name]), c(0), c(1)]))  # 1 where a NaN was
  return g.node("Where", [g.node("Less", [c(0), marks]), c(np.nan), reduce(name)])
def _avg_pool2d(g: Graph, x: Tensor, kernel_size=(2, 2), stride=None, padding=0) -> Optional[str]:
  k = make_pair(kernel_size)
  if x.ndim != len(k) + 2: return None
  return g.node("AveragePool", [g.name(x)], kernel_shape=list(k), strides=list(make_pair(stride if stride is not None else k, len(k))),
                pads=list(make_pair(padding, len(k)))*2, count_include_pad=1)

def _softmax(op: str) -> Callable:
  def emit(g: Graph, x: Tensor, axis=-1) -> Optional[str]: return g.node(op, [g.name(x)], axis=x._axis(axis)) if x.dtype.is_float and isinstance(axis, int) else None
  return emit
def _mean(g: Graph, x: Tensor, axis=None, keepdim=False) -> Optional[str]:
  if not x.dtype.is_float or not (axes := x._axes(axis)) or 0 in x.shape: return None  # (an empty mean is NaN, ReduceMean's 0)
  return g.node("ReduceMean", [g.name(x), g.ints(axes)], keepdims=int(keepdim))
def _tanh(g: Graph, x: Tensor) -> Optional[str]: return g.node("Tanh", [g.name(x)]) if x.dtype.is_float else None
def _cat(g: Graph, x: Tensor, *args: Tensor, dim: int = 0) -> str: return g.node("Concat", [g.name(t) for t in (x, *args)], axis=x._axis(dim))
def _pad(g: Graph, x: Tensor, arg, value=0.0) -> Optional[str]:
  arg = tuple(p if p is not None else (0, 0) for p in arg)
  if len(arg) != x.ndim or any(b < 0 or a < 0 for b, a in arg) or all(p == (0, 0) for p in arg): return None
  return g.node("Pad", [g.name(x), g.ints([b for b, _ in arg] + [a for _, a in arg]), g.const(np.array(value, x.dtype.np), "pad_value")])

COMPOUND: dict[str, Callable] = {
  "dot": _dot, "linear": _linear, "conv2d": _conv2d, "conv_transpose2d": _conv_transpose2d, "max_pool2d": _max_pool2d,
  "avg_pool2d": _avg_pool2d, "softmax": _softmax("Softmax"), "log_softmax": _softmax("LogSoftmax"), "mean": _mean,
  "tanh": _tanh, "cat": _cat, "pad": _pad}

def _nn_linear(g: Graph, layer: nn.Linear, x: Tensor) -> Optional[str]:
  if x.ndim != 2: return None  # Gemm is 2-D: other ranks go through Tensor.linear (MatMul, Add)
  return g.node("Gemm", [g.name(x), g.name(layer.weight)] + ([g.name(layer.bias)] if layer.bias is not None else []), transB=1)
def _nn_layernorm(g: Graph, layer: nn.LayerNorm, x: Tensor) -> Optional[str]:
  if layer.weight is None: return None
  return g.node("LayerNormalization", [g.name(x), g.name(layer.weight), g.name(layer.bias)], axis=-len(layer.normalized_shape),
                epsilon=layer.eps)
def _nn_groupnorm(g: Graph, layer: nn.GroupNorm, x: Tensor) -> Optional[str]:
  """InstanceNormalization over (N, groups, rest), then the per-channel affine: opset 18's GroupNormalization has per-group
  scales (a spec error, replaced in opset 21), so this is the form every runtime reads the same."""
  if x.ndim < 2 or not x.dtype.is_float: return None
  G = layer.num_groups
  h = g.node("Reshape", [g.name(x), g.ints([x.shape[0], G, -1])])
  h = g.node("InstanceNormalization", [h, g.const(np.ones(G, x.dtype.np), "ones"), g.const(np.zeros(G, x.dtype.np), "zeros")], epsilon=layer.eps)
  h = g.node("Reshape", [h, g.ints(x.shape)])
  if layer.weight is None: return h
  shape = (1, -1) + (1,)*(x.ndim - 2)
  return g.node("Add", [g.node("Mul", [h, g.name(layer.weight.reshape(shape))]), g.name(layer.bias.reshape(shape))])
def _nn_embedding(g: Graph, layer: nn.Embedding, idx: Tensor) -> Optional[str]:
  """Gather, with the engine's NaN rows for indices out of range (Gather reads -1 as the last row)."""
  if not idx.dtype.is_int: return None
  c, i = lambda v: g.const(np.array(v, idx.dtype.np), "vocab"), g.name(idx)
  valid = g.node("And", [g.node("Less", [c(-1), i]), g.node("Less", [i, c(layer.vocab_size)])])
  rows = g.node("Gather", [g.name(layer.weight), g.node("Where", [valid, i, c(0)])], axis=0)
  return g.node("Where", [g.node("Reshape", [valid, g.ints(idx.shape + (1,))]), rows, g.const(np.array(np.nan, layer.weight.dtype.np), "nan")])

LAYERS: dict[type, Callable] = {nn.Linear: _nn_linear, nn.LayerNorm: _nn_layernorm, nn.GroupNorm: _nn_groupnorm, nn.Embedding: _nn_embedding}

# *** primitives: each autograd Function is one ONNX op ***

def _unary(op: str) -> Callable: return lambda g, x: g.node(op, [g.name(x)])
def _broadcasting(op: str, bool_op: Optional[str] = None, **attrs) -> Callable:
  def emit(g: Graph, *xs: Tensor) -> str: return g.node(bool_op if bool_op and xs[-1].dtype.name == "bool" else op, g.operands(xs, xs[0].shape), **attrs)
  return emit
def _int_safe(op: str, **attrs) -> Callable:
  """Div or Mod: an integer divisor of 0 gives 0, as the engine (numpy) does; onnxruntime raised "Integer division by
  zero" at run time, on inputs other than the traced example (the file was written and checked)."""
  plain = _broadcasting(op, **attrs)
  def emit(g: Graph, a: Tensor, b: Tensor) -> str:
    if b.dtype.is_float: return plain(g, a, b)
    an, bn = g.operands((a, b), a.shape)
    zero, one = (g.const(np.array(v, b.dtype.np)) for v in (0, 1))
    is0 = g.node("Equal", [bn, zero])
    if op == "Div" and np.iinfo(b.dtype.np).min < 0:  # and INT_MIN / -1, which wraps on the engine (numpy) and killed
      neg1 = g.node("Equal", [bn, g.const(np.array(-1, b.dtype.np))])  # onnxruntime's process (SIGFPE): a / -1 is -a
      return g.node("Where", [is0, zero, g.node("Where", [neg1, g.node("Neg", [an]), g.node(op, [an, g.node("Where", [g.node("Or", [is0, neg1]), one, bn])])])])
    return g.node("Where", [is0, zero, g.node(op, [an, g.node("Where", [is0, one, bn])], **attrs)])
  return emit
def _where(g: Graph, c: Tensor, x: Tensor, y: Tensor) -> str:
  if x.dtype.name != "bool": return g.node("Where", g.operands((c, x, y), c.shape))
  # onnxruntime has no bool Where: pick among 0/1 ints
  cn, xn, yn = g.operands((c, x, y), c.shape)
  xn, yn = [g.node("Cast", [n], to=ONNX_DTYPES["int32"]) for n in (xn, yn)]
  return g.node("Cast", [g.node("Where", [cn, xn, yn])], to=ONNX_DTYPES["bool"])
def _expand(g: Graph, x: Tensor, shape: tuple) -> str:
  out = g.node("Expand", [g.name(x), g.ints(shape)])
  g.expanded[out] = g.name(x)
  return out
def _slice(g: Graph, x: Tensor, starts: list, ends: list, steps: list) -> str:
  axes = [d for d, (s, e, st, n) in enumerate(zip(starts, ends, steps, x.shape)) if (s, e, st) != (0, n, 1)]
  if not axes: return g.node("Identity", [g.name(x)])   # (a 0-d tensor's flip: onnxruntime can't slice a scalar)
  return g.node("Slice", [g.name(x), g.ints([starts[d] for d in axes]), g.ints([ends[d] for d in axes]), g.ints(axes),
                          g.ints([steps[d] for d in axes])])
def _stride(g: Graph, x: Tensor, arg: tuple) -> str:
  # a negative step flips the dim, then takes every |m|-th: start at the end and walk back past the front
  return _slice(g, x, [0 if m > 0 else n - 1 for m, n in zip(arg, x.shape)],
                [n if m > 0 else np.iinfo(np.int64).min for m, n in zip(arg, x.shape)], list(arg))

def _layernorm(g: Graph, x: Tensor, axis: tuple, eps: float) -> str:
  """F.LayerNorm as the engine computes it (any axes, no affine): about each row's first element, means as sums times 1/n,
  (x - mean)*sqrt(1/(var + eps)) (the plain x - mean gave a constant row of 1000.1 0.8 where the engine gives 0)."""
  c = lambda v, name: g.const(np.array(v, x.dtype.np), name)
  inv_n = c(1/max(1, n := int(np.prod([x.shape[a] for a in axis]))), "inv_n")
  mean = lambda v: g.node("Mul", [g.node("ReduceSum", [v, g.ints(axis)], keepdims=1), inv_n])
  xs = g.name(x) if n < 2 else g.node("Sub", [g.name(x), g.node("Slice", [g.name(x), g.ints([0]*len(axis)), g.ints([1]*len(axis)), g.ints(axis)])])
  y = g.node("Sub", [xs, mean(xs)])
  return g.node("Mul", [y, g.node("Sqrt", [g.node("Reciprocal", [g.node("Add", [mean(g.node("Mul", [y, y])), c(eps, "eps")])])])])
def _sigmoid(g: Graph, x: str, dtype) -> str:
  """1/(1 + exp(-x)), as the engine computes it: onnxruntime's own Sigmoid is approximate in the tails (sigmoid(-17.8)
  5.96e-8 for 1.86e-8, sigmoid(-20) 0), which a log of a small probability, or the disengagement head's, turned to -inf."""
  return g.node("Reciprocal", [g.node("Add", [g.const(np.array(1, dtype.np), "one"), g.node("Exp", [g.node("Neg", [x])])])])
def _gelu(g: Graph, x: Tensor) -> str:  # x*sigmoid(x(k + ka x^2)), as F.Gelu computes it (opset 18 has no Gelu)
  c = lambda v, name: g.const(np.array(v, x.dtype.np), name)
  x2 = g.node("Mul", [g.name(x), g.name(x)])
  z = g.node("Mul", [g.node("Add", [g.node("Mul", [x2, c(F.Gelu.K*F.Gelu.A, "gelu_ka")]), c(F.Gelu.K, "gelu_k")]), g.name(x)])
  return g.node("Mul", [g.name(x), _sigmoid(g, z, x.dtype)])
def _softmax_fn(op: str) -> Callable:
  def emit(g: Graph, x: Tensor, axis: tuple) -> str:
    if len(axis) == 1: return g.node(op, [g.name(x)], axis=axis[0])
    if tuple(axis) != tuple(range(x.ndim - len(axis), x.ndim)): raise ExportError(f"{op} over axes {axis}: ONNX's takes one, or the last ones")
    flat = g.node("Reshape", [g.name(x), g.ints(x.shape[:x.ndim - len(axis)] + (-1,))])  # the last axes as one
    return g.node("Reshape", [g.node(op, [flat], axis=-1), g.ints(x.shape)])
  return emit
def _pow_const(g: Graph, x: Tensor, e: float) -> str:
  """As the engine's: C's pow (Pow), but +-0.5 by Sqrt, as PyTorch (sqrt(-inf) is nan, Pow(-inf, 0.5) inf)."""
  if e in (0.5, -0.5): return g.node("Sqrt", [g.name(x)]) if e > 0 else g.node("Reciprocal", [g.node("Sqrt", [g.name(x)])])
  return g.node("Pow", [g.name(x), g.const(np.array(e, x.dtype.np), "exponent")])
PRIMITIVES: dict[type, Callable] = {
  F.Contiguous: lambda g, x: g.name(x),
  F.Cast: lambda g, x, dtype: g.node("Cast", [g.name(x)], to=ONNX_DTYPES[dtype.name]),
  F.Neg: _unary("Neg"), F.Sin: _unary("Sin"), F.Relu: _unary("Relu"), F.Log: _unary("Log"), F.Exp: _unary("Exp"),
  F.Sqrt: _unary("Sqrt"), F.Recip: _unary("Reciprocal"), F.Sign: _unary("Sign"), F.Sigmoid: lambda g, x: _sigmoid(g, g.name(x), x.dtype), F.Gelu: _gelu,
  F.Silu: lambda g, x: g.node("Mul", [g.name(x), _sigmoid(g, g.name(x), x.dtype)]),  # (a Gelu by class, with its own constants: not _gelu's)
  F.Softmax: _softmax_fn("Softmax"), F.LogSoftmax: _softmax_fn("LogSoftmax"), F.LayerNorm: _layernorm,
  F.Exp2: lambda g, x: g.node("Pow", [g.const(np.array(2, x.dtype.np), "two"), g.name(x)]),
  F.PowConst: _pow_const,
  F.Less: _broadcasting("Less"), F.Eq: _broadcasting("Equal"), F.Mod: _int_safe("Mod", fmod=1),
  F.Add: _broadcasting("Add", "Or"), F.Sub: _broadcasting("Sub"), F.Mul: _broadcasting("Mul", "And"), F.Div: _int_safe("Div"),
  F.Maximum: _broadcasting("Max"), F.Where: _where,
  F.Sum: lambda g, x, axis: g.node("ReduceSum", [g.name(x), g.ints(axis)], keepdims=1),
  F.Max: lambda g, x, axis: _nan_if(g, x, lambda v: g.node("ReduceMax", [v, g.ints(axis)], keepdims=1)),
  F.Expand: _expand,
  F.Reshape: lambda g, x, shape: g.node("Reshape", [g.name(x), g.ints(shape)]),
  F.Permute: lambda g, x, order: g.node("Transpose", [g.name(x)], perm=list(order)) if order else g.node("Identity", [g.name(x)]),  # (a 0-d tensor's: no perm)
  F.Pad: lambda g, x, arg: g.node("Pad", [g.name(x), g.ints([b for b, _ in arg] + [a for _, a in arg])]),
  F.Shrink: lambda g, x, arg: _slice(g, x, [lo for lo, _ in arg], [hi for _, hi in arg], [1]*len(arg)),
  F.Stride: _stride}

# *** the patches that record ***

def _compound(orig: Callable, emit: Callable) -> Callable:
  @functools.wraps(orig)
  def call(*args, **kw):
    g = _State.graph
    if g is None or not _State.recording or not any(g.traced(t) for t in _tensors(args, kw)): return orig(*args, **kw)
    if (name := emit(g, *args, **kw)) is None: return orig(*args, **kw)  # no single ONNX op: its parts are recorded
    _State.recording = False
    try: out = orig(*args, **kw)
    finally: _State.recording = True
    g.bind(out, name)
    return out
  return call

_function_apply = F.Function.__dict__["apply"].__func__
def _apply(fxn: type, *x: Tensor, **kw):
  g = _State.graph
  if g is None or not _State.recording or not any(g.traced(t) for t in x): return _function_apply(fxn, *x, **kw)
  # a subclass that changes only the backward (models/vqvae.py's _DenseGrad) exports as the op it extends
  if (emit := next((PRIMITIVES[c] for c in fxn.__mro__ if c in PRIMITIVES), None)) is None:
    raise ExportError(f"can't export the engine op {fxn.__module__}.{fxn.__name__}: it has no ONNX counterpart (drivegpt/export/trace.py PRIMITIVES)")
  name = emit(g, *x, **kw)
  out = _function_apply(fxn, *x, **kw)
  g.bind(out, name)
  return out

def _guard_numpy(orig: Callable) -> Callable:
  @functools.wraps(orig)
  def numpy(self: Tensor):
    if _State.graph is not None and _State.graph.depends(self.lazydata):
      raise ExportError(f"the model reads the value of a tensor {self.shape} computed from the inputs (.numpy(), .item(), .tolist()): "
                        "Python control flow on data can't be written as ONNX")
    return orig(self)
  return numpy
def _no_rand(*args, **kw):
  raise ExportError("the model draws random numbers (Tensor.rand, randn, randint, dropout in training mode) while exported: "
                    "ONNX would freeze one draw as a constant")

@contextmanager
def _tracing(g: Graph):
  if _State.graph is not None: raise ExportError("export_onnx called while another export is tracing")
  patches = [(Tensor, k, _compound(getattr(Tensor, k), emit)) for k, emit in COMPOUND.items()]
  patches += [(cls, "__call__", _compound(cls.__call__, emit)) for cls, emit in LAYERS.items()]
  patches += [(F.Function, "apply", classmethod(_apply)), (Tensor, "numpy", _guard_numpy(Tensor.numpy)), (Tensor, "rand", staticmethod(_no_rand))]
  saved = [(obj, k, obj.__dict__[k]) for obj, k, _ in patches]
  try:
    for obj, k, fn in patches: setattr(obj, k, fn)
    _State.graph, _State.recording = g, True
    with no_grad(), Tensor.train(False): yield
  finally:
    for obj, k, fn in saved: setattr(obj, k, fn)
    _State.graph, _State.recording = None, False

def _named(out, names: Optional[list]) -> dict[str, Tensor]:
  """fn's result as {output name: Tensor}: a dict keeps its keys; a Tensor or a tuple takes names (default output_i)."""
  if isinstance(out, dict): items = list(out.items())
  else:
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    names = names or (["output"] if len(outs) == 1 else [f"output_{i}" for i in range(len(outs))])
    if len(names) != len(outs): raise ExportError(f"{len(names)} output names {names} for {len(outs)} outputs")
    items = list(zip(names, outs))
  for k, t in items:
    if not isinstance(t, Tensor): raise ExportError(f"output {k!r} is a {type(t).__name__}, not a Tensor")
  return dict(items)

def export_onnx(fn: Callable, inputs: dict, params=None, output_names: Optional[list] = None, output_dtypes: Optional[dict] = None,
                doc: str = "", metadata: Optional[dict] = None) -> tuple[onnx.ModelProto, dict[str, Tensor]]:
  """Trace fn(*inputs) on the example arrays inputs ({name: numpy array}, their shapes and dtypes are the model's) and
  return the checked ONNX model and the engine's outputs for the examples (lazy). params: the object holding the
  weights, whose state dict names the initializers. output_dtypes: {output: numpy dtype name} to cast outputs to
  (e.g. uint8). uint8 inputs enter the engine as int32 (it has no uint8) behind a Cast."""
  g = Graph({id(t.lazydata): k for k, t in get_state_dict(params).items()} if params is not None else {})
  tensors = []
  for name, a in inputs.items():
    a = np.asarray(a)
    if a.dtype.name not in ONNX_DTYPES: raise ExportError(f"input {name!r} has dtype {a.dtype}: expected one of {sorted(ONNX_DTYPES)}")
    t = Tensor(a.astype(np.int32) if a.dtype == np.uint8 else a).realize()
    n = g.add_input(name, a.shape, a.dtype.name)
    g.bind(t, g.node("Cast", [n], to=ONNX_DTYPES["int32"]) if a.dtype == np.uint8 else n)
    tensors.append(t)
  with _tracing(g): out = _named(fn(*tensors), output_names)
  return g.finish(out, output_dtypes or {}, doc, metadata), out
