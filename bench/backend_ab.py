"""A change to the CPU (numpy) backend, timed against the code before it in one process: this tree's
drivegpt/backend_numpy.py and another tree's (a `git worktree` of the commit before) are both loaded, each builds its own
kernels for the same model, and steps alternate between them, so both see the same load. On shared 2-core VMs a whole
bench run moves 10-40% from one process to the next (PyTorch's own GPT step took 338 ms and 487 ms within an hour), far
more than most changes; paired steps in one process resolve a few percent. Prints the median step of each and the ratio.

  git worktree add /tmp/base HEAD~1
  python bench/backend_ab.py --against /tmp/base [--case gpt|vqvae-small|sim] [--pairs 10]

Only backend_numpy.py is swapped: the rest of the engine (scheduler, jit, native kernels) is this tree's for both.
"""
from __future__ import annotations
import argparse, importlib.util, pathlib, sys, time
import drivegpt  # first: it sets OpenBLAS's environment (drivegpt/blas_env.py) before numpy loads
import numpy as np
from drivegpt import Tensor, realize, backend_numpy
from drivegpt.cli import HelpFormatter, at_least

def step_of(case: str):
  """A function that runs one step of case (a jitted training step, or one simulator frame) and waits for it."""
  if case == "sim":
    from drivegpt.models.world import WorldModel, FrameSampler
    from train.stage import load_config
    from train.world import TrainConfig
    c = load_config(TrainConfig, "configs/world-small.yaml", ["data.tokens=unused"]).model
    Tensor.manual_seed(0)
    model, rng = WorldModel(c), np.random.default_rng(0)
    ctx = rng.integers(0, c.vocab_size, (8, c.frames - 1, c.tokens_per_frame)).astype(np.int32)
    pose = (rng.normal(0, 1, (8, c.frames, 6)) * c.pose_std + c.pose_mean).astype(np.float32)
    sampler = FrameSampler(model)
    return lambda: sampler.generate(ctx, pose, 1.0, 0, rng)
  sys.path.insert(0, str(pathlib.Path(__file__).parent))
  import train_step  # the same models, optimizers and batches as bench/train_step.py
  return {"gpt": train_step.gpt_engine, "vqvae-small": train_step.vqvae_small_engine}[case]("CPU", use_jit=True)

def main():
  ap = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
  ap.add_argument("--against", required=True, help="another tree (a git worktree) whose drivegpt/backend_numpy.py is the baseline")
  ap.add_argument("--case", choices=["gpt", "vqvae-small", "sim"], default="sim", help="which model's kernels to time")
  ap.add_argument("--pairs", type=at_least(1, int), default=10, help="timed steps of each, alternating, after 3 warm-up steps each")
  args = ap.parse_args()
  path = pathlib.Path(args.against) / "drivegpt" / "backend_numpy.py"
  if not path.is_file(): raise SystemExit(f"--against {args.against}: no drivegpt/backend_numpy.py there")
  spec = importlib.util.spec_from_file_location("baseline_backend_numpy", path)
  base = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(base)
  mine = backend_numpy.compile
  def built_with(compile_fn):  # the device's compile is looked up on the module at each schedule: swapped while recording
    realize._runners.clear()
    backend_numpy.compile = compile_fn
    try:
      step = step_of(args.case)
      for _ in range(3): step()  # the jit records on the 2nd call
    finally: backend_numpy.compile = mine
    return step
  steps = {"this tree": built_with(mine), "baseline": built_with(base.compile)}
  times = {k: [] for k in steps}
  for _ in range(args.pairs):
    for k, step in steps.items():
      t0 = time.perf_counter(); step(); times[k].append(time.perf_counter() - t0)
  a, b = (float(np.median(times[k])) for k in steps)
  pairs = " ".join(f"{x / y:.2f}" for x, y in zip(*times.values()))
  print(f"{args.case}: this tree {a*1e3:.1f} ms, baseline ({args.against}) {b*1e3:.1f} ms, ratio {a / b:.3f} (median of {args.pairs}; per pair: {pairs})")

if __name__ == "__main__":
  main()
