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
from drivegpt.export.openpilot import IMG, INTERFACE, DrivingVision, _codes, _examples, export_policy, export_vision
from drivegpt.export.command import checked_diff, export_of, near_ties, onnx_latency, run_folder
from rl.data import WHEELBASE
from drivegpt.export.graph import save, to_float16
from drivegpt.nn.state import write_atomic

def export_driving(ckpt: str, out: str, disengage: Optional[str] = None, fp16: bool = False) -> dict:
  """Write the openpilot pair for the policy run ckpt to out; returns the report."""
  from drivegpt.nn.state import checkpoint_info
  from rl.policy import load_policy, check_tokenizer
  from rl.disengage import load_disengage, check_same_inputs
  from train.stage import changed_since, ckpt_file, run_path
  from train.vqvae import load_tokenizer
  p = Path(ckpt)
  if not (p / "ckpt.safetensors").exists() and not p.is_file(): raise FileNotFoundError(f"--ckpt {ckpt}: not a train-policy run (no ckpt.safetensors)")
  actor, bcfg = load_policy(ckpt)
  _, conf, extra = checkpoint_info(str(ckpt_file(p)))
  dpath, disengage_given = disengage or run_path(p, conf.get("disengage")), bool(disengage)
  if not dpath: raise ValueError(f"--ckpt {ckpt} is a BC run: pass --disengage RUNDIR (a train-disengage run)")
  vq, _ = load_tokenizer(bcfg.vqvae)
  check_tokenizer(vq, actor, ckpt, bcfg.vqvae)
  disengage, dcfg = load_disengage(dpath)
  if not disengage_given and changed_since((extra or {}).get("inputs", {}).get("disengage"), dpath):
    raise ValueError(f"--ckpt {ckpt}: its disengagement model {dpath} has changed (trained further or replaced) since the PPO run "
                     f"trained with it: pass --disengage {dpath} to pack it as it is now")
  check_same_inputs(disengage, dcfg, actor, bcfg, "export-driving")
  # (a 64x128 one exported: the vision model encoded the 128x256 camera into an 8x16 grid, the policy read its top two rows
  # as its 4x8 grid; both checks passed, the engine side running the same vision model)
  if tuple(vq.config.image_size) != (IMG[2], IMG[3]):
    raise ValueError(f"--ckpt {ckpt}: its VQVAE {bcfg.vqvae} encodes {vq.config.image_size[0]}x{vq.config.image_size[1]} frames, and "
                     f"openpilot's driving_vision is fed {IMG[2]}x{IMG[3]} ones (its 256x512 camera in YUV420): the policy would read "
                     f"tokens of another grid; export a policy on a VQVAE of model.image_size=[{IMG[2]}, {IMG[3]}]")
  if fp16 and vq.config.n_codes - 1 > 2048:  # (float16 holds whole numbers to 2048: code 4095 became 4096, a zero latent)
    raise ValueError(f"--fp16: the VQVAE {bcfg.vqvae} has {vq.config.n_codes} codes, and float16 holds code ids exactly only up to "
                     "2048: export float32 (leave out --fp16)")
  steps = policy_steps(ckpt, dpath)  # (before --out is made: a refusal left an empty folder holding only its lock)
  policy, outdir = DrivingPolicy(actor, disengage, bcfg.stride, WHEELBASE), Path(out)
  if outdir.exists() and not outdir.is_dir(): raise ValueError(f"--out {out}: a file, not a folder (it gets driving_vision.onnx, driving_policy.onnx, export-driving.json)")
  outdir.mkdir(parents=True, exist_ok=True)
  from drivegpt.nn.state import lock_folder, release_folder
  took = lock_folder(outdir, command=True)  # two exports into one folder mixed their files
  try: return _export_into(outdir, ckpt, policy, vq, bcfg, dpath, steps, fp16)
  finally:  # (a refusal or a failed check held it until the process ended: a notebook's next export there was refused)
    if took: release_folder(outdir)

def policy_steps(ckpt: str, dpath: str) -> dict:
  """Which weights an export packs: the policy run's checkpoint step and the step of the policy in it (BC's best step; PPO's
  newest iteration that passed the guard); a run or disengagement run still training is refused, a PPO run killed part way
  said on stderr (export-driving packed either without a word, and its JSON named only the run)."""
  from drivegpt.nn.state import checkpoint_info, folder_in_use
  from train.stage import ckpt_file
  from rl.policy import policy_file
  for flag, run in (("--ckpt", ckpt), ("--disengage", dpath)):
    if who := folder_in_use(ckpt_file(run).parent):
      raise ValueError(f"{flag} {run}: a run is still training in {ckpt_file(run).parent} (its lock is held by {who}): wait for it to end, or end that process")
  step, conf, extra = checkpoint_info(str(file := ckpt_file(ckpt)))
  if "bc" not in conf: return {"ckpt_step": step, "policy_step": (extra or {}).get("best_step", step)}
  try: end = json.loads((file.parent / "final.json").read_text()) if file.name == "ckpt.safetensors" else {"iterations": step, "stopped": "a snapshot"}
  except (ValueError, OSError): end = {}  # (none, or damaged)
  if step < conf.get("iterations", 0) and not (isinstance(end, dict) and end.get("iterations") == step and end.get("stopped")):  # (a guard's stop is an end)
    print(f"note: --ckpt {ckpt} stopped at iteration {step} of its {conf.get('iterations')} (an unfinished PPO run): its newest "
          "guarded policy exported as it is; run its command again first to finish it", file=sys.stderr)
  return {"ckpt_step": step, "policy_step": checkpoint_info(str(policy_file(file)))[0]}

def _export_into(outdir: Path, ckpt: str, policy: DrivingPolicy, vq, bcfg, dpath: str, steps: dict, fp16: bool) -> dict:
  import onnx
  # another run's exports there: its driving pair was replaced without a word, beside another VQVAE's encoder and an
  # export.json naming that one (`drivegpt export` refuses a folder of another run's, or of another VQVAE's pair, too)
  for f, own in (("export-driving.json", ckpt), ("export.json", bcfg.vqvae)):
    if (other := export_of(outdir / f)) and other != run_folder(own):
      raise ValueError(f"--out {outdir}: its {f} is the export of another run ({other}, not {own}): give each run's export a folder of its own")
  report: dict = {}
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
  write_atomic(str(outdir / "export-driving.json"), [json.dumps({**report, "ckpt": str(Path(ckpt).resolve()), **steps, "vqvae": run_folder(bcfg.vqvae),
                                                                "disengage": run_folder(dpath)}, indent=1).encode()])
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

if __name__ == "__main__":  # through the front door: an export error is "drivegpt export-driving: error: ...", exit 2
  from drivegpt.cli import main as cli
  sys.exit(cli(["export-driving", *sys.argv[1:]]))
