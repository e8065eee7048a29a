"""Training curves of the RL stage as one PNG: the disengagement model, behaviour cloning and PPO (from their metrics.jsonl).

  python -m rl.curves --disengage RUNDIR --bc RUNDIR --ppo RUNDIR --out rl/curves.png
"""
from __future__ import annotations
import argparse, io, json
from pathlib import Path
from typing import Optional
from drivegpt.cli import path_arg
from train.stage import _step_of, write_atomic

PANELS = [("disengage", "val_auroc_2s", "disengagement AUROC (held out, 2 s)"), ("disengage", "loss", "disengagement loss"),
          ("bc", "val_mse", "BC held-out MSE (normalized actions)"), ("ppo", "reward", "PPO mean reward per step"),
          ("ppo", "p_disengage", "PPO mean p(disengage) (reward horizon)"), ("ppo", "kl_update", "PPO KL of each iteration's update"),
          ("ppo", "entropy", "PPO policy entropy (nats)"), ("ppo", "token_js", "token drift vs real data (JS bits)")]

def metrics(run: Optional[str]) -> list[dict]:
  """The rows of run/metrics.jsonl ([] without one); a torn or foreign row is left out, as a resume leaves it out (it
  was a JSONDecodeError at the end of a PPO run, which draws these curves)."""
  p = Path(run or "") / "metrics.jsonl"
  return [json.loads(l) for l in p.read_text().splitlines() if l.strip() and _step_of(l) < 1 << 62] if run and p.exists() else []

def save_curves(out: str, runs: dict) -> None:
  """Plot PANELS from runs {"disengage": RUNDIR, "bc": RUNDIR, "ppo": RUNDIR} (missing runs leave their panels empty)."""
  import matplotlib
  matplotlib.use("Agg")
  import matplotlib.pyplot as plt
  rows = {k: metrics(v) for k, v in runs.items()}
  fig, axes = plt.subplots(2, 4, figsize=(16, 6.5))
  for ax, (run, key, title) in zip(axes.flat, PANELS):
    pts = [(r["step"], r[key]) for r in rows.get(run, []) if r.get(key) is not None]
    if pts: ax.plot(*zip(*pts), marker="o", markersize=3)
    else: ax.text(0.5, 0.5, f"no {key} values" + (" (no run)" if not rows.get(run) else " (null: e.g. no held-out takeover)"),
                  ha="center", va="center", fontsize=8, transform=ax.transAxes)
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("iteration" if run == "ppo" else "step", fontsize=8)
    ax.grid(alpha=0.3)
  fig.tight_layout()
  Path(out).parent.mkdir(parents=True, exist_ok=True)
  buf = io.BytesIO()  # written whole or not at all (a kill mid-save left a 0-byte PNG)
  fig.savefig(buf, dpi=80, format=Path(out).suffix.lstrip(".").lower() or "png")  # (.pdf, .svg: as named)
  plt.close(fig)
  write_atomic(Path(out), buf.getvalue())

def main(argv: Optional[list[str]] = None) -> int:
  ap = argparse.ArgumentParser(prog="python -m rl.curves", description=__doc__.split("\n\n")[0])
  for k in ("disengage", "bc", "ppo"): ap.add_argument(f"--{k}", type=path_arg, help=f"{k} run directory")
  ap.add_argument("--out", required=True, type=path_arg)
  args = ap.parse_args(argv)
  try: save_curves(args.out, {"disengage": args.disengage, "bc": args.bc, "ppo": args.ppo})
  except OSError as e: ap.error(f"--out {args.out}: can't write it ({e.strerror or e})")   # (a traceback)
  print(f"wrote {args.out}")
  return 0

if __name__ == "__main__":
  raise SystemExit(main())
