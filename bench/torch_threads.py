"""PyTorch's thread count in the benchmarks: each PyTorch time printed is the faster of all cores and one thread.
On a shared 2-core VM PyTorch's threads wait on each other whenever another job holds a core: its steps took 2-30x longer
under load while the engine's barely moved, and the ratios flattered the engine (a review: the simulator read 0.12x with
PyTorch on 2 threads, 1.97x on 1; layernorm 11x, ~1-2x so). On an idle machine all cores is the faster."""
import os

def setup(torch, threads: int = 0) -> int:
  """PyTorch on `threads` threads (0: one per CPU); prints the counts timed and the load average. Returns the count."""
  torch.set_num_threads(threads or os.cpu_count() or 1)
  n = torch.get_num_threads()
  print(f"PyTorch threads {n}" + (" and 1 (each PyTorch time is the faster)" if n > 1 else "") +
        f"; load average before {os.getloadavg()[0]:.2f} (a busy machine slows the engine too: compare ratios taken idle)", flush=True)
  return n

def at_threads(torch, fn, n: int):
  """fn run with PyTorch on n threads (set when another count is in force: the calls of one timing block switch once)."""
  def run(*a, **k):
    if torch.get_num_threads() != n: torch.set_num_threads(n)
    return fn(*a, **k)
  return run
