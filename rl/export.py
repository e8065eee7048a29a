"""drivegpt export-driving --ckpt POLICY_RUN --out DIR [--fp16]: a trained policy in the inputs of openpilot's split-model modeld
(driving_vision + driving_policy; its stock output parser expects more outputs than these: see the README) as driving_vision.onnx
(two YUV420 camera frames -> the newest frame's VQ tokens as features) and driving_policy.onnx (features_buffer, desire,
traffic_convention, lateral_control_params, prev_desired_curv -> desired curvature and acceleration, p(disengage),
and the flat `outputs` with its slices in the metadata). POLICY_RUN is a train-policy run (ppo, or bc with
--disengage); its VQVAE and stride come from the BC config. Each float32 file is run on onnxruntime against the engine
on random inputs and not written if an output differs by more than 1e-3 of its scale (the vision model's code ids: at all,
but where two codes tie within float32 rounding) or the engine's is not finite;
--fp16 files are written without being run. One JSON line reports sizes, and for the float32 files op counts, the
largest difference and the onnxruntime CPU latency."""
from __future__ import annotations
import argparse, json, sys
from collections import Counter
from pathlib import Path
from typing import Optional
import numpy as np
from drivegpt.cli import HelpFormatter, json_line, path_arg
from drivegpt.models.policy import DrivingPolicy
from drivegpt import Tensor
from drivegpt.export.openpilot import INTERFACE, DrivingVision, _codes, _examples, export_policy, export_vision
from drivegpt.export.command import checked_diff, near_ties, onnx_latency, run_folder
from rl.data import WHEELBASE
from drivegpt.export.graph import save, to_float16
from drivegpt.nn.state import write_atomic

def export_driving(ckpt: str, out: str, disengage: Optional[str] = None, fp16: bool = False) -> dict:
  """Write the openpilot pair for the policy run ckpt to out; returns the report."""
  import onnx
  from drivegpt.nn.state import checkpoint_info
  from rl.policy import load_policy, check_tokenizer
  from rl.disengage import load_disengage, check_same_inputs
  from train.stage import changed_since
  from train.vqvae import load_tokenizer
  p = Path(ckpt)
  if not (p / "ckpt.safetensors").exists() and not p.is_file(): raise FileNotFoundError(f"--ckpt {ckpt}: not a train-policy run (no ckpt.safetensors)")
  actor, bcfg = load_policy(ckpt)
  _, conf, extra = checkpoint_info(str(p / "ckpt.safetensors" if p.is_dir() else p))
  dpath, disengage_given = disengage or conf.get("disengage"), bool(disengage)
  if not dpath: raise ValueError(f"--ckpt {ckpt} is a BC run: pass --disengage RUNDIR (a train-disengage run)")
  vq, _ = load_tokenizer(bcfg.vqvae)
  check_tokenizer(vq, actor, ckpt, bcfg.vqvae)
  disengage, dcfg = load_disengage(dpath)
  if not disengage_given and changed_since((extra or {}).get("inputs", {}).get("disengage"), dpath):
    raise ValueError(f"--ckpt {ckpt}: its disengagement model {dpath} has changed (trained further or replaced) since the PPO run "
                     f"trained with it: pass --disengage {dpath} to pack it as it is now")
  check_same_inputs(disengage, dcfg, actor, bcfg, "export-driving")
  policy = DrivingPolicy(actor, disengage, bcfg.stride, WHEELBASE)
  report, outdir = {}, Path(out)
  if outdir.exists() and not outdir.is_dir(): raise ValueError(f"--out {out}: a file, not a folder (it gets driving_vision.onnx, driving_policy.onnx, export-driving.json)")
  outdir.mkdir(parents=True, exist_ok=True)
  from drivegpt.nn.state import lock_folder, release_folder
  took = lock_folder(outdir, command=True)  # two exports into one folder mixed their files
  # another run's exports there: its driving pair was replaced without a word, beside another VQVAE's encoder and an
  # export.json naming that one (`drivegpt export` refuses another run's folder the same way)
  def run_of(f: Path) -> str:
    try: c = str(json.loads(f.read_text()).get("ckpt", "")) if f.exists() else ""
    except (ValueError, AttributeError, OSError): return ""  # (damaged: rewritten below)
    return run_folder(c) if c else ""
  for f, own in (("export-driving.json", ckpt), ("export.json", bcfg.vqvae)):
    if (other := run_of(outdir / f)) and other != run_folder(own):
      if took: release_folder(outdir)
      raise ValueError(f"--out {out}: its {f} is the export of another run ({other}, not {own}): give each run's export a folder of its own")
  (outdir / "export-driving.json").unlink(missing_ok=True)  # back last: without it, the folder is an export cut short
  for tmp in outdir.glob(".*.onnx.*.tmp"): tmp.unlink()  # a killed export's half-written models
  for stem, (model, want) in (("driving_vision", export_vision(vq.encoder, policy)), ("driving_policy", export_policy(policy))):
    onnx.checker.check_model(model, full_check=True)
    if not all(np.isfinite(w.numpy()).all() for w in want.values()):  # NaN on both sides compared equal: a NaN policy went out
      raise ValueError(f"{ckpt}: the engine's {stem} outputs are not finite (NaN weights: a diverged run?): not exported")
    inputs = _examples(INTERFACE[stem]["inputs"], np.random.default_rng(0), _codes(policy) if stem == "driving_policy" else None)
    got, latency = onnx_latency(model, inputs)
    if stem == "driving_vision":  # its features are code ids: exact, but where two codes tie within float32 rounding
      diff = checked_diff(stem, got, list(want.values()), rtol=0, allowed=[vision_ties(DrivingVision(vq.encoder, policy.vision_head), policy.policy.codebook.numpy(),
                                                                                inputs, got[0], want["outputs"].numpy())])
    else: diff = checked_diff(stem, got, list(want.values()))
    if not fp16 and (old := outdir / f"{stem}_fp16.onnx").exists(): old.unlink()  # an earlier export's, of other weights
    for suffix, m in [("", model)] + ([("_fp16", to_float16(model))] if fp16 else []):
      path = save(m, outdir / f"{stem}{suffix}.onnx")
      report[stem + suffix] = {"path": str(path), "mb": round(path.stat().st_size / 1e6, 3)}
    report[stem].update({"nodes": len(model.graph.node), "ops": dict(Counter(n.op_type for n in model.graph.node)),
                         "max_abs_diff_vs_engine": diff, "ort_ms": round(latency * 1e3, 3)})
  write_atomic(str(outdir / "export-driving.json"), [json.dumps({**report, "ckpt": str(Path(ckpt).resolve())}, indent=1).encode()])
  if took: release_folder(outdir)  # (done: held until the process ended, a notebook's next export there was refused)
  return report

def vision_ties(vision: DrivingVision, codebook: np.ndarray, inputs: dict, got: np.ndarray, want: np.ndarray) -> np.ndarray:
  """Which of driving_vision's features (1, 512) may differ from the engine's: ids of the road frame's codes that tie with
  the engine's (near_ties); the padding after them never."""
  z = vision.latents(*(Tensor(inputs[k]) for k in INTERFACE["driving_vision"]["inputs"])).numpy()[1]  # road frame t: (D, h, w)
  n = z.shape[1] * z.shape[2]
  mask = np.zeros(want.shape, bool)
  mask[0, :n] = near_ties(codebook, z.reshape(z.shape[0], n).T, got[0, :n], want[0, :n])
  return mask

def main(argv: Optional[list[str]] = None) -> int:
  ap = argparse.ArgumentParser(prog="drivegpt export-driving", description=__doc__, formatter_class=HelpFormatter)
  ap.add_argument("--ckpt", required=True, type=path_arg, help="train-policy run (--algo ppo; or bc with --disengage)")
  ap.add_argument("--out", required=True, type=path_arg, help="folder for driving_vision.onnx, driving_policy.onnx and export-driving.json")
  ap.add_argument("--disengage", default=None, type=path_arg, help="train-disengage run (default: the one the ppo run was trained with)")
  ap.add_argument("--fp16", action="store_true", help="also write float16 variants (*_fp16.onnx), not run or compared")
  args = ap.parse_args(argv)
  print(json_line(export_driving(args.ckpt, args.out, args.disengage, args.fp16)), flush=True)
  return 0

if __name__ == "__main__": sys.exit(main())
