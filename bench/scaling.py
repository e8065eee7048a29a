"""Data-parallel scaling: the world model's training throughput (windows/s) with 1 and 2 workers on this machine, the
efficiency, and what a step sends. Run: python bench/scaling.py [--steps 30] [--d-model 128] [--batch 8]
One worker is the plain single-process loop on every core; N workers are Ray replicas of one core each
(train/parallel.py); the speed-up is against the 1-worker run on all cores."""
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np
from drivegpt.cli import HelpFormatter, at_least

ROOT = Path(__file__).resolve().parents[1]

def run(tokens: Path, out: Path, workers: int, a) -> dict:
  """Train for a.steps steps; seconds per step from metrics.jsonl (the steps after the first log, so start-up is excluded)."""
  cmd = [sys.executable, "-m", "drivegpt", "train-world", "--config", str(ROOT / "configs/world-small.yaml"), f"data.tokens={tokens}",
         f"out={out}", f"steps={a.steps}", f"batch_size={a.batch}", f"model.d_model={a.d_model}", "model.n_layer=2", "model.n_head=4",
         "model.vocab_size=1024", "log_every=5", f"ckpt_every={a.steps}", f"eval_every={a.steps}", "eval_windows=8", f"workers={workers}"]
  t0 = time.perf_counter()
  r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
  if r.returncode: raise RuntimeError(r.stderr[-2000:])
  logs = [json.loads(l) for l in (out / "metrics.jsonl").read_text().splitlines() if "loss_bits" in l]
  per_step = (logs[-1]["time"] - logs[0]["time"]) / (logs[-1]["step"] - logs[0]["step"])
  return {"workers": workers, "s_per_step": per_step, "windows_per_s": a.batch / per_step, "wall_s": time.perf_counter() - t0}

def main():
  ap = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
  ap.add_argument("--steps", type=at_least(10, int), default=30, help="steps per run (10 or more: the speed is read from its log lines, one each 5 steps)")
  ap.add_argument("--batch", type=at_least(1, int), default=8, help="global batch (windows of 3 frames x 129 tokens)")
  ap.add_argument("--d-model", type=at_least(1, int), default=128, help="the world model's width")
  a = ap.parse_args()
  rng = np.random.default_rng(0)
  with tempfile.TemporaryDirectory() as tmp:
    tokens = Path(tmp) / "tok"
    tokens.mkdir()
    for i in range(4): np.save(tokens / f"seg{i}.npy", rng.integers(0, 1024, (60, 8, 16)).astype(np.int16))
    rows = [run(tokens, Path(tmp) / f"w{n}", n, a) for n in (1, 2)]
  from drivegpt.models.world import WorldModel
  from drivegpt.nn import get_parameters
  from train.stage import load_config
  from train.world import TrainConfig
  # the model the runs trained: the config with run()'s overrides (a plain WorldConfig left out prev_frame's embedding)
  cfg = load_config(TrainConfig, str(ROOT / "configs/world-small.yaml"), ["data.tokens=unused", f"model.d_model={a.d_model}",
                    "model.n_layer=2", "model.n_head=4", "model.vocab_size=1024"])
  params = sum(p.numel() for p in get_parameters(WorldModel(cfg.model)))
  for r in rows: print(f"workers {r['workers']}: {r['s_per_step']*1e3:8.1f} ms/step  {r['windows_per_s']:7.2f} windows/s  (wall {r['wall_s']:.0f} s)")
  eff = rows[1]["windows_per_s"] / rows[0]["windows_per_s"]
  sent = 2 * 2 * params * 4
  print(f"speed-up 2 workers vs 1: {eff:.2f}x on {os.cpu_count()} cores; {params/1e6:.2f} M parameters: each step moves "
        f"{sent/1e6:.1f} MB through the object store (2 workers x gradients up and the mean down, float32)")
  print(json.dumps({"params": params, "bytes_per_step": sent, **{f"w{r['workers']}_windows_per_s": round(r["windows_per_s"], 3) for r in rows},
                    "speedup": round(eff, 3)}))

if __name__ == "__main__": main()
