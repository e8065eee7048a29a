"""Engine vs numpy, same process: fp32 matmul at 512/1024/2048 and a 12-op elementwise chain on 4M elements; engine vs
PyTorch CPU: softmax over (8, 8, 256, 256) and layernorm over (8, 256, 256), forward + backward, without and with the
JIT (which replays the recorded kernels: no graph building or scheduling in Python).
Prints median times, GFLOP/s and the engine/reference throughput ratio (PyTorch timed on all cores and on one thread,
each side's faster counting: bench/torch_threads.py). Run: python bench/engine.py [--device CL]
numpy runs with its BLAS at its own default thread count (the engine sets BLAS threads only while its kernels run)."""
import argparse, statistics, time
from drivegpt import Tensor, Device, jit  # first: it sets OpenBLAS's environment (drivegpt/blas_env.py) for numpy too
import numpy as np
from drivegpt.cli import HelpFormatter, at_least
from torch_threads import at_threads, setup

def median_times(engine_fn, numpy_fn, repeat: int) -> tuple:
  """Median seconds of each over `repeat` runs, in three blocks that alternate so drifting load on a shared machine hits
  both alike. Each side runs as a training loop runs it, one call after another: a block starts with 30 ms of untimed
  runs, long enough for the other side's idle worker threads to stop spinning (run by run, PyTorch's OpenMP threads
  spun on after each op and took the cores from the engine's next kernel: layernorm forward + backward measured
  0.50 ms so, 0.30 ms alone)."""
  engine_fn()  # warm-up: compiles and caches the kernel
  numpy_fn()
  te, tn = [], []
  for _ in range(3):
    for fn, ts in ((engine_fn, te), (numpy_fn, tn)):
      t0 = time.perf_counter()
      while time.perf_counter() - t0 < 0.03: fn()
      for _ in range(-(-repeat // 3)):
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
  return statistics.median(te), statistics.median(tn)

def chain_numpy(x):  # 12 elementwise ops, each a full pass and a fresh temporary
  return np.maximum(np.sqrt(np.abs(np.exp2(np.negative(x*1.5 + 0.25)) * x - 2.0)) / (x*x + 1.0), 0.1)
def chain_engine(x):
  return ((-(x*1.5 + 0.25)).exp2() * x - 2.0).abs().sqrt().div(x*x + 1.0).maximum(0.1)

def row(name, t_eng, t_np, flops, ref="numpy"):
  print(f"{name:<24} engine {t_eng*1e3:9.2f} ms {flops/t_eng/1e9:8.2f} GFLOP/s | {ref} {t_np*1e3:9.2f} ms "
        f"{flops/t_np/1e9:8.2f} GFLOP/s | engine/{ref} throughput {t_np/t_eng:5.2f}x", flush=True)

def fwd_bwd(f, x: np.ndarray, device, use_jit: bool = False):
  """Forward + backward of y = f(x) with a fixed upstream gradient dy, on the engine (with or without the JIT) and on
  PyTorch: (engine fn, torch fn). Each side computes y and dx and nothing else. (Until session 46 PyTorch also computed
  the loss (y * dy).sum() and back-propagated through it, while the engine, which realized dx alone, never wrote y nor
  computed the loss: layernorm read 1.10x / 2.36x for 0.38-0.69x / 0.64-1.03x, softmax 1.89x / 1.74x for ~1x.)"""
  import torch
  up = np.random.default_rng(1).standard_normal(x.shape).astype(np.float32)
  tx, tup = Tensor(x, device=device, requires_grad=True).realize(), Tensor(up, device=device).realize()
  px, pup = torch.from_numpy(x).requires_grad_(), torch.from_numpy(up)
  sync = Device.get(Device.canonicalize(device)).synchronize
  def grad(x, up):
    x.grad = None
    y = f(x, "engine")
    y.backward(up)   # (as PyTorch's: (y * up).sum().backward() made dy = up * 1 a kernel of its own)
    Tensor.corealize([y, x.grad])
    return y, x.grad
  step = jit(grad) if use_jit else grad
  def engine():
    out = step(tx, tup); sync()
    return out
  def ref():
    px.grad = None
    y = f(px, "torch")
    y.backward(pup)
    return y, px.grad
  for e, r in zip(engine(), ref()): assert np.allclose(e.numpy(), r.detach().numpy(), rtol=1e-3, atol=1e-4), "engine disagrees with PyTorch"
  return engine, ref

def softmax(x, lib): return x.softmax(-1)
def layernorm(x, lib):
  import torch
  return x.layernorm(-1) if lib == "engine" else torch.nn.functional.layer_norm(x, x.shape[-1:])

def main():
  ap = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
  ap.add_argument("--device", default=None, help="engine device (CPU = numpy backend, CL = OpenCL); default DRIVEGPT_DEVICE or CPU")
  ap.add_argument("--repeat", type=at_least(1, int), default=15, help="timed runs per case; medians are printed")
  args = ap.parse_args()
  rng = np.random.default_rng(0)
  sync = Device.get(Device.canonicalize(args.device)).synchronize  # CL queues kernels asynchronously
  for n in (512, 1024, 2048):
    a, b = rng.standard_normal((n, n), dtype=np.float32), rng.standard_normal((n, n), dtype=np.float32)
    ta, tb = Tensor(a, device=args.device).realize(), Tensor(b, device=args.device).realize()
    out = (ta @ tb).numpy()
    assert np.allclose(out, a @ b, rtol=1e-3, atol=1e-2), "engine matmul disagrees with numpy"
    row(f"matmul {n}x{n}x{n}", *median_times(lambda: ((ta @ tb).realize(), sync()), lambda: a @ b, args.repeat), 2*n**3)
  x = rng.uniform(0.1, 2.0, size=4*1024*1024).astype(np.float32)
  tx = Tensor(x, device=args.device).realize()
  assert np.allclose(chain_engine(tx).numpy(), chain_numpy(x), rtol=1e-4, atol=1e-5), "engine chain disagrees with numpy"
  row("12-op chain 4M", *median_times(lambda: (chain_engine(tx).realize(), sync()), lambda: chain_numpy(x), args.repeat), 12*x.size)
  try: import torch
  except ImportError: return print("PyTorch is not installed (pip install torch==2.13.0): skipping softmax and layernorm")
  threads = setup(torch)
  for name, f, shape in (("softmax fwd+bwd", softmax, (8, 8, 256, 256)), ("layernorm fwd+bwd", layernorm, (8, 256, 256))):
    x = rng.standard_normal(shape, dtype=np.float32)
    for use_jit in (False, True):
      eng, ref = fwd_bwd(f, x, args.device, use_jit)
      # PyTorch on all cores and on one, each against the engine in its own round: each side's faster (bench/torch_threads.py)
      rounds = [median_times(eng, at_threads(torch, ref, n), args.repeat) for n in sorted({threads, 1}, reverse=True)]
      row(f"{name}{' jit' if use_jit else ''} {shape}", min(r[0] for r in rounds), min(r[1] for r in rounds), 10*x.size, ref="pytorch")

if __name__ == "__main__": main()
