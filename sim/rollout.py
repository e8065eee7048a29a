"""Roll the world model forward from real segments on Ray actors and write each rollout as an MP4 beside the real
continuation (both decoded by the same VQVAE).

  drivegpt rollout --world RUNDIR --vqvae RUNDIR --shards TOKDIR --n 8 --seconds 10 --out DIR [--steer replay|left|right|straight]
"""
from __future__ import annotations
import argparse, io, json, os, shutil, sys, time
from fractions import Fraction
from pathlib import Path
from typing import Optional
import numpy as np
from drivegpt.cli import HelpFormatter, at_least, json_line, path_arg

class TokenDecoder:
  """VQVAE tokens (B, N) -> uint8 frames (B, H, W, 3), jitted."""
  def __init__(self, vqvae):
    from drivegpt import jit
    from drivegpt.models.vqvae import to_frames
    self.vqvae, self.to_frames, self.grid = vqvae, to_frames, vqvae.config.grid
    self.frame_shape = (*vqvae.config.image_size, 3)
    self._decode = jit(vqvae.decode)
  def __call__(self, tokens: np.ndarray) -> np.ndarray:
    from drivegpt import Tensor
    from drivegpt.tensor import no_grad
    n, codes = self.grid[0] * self.grid[1], self.vqvae.config.n_codes
    if tokens.shape[-1] != n: raise ValueError(f"TokenDecoder: {tokens.shape[-1]} tokens per frame, the VQVAE's {list(self.grid)} grid holds {n}")
    if tokens.size and not (0 <= tokens.min() and tokens.max() < codes):  # a jitted decode read them as the zero code
      raise ValueError(f"TokenDecoder: token ids {tokens.min()}..{tokens.max()} outside the VQVAE's {codes} codes")
    with no_grad(): return self.to_frames(self._decode(Tensor(tokens.reshape(-1, *self.grid).astype(np.int32))).numpy())

def sharpness(frames: np.ndarray) -> np.ndarray:
  """Mean absolute Laplacian of the grey image per frame (B, H, W, 3) -> (B,), grey levels per pixel: blur lowers it,
  noise raises it (decoded tokens 30% random: 9.4 against 6.0 for the real tokens, all random 15.7), so a ratio near 1
  against the real continuation says the rollout is neither blurred nor noisy only together with its bits/token."""
  g = frames.astype(np.float32).mean(-1)
  lap = 4 * g[:, 1:-1, 1:-1] - g[:, :-2, 1:-1] - g[:, 2:, 1:-1] - g[:, 1:-1, :-2] - g[:, 1:-1, 2:]
  return np.abs(lap).mean((1, 2))

def steer_actions(steer: str, n: int, curvature: float) -> Optional[np.ndarray]:
  """Constant controls (n, 2) for a steer command, or None for 'replay' (drive the recorded motion)."""
  if steer == "replay": return None
  c = {"left": curvature, "right": -curvature, "straight": 0.0}[steer]
  return np.tile(np.array([[0.0, c]], np.float32), (n, 1))

class Rollouts:
  """A world model, the segments it seeds from and the VQVAE that decodes its tokens, loaded once; run() rolls out one
  batch of seeds. Each Ray actor of `drivegpt rollout` holds one, so the model and segments load once per actor."""
  def __init__(self, world: str, vqvae: Optional[str], tokens: str, split: str, temperature: float = 1.0, top_k: int = 0):
    from train.world import load_run, run_split
    from train.world_data import load_segments
    self.model, self.cfg = load_run(world)
    self.segs = run_split(world, load_segments(tokens, augmented=False, vocab=self.cfg.model.vocab_size), split, self.cfg)
    self.temperature, self.top_k, self.decoder = temperature, top_k, None
    if vqvae is not None:
      from train.vqvae import load_tokenizer
      self.decoder = TokenDecoder(vq := load_tokenizer(vqvae)[0])
      if self.model.config.vocab_size > vq.config.n_codes:  # ids past the codebook were decoded without a word
        raise ValueError(f"--vqvae {vqvae}: {vq.config.n_codes} codes, but --world {world} samples ids up to {self.model.config.vocab_size - 1}")
      from train.world import world_tokenizer
      from train.world_data import check_codebook
      import types
      check_codebook([types.SimpleNamespace(name=f"--world {world}", tokenizer=world_tokenizer(world))] + self.segs, vq.quantizer.codebook.numpy(), vqvae, "rollout")

  def run(self, seeds: list, steps: int, steer: str, curvature: float, keys: Optional[list] = None) -> dict:
    """Rollouts seeded at (segment index, start) pairs, all in one batch: generated and real tokens (B, steps, N), and
    decoded frames (B, steps, H, W, 3) of both, and of the last context frame (B, H, W, 3), when there is a VQVAE.
    keys: each rollout's random stream (e.g. [--seed, its index, 1]: [seed, 0] is default_rng(seed)'s stream), so it does not depend on how rollouts are batched;
    default: one stream for the batch from its seeds."""
    from train.world_data import strided_motion
    from sim.world_sim import WorldRollouts
    segs, st = self.segs, self.cfg.data.frame_stride
    sim = WorldRollouts(self.model, segs, st, self.temperature, self.top_k)
    seg, start = np.array([s[0] for s in seeds]), np.array([s[1] for s in seeds])
    sim.reset(seg, start, [np.random.default_rng(k) for k in keys] if keys is not None else np.random.default_rng(int(seed_hash(seeds))))
    B, K = len(seeds), self.model.config.frames
    real_idx = start[:, None] + st * np.arange(K, K + steps)[None]                     # (B, steps) recorded frame numbers
    real = np.stack([segs[s].tokens[np.minimum(r, len(segs[s].tokens) - 1)] for s, r in zip(seg, real_idx)]).astype(np.int32)
    fixed = steer_actions(steer, B, curvature)
    gen, yaw, t0 = [], [], time.perf_counter()
    for t in range(steps):
      if fixed is None:  # replay: the recorded motion into the real frame
        motion = np.stack([strided_motion(segs[s].pose, st)[min(r, len(segs[s].tokens) - 1)] if segs[s].pose is not None
                           else np.zeros(6, np.float32) for s, r in zip(seg, real_idx[:, t])])
      else: motion = sim.control(fixed)
      gen.append(sim.step(motion))
      yaw.append(motion[:, 5])
    # yaw: what each rollout turned from its last context frame to each generated one, rad (+ = right): a probe's reading
    # of a model that turns as the recordings do
    out = {"generated": np.stack(gen, 1), "real": real, "seconds": time.perf_counter() - t0, "yaw": np.cumsum(np.stack(yaw, 1), 1),
           "seeds": [{"segment": segs[s].name, "first_context_frame": int(b) + st} for s, b in zip(seg, start)]}  # (for rollouts.json)
    if self.decoder is not None:
      out["generated_frames"] = np.stack([self.decoder(out["generated"][:, t]) for t in range(steps)], 1)
      out["real_frames"] = np.stack([self.decoder(real[:, t]) for t in range(steps)], 1)
      out["context_frame"] = self.decoder(np.stack([segs[s].tokens[b + st * (K - 1)] for s, b in zip(seg, start)]).astype(np.int32))
    return out

class _Actor:
  """Rollouts on a Ray actor: an error in loading (a VQVAE with too few codes, a missing file) is raised by run(), so
  the driver gets it as itself; raised in the constructor it killed the actor, and Ray printed its traceback."""
  def __init__(self, *args):
    try: self.rollouts, self.error = Rollouts(*args), None
    except Exception as e: self.rollouts, self.error = None, e
  def run(self, *args) -> dict:
    if self.error is not None: raise self.error
    return self.rollouts.run(*args)

def run_rollouts(world: str, vqvae: Optional[str], tokens: str, seeds: list, steps: int, steer: str, curvature: float,
                 temperature: float, top_k: int, split: str, decode: bool = True) -> dict:
  """Load a world model (and VQVAE, with decode) and roll out one batch of seeds: Rollouts(...).run(...)."""
  return Rollouts(world, vqvae if decode else None, tokens, split, temperature, top_k).run(seeds, steps, steer, curvature)

def seed_hash(seeds: list) -> int:
  """A stable seed from the rollouts' (segment, start) pairs."""
  return int(np.random.SeedSequence([v for s in seeds for v in s]).generate_state(1)[0])

def check_sampling(ap, args) -> None:
  """--temperature (0: greedy) and --top-k (0: all tokens) and the rollouts' length, as the parser's errors."""
  if not (np.isfinite(args.temperature) and args.temperature >= 0): ap.error(f"--temperature must be >= 0 (0: greedy), got {args.temperature}")
  if args.top_k < 0: ap.error(f"--top-k must be >= 0 (0: every token), got {args.top_k}")
  if not (np.isfinite(args.seconds) and args.seconds > 0) or getattr(args, "n", 1) < 1: ap.error("--seconds must be positive and --n at least 1")

def write_mp4(path: Path, frames: np.ndarray, fps: float) -> None:
  """uint8 frames (T, H, W, 3) -> an H.264 MP4 (PyAV), made in memory and written atomically (temp file, fsync, rename)."""
  import av
  from train.stage import write_atomic
  with av.open(image := io.BytesIO(), "w", format="mp4") as f:
    s = f.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))  # 20/3 fps plays at 20/3, not 7
    s.width, s.height, s.pix_fmt = frames.shape[2], frames.shape[1], "yuv420p"
    s.options = {"crf": "18"}
    for fr in frames: f.mux(s.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(fr), format="rgb24")))
    f.mux(s.encode())
  write_atomic(path, image.getvalue())

def side_by_side(gen: np.ndarray, real: np.ndarray) -> np.ndarray:
  """(T, H, W, 3) x 2 -> (T, H, 2W+4, 3): generated left, real right, a white gap between."""
  gap = np.full((*gen.shape[:2], 4, 3), 255, np.uint8)
  return np.concatenate([gen, gap, real], 2)

def pick_seeds(tokens: str, world: str, n: int, seconds: float, split: str, seed: int, what: str = "--shards") -> tuple[list, int]:
  """n (segment, start) pairs spread over the segments, each with room for the context and the real continuation; and
  the number of model frames in `seconds`. what: the option tokens came in by, for errors."""
  from train.stage import run_config
  from train.world import TrainConfig, run_split
  from train.world_data import load_segments
  from sim.world_sim import FPS
  try: cfg = run_config(world, TrainConfig)  # (a VQVAE run handed over is named as one)
  except FileNotFoundError as e: raise FileNotFoundError(f"--world {e}") from None
  steps = max(1, int(round(seconds * FPS / cfg.data.frame_stride)))
  if abs(steps * cfg.data.frame_stride / FPS - seconds) > 1e-6:  # (0.01 s ran a 0.2 s rollout, 0.5 s one of 0.4 s, unsaid)
    print(f"note: --seconds {seconds:g} is {steps} model frames of {cfg.data.frame_stride / FPS:g} s: {steps * cfg.data.frame_stride / FPS:g} s", file=sys.stderr)
  segs = run_split(world, load_segments(tokens, augmented=False, vocab=cfg.model.vocab_size, what=what), split, cfg)
  if not segs: raise ValueError(f"{tokens}: no segment for --split {split} (the world model {world} trained on all of them): use --split train, or a folder with drives it held out")
  need = (cfg.model.frames + steps - 1) * cfg.data.frame_stride + 1   # frames start .. the last real one, start + stride * (K + steps - 1)
  ok = [i for i, s in enumerate(segs) if len(s.tokens) >= need]
  if not ok:  # (the longest one was used, its real side frozen on its last frame and scored so, without a word)
    longest = max(len(s.tokens) for s in segs)
    fit = ((longest - 1) // cfg.data.frame_stride - cfg.model.frames + 1) * cfg.data.frame_stride / FPS
    raise ValueError(f"{tokens}: no segment of --split {split} has the {need} frames a {seconds:g} s rollout and its context need (the "
                     f"longest has {longest}): use --seconds {max(fit, 0):.2f} or less, or longer segments")
  rng = np.random.default_rng(seed)
  seeds = [(ok[i % len(ok)], int(rng.integers(0, max(1, len(segs[ok[i % len(ok)]].tokens) - need + 1)))) for i in range(n)]
  return seeds, steps, FPS / cfg.data.frame_stride

def tokenizer_side(tokens: str, fps: float) -> bytes:
  """The <name>.tokenizer.json written beside each rollout's token ids, as export-commavq writes one: the codebook the
  ids index (the seeding token shards' tokenizer: a folder holds one) and the rollout's frame rate. Without it,
  import-commavq took them for commaVQ's ids at 20 fps, without a word."""
  import h5py
  from data.layout import attr_text
  from train.world_data import npy_tokenizer
  from train.world_data import token_files
  f = token_files(Path(tokens))[0]
  if f.suffix == ".npy": tok = npy_tokenizer(f)
  else:
    with h5py.File(f, "r") as h: tok = attr_text(h.attrs.get("tokenizer") or "{}")
  return json.dumps({**json.loads(tok), "fps": float(fps), "generated": "rollout"}).encode()  # (not a recording: token_files)

RESTARTS = 3  # times a rollout actor that died is restarted, its batches run again

def main(argv: Optional[list[str]] = None) -> dict:
  ap = argparse.ArgumentParser(prog="drivegpt rollout", description=__doc__, formatter_class=HelpFormatter)
  ap.add_argument("--world", required=True, type=path_arg, help="train-world run directory")
  ap.add_argument("--vqvae", required=True, type=path_arg, help="train-vqvae run directory (decodes tokens to frames)")
  ap.add_argument("--shards", required=True, type=path_arg, help="token-shard folder to seed rollouts from (and to take the real continuation)")
  ap.add_argument("--n", type=int, default=8, help="rollouts")
  ap.add_argument("--seconds", type=float, default=10.0, help="length of each rollout")
  ap.add_argument("--out", required=True, type=path_arg, help="folder for rollout_<i>.mp4, rollout_<i>_tokens.npy (with its .tokenizer.json) and rollouts.json")
  ap.add_argument("--steer", default="replay", choices=["replay", "left", "right", "straight"],
                  help="replay the recorded motion, or hold a constant curvature (left/right) or go straight at constant speed")
  ap.add_argument("--curvature", type=float, default=None, help="1/m for --steer left/right (default 0.005)")
  ap.add_argument("--temperature", type=float, default=1.0, help="sampling temperature of the frame tokens (0: the most likely token)")
  ap.add_argument("--top-k", type=int, default=0, help="sample among the k most likely tokens (0: all)")
  ap.add_argument("--actors", type=int, default=0, help="Ray actors (0: one per CPU core of the Ray cluster)")
  ap.add_argument("--batch", type=int, default=0, help="rollouts an actor runs together (0: spread over the actors, at most 8); "
                  "at most two batches per actor are in flight. The same --seed gives the same rollouts for the same --batch: "
                  "a row's logits differ by ~1e-6 between batch sizes, enough to flip a sampled token now and then")
  ap.add_argument("--ray-address", default=None, help="Ray cluster to join (default: $RAY_ADDRESS, else start a local one)")
  ap.add_argument("--split", default="val", choices=["val", "train", "all"], help="segments to seed from (val: held out in training)")
  ap.add_argument("--seed", type=at_least(0, int), default=0, help="random seed: which segments and starts seed the rollouts, and their sampling")
  args = ap.parse_args(argv)
  if args.batch < 0 or args.actors < 0: ap.error("--batch and --actors must not be negative")
  check_sampling(ap, args)
  from sim.world_sim import FPS, MAX_CURVATURE
  if args.curvature is not None and args.steer not in ("left", "right"):  # (ignored: the same tokens, exit 0)
    ap.error(f"--curvature sets the turn of --steer left/right: --steer {args.steer} doesn't read it")
  args.curvature = 0.005 if args.curvature is None else args.curvature
  if not 0 <= args.curvature <= MAX_CURVATURE: ap.error(f"--curvature {args.curvature}: the simulator takes [0, {MAX_CURVATURE}] 1/m (more was clipped)")
  if args.steer in ("left", "right") and args.curvature == 0: ap.error(f"--steer {args.steer} --curvature 0 is --steer straight: give a curvature")
  from data.layout import inside
  if inside(args.out, args.shards if Path(args.shards).is_dir() else Path(args.shards).parent):  # (its _tokens.npy files were read as recordings)
    ap.error(f"--out {args.out} is inside --shards {args.shards}: the rollouts' token files would be read as recorded drives there; give a folder outside it")
  seeds, steps, fps = pick_seeds(args.shards, args.world, args.n, args.seconds, args.split, args.seed)
  from train.stage import run_config
  from train.world import TrainConfig
  if args.steer != "replay" and run_config(args.world, TrainConfig).model.pose == "none":  # (said only in the Ray actors, never shown)
    ap.error(f"--steer {args.steer}: --world {args.world} has no pose input (model.pose: none, trained on tokens without poses): "
             "actions change nothing it generates; only --steer replay")
  from train.stage import note_unfinished
  world_step = note_unfinished(args.world, run_config(args.world, TrainConfig).steps, f"--world {args.world}", "rolled out as it is")
  out = Path(args.out)
  out.mkdir(parents=True, exist_ok=True)
  from train.stage import lock_folder, release_folder
  took = lock_folder(out, command=True)  # a second rollout into this folder deleted and overwrote this one's files, both exiting 0
  try: return _rollouts_into(out, args, seeds, steps, fps, world_step)
  finally:  # (done, or failed: held until the process ended, a notebook's next rollout there, or a shell's, was refused)
    if took: release_folder(out)

def _ours(out: Path) -> list[Path]:
  """A rollout run's files in out (rollout_best.mp4, a user's, is not one)."""
  return [p for p in (*out.glob("rollout_*.mp4"), *out.glob("rollout_*_tokens.npy"), *out.glob("rollout_*_tokens.tokenizer.json"), *out.glob("rollouts.json"))
          if p.name == "rollouts.json" or p.name[len("rollout_"):].split(".")[0].removesuffix("_tokens").isdigit()]

def _rollouts_into(out: Path, args, seeds: list, steps: int, fps: float, world_step: int) -> dict:
  """The rollouts of main, into out (this process holds its lock); returns the metrics. An earlier run's rollouts go,
  rollouts.json with them (written last: a folder without it is a run under way or cut short; kept, those past --n stayed
  and a run killed half-way left its rollouts beside another run's); a finished run's wait in out/.earlier until this
  one has finished, and come back if it fails (they were deleted first: a failed re-run lost them)."""
  earlier = out / ".earlier"
  if earlier.exists() and (out / "rollouts.json").exists():  # a run that finished, killed before it dropped them: its
    shutil.rmtree(earlier)                                   # set is the newer (a failed re-run put the older one back)
  if not earlier.exists() and (out / "rollouts.json").exists():
    earlier.mkdir()
    for p in _ours(out): p.rename(earlier / p.name)
  for p in [*_ours(out), *out.glob(".rollout_*.mp4.tmp.mp4")]: p.unlink()  # a run cut short's (the folder is ours now)
  try: metrics = _write_rollouts(out, args, seeds, steps, fps, world_step)
  except BaseException:
    if earlier.exists():
      for p in _ours(out): p.unlink()
      for p in earlier.iterdir(): p.rename(out / p.name)
      earlier.rmdir()
    raise
  shutil.rmtree(earlier, ignore_errors=True)
  return metrics

def _write_rollouts(out: Path, args, seeds: list, steps: int, fps: float, world_step: int) -> dict:
  import ray
  from data.ray_tasks import as_completed, ray_session
  from train.stage import note_unfinished, run_config, write_atomic
  from train.vqvae import TrainConfig as VQTrainConfig
  note_unfinished(args.vqvae, run_config(args.vqvae, VQTrainConfig).steps, f"--vqvae {args.vqvae}", "its decoder used as it is")
  sharp, where, t0, side = {}, {}, time.perf_counter(), tokenizer_side(args.shards, fps)
  with ray_session(args.ray_address, num_cpus=args.actors or os.cpu_count(), need_cpus=args.actors):
    slots = args.actors or int(ray.cluster_resources().get("CPU", 1))
    size = min(args.batch or min(8, -(-len(seeds) // slots)), len(seeds))   # default: every actor busy, at most 8 rollouts a batch
    batches = [(i, seeds[i:i + size]) for i in range(0, len(seeds), size)]   # (index of its first rollout, seeds)
    n_actors = min(len(batches), slots)
    threads = max(1, (os.cpu_count() or 1) // n_actors)
    # a killed actor is restarted and its batches rerun (a batch's rollouts are a function of its seeds), a few times: one
    # that always dies (out of memory on a big --batch) was restarted forever
    actor = ray.remote(num_cpus=1, max_restarts=RESTARTS, max_task_retries=RESTARTS,
                       runtime_env={"env_vars": {"DRIVEGPT_THREADS": str(threads)}})(_Actor)
    actors = [actor.remote(*(os.path.abspath(p) for p in (args.world, args.vqvae, args.shards)), args.split, args.temperature,
                           args.top_k) for _ in range(n_actors)]
    busy, owner = [0] * n_actors, {}
    def submit(batch):  # to the actor with the fewest batches queued
      k = owner[batch[0]] = busy.index(min(busy))
      busy[k] += 1
      # each rollout's own stream, from --seed and its index: two rollouts from one start differed only if they fell in
      # batches of different seeds, --seed changed nothing, and the results depended on the number of actors (they still
      # depend on the batch size, which the default takes from the CPUs: BLAS rounds a row differently at another size)
      return actors[k].run.remote(batch[1], steps, args.steer, args.curvature, [[args.seed, batch[0] + j, 1] for j in range(len(batch[1]))])
    # at most two batches per actor in flight: each result is written and dropped, so --n can be in the thousands
    try:
      for (first, batch), r in as_completed(submit, batches, 2 * n_actors):
        busy[owner.pop(first)] -= 1
        for j in range(len(batch)):
          write_mp4(out / f"rollout_{first + j}.mp4", side_by_side(r["generated_frames"][j], r["real_frames"][j]), fps)
          buf = io.BytesIO(); np.save(buf, r["generated"][j].astype(np.int16))
          write_atomic(out / f"rollout_{first + j}_tokens.tokenizer.json", side)  # first, as export-commavq writes them
          write_atomic(out / f"rollout_{first + j}_tokens.npy", buf.getvalue())
          sharp[first + j] = (sharpness(r["generated_frames"][j]), sharpness(r["real_frames"][j]))
          where[first + j] = r["seeds"][j]
    except ray.exceptions.RayTaskError as e: raise e.cause from e  # the actor's own error (e.g. the VQVAE check), as itself
    except ray.exceptions.RayActorError:
      raise OSError(f"a rollout actor died {RESTARTS + 1} times (killed, or out of memory: try a smaller --batch or fewer --actors); "
                    f"the {len(sharp)} rollouts written are in {out}") from None
  k = len(sharp)
  sharp = [sharp[i] for i in sorted(sharp)]
  g, rl = np.array([s[0] for s in sharp]), np.array([s[1] for s in sharp])   # (n, steps)
  sec = max(1, int(round(fps)))  # frames in a second (6.67 fps at stride 3: 7)
  # (at --seconds 1 both were the same frames, at 0.5 both the whole rollout, unsaid; shorter than a second, both are all of it)
  if (shared := min(sec, g.shape[1]) - max(g.shape[1] - sec, 0)) > 0:
    print(f"note: rollouts of {g.shape[1]} frames: the first and last seconds' sharpness share {shared} frames", file=sys.stderr)
  metrics = {"rollouts": k, "frames_per_rollout": steps, "fps": fps, "steer": args.steer, **({"curvature": args.curvature} if args.steer in ("left", "right") else {}),
             "temperature": args.temperature, "top_k": args.top_k, "seed": args.seed, "split": args.split, "out": str(out),
             "sharpness_generated_first_s": float(g[:, :sec].mean()), "sharpness_generated_last_s": float(g[:, -sec:].mean()),
             "sharpness_real_first_s": float(rl[:, :sec].mean()), "sharpness_real_last_s": float(rl[:, -sec:].mean()),
             "sharpness_ratio_last_s": float(g[:, -sec:].mean() / rl[:, -sec:].mean()) if rl[:, -sec:].mean() > 0 else float("nan"),  # (blank real frames: 1e11)
             "wall_seconds": round(time.perf_counter() - t0, 1), "actors": n_actors, "batch": size,
             "world": str(Path(args.world).resolve()), "world_step": world_step}   # (which model made them: the file said not)
  # each rollout's seed (its segment and the first context frame), in the file only: with --n in the thousands the final
  # line would be long; without them a rollout could be lined up with its recording only by redoing pick_seeds
  write_atomic(out / "rollouts.json", (json_line({**metrics, "seeds": [where[i] for i in sorted(where)]}) + "\n").encode())
  print(json_line(metrics), flush=True)
  return metrics

if __name__ == "__main__":
  from train.stage import run_main
  raise SystemExit(run_main(main))
