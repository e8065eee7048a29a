"""ONNX export: each exported model's file size, op counts by type, onnxruntime CPU latency per call, and its largest
difference from the engine over N random inputs (and N recorded frame pairs with --shards).

  python bench/export.py [--ckpt VQVAE_RUNDIR] [--shards DIR] [--n 20] [--out DIR]

Without --ckpt the VQVAE is a small one (patch 4, width 32, mults 1/2/4, one decoder block, 32-dim codes), randomly
initialized."""
import argparse, json, pathlib, sys, time
from collections import Counter
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from drivegpt import Tensor, jit  # first: it sets OpenBLAS's environment (drivegpt/blas_env.py) before numpy loads
import numpy as np
import onnx
from drivegpt.cli import HelpFormatter, at_least
from drivegpt.models.gpt import GPT, GPTConfig
from drivegpt.models.vqvae import VQVAE, VQVAEConfig, to_input
from drivegpt.models.world import WorldModel, WorldConfig
from drivegpt.export import export_onnx
from drivegpt.export.command import load_run, onnx_latency, vqvae_exports, world_exports
from drivegpt.export.openpilot import INTERFACE, TinyPolicy, DrivingVision, export_vision, export_policy, frames_to_input_imgs

def recorded_pairs(shards: str, n: int) -> np.ndarray:
  """n pairs of consecutive frames (n, 2, 128, 256, 3) uint8 spread over the shards' frames."""
  import h5py, data  # noqa: F401  (data registers the LZ4 filter)
  files = sorted(pathlib.Path(shards).glob("*.h5"))
  if not files: raise SystemExit(f"--shards {shards}: no .h5 shards")
  pairs = []
  for i in range(n):
    with h5py.File(files[i % len(files)], "r") as f:
      k = (i // len(files) * 37) % (len(f["frames"]) - 1)
      pairs.append(f["frames"][k:k + 2])
  return np.stack(pairs)

def bench(name: str, model: onnx.ModelProto, engine, feeds: list, out_dir: pathlib.Path) -> dict:
  """Save model, compare onnxruntime with the engine on every feed; returns one row of the report."""
  import onnxruntime as ort
  onnx.checker.check_model(model, full_check=True)
  onnx.save(model, str(path := out_dir / f"{name}.onnx"))
  sess, diff, scale, mismatch = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]), 0.0, 0.0, []
  names = [o.name for o in model.graph.output]
  for feed in feeds:
    got = dict(zip(names, sess.run(None, feed)))
    want = engine(*[Tensor(a.astype(np.int32) if a.dtype == np.uint8 else a) for a in feed.values()])
    for k, w in (want if isinstance(want, dict) else {names[0]: want}).items():  # by name: a policy's dict is a subset
      g, w = got[k], w.numpy()
      if w.dtype.kind in "iu": mismatch.append(float((g != w).mean())); continue  # codes: an argmin
      diff, scale = max(diff, float(np.abs(g - w).max())), max(scale, float(np.abs(w).max()))
  return {"model": name, "MB": round(path.stat().st_size / 2**20, 3), "nodes": len(model.graph.node),
          "ops": dict(Counter(n.op_type for n in model.graph.node).most_common()), "inputs": len(feeds),
          "max_abs_diff": diff, "max_abs_output": scale, **({"int_mismatch": max(mismatch)} if mismatch else {}),
          "ort_cpu_ms": round(onnx_latency(model, feeds[0], runs=10)[1] * 1e3, 2)}

def main():
  ap = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
  ap.add_argument("--ckpt", help="a train-vqvae run directory (default: a small VQVAE, random weights)")
  ap.add_argument("--shards", help="HDF5 frame shards: also compare on recorded frames")
  ap.add_argument("--n", type=at_least(1, int), default=20, help="input examples")
  ap.add_argument("--out", default="runs/export-bench", help="folder for the exported .onnx files")
  args = ap.parse_args()
  if args.ckpt and not pathlib.Path(args.ckpt).exists(): ap.error(f"--ckpt {args.ckpt}: no such run directory")
  out_dir = pathlib.Path(args.out)
  out_dir.mkdir(parents=True, exist_ok=True)
  rng = np.random.default_rng(0)
  vq = load_run(args.ckpt)[1] if args.ckpt else VQVAE(VQVAEConfig(patch=4, width=32, mults=(1, 2, 4), enc_blocks=0, dec_blocks=1,
                                                                   attention=False, groups=8, code_dim=32))
  rec = recorded_pairs(args.shards, args.n) if args.shards else None
  rows = []
  t0 = time.time()
  for name, (fn, example, kw) in {**vqvae_exports(vq), **world_exports(WorldModel(WorldConfig()))}.items():
    model, _ = export_onnx(fn, example, params=vq if "vqvae" in name else None, **kw)
    feeds = [{k: rng.uniform(-1, 1, a.shape).astype(a.dtype) if a.dtype.kind == "f" else rng.integers(0, example[k].max() + 1, a.shape).astype(a.dtype)
              for k, a in example.items()} for _ in range(args.n)]
    if rec is not None and name == "vqvae_encoder": feeds += [{"frames": to_input(p[1:])} for p in rec]
    rows.append(bench(name, model, jit(fn), feeds, out_dir))
  gpt = GPT(GPTConfig(vocab_size=1024, context=128, n_layer=4, n_head=4, d_model=128))
  logits = lambda idx: gpt(idx)[:, -1, :]  # noqa: E731
  model, _ = export_onnx(logits, {"idx": np.zeros((1, 128), np.int64)}, params=gpt, output_names=["logits"])
  rows.append(bench("gpt_logits", model, jit(logits), [{"idx": rng.integers(0, 1024, (1, 128))} for _ in range(args.n)], out_dir))
  policy = TinyPolicy(vq.config.code_dim)
  vis_feeds = [{k: rng.integers(0, 256, p.shape, dtype=np.uint8) for k, p in INTERFACE["driving_vision"]["inputs"].items()} for _ in range(args.n)]
  if rec is not None: vis_feeds += [{"input_imgs": (imgs := frames_to_input_imgs(p)), "big_input_imgs": imgs} for p in rec]
  rows.append(bench("driving_vision", export_vision(vq.encoder, policy)[0], jit(DrivingVision(vq.encoder, policy.vision_head)), vis_feeds, out_dir))
  pol_feeds = [{k: rng.standard_normal(p.shape).astype(np.float32) for k, p in INTERFACE["driving_policy"]["inputs"].items()} for _ in range(args.n)]
  rows.append(bench("driving_policy", export_policy(policy)[0], jit(policy), pol_feeds, out_dir))
  for r in rows: print(json.dumps(r))
  print(f"# {len(rows)} models, {time.time() - t0:.0f} s; files in {out_dir}")

if __name__ == "__main__": main()
