"""An ONNX graph under construction: nodes, initializers, and the ONNX name of every traced engine buffer.
The tracer (trace.py) adds nodes as the model runs; finish() names the outputs, drops what they don't need and checks
the model with the onnx package."""
from __future__ import annotations
import itertools, json
from typing import Optional
import numpy as np
import onnx
from pathlib import Path
from onnx import TensorProto, helper, numpy_helper
from drivegpt import Tensor
from drivegpt.lazy import LazyBuffer

OPSET, IR_VERSION = 18, 8  # opset 18: ReduceMax takes axes as an input, LayerNormalization exists; IR 8 is opset 18's

# every op type the exporter writes: node() refuses any other, and tests/test_export_ops.py runs each on onnxruntime
OP_TYPES = frozenset({
  "MatMul", "Gemm", "Conv", "ConvTranspose", "MaxPool", "AveragePool", "Softmax", "LogSoftmax", "LayerNormalization",
  "InstanceNormalization", "Gather", "Concat", "Pad", "ReduceMean", "ReduceSum", "ReduceMax", "Tanh", "Identity", "Cast",
  "Neg", "Sin", "Relu", "Log", "Exp", "Pow", "Sqrt", "Reciprocal", "Sign", "Less", "Equal", "Mod", "Add", "Or",
  "Sub", "Mul", "And", "Div", "Max", "Where", "Expand", "Reshape", "Transpose", "Slice"})

# engine dtype name (or a numpy name for inputs and outputs the engine holds wider) -> ONNX element type
ONNX_DTYPES = {"bool": TensorProto.BOOL, "uint8": TensorProto.UINT8, "int32": TensorProto.INT32, "int64": TensorProto.INT64,
               "float16": TensorProto.FLOAT16, "float32": TensorProto.FLOAT}

class ExportError(ValueError):
  """A model, checkpoint or input the exporter can't write as ONNX; the message names it."""

def broadcast(shapes: list) -> Optional[tuple]:
  """numpy's (and ONNX's) broadcast of shapes, or None when they don't broadcast."""
  try: return tuple(np.broadcast_shapes(*shapes))
  except ValueError: return None

class Graph:
  """Nodes and initializers of one ONNX graph, and the name each traced LazyBuffer has in it."""
  def __init__(self, params: dict[int, str]):
    self.nodes: list[onnx.NodeProto] = []
    self.inits: dict[str, np.ndarray] = {}
    self.inputs: list[onnx.ValueInfoProto] = []
    self.shapes: dict[str, tuple] = {}    # shapes of the names tensors are bound to (for broadcast folding)
    self.names: dict[int, str] = {}       # id(LazyBuffer) -> name, for values computed from the inputs
    self.expanded: dict[str, str] = {}    # an Expand's output -> its input: ops that broadcast read the input
    self.consts: dict = {}                # (id(base), view) -> name: a weight read twice is stored once
    self.params = params                  # id(LazyBuffer) of each named weight -> its state dict name
    self._keep: list = []                 # every LazyBuffer named here stays alive, so its id is never reused
    self._ids = itertools.count()

  def node(self, op: str, inputs: list, **attrs) -> str:
    """Add one node; returns its output's name."""
    assert op in OP_TYPES, f"{op} is not in OP_TYPES"
    out = f"{op.lower()}_{next(self._ids)}"
    self.nodes.append(helper.make_node(op, list(inputs), [out], name=out, **attrs))
    return out

  def const(self, value: np.ndarray, name: str = "const") -> str:
    """Add an initializer; returns its (unique) name."""
    while name in self.inits or name in self.shapes: name = f"{name.rsplit('#', 1)[0]}#{next(self._ids)}"
    self.inits[name], self.shapes[name] = np.asarray(value), np.shape(value)
    return name
  def ints(self, values) -> str: return self.const(np.array(values, np.int64), "shape")

  def add_input(self, name: str, shape: tuple, dtype: str) -> str:
    self.inputs.append(helper.make_tensor_value_info(name, ONNX_DTYPES[dtype], list(shape)))
    self.shapes[name] = tuple(shape)
    return name

  def traced(self, t: Tensor) -> bool: return id(t.lazydata) in self.names
  def bind(self, t: Tensor, name: str) -> None:
    """t's value is the ONNX value name."""
    self.names[id(t.lazydata)], self.shapes[name] = name, t.shape
    self._keep.append(t.lazydata)

  def name(self, t: Tensor) -> str:
    """The ONNX name of t: its traced value, or a constant (an initializer, broadcast dims stored once)."""
    lb = t.lazydata
    if (n := self.names.get(id(lb))) is not None: return n
    if (n := self.consts.get(key := (id(lb.base), lb.st))) is not None: return n
    self._check_constant(lb)
    v = lb.st.views[-1]
    bdims = [d for d, (s, st) in enumerate(zip(v.shape, v.strides))
             if len(lb.st.views) == 1 and s > 1 and st == 0 and (v.mask is None or v.mask[d] == (0, s))]
    small = lb.shrink(tuple((0, 1) if d in bdims else (0, s) for d, s in enumerate(lb.shape))) if bdims else lb
    n = self.const(small.numpy(), self._const_name(lb))
    if bdims:
      src, n = n, self.node("Expand", [n, self.ints(lb.shape)])
      self.expanded[n], self.shapes[n] = src, lb.shape
    self.consts[key] = n
    self._keep.append(lb)
    return n

  def _const_name(self, lb: LazyBuffer) -> str:
    if (p := self.params.get(id(lb))) is not None: return p
    if (p := self.params.get(id(lb.base))) is not None: return f"{p}.{'T' if [m.name for m, _ in lb.mops] == ['PERMUTE'] else 'view'}"
    return "const"

  def depends(self, lb: LazyBuffer) -> bool:
    """Whether lb's value is computed from a traced one."""
    stack, seen = [lb], set()
    while stack:
      b = stack.pop()
      if id(b) in seen: continue
      seen.add(id(b))
      if id(b) in self.names: return True
      if b._base is not None: stack.append(b._base)
      elif b.realized is None: stack.extend(b.srcs)
    return False

  def _check_constant(self, lb: LazyBuffer) -> None:
    """A value that reaches the inputs only through something the tracer didn't see can't be frozen as a constant."""
    if self.depends(lb):
      raise ExportError(f"a value {lb.shape} depends on the inputs through an operation outside the Tensor API "
                        "(Tensor.to(), a LazyBuffer call, a copy to another device): the exporter can't follow it")

  def operands(self, ts: tuple, out_shape: tuple) -> list:
    """Names for a broadcasting op's operands, reading past Expands wherever ONNX's own broadcasting gives out_shape."""
    full = [self.name(t) for t in ts]
    short = [self.expanded.get(n, n) for n in full]
    for k in range(len(full) + 1):  # the first k operands keep their expanded shape
      cand = full[:k] + short[k:]
      if broadcast([self.shapes[n] for n in cand]) == tuple(out_shape): return cand
    return full

  def finish(self, outputs: dict, dtypes: dict, doc: str = "", metadata: Optional[dict] = None) -> onnx.ModelProto:
    """The checked model computing outputs ({name: Tensor}); dtypes maps an output name to an ONNX dtype name to cast to."""
    graph_outputs, taken = [], {i.name for i in self.inputs} | set(self.inits)
    for out_name, t in outputs.items():
      n, dtype = self.name(t), dtypes.get(out_name, t.dtype.name)
      if dtype != t.dtype.name: n = self.node("Cast", [n], to=ONNX_DTYPES[dtype])
      if n in taken: self.nodes.append(helper.make_node("Identity", [n], [out_name], name=out_name))
      else: self._rename(n, out_name)
      taken.add(out_name)
      graph_outputs.append(helper.make_tensor_value_info(out_name, ONNX_DTYPES[dtype], list(t.shape)))
    nodes = self._live([o.name for o in graph_outputs])
    used = {i for nd in nodes for i in nd.input}
    inits = [numpy_helper.from_array(np.array(a, order="C"), k) for k, a in self.inits.items() if k in used]  # (0-d stays 0-d)
    graph = helper.make_graph(nodes, "drivegpt", self.inputs, graph_outputs, inits, doc_string=doc)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], ir_version=IR_VERSION,
                              producer_name="drivegpt", doc_string=doc)
    helper.set_model_props(model, {k: v if isinstance(v, str) else json.dumps(v) for k, v in (metadata or {}).items()})
    try: onnx.checker.check_model(model, full_check=True)
    except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError) as e:  # (onnx's own message, naming its node)
      raise ExportError(f"the traced graph is not valid ONNX (opset {OPSET}): {str(e).splitlines()[0][:300]}; most often an "
                        "engine op the ONNX operator lacks for its dtype or rank (a bool max or comparison, an int max-pool: cast first; a 0-d softmax)") from None
    return model

  def _rename(self, old: str, new: str) -> None:
    for nd in self.nodes:
      nd.input[:] = [new if i == old else i for i in nd.input]
      nd.output[:] = [new if o == old else o for o in nd.output]
    self.expanded = {(new if k == old else k): (new if v == old else v) for k, v in self.expanded.items()}
    self.names = {k: (new if v == old else v) for k, v in self.names.items()}

  def _live(self, outputs: list) -> list:
    """The nodes the outputs need, in order: a broadcast folded away leaves its Expand unused."""
    need, live = set(outputs), []
    for nd in reversed(self.nodes):
      if need & set(nd.output): live.append(nd); need.update(nd.input)
    return live[::-1]

def save(model, path) -> Path:
  """onnx.save, atomically (a temp file, then a rename): a kill mid-write left a 0-byte model in place of the good one."""
  from drivegpt.nn.state import write_atomic
  write_atomic(str(path), [model.SerializeToString()])
  return Path(path)

def to_float16(model: onnx.ModelProto) -> onnx.ModelProto:
  """The same model computing in float16: float32 weights, inputs, outputs and casts become float16."""
  m = onnx.ModelProto()
  m.CopyFrom(model)
  g = m.graph
  for i, init in enumerate(g.initializer):  # a -1e9 mask would become -inf (0 * -inf: NaN), an eps of 1e-8 zero: both clamped
    if init.data_type != TensorProto.FLOAT: continue
    a = numpy_helper.to_array(init)
    a = np.where(np.isfinite(a), np.clip(a, -65504, 65504), a)
    a = np.where((a != 0) & (np.abs(a) < 2.0**-24), np.copysign(2.0**-24, a), a)
    g.initializer[i].CopyFrom(numpy_helper.from_array(a.astype(np.float16), init.name))
  for v in list(g.input) + list(g.output):
    if v.type.tensor_type.elem_type == TensorProto.FLOAT: v.type.tensor_type.elem_type = TensorProto.FLOAT16
  for nd in g.node:
    for a in nd.attribute:
      if nd.op_type == "Cast" and a.name == "to" and a.i == TensorProto.FLOAT: a.i = TensorProto.FLOAT16
  def half(x):  # metadata describing the ports ({"dtype": "float32", ...} in JSON) says what they now are
    if isinstance(x, dict): return {k: "float16" if k == "dtype" and v == "float32" else half(v) for k, v in x.items()}
    return [half(v) for v in x] if isinstance(x, list) else x
  for prop in m.metadata_props:
    try: value = json.loads(prop.value)
    except ValueError: continue  # not JSON: left as it is
    if half(value) != value: prop.value = json.dumps(half(value))
  onnx.checker.check_model(m, full_check=True)
  return m
