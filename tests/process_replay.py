"""Process replay: render the OpenCL source of every kernel of a fixed set of graphs and compare it with the golden files
in tests/process_replay/. Pure code generation: no OpenCL device is needed.
Run: python tests/process_replay.py            (prints a diff and exits 1 on any change)
     python tests/process_replay.py --update   (rewrites the goldens after an intended change; commit them with it)"""
from __future__ import annotations
import argparse, difflib, pathlib, sys
import numpy as np
from drivegpt import Tensor, dtypes
from drivegpt.schedule import schedule
from drivegpt.ops import LoadOps
from drivegpt.codegen import render, packed, DeviceLimits

GOLDEN = pathlib.Path(__file__).resolve().parent / "process_replay"
LIMITS = DeviceLimits(pack=True)  # a fixed reference device (a CPU's), so the goldens don't depend on the machine

def _t(rng, *shape, grad=False) -> Tensor:
  return Tensor(rng.standard_normal(shape).astype(np.float32), device="CPU", requires_grad=grad)

def _backward(loss: Tensor, params: list) -> list:
  loss.backward()
  return [loss] + [p.grad for p in params if p.grad is not None]

def elementwise(rng):
  x, y = _t(rng, 1024), _t(rng, 4, 1)
  chain = ((-(x*1.5 + 0.25)).exp2() * x - 2.0).abs().sqrt().div(x*x + 1.0).maximum(0.1)  # bench/engine.py's 12-op chain
  return [chain, y + _t(rng, 1, 8), _t(rng, 6, 5).flip(0).pad(((1, 2), (0, 3))) * 2, (_t(rng, 7) < 0).where(1.0, x[:7])]

def reduce(rng):
  x = _t(rng, 16, 64)
  return [x.sum(axis=1), x.max(), x.softmax(-1), (x.cast(dtypes.int32) % 3).sum(0)]

def matmul(rng):
  a, b = _t(rng, 64, 48, grad=True), _t(rng, 48, 32, grad=True)
  panels = ((_t(rng, 256, 200) @ _t(rng, 200, 264)) + _t(rng, 264)).relu()  # B copied into panels first, an epilogue
  return [_t(rng, 4, 16, 8) @ _t(rng, 4, 8, 24), panels] + _backward((a @ b).relu().sum(), [a, b])

def conv(rng):
  x, w, bias = _t(rng, 2, 3, 8, 8, grad=True), _t(rng, 4, 3, 3, 3, grad=True), _t(rng, 4, grad=True)
  return _backward(x.conv2d(w, bias, padding=1).relu().mean(), [x, w, bias])

def attention(rng):
  q, k, v = (_t(rng, 2, 4, 16, 8, grad=True) for _ in range(3))
  return _backward(q.scaled_dot_product_attention(k, v, is_causal=True).square().sum(), [q, k, v])

def gpt_block(rng):
  from drivegpt.models.gpt import GPTConfig, Block
  from drivegpt.nn import get_parameters
  Tensor.manual_seed(0)
  block = Block(GPTConfig(vocab_size=64, context=16, n_layer=1, n_head=2, d_model=32))
  params = get_parameters(block)
  Tensor.corealize(params)  # weights are inputs: their init kernels are not part of the replayed step
  x = _t(rng, 2, 16, 32, grad=True)
  return _backward(block(x).square().mean(), params + [x])

GRAPHS = {f.__name__: f for f in (elementwise, reduce, matmul, conv, attention, gpt_block)}

def render_graph(name: str) -> str:
  """Every kernel the scheduler makes for graph `name`, as OpenCL source with its launch sizes."""
  outs = GRAPHS[name](np.random.default_rng(0))
  out = []
  for i, si in enumerate(schedule([t.lazydata for t in outs])):
    if si.ast.op in LoadOps: out.append(f"// {i}: {si.ast.op.name} {si.out.shape}\n"); continue
    out += _render(si.ast, si.out.shape, si.out.dtype, str(i))
  return "\n".join(out)

def _render(ast, shape: tuple, dtype, label: str) -> list:
  """One kernel's source with its launch sizes; with packs, as backend_cl runs it: the copies into panels, then the kernel."""
  prg = render(ast, shape, dtype, LIMITS)
  if prg.packs:
    copies, main = packed(ast, prg.packs)
    return [x for _, c in copies for x in _render(c, c.arg[1].shape, c.arg[2], f"{label} (pack)")] + _render(main, shape, dtype, label)
  return [f"// {label}: {shape} {dtype} global {prg.global_size} local {prg.local_size}\n{prg.src}"]

def diff(name: str) -> str:
  """'' when graph name renders as its golden file, else a unified diff (golden -> now)."""
  path = GOLDEN / f"{name}.cl"
  old, new = path.read_text() if path.exists() else "", render_graph(name)
  return "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"golden/{name}.cl", f"now/{name}.cl"))

def main():
  ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
  ap.add_argument("--update", action="store_true", help="rewrite the golden files with the current kernel source")
  args = ap.parse_args()
  changed = 0
  for name in GRAPHS:
    if args.update:
      GOLDEN.mkdir(exist_ok=True)
      (GOLDEN / f"{name}.cl").write_text(render_graph(name))
      print(f"wrote {GOLDEN / name}.cl")
    elif d := diff(name):
      changed += 1
      print(d)
  if changed: print(f"{changed} of {len(GRAPHS)} graphs changed kernel source: review the diff, then run with --update if intended")
  sys.exit(1 if changed else 0)

if __name__ == "__main__": main()
