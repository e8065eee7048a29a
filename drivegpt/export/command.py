"""drivegpt export --ckpt RUNDIR --out DIR [--fp16]: the ONNX files of a run, its models checked against the engine.

  VQVAE run:        vqvae_encoder.onnx (frames (1, 3, H, W) in [-1, 1] -> latents, codes), vqvae_decoder.onnx (codes -> frames)
  world model run:  world_logits.onnx (tokens (1, F, N), pose (1, F, 6) -> logits (1, F, N, vocab): one forward step)
  always:           rgb_to_yuv420.onnx (two RGB camera frames -> openpilot's input_imgs)
The openpilot pair (driving_vision.onnx, driving_policy.onnx) needs a policy: openpilot.export_driving_model(encoder, policy,
out_dir) takes any object following openpilot.Policy. Each float32 model is run on onnxruntime against the engine on
random inputs and not written if an output differs by more than 1e-3 of its scale. With --fp16 each *_fp16.onnx is run
too and its largest difference reported; one whose float outputs are not finite where the engine's are, or differ by
more than 5% of their scale (float16's range or rounding), is refused. rgb_to_yuv420.onnx is only timed, not compared. export.json
holds each file's size and onnxruntime CPU latency, each compared file's largest difference, and the op counts of
all but the *_fp16 files, and the checkpoint's path and step; all but those two is printed as one JSON line. A run
killed before its last step is exported as it is, said on stderr; one still training is refused."""
from __future__ import annotations
import argparse, dataclasses, functools, json, sys, time
from collections import Counter
from pathlib import Path
from typing import Callable, Optional
import numpy as np
import onnx
from drivegpt import Tensor
from drivegpt.cli import HelpFormatter, json_line, path_arg
from drivegpt.export.graph import ExportError, save, to_float16
from drivegpt.nn.state import lock_folder, release_folder
from drivegpt.export.trace import export_onnx
from drivegpt.nn.state import write_atomic
from drivegpt.export.openpilot import export_rgb_to_yuv6

CKPT = "ckpt.safetensors"  # the checkpoint file of a run directory (train/stage.py's Run.CKPT)

def _config(cls, values: dict, ckpt: str):
  """cls(**values) with lists as tuples where cls has tuple defaults; a key cls doesn't know is an ExportError."""
  fields = {f.name: f for f in dataclasses.fields(cls)}
  if unknown := sorted(set(values) - set(fields)): raise ExportError(f"{ckpt}: model config key {unknown[0]!r} is unknown to {cls.__name__}")
  return cls(**{k: tuple(v) if isinstance(v, list) and isinstance(fields[k].default, tuple) else v for k, v in values.items()})

def load_run(path: str) -> tuple[str, object, int]:
  """(kind, model, its checkpoint's step) of a run directory or checkpoint file: kind "vqvae" or "world"."""
  from drivegpt.nn.state import checkpoint_info, folder_in_use, load_checkpoint
  from drivegpt.models.vqvae import VQVAE, VQVAEConfig
  from drivegpt.models.world import WorldModel, WorldConfig
  p = Path(path)
  if not p.exists(): raise ExportError(f"--ckpt {path}: no such run directory or checkpoint file")
  ckpt = p / CKPT if p.is_dir() else p
  if not ckpt.is_file(): raise ExportError(f"--ckpt {path}: no checkpoint ({ckpt} doesn't exist): is it a run directory of train-vqvae or train-world?")
  try: step, config, _ = checkpoint_info(str(ckpt))
  except (ValueError, OSError) as e: raise ExportError(f"--ckpt {path}: can't read {ckpt}: {e}") from None
  model_cfg = config.get("model", {}) if isinstance(config, dict) else {}
  if "horizons" in model_cfg or "bc" in config: raise ExportError(f"--ckpt {path}: {ckpt} is a driving run (train-policy or train-disengage), "
                                                                 "not a VQVAE or world model: `drivegpt export-driving` exports a policy")
  if "code_dim" in model_cfg: kind, model = "vqvae", VQVAE(_config(VQVAEConfig, model_cfg, str(ckpt)))
  elif "tokens_per_frame" in model_cfg: kind, model = "world", WorldModel(_config(WorldConfig, model_cfg, str(ckpt)))
  else: raise ExportError(f"--ckpt {path}: {ckpt} holds no model this exporter knows (config model keys {sorted(model_cfg)}): "
                          "expected a VQVAE (model.code_dim) or a world model (model.tokens_per_frame)")
  # a run still training, or killed part way, exported its checkpoint of the moment without a word (export-driving refuses
  # an unfinished policy): one training is refused, as PPO refuses its world; one killed is said, export.json keeps the step
  if who := folder_in_use(ckpt.parent): raise ExportError(f"--ckpt {path}: a run is still training in {ckpt.parent} (its lock is held by {who}): wait for it to end, or end that process")
  if isinstance(steps := config.get("steps"), int) and step < steps:
    print(f"note: --ckpt {path} stopped at step {step} of its {steps} (an unfinished run): exported as it is; run its "
          "command again first to finish it", file=sys.stderr)
  try: load_checkpoint(str(ckpt), model)
  except ValueError as e: raise ExportError(f"--ckpt {path}: {e}") from None
  return kind, model, step

def vqvae_exports(vqvae) -> dict[str, tuple[Callable, dict, dict]]:
  """name -> (fn, example inputs, export kwargs) for the VQVAE's encoder and decoder."""
  c, rng = vqvae.config, np.random.default_rng(0)
  def encode(frames: Tensor) -> dict[str, Tensor]:
    z = vqvae.encoder(frames)                                                  # (1, D, h, w)
    B, D, h, w = z.shape
    return {"latents": z, "codes": vqvae.quantizer.codes(z.permute(0, 2, 3, 1).reshape(-1, D)).reshape(B, h, w)}
  frames = rng.uniform(-1, 1, (1, 3, *c.image_size)).astype(np.float32)
  codes = rng.integers(0, c.n_codes, (1, *c.grid)).astype(np.int32)
  return {"vqvae_encoder": (encode, {"frames": frames}, {"doc": "VQVAE encoder: frames (1, 3, H, W) in [-1, 1] -> latents, codes"}),
          "vqvae_decoder": (vqvae.decode, {"codes": codes}, {"output_names": ["frames"], "doc": "VQVAE decoder: codes (ids outside [0, n_codes) read as the zero latent) -> frames, about [-1, 1], not clipped: clip before 8 bits"})}

def world_exports(world) -> dict[str, tuple[Callable, dict, dict]]:
  """world_logits: one forward step of the world model over a full window."""
  c, rng = world.config, np.random.default_rng(0)
  tokens = rng.integers(0, c.vocab_size, (1, c.frames, c.tokens_per_frame)).astype(np.int32)
  # motions like the training data's (its mean and std): N(0, 1) in metres and radians is 1e6 stds off on a dim the data
  # held constant (std floored at 1e-6), which overflowed the float16 check of a model fine in float16
  pose = (np.asarray(c.pose_mean) + np.asarray(c.pose_std) * rng.standard_normal((1, c.frames, 6))).astype(np.float32)
  return {"world_logits": (world, {"tokens": tokens, "pose": pose}, {"output_names": ["logits"], "doc": "world model: tokens, pose -> next-token logits"})}

def onnx_latency(model: onnx.ModelProto, inputs: dict, runs: int = 5) -> tuple[list, float]:
  """onnxruntime CPU outputs and median seconds per call (after one warm-up)."""
  import onnxruntime as ort
  sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
  out, times = sess.run(None, inputs), []
  for _ in range(runs):
    t = time.perf_counter()
    sess.run(None, inputs)
    times.append(time.perf_counter() - t)
  return out, float(np.median(times))

def checked_diff(name: str, got: list, want: list, rtol: float = 1e-3, allowed: Optional[list] = None) -> float:
  """The largest |onnxruntime - engine| over the outputs; a difference beyond rtol of a float output's scale (its
  largest magnitude, at least 0.01), or any difference in an int output (token ids, codes), raises, so a wrong export
  is never written. (The scale was at least 1: ids 1 apart passed, and a curvature of 0.02 could be 5% off.) allowed:
  per output, None or a mask of the elements that may differ (an argmin's near-ties, which rounding breaks either way)."""
  diff = 0.0
  for i, (g, w) in enumerate(zip(got, want)):
    exact, g, w = not np.issubdtype(w.numpy().dtype, np.floating), g.astype(np.float64), w.numpy().astype(np.float64)
    same = (g == w) | (np.isnan(g) & np.isnan(w))  # equal (infs too), or nan in both; a nan against a number fails below
    if allowed is not None and allowed[i] is not None: same |= allowed[i]
    d = float(np.abs(np.where(same, 0, g - w)).max(initial=0))
    if not d <= (0 if exact else rtol * max(0.01, float(np.abs(w[np.isfinite(w)]).max(initial=0)))):
      raise ValueError(f"{name}: onnxruntime's output {i} differs from the engine's by {d:.3g}, beyond "
                       f"{'none, in ids' if exact else f'{rtol:g} of its scale'}: not written")
    diff = max(diff, d)
  return diff

def near_ties(codebook: np.ndarray, z: np.ndarray, got: np.ndarray, want: np.ndarray) -> np.ndarray:
  """Per latent row of z (N, D): is code got as near it as code want, within float32 rounding of the distances? (A
  repeated or dead-restarted code makes exact ties; the engine and onnxruntime then each pick one.) Ids that are not
  codes at all (out of range, or not whole numbers) are never ties."""
  cb, z, w = codebook.astype(np.float64), z.astype(np.float64), want.reshape(-1).astype(np.int64)
  g = got.reshape(-1).astype(np.float64)
  valid = (g == np.round(g)) & (g >= 0) & (g < len(cb))
  g = np.where(valid, g, w).astype(np.int64)
  dist = lambda c: ((z - cb[c])**2).sum(-1)
  scale = (z*z).sum(-1) + (cb[w]*cb[w]).sum(-1)
  return valid & (np.abs(dist(g) - dist(w)) <= 1e-5*scale)

def code_ties(vqvae, got: list, want: dict) -> list:
  """For the encoder's outputs (latents, codes): the codes that may differ from the engine's (near_ties)."""
  z = want["latents"].numpy()
  z = z.transpose(0, 2, 3, 1).reshape(-1, z.shape[1])
  return [None, near_ties(vqvae.quantizer.codebook.numpy(), z, got[1], want["codes"].numpy()).reshape(got[1].shape)]

def write_checked(name: str, fn: Callable, inputs: dict, out_dir: Path, params, fp16: bool, allow: Optional[Callable] = None, **kw) -> dict:
  """Export fn, save name.onnx (and name_fp16.onnx), run both on onnxruntime against the engine; returns the report.
  allow(got, want) -> per output, None or a mask of elements allowed to differ (see checked_diff)."""
  model, want = export_onnx(fn, inputs, params=params, **kw)
  if not all(np.isfinite(w.numpy()).all() for w in want.values()):  # NaN on both sides compared as equal: a NaN model went out
    raise ExportError(f"{name}: the engine's outputs are not finite (NaN or inf weights: a diverged run?): not written")
  got, latency = onnx_latency(model, inputs)
  diff = checked_diff(name, got, list(want.values()), allowed=allow(got, want) if allow is not None else None)
  path = save(model, out_dir / f"{name}.onnx")
  report = {name: {"bytes": path.stat().st_size, "nodes": len(model.graph.node), "ops": dict(Counter(n.op_type for n in model.graph.node)),
                   "max_abs_diff": diff, "ort_cpu_ms": round(latency * 1e3, 3)}}
  if not fp16 and (old := out_dir / f"{name}_fp16.onnx").exists(): old.unlink()  # an earlier export's, of other weights
  if fp16:
    m16 = to_float16(model)
    got16, lat16 = onnx_latency(m16, {k: v.astype(np.float16) if v.dtype == np.float32 else v for k, v in inputs.items()})
    engine = [w.numpy() for w in want.values()]
    diffs = [float(np.abs(g.astype(np.float64) - w).max(initial=0)) for g, w in zip(got16, engine)]
    floats = [(d, w) for d, w in zip(diffs, engine) if np.issubdtype(w.dtype, np.floating)]  # (code ids: near-ties flip)
    scale = max([0.01] + [float(np.abs(w).max(initial=0)) for _, w in floats])
    # the engine's are finite (checked above): overflow, or a constant past 65504 clamped there (x * 1e5 * 1e-5 gave 0.66x)
    if not (fdiff := max([d for d, _ in floats], default=0)) <= 0.05 * scale:
      raise ExportError(f"{name}_fp16: onnxruntime's float16 outputs differ from the engine's float32 ones by {fdiff:.3g} "
                        f"(5% of their scale {scale:.3g} allowed: float16 overflow past 65504, or an input finer than float16's steps, such as a pose dim the data held near a constant?): not written; export without --fp16")
    path16 = save(m16, out_dir / f"{name}_fp16.onnx")
    # code ids apart from float differences (one max mixed them: 39 of 1152 ids flipped on real frames read as 5.5e-4)
    ids = [float((g != w).mean()) for g, w in zip(got16, engine) if not np.issubdtype(w.dtype, np.floating) and w.size]
    report[f"{name}_fp16"] = {"bytes": path16.stat().st_size, "max_abs_diff": fdiff, **({"ids_differ": max(ids)} if ids else {}),
                              "ort_cpu_ms": round(lat16 * 1e3, 3)}
  return report

def run_folder(ckpt: str) -> str:
  """The run folder a --ckpt names (the folder, or a checkpoint file's folder), resolved: which run an export is of."""
  return str(Path(ckpt).resolve().parent if str(ckpt).endswith(".safetensors") else Path(ckpt).resolve())

def export_run(ckpt: str, out: str, fp16: bool = False) -> dict:
  """Export every model of a run to out (see the module docstring); returns the report also written to out/export.json."""
  kind, model, step = load_run(ckpt)
  out_dir = Path(out)   # (a file there said "something of that name is in the way", not which argument: export-driving's way)
  if out_dir.exists() and not out_dir.is_dir(): raise ExportError(f"--out {out}: a file, not a folder (it gets the ONNX files and export.json)")
  out_dir.mkdir(parents=True, exist_ok=True)
  took = lock_folder(out_dir, command=True)  # two exports into one folder left one run's encoder beside another's decoder, both exiting 0
  try: return _export_into(out_dir, kind, model, ckpt, step, fp16)
  finally:  # (a refusal or a failed check held it until the process ended: a notebook's next export there was refused)
    if took: release_folder(out_dir)

def export_of(f: Path, key: str = "ckpt") -> str:
  """The run folder an export's JSON file (export.json, export-driving.json) names under key; "" where it names none
  (absent, or damaged: the command that writes that file rewrites it)."""
  try: c = json.loads(f.read_text()).get(key, "") if f.exists() else ""
  except (ValueError, AttributeError, OSError): return ""
  return run_folder(str(c)) if c else ""

def pair_vqvae(f: Path) -> str:
  """The VQVAE run folder export-driving's pair was built on: its export-driving.json's "vqvae", else (an export from before
  the 46th session) its policy run's: a BC run's config names it, a PPO run's its BC run. "" where neither tells."""
  from drivegpt.nn.state import checkpoint_info
  if vq := export_of(f, "vqvae"): return vq
  if not (policy := export_of(f)): return ""
  try:
    conf = checkpoint_info(str(Path(policy) / CKPT))[1]
    if "bc" in conf: conf = checkpoint_info(str(Path(conf["bc"]) / CKPT))[1]
    return run_folder(str(conf["vqvae"]))
  except (ValueError, OSError, KeyError, TypeError): return ""

def _export_into(out_dir: Path, kind: str, model, ckpt: str, step: int, fp16: bool) -> dict:
  # another run's export there: its models would stay beside these, and export.json name this run alone (the quick start
  # once sent the VQVAE and the world model into one folder); export-driving's pair there holds its VQVAE's encoder, so
  # this run must be that VQVAE (VQVAE B's files went in beside a driving model on VQVAE A, exit 0)
  if (other := export_of(out_dir / "export.json")) and other != run_folder(ckpt):
    raise ExportError(f"--out {out_dir}: holds the export of another run ({other}): give each run a folder of its own")
  if (pair := out_dir / "export-driving.json").exists() and (vq := pair_vqvae(pair)) != run_folder(ckpt):
    raise ExportError(f"--out {out_dir}: holds export-driving's openpilot pair, built on " + (f"the VQVAE {vq}, not on this run ({run_folder(ckpt)}): give each run a folder of its own"
                      if vq else f"a VQVAE its {pair.name} doesn't tell (damaged, or its policy run is gone): delete the pair and that file, or use another folder"))
  # export.json goes first and comes back last: a folder without it is an export under way or cut short (a kill left one
  # run's encoder beside another's decoder, and the old report describing them)
  (out_dir / "export.json").unlink(missing_ok=True)
  for tmp in out_dir.glob(".*.onnx.*.tmp"): tmp.unlink()  # a killed export's half-written models
  todo = vqvae_exports(model) if kind == "vqvae" else world_exports(model)
  report: dict = {}
  for name, (fn, inputs, kw) in todo.items():
    allow = functools.partial(code_ties, model) if name == "vqvae_encoder" else None
    report.update(write_checked(name, fn, inputs, out_dir, model, fp16, allow=allow, **kw))
  rgb = np.random.default_rng(0).integers(0, 256, (2, 256, 512, 3), dtype=np.uint8)
  yuv = export_rgb_to_yuv6()
  p = save(yuv, out_dir / "rgb_to_yuv420.onnx")
  report["rgb_to_yuv420"] = {"bytes": p.stat().st_size, "nodes": len(yuv.graph.node), "ops": dict(Counter(n.op_type for n in yuv.graph.node)),
                             "ort_cpu_ms": round(onnx_latency(yuv, {"rgb": rgb})[1] * 1e3, 3)}
  write_atomic(str(out_dir / "export.json"), [(json.dumps({**report, "ckpt": str(Path(ckpt).resolve()), "ckpt_step": step}, indent=1) + "\n").encode()])
  return report

def main(argv: Optional[list[str]] = None) -> int:
  """drivegpt export --ckpt RUNDIR --out DIR [--fp16]."""
  ap = argparse.ArgumentParser(prog="drivegpt export", description=__doc__, formatter_class=HelpFormatter)
  ap.add_argument("--ckpt", required=True, type=path_arg, help="run directory (or its ckpt.safetensors) of train-vqvae or train-world")
  ap.add_argument("--out", required=True, type=path_arg, help="folder for the .onnx files and export.json")
  ap.add_argument("--fp16", action="store_true", help="also write float16 variants (*_fp16.onnx): compared and reported; refused where not finite or more than 5%% of scale off")
  args = ap.parse_args(argv)
  print(json_line(export_run(args.ckpt, args.out, args.fp16)))  # (an ExportError is drivegpt.cli's: its message, exit 2)
  return 0

if __name__ == "__main__":  # through the front door: an export error is "drivegpt export: error: ...", exit 2 (was a traceback)
  from drivegpt.cli import main as cli
  sys.exit(cli(["export", *sys.argv[1:]]))
