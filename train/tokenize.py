"""Turn frame shards into token shards with a trained VQVAE, and read and write commaVQ's token files.

  drivegpt tokenize --ckpt RUNDIR --shards DIR --out TOKDIR      (parallel on Ray: local by default, --ray-address)
  drivegpt import-commavq SRC --out TOKDIR                        (commaVQ .npy files -> token shards)
  drivegpt export-commavq TOKDIR --out NPYDIR                     (token shards -> commaVQ .npy files)

A token shard `<TOKDIR>/<shard name>.h5` holds `tokens` int16 (N, h, w): the VQVAE's grid, 8 x 16 for 128x256 frames, and, copied from the frame shard, every other
per-frame dataset (frame_times, pose, speed, steering, action, disengage, ...) and the attributes (has_* flags, fps,
segment, route, causes, ...), plus `tokenizer` (the checkpoint and its model config, JSON). A commaVQ segment is a .npy
of N x 128 or N x 8 x 16 token ids (N = 1200 in their release); its <key>.pose.npy files (release 2.0) are left out
(their units are not documented), so the has_* flags are false.
`--yaw-copies K` adds K yaw-augmented copies of each shard (data.augment), `<shard name>-yaw<k>.h5`, with an `augment`
attribute: the world model's training uses them, its held-out split and the RL stage's data leave them out."""
from __future__ import annotations
import argparse, dataclasses, hashlib, io, json, os, sys
from pathlib import Path
from typing import Optional
import numpy as np
from drivegpt.cli import HelpFormatter, at_least, json_line, path_arg
from train.stage import write_atomic

GRID = (8, 16)

def write_token_shard(path: Path, tokens: np.ndarray, signals: dict, attrs: dict) -> None:
  """Write a token shard atomically (temp file, then rename): tokens (N, h, w) int16, signals (N, ...) each, attrs."""
  import h5py
  from data.layout import temp_name
  from drivegpt.nn.state import write_atomic
  tmp = path.with_name(temp_name(path.name))  # names the host and process: two runs, or two machines, never share one
  try:  # in memory, then one plain write (HDF5 failing a write on a full disk crashed the process; this names the file)
    with h5py.File(image := io.BytesIO(), "w") as f:
      # checksummed as frame shards are (a flipped bit was read as another token without a word); an empty one can't be
      f.create_dataset("tokens", data=tokens.astype(np.int16), chunks=(min(len(tokens), 256), *tokens.shape[1:]) if len(tokens) else None, fletcher32=bool(len(tokens)))
      for k, v in signals.items(): f.create_dataset(k, data=v, chunks=True if np.size(v) else None, fletcher32=bool(np.size(v)))
      for k, v in attrs.items(): f.attrs[k] = v
    write_atomic(str(path), [image.getbuffer()], tmp.name)
  finally:
    if tmp.exists(): tmp.unlink()

def read_token_shard(path: str | Path) -> tuple[np.ndarray, dict, dict]:
  """(tokens (N, h, w) int16, per-frame signals, attributes) of a token shard."""
  import h5py
  try:
    with h5py.File(path, "r") as f:
      if "tokens" not in f: raise ValueError(f"{path}: not a token shard (no 'tokens' dataset)")
      return f["tokens"][:], {k: f[k][:] for k in f if k != "tokens"}, dict(f.attrs)
  except (OSError, RuntimeError, KeyError) as e: raise ValueError(f"{path}: not a readable token shard ({e})") from None  # (h5py: damaged metadata is a RuntimeError or KeyError, a traceback naming no file)

def codebook_hash(codebook: np.ndarray) -> str:
  """A codebook's identity, stored in every token shard: tokens index it, so ones made with another mean other things."""
  return hashlib.sha256(np.ascontiguousarray(codebook, "<f4").tobytes()).hexdigest()[:16]

def made_from(ckpt: str, shard: str, augment: Optional[dict] = None) -> str:
  """What a token shard is made from: the checkpoint file and the frame shard, each by path, size and modification time
  (a retrained checkpoint or a re-ingested shard at the same path is a different source), and an augmented copy's
  settings."""
  from train.stage import ckpt_file
  ck = ckpt_file(ckpt)
  def stamp(p: Path): st = p.stat(); return [str(p.resolve()), st.st_size, st.st_mtime_ns]
  return json.dumps({"ckpt": stamp(ck), "frame_shard": stamp(Path(shard)), **({"augment": augment} if augment else {})})

def _existing(out: Path, ckpt: str, shard: str, augment: Optional[dict] = None) -> bool:
  """Is out a token shard of this checkpoint and frame shard? False if there is none; raises if it holds other tokens."""
  import h5py
  if not out.exists(): return False
  try:
    with h5py.File(out, "r") as f: stamp, frames, source = f.attrs.get("made_from"), "frames" in f and "tokens" not in f, f.attrs.get("source")
  except OSError as e: raise ValueError(f"{out}: not a readable token shard (truncated or damaged? {e}): delete it to tokenize again") from None
  # by file name, size and modification time, not path: a folder moved or renamed (a demo's) kept none of its shards
  # (a copy from before copies recorded their version is version 2's: made the same since 49130d0, version 1 lived an hour)
  by_name = lambda stamp: {k: [Path(v[0]).name, *v[1:]] if k in ("ckpt", "frame_shard") else {"version": 2, **v} if k == "augment" else v for k, v in json.loads(stamp).items()}  # noqa: E731
  if frames: raise ValueError(f"--out {out.parent} holds frame shards ({out.name}): token shards go into a folder of their own")
  if stamp is None or by_name(stamp) != by_name(made_from(ckpt, shard, augment)):
    imported = stamp is None and str(source or "").endswith(".npy")  # (import-commavq's: its source is the .npy)
    old = by_name(stamp) if stamp is not None else {}
    other_yaw = old.get("augment") != augment and {k: v for k, v in old.items() if k != "augment"} == {k: v for k, v in by_name(made_from(ckpt, shard, augment)).items() if k != "augment"}
    older = other_yaw and augment and {k: v for k, v in (old.get("augment") or {}).items() if k != "version"} == {k: v for k, v in augment.items() if k != "version"}
    why = f"imported by import-commavq from {source}" if imported else "made before token shards recorded their sources" if stamp is None else \
          f"of {shard} made by another yaw augmentation (version {(old.get('augment') or {}).get('version')}, now {augment['version']}: its poses or frames are made otherwise now)" if older else \
          f"of {shard} made with another --yaw-px" if other_yaw else f"from another checkpoint or an older version of {shard}" + \
          (f" (it was made from {raw['frame_shard'][0]} with {raw['ckpt'][0]})" if isinstance(raw := json.loads(stamp), dict) and "frame_shard" in raw and "ckpt" in raw else "")
    raise ValueError(f"{out}: a token shard {why}: tokenize into another --out, or delete it to tokenize again")
  return True

def _copies(shard: str, out_dir: str, yaw_copies: int, yaw_px: float) -> list[tuple[Path, Optional[dict]]]:
  """The token shards one frame shard makes: out_dir/<name>.h5, then each yaw-augmented copy's <name>-yaw<k>.h5."""
  out = Path(out_dir) / Path(shard).name
  from data.augment import VERSION
  return [(out, None)] + [(out.with_name(f"{out.stem}-yaw{k}.h5"), {"yaw_copy": k, "amp_px": yaw_px, "version": VERSION}) for k in range(yaw_copies)]

def _token_frames(shard: str, out_dir: str, yaw_copies: int, yaw_px: float) -> int:
  """Frames in the token shards one frame shard made: what a re-run that keeps them reports (it said 0)."""
  import h5py
  total = 0
  for out, _ in _copies(shard, out_dir, yaw_copies, yaw_px):
    with h5py.File(out, "r") as f: total += len(f["tokens"])
  return total

def tokenize_shard(ckpt: str, shard: str, out_dir: str, batch_size: int = 16, yaw_copies: int = 0, yaw_px: float = 20.0) -> dict:
  """Tokenize every frame of one frame shard into out_dir/<name>.h5, and yaw_copies copies of it as a camera turned by up
  to yaw_px pixels would see it (data.augment) into <name>-yaw<k>.h5; returns {"shard", "frames", "status"}, frames
  counted over all its token shards, kept ones too."""
  import h5py, hdf5plugin  # noqa: F401  (the LZ4 filter of the frame shards)
  from drivegpt import Tensor, jit
  from drivegpt.models.vqvae import to_input
  from train.vqvae import check_frames, load_tokenizer
  from data.layout import attr_text, flag
  todo = [(o, a) for o, a in _copies(shard, out_dir, yaw_copies, yaw_px) if not _existing(o, ckpt, shard, a)]
  if not todo: return {"shard": shard, "frames": _token_frames(shard, out_dir, yaw_copies, yaw_px), "status": "skipped"}
  # what the outputs are made from, stamped before anything is read: a shard re-ingested (or a checkpoint re-saved) while
  # this runs leaves outputs stamped old, redone next time (stamped at each write, copies of the old frames looked current)
  stamps = [made_from(ckpt, shard, a) for _, a in todo]
  model, cfg = load_tokenizer(ckpt)
  encode = jit(model.encode)
  def tokens_of(frames) -> np.ndarray:
    prev, Tensor.training, Tensor.no_grad = (Tensor.training, Tensor.no_grad), False, True
    try: return np.concatenate([encode(Tensor(to_input(frames[i:i + batch_size]))).numpy() for i in range(0, len(frames), batch_size)]) \
      if len(frames) else np.zeros((0, *cfg.model.grid), np.int16)
    finally: Tensor.training, Tensor.no_grad = prev
  try:
    with h5py.File(shard, "r") as f:
      if "frames" not in f: raise ValueError(f"{shard}: not a frame shard (no 'frames' dataset)")
      frames, n = f["frames"], len(f["frames"])
      check_frames(shard, frames, cfg.model.image_size)
      if yaw_copies and not (flag(f.attrs, "has_pose", "pose" in f, shard) and "pose" in f):
        raise ValueError(f"{shard}: has no poses, which yaw-augmented copies need (tokenize without --yaw-copies)")
      if yaw_copies and len(f["pose"]) != n: raise ValueError(f"{shard}: {len(f['pose'])} poses for {n} frames")
      if yaw_copies and not 1 <= yaw_px <= frames.shape[2] / 4:
        raise ValueError(f"--yaw-px {yaw_px}: the copies' slide must be 1 to {frames.shape[2] / 4:g} px (a quarter of {shard}'s width)")
      fps = float(f.attrs.get("fps", 20.0))
      if yaw_copies and not (np.isfinite(fps) and fps > 0): raise ValueError(f"{shard}: fps {fps}; yaw copies time their turns by it")
      # the copies take the focal length as 0.78 x the frame's width (the dashcam's, and comma's road camera's): a video
      # cropped across its width at ingest has the focal of its uncropped width (a 2:1 video ingested square: turns 2x too large)
      vh, vw = int(f.attrs.get("video_height", 0) or 0), int(f.attrs.get("video_width", 0) or 0)
      if yaw_copies and vh and vw and vw / vh > frames.shape[2] / frames.shape[1] * 1.02:
        raise ValueError(f"{shard}: its {vw}x{vh} video was cropped across its width to {frames.shape[2]}x{frames.shape[1]}, so the "
                         "copies' turns (their focal length is 0.78 x the frame width) would be off: tokenize without --yaw-copies")
      if short := [k for k in f if k != "frames" and f[k].ndim and len(f[k]) != n]:  # dropped, the has_* flags kept saying so
        raise ValueError(f"{shard}: '{short[0]}' has {len(f[short[0]])} rows for {n} frames (a damaged shard: ingest it again)")
      signals = {k: f[k][:] for k in f if k != "frames" and f[k].shape[:1] == (n,)}
      if "frame_times" in signals and not np.isfinite(ft := signals["frame_times"]).all():  # (copied into the tokens; refused two stages on, naming them)
        raise ValueError(f"{shard}: 'frame_times' is not finite at frame {int(np.flatnonzero(~np.isfinite(ft))[0])} (a damaged shard: ingest it again)")
      attrs = {**dict(f.attrs), "tokenizer": json.dumps({"ckpt": str(Path(ckpt).resolve()), "model": dataclasses.asdict(cfg.model),
                                                          "codebook": codebook_hash(model.quantizer.codebook.numpy())}),
               "frame_shard": str(Path(shard).resolve()), "route": attr_text(f.attrs.get("route") or Path(shard).stem)}  # the data stage's split key
      if yaw_copies: frames = frames[:]
      def write(out, tokens, signals, a):  # (a full disk, or --out gone, called the frame shard unreadable: one might delete it)
        try: write_token_shard(out, tokens, signals, a)
        except OSError as e: raise ValueError(str(e) if str(out) in str(e) else f"{out}: can't write it ({e})") from None
      for (out, augment), stamp in zip(todo, stamps):
        a = {**attrs, "made_from": stamp}
        if augment is None: write(out, tokens_of(frames), signals, a); continue
        from data.augment import yaw_augment
        name = f"{attrs.get('segment', Path(shard).stem)}-yaw{augment['yaw_copy']}"
        # its slide keyed by the video's checksum: the segment id holds a hash of the path, and the same recording ingested
        # from another folder got other copies
        key = f"{attr_text(attrs['checksum'])}-yaw{augment['yaw_copy']}" if attrs.get("checksum") else name
        fr, pose, s = yaw_augment(frames, signals["pose"], key, yaw_px, fps=fps)
        from data.augment import FOCAL_OF_WIDTH
        a.update(segment=name, augment=json.dumps({**augment, "focal_px": FOCAL_OF_WIDTH * fr.shape[2], "slide_px": s.tolist()}))  # its route: its recording's drive
        if attrs.get("checksum"): a["checksum"] = f"{attrs['checksum']}-yaw{augment['yaw_copy']}"  # not the same video twice
        write(out, tokens_of(fr), {**signals, "pose": pose}, a)
  except OSError as e: raise ValueError(f"{shard}: not a readable shard ({e})") from None  # (h5py's damaged metadata, a
  # RuntimeError or KeyError, is named by the caller with its type: so is an engine's, which is not the shard's fault)
  return {"shard": shard, "frames": n * (yaw_copies + 1), "status": "done"}

def tokenize(ckpt: str, shards: str, out_dir: str, use_ray: bool = True, ray_address: Optional[str] = None,
             batch_size: int = 16, progress: bool = True, max_in_flight: Optional[int] = None, yaw_copies: int = 0,
             yaw_px: float = 20.0) -> list[dict]:
  """Tokenize every shard in a folder into out_dir (and yaw_copies augmented copies of each), one Ray task per shard with
  at most max_in_flight queued (default twice the CPUs); existing token shards are kept."""
  if yaw_copies < 0 or not yaw_px >= 1: raise ValueError(f"--yaw-copies must be >= 0 and --yaw-px >= 1, got {yaw_copies}, {yaw_px}")
  from data.dataset import shard_paths
  from drivegpt.nn.state import folder_in_use, holding
  from train.vqvae import load_tokenizer
  # each task loads the checkpoint: a VQVAE still training there wrote shards of two codebooks, exit 0
  if who := folder_in_use(run_dir := Path(ckpt) if Path(ckpt).is_dir() else Path(ckpt).parent):
    raise ValueError(f"--ckpt {ckpt}: a run is still training in {run_dir} (its lock is held by {who}): its checkpoint would change under the tokenize; wait for it to end")
  model, run_cfg = load_tokenizer(ckpt)   # a bad checkpoint fails here, once
  want = f"codebook {codebook_hash(model.quantizer.codebook.numpy())}"
  del model   # (each task loads its own)
  from train.stage import note_unfinished
  note_unfinished(ckpt, run_cfg.steps, f"--ckpt {ckpt}", "its tokens made as it is")
  paths = shard_paths(shards)
  if not paths: raise FileNotFoundError(f"{shards}: no .h5 shards")
  from data.layout import frame_shards_in, writable_folder
  if frames := frame_shards_in(out_dir):  # the folder then held both kinds, which ingest and eval-vqvae refused to read
    raise ValueError(f"--out {out_dir} holds frame shards ({frames.name}): token shards go into a folder of their own")
  writable_folder(out_dir)
  import h5py
  for p in paths if yaw_copies else []:  # (each shard's task refused it, then said "a re-run tries these again": it never could)
    try:
      with h5py.File(p, "r") as f: width = f["frames"].shape[2]
    except (OSError, KeyError, IndexError): continue  # (named by its task)
    if not yaw_px <= width / 4:
      raise ValueError(f"--yaw-px {yaw_px}: the copies' slide must be 1 to {width / 4:g} px (a quarter of {p}'s width)")
  from train.world_data import tokenizer_of
  def made_with(o: Path) -> str:
    with h5py.File(o, "r") as f: return tokenizer_of(f.attrs, o)
  # a folder of another VQVAE's token shards took this one's beside them, exit 0 (train-world refused the mix later)
  for o in shard_paths(out_dir) if Path(out_dir).is_dir() else []:
    try: other = made_with(o)
    except (OSError, ValueError): continue  # (a damaged one of the same name is named where it is read)
    if other not in (want, ""):
      raise ValueError(f"--out {out_dir} holds token shards of another VQVAE ({o.name}: {other[:60]}; --ckpt {ckpt}'s is {want}): "
                       "tokenize into another --out, or delete them")
  with holding(out_dir):  # a train-world reading the folder meanwhile trained on 1 of 6 drives, without a word (refused now)
    results = _tokenize_into(ckpt, shards, paths, out_dir, use_ray, ray_address, batch_size, progress, max_in_flight, yaw_copies, yaw_px)
  # each task loads the checkpoint: one saved again meanwhile (a run resumed there after the check above) gave shards of
  # two codebooks, exit 0
  written = [o for r in results for o, _ in _copies(r["shard"], out_dir, yaw_copies, yaw_px)]
  if other := [o for o in written if o.exists() and made_with(o) not in (want, "")]:
    raise ValueError(f"--ckpt {ckpt}: its checkpoint changed while tokenizing (a run trained there meanwhile?): {len(other)} token "
                     f"shard(s) hold another codebook ({other[0].name}, ...): delete them and tokenize again")
  return results

def _tokenize_into(ckpt: str, shards: str, paths: list, out_dir: str, use_ray: bool, ray_address, batch_size: int, progress: bool,
                   max_in_flight, yaw_copies: int, yaw_px: float) -> list[dict]:
  from tqdm import tqdm
  from data.layout import remove_stale_temps
  remove_stale_temps(Path(out_dir))  # half-written shards of a killed run
  by_stem = {p.stem: p for p in paths}
  for p in paths:
    for o, _ in _copies(str(p), out_dir, yaw_copies, yaw_px)[1:]:  # frame shards a.h5 and a-yaw0.h5: one output twice
      if o.stem in by_stem: raise ValueError(f"{p}: its yaw copy {o.name} would overwrite the tokens of the frame shard of that name: rename one")
  stale = []  # copies past --yaw-copies from an earlier run: they would still be trained on
  for q in Path(out_dir).glob("*-yaw*.h5"):
    stem, k = q.stem.rsplit("-yaw", 1)
    if q.stem not in by_stem and stem in by_stem and k.isdigit() and int(k) >= yaw_copies:  # (not a recording so named)
      stale.append((int(k), str(q), by_stem[stem]))
  if stale:
    k, q, p = max(stale)
    raise ValueError(f"{q}: a yaw copy of {p} from a run with more --yaw-copies than {yaw_copies} ({len(stale)} such copies): "
                     f"delete them, or tokenize with --yaw-copies {k + 1}")
  todo = [str(p) for p in paths if not all(_existing(o, ckpt, str(p), a) for o, a in _copies(str(p), out_dir, yaw_copies, yaw_px))]
  left = set(todo)   # (a list: a half-done re-run over 40,000 shards took 6.7 s here)
  results = [{"shard": str(p), "frames": _token_frames(str(p), out_dir, yaw_copies, yaw_px), "status": "skipped"} for p in paths if str(p) not in left]
  bar = tqdm(total=len(paths), initial=len(results), unit="shard", desc="tokenize", disable=not progress, file=sys.stderr)
  if use_ray and ray_address and len(todo) <= 1:  # (the cluster was never contacted, without a word)
    print(f"note: --ray-address {ray_address} not used: {len(todo)} shard(s) to tokenize, done in this process", file=sys.stderr)
  if use_ray and len(todo) > 1:
    import ray
    from data.ray_tasks import as_completed, ray_session, said, show
    with ray_session(ray_address):
      task = ray.remote(num_cpus=1)(said(tokenize_shard))
      ck, out = str(Path(ckpt).resolve()), str(Path(out_dir).resolve())
      # keep_going: a shard that fails (unreadable, or its worker died) is named at the end; the others go on (one ended the run)
      # absolute, as ck and out: a worker runs in its node's folder (a cluster's `ray start` one), where a relative shard
      # path read another project's shard of that name, silently
      for p, r in as_completed(lambda p: task.remote(ck, str(Path(p).absolute()), out, batch_size, yaw_copies, yaw_px), todo, max_in_flight, keep_going=True):
        results.append(_failed(p, getattr(r, "cause", None) or r) if isinstance(r := show(r), Exception) else r)
        bar.update(1)
  else:
    for p in todo:
      try: results.append(tokenize_shard(ckpt, p, out_dir, batch_size, yaw_copies, yaw_px))
      except Exception as e: results.append(_failed(p, e))  # (as a Ray task's: one odd shard stopped the others here)
      bar.update(1)
  bar.close()
  remove_stale_temps(Path(out_dir))  # a Ray worker killed mid-write, its task retried: its shard-sized temp file was left
  for q, src in orphan_tokens(out_dir, shards):
    print(f"warning: {q}: tokens of {src}, which is gone, and not in {shards}; kept (delete it to leave it out of training)", file=sys.stderr)
  if failed := [r for r in results if r["status"] == "error"]:
    raise ValueError(f"{len(failed)} of {len(paths)} shards not tokenized ({'the others were; ' if len(failed) < len(paths) else ''}a re-run tries these again):\n" + "\n".join(r["reason"] for r in sorted(failed, key=lambda r: r["shard"])))
  return sorted(results, key=lambda r: r["shard"])

def _failed(shard: str, e: BaseException) -> dict:
  """The result of a shard that failed: its error, one line, naming the shard (a Ray error says only the task)."""
  why = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
  return {"shard": shard, "frames": 0, "status": "error", "reason": why if shard in why else f"{shard}: {type(e).__name__}: {why}"}

def orphan_tokens(out_dir: str, shards: str) -> list[tuple[Path, str]]:
  """Token shards in out_dir made from a frame shard of the folder shards that is gone (its input deleted, say): train-world
  would still read them. One made elsewhere counts when its frame shard is gone from there and shards holds none of its
  name (a shards folder moved since: none lay under it, and a shard deleted there was kept unsaid); a frame shard still
  where it was made, in another folder, is not looked at."""
  import h5py
  root, found = Path(shards).resolve(), []
  here = {p.name for p in Path(shards).rglob("*.h5")} if Path(shards).is_dir() else {Path(shards).name}
  for q in sorted(Path(out_dir).glob("*.h5")):
    try:
      with h5py.File(q, "r") as f: src = json.loads(f.attrs.get("made_from") or "{}").get("frame_shard", [""])[0]
    except (OSError, ValueError): continue  # unreadable: train-world names it
    if src and not Path(src).exists() and (root in Path(src).parents or Path(src).name not in here): found.append((q, src))
  return found

# *** commaVQ ***

COMMAVQ_CODES = 1024  # commaVQ's vocabulary

def load_npy(path: str | Path) -> np.ndarray:
  """A plain .npy array, never unpickled; anything else (empty, truncated, pickled, unreadable) an error naming the file."""
  try:
    with open(path, "rb") as f:  # numpy takes a file without its header for a pickle: "contains pickled (object) data"
      if f.read(6) != b"\x93NUMPY": raise ValueError("no .npy header: another kind of file")
    return np.load(path, allow_pickle=False)
  except (ValueError, EOFError) as e: raise ValueError(f"{path}: not a plain .npy array ({e})") from None  # (an empty file: EOFError)
  except OSError as e: raise ValueError(f"{path}: can't read ({e})") from None

def read_commavq(path: str | Path, n_codes: int = COMMAVQ_CODES) -> np.ndarray:
  """A commaVQ token file (.npy, N x 128 or N x 8 x 16 ids) as int16 (N, 8, 16); never unpickles."""
  a = load_npy(path)
  if not np.issubdtype(a.dtype, np.integer): raise ValueError(f"{path}: token ids must be integers, got dtype {a.dtype}")
  if a.ndim == 2 and a.shape[1] == GRID[0] * GRID[1]: a = a.reshape(len(a), *GRID)
  if a.ndim != 3 or a.shape[1:] != GRID: raise ValueError(f"{path}: expected N x 128 or N x 8 x 16 token ids, got shape {a.shape}")
  if a.size and (a.min() < 0 or a.max() >= n_codes):
    raise ValueError(f"{path}: token ids must be in [0, {n_codes}), got min {a.min()} max {a.max()}")
  return a.astype(np.int16)

def write_commavq(path: str | Path, tokens: np.ndarray, flat: bool = False) -> None:
  """Write tokens (N, 8, 16) as a commaVQ .npy of int16 ids, (N, 8, 16), or (N, 128) with flat."""
  tokens = np.asarray(tokens)
  if tokens.ndim != 3 or tokens.shape[1:] != GRID: raise ValueError(f"{path}: tokens must be (N, 8, 16), got {tokens.shape}")
  _check_ids(path, tokens)
  from drivegpt.nn.state import write_atomic
  np.save(image := io.BytesIO(), tokens.astype(np.int16).reshape(len(tokens), GRID[0] * GRID[1]) if flat else tokens.astype(np.int16))
  write_atomic(str(path), [image.getbuffer()])

def _check_ids(path, tokens: np.ndarray) -> None:
  if tokens.size and not (0 <= tokens.min() and tokens.max() < COMMAVQ_CODES):  # a file commaVQ's readers (and ours) refuse
    raise ValueError(f"{path}: token ids {tokens.min()}..{tokens.max()}; commaVQ's format holds ids in [0, {COMMAVQ_CODES}) "
                     "(a tokenizer with more codes can't export to it)")

def flat_name(p: Path, src) -> str:
  """A file's name in a flat output folder (import-commavq's, export-commavq's): its path under src, '/' as '_', without
  its suffix; one over 200 bytes is cut, keeping a hash of it (a file name holds 255 bytes, the temp file's more: a
  legal long name failed the import)."""
  name = str(p.relative_to(src) if Path(src).is_dir() else p.name).replace("/", "_").removesuffix(p.suffix)
  b = name.encode(errors="surrogateescape")  # (a name that is not UTF-8, as the file system gave it: a traceback)
  if len(b) > 200: name = f"{b[:100].decode(errors='ignore')}~{b[-80:].decode(errors='ignore')}-{hashlib.sha256(b).hexdigest()[:8]}"
  return name

def _flat_names(files: list[Path], src: str, what: str) -> dict:
  """Each file's name in a flat output folder: its path under src, '/' as '_', without its suffix. Two files of one name
  (a/b_c.npy and a_b/c.npy) are refused: the second overwrote the first."""
  names, seen = {}, {}
  for p in files:
    names[p] = name = flat_name(p, src)
    if name in seen: raise ValueError(f"{p} and {seen[name]} would both be {what.format(name)}: rename one")
    seen[name] = p
  return names

def import_commavq(src: str, out_dir: str, fps: Optional[float] = None) -> list[str]:
  """Each commaVQ .npy under src (a file or folder) -> a token shard in out_dir with has_* flags false. fps: the
  tokens' frame rate (None: 20, commaVQ's); a file's .tokenizer.json (ours, exported) gives its own, and a different
  fps given for it is refused (the sidecar's replaced it without a word)."""
  from data.layout import frame_shards_in, not_being_written
  if fps is not None and not (np.isfinite(fps) and fps > 0): raise ValueError(f"fps: must be a positive frame rate, got {fps}")
  if not Path(src).exists(): raise FileNotFoundError(f"{src} does not exist")  # (said "no .npy token files")
  not_being_written(src)  # (a rollout's folder gave the tokens written so far)
  if frames := frame_shards_in(out_dir): raise ValueError(f"--out {out_dir} holds frame shards ({frames.name}): token shards go into a folder of their own")
  from train.world_data import npy_checksum, npy_route, npy_sidecar, npy_tokenizer, token_files
  files = token_files(Path(src), (".npy",), rollouts=True)   # (a rollout folder is imported on purpose: README, rollout)
  if not files: raise FileNotFoundError(f"{src}: no .npy token files")
  names = _flat_names(files, src, "token shard {}.h5")
  _not_another_import(names, out_dir)  # (checked again once the folder is held: another import may finish meanwhile)
  # each file's checksum, as data.ingest keeps a video's: the same tokens twice (two folders, two layouts) would be two drives
  sums, first = {p: npy_checksum(p) for p in files}, {}
  rates = {p: npy_sidecar(p).get("fps", fps or 20.0) for p in files if first.setdefault(sums[p], p) == p}  # (ours sent out and back keep their rate)
  for p, rate in rates.items():  # all checked before any is written (within 0.01 fps: a crash-shortened segment's is 19.999...)
    if fps is not None and abs(rate - fps) > 0.01: raise ValueError(f"{p}: its .tokenizer.json says {rate:g} fps, --fps gives {fps:g}: leave --fps out")
    if not len(tokens := read_commavq(p)): raise ValueError(f"{p}: no frames (shape {tokens.shape}): nothing to import")  # (a bad file was found after the others were written)
  from drivegpt.nn.state import holding
  written: list = []
  Path(out_dir).mkdir(parents=True, exist_ok=True)
  with holding(out_dir):  # (a train-world beside it read part of them)
    _not_another_import(names, out_dir)
    _write_imports(files, rates, first, sums, names, src, out_dir, written)
  return written

def _not_another_import(names: dict, out_dir: str) -> None:
  for p, name in names.items():  # one of another file (an earlier import, or tokenize's) was overwritten without a word
    if (old := Path(out_dir) / f"{name}.h5").exists() and ((a := read_token_shard(old)[2]).get("source") != str(p.resolve()) or "frame_shard" in a):
      was = f"by drivegpt tokenize from {a['frame_shard']}" if "frame_shard" in a else f"from {a.get('source')}"  # (a tokenize shard keeps its video's source)
      raise ValueError(f"{old} exists, made {was}, not from {p}: import into another --out")

def _write_imports(files, rates, first, sums, names, src, out_dir, written: list) -> None:
  from train.world_data import npy_route, npy_sidecar, npy_tokenizer
  for p in files:
    if p not in rates:
      print(f"warning: {p}: the same tokens as {first[sums[p]]}; left out", file=sys.stderr)
      continue
    side = npy_sidecar(p)
    tokens, name, rate, checksum = read_commavq(p), names[p], rates[p], side.get("checksum") or sums[p]
    attrs = {"source": str(p.resolve()), "segment": name, "route": npy_route(p, Path(src), side), "fps": rate, "frame_count": len(tokens), "has_pose": False, "checksum": checksum,
             "has_can": False, "has_action": False, "has_disengage": False, "tokenizer": npy_tokenizer(p, side)}
    write_token_shard(Path(out_dir) / f"{name}.h5", tokens, {"frame_times": np.arange(len(tokens)) / rate}, attrs)
    written.append(str(Path(out_dir) / f"{name}.h5"))

def export_commavq(src: str, out_dir: str, flat: bool = False) -> list[str]:
  """Each token shard in src -> out_dir/<name>.npy in commaVQ's format, and <name>.tokenizer.json naming our codebook
  (import-commavq and train-world read it: without it, the ids are taken for commaVQ's)."""
  from data.layout import HAS, attr_text, files_under, flag, inside, not_being_written
  if not Path(src).exists(): raise FileNotFoundError(f"{src} does not exist")  # (said "no token shards")
  not_being_written(src)
  files = files_under(Path(src), (".h5",))  # searched recursively, as the loaders do (only the top folder's were exported,
  if not files: raise FileNotFoundError(f"{src}: no token shards (.h5)")  # without a word)
  names = _flat_names(files, src, "{}.npy")  # a subfolder's shard is named by its path (sub_name.npy)
  if pose := next((p for p in files if names[p].endswith(".pose")), None):  # (its .npy was then left out as commaVQ's pose file)
    raise ValueError(f"{pose}: {names[pose]}.npy would be read as a commaVQ pose file (<key>.pose.npy) and left out: rename the shard")
  out = Path(out_dir).resolve()
  if inside(out, src if Path(src).is_dir() else Path(src).parent):  # the loaders search a folder recursively: each drive was read twice, as a shard and a .npy
    raise ValueError(f"--out {out_dir} is inside the token shards' folder {src}: train-world would read each "
                     "segment twice (its shard and its .npy); give a folder of its own")
  if out.exists() and not out.is_dir(): raise ValueError(f"--out {out_dir}: a file, not a folder (it gets one .npy per shard)")
  if held := files_under(out, (".h5",)):  # train-world reads a folder's shards and .npy files alike: two exports' drives mixed
    raise ValueError(f"--out {out_dir} holds token shards ({held[0].name}): train-world would read them and the .npy files "
                     "together; give a folder of its own")
  # every shard read and checked before anything is written (one bad shard left the earlier ones' files, which an import
  # took for the whole export), and none may replace another export's file of the same name
  todo = []
  for p in files:
    tokens, signals, attrs = read_token_shard(p)
    if tokens.ndim == 2 and tokens.shape[1] == GRID[0] * GRID[1]: tokens = tokens.reshape(len(tokens), *GRID)  # stored flat
    if tokens.ndim != 3 or tokens.shape[1:] != GRID:  # (named the .npy it was about to write, beside its sidecar, written)
      raise ValueError(f"{p}: tokens of shape {tokens.shape}; commaVQ's format holds 8x16 grids of tokens (128 per frame)")
    if "augment" in attrs or not len(tokens):  # a .npy can't say it is not a recording; an empty one import-commavq refuses
      print(f"note: {p}: {'a yaw-augmented copy' if len(tokens) else 'no frames'}, not exported", file=sys.stderr)
      continue
    _check_ids(p, tokens)
    if (dst := Path(out_dir) / f"{names[p]}.npy").exists() and not _holds_tokens(dst, tokens):  # (a re-run rewrites its own)
      raise ValueError(f"{dst} exists and holds other tokens than {p} (another export's?): export into another --out")
    # the sidecar: which codebook the ids index, and the drive and rate a .npy can't hold (lost, a drive's segments split
    # apart and a 30 fps shard was 20), and the video's checksum (an import of the files beside the shards was the same
    # drives twice, trained and scored twice); made here, as the rest is checked (an fps of "twenty" stopped the writes
    # part way, naming no file, and an import took the files written for the whole export)
    try: side = {**json.loads(attrs.get("tokenizer") or '{"commavq": true}'), "route": attr_text(attrs.get("route") or names[p]),
                 **({"fps": float(attrs["fps"])} if "fps" in attrs else {}), **({"checksum": attr_text(attrs["checksum"])} if attrs.get("checksum") else {})}
    except (ValueError, TypeError) as e: raise ValueError(f"{p}: a damaged tokenizer or fps attribute ({e})") from None
    todo.append((p, side))
  if out.is_dir() and (stale := sorted(set(files_under(out, (".npy",))) - {out / f"{names[p]}.npy" for p, _ in todo})):  # (read by an import too, unsaid)
    print(f"warning: --out {out_dir} holds {len(stale)} .npy file(s) this export does not write ({stale[0].name}, ...: of shards "
          f"no longer in {src}?); an import of the folder reads them too: delete them, or export into a new folder", file=sys.stderr)
  Path(out_dir).mkdir(parents=True, exist_ok=True)
  kept, dropped = [], set()
  for p, side in todo:
    tokens, signals, attrs = read_token_shard(p)  # (again: holding every drive's tokens at once took the memory of all)
    if tokens.ndim == 2: tokens = tokens.reshape(len(tokens), *GRID)
    # the sidecar first (a kill between the two left our ids without it, read as commaVQ's)
    write_atomic(Path(out_dir) / f"{names[p]}.tokenizer.json", json.dumps(side).encode())
    write_commavq(Path(out_dir) / f"{names[p]}.npy", tokens, flat)
    kept.append(str(Path(out_dir) / f"{names[p]}.npy"))
    absent = {k for key, ks in HAS.items() if not flag(attrs, key, True, p) for k in ks}  # zeros a plain video's shard holds: nothing lost
    dropped |= set(signals) - {"frame_times"} - absent | ({"frame_times"} if "frame_times" in signals and _gappy(signals["frame_times"]) else set())
  if dropped:  # (they went without a word: an import of the files has tokens, route and fps only)
    print(f"note: commaVQ's .npy holds tokens only: the shards' {', '.join(sorted(dropped))} are not exported (import-commavq "
          "brings back the tokens, route, fps and tokenizer; train-world then trains without pose conditioning)", file=sys.stderr)
  return kept

def _holds_tokens(path: Path, tokens: np.ndarray) -> bool:
  """Does the .npy at path hold these tokens (N, 8, 16), flat or not? A file that can't be read holds none."""
  try: old = np.load(path, allow_pickle=False)
  except (OSError, ValueError): return False
  return old.size == tokens.size and np.array_equal(old.reshape(tokens.shape), tokens)

def _gappy(times: np.ndarray) -> bool:
  """Frame times with a dropped frame (a step over 1.5 of the median): an import's even times would lose the gap."""
  steps = np.diff(np.asarray(times, np.float64))
  return len(steps) > 0 and bool((steps > 1.5*np.median(steps)).any())

# *** command lines ***

def main(argv: Optional[list[str]] = None) -> dict:
  ap = argparse.ArgumentParser(prog="drivegpt tokenize", formatter_class=HelpFormatter, description="Tokenize frame shards with a trained VQVAE: one token shard "
                               "per frame shard (tokens int16 N x 8 x 16, with the poses, speeds, actions, takeover labels and "
                               "has_* flags copied alongside). Existing token shards are kept, so a re-run finishes the rest.")
  ap.add_argument("--ckpt", required=True, type=path_arg, help="run directory of train-vqvae (or its ckpt.safetensors)")
  ap.add_argument("--shards", required=True, type=path_arg, help="folder of HDF5 frame shards (data.ingest output)")
  ap.add_argument("--out", required=True, type=path_arg, help="folder for the token shards")
  ap.add_argument("--batch-size", type=at_least(1, int), default=16, help="frames per forward pass")
  ap.add_argument("--ray-address", default=None, help="Ray cluster to join (default: $RAY_ADDRESS, else start a local one)")
  ap.add_argument("--no-ray", action="store_true", help="tokenize in this process, one shard at a time")
  ap.add_argument("--max-in-flight", type=at_least(1, int), default=None, help="shards queued or running on Ray at once (default: twice the CPUs)")
  ap.add_argument("--yaw-copies", type=int, default=0, help="also K copies of each shard as a camera turned left and right "
                  "would see it, poses to match (<name>-yaw<k>.h5): teaches the world model that steering turns the view; "
                  "train-world keeps them out of its held-out split")
  ap.add_argument("--yaw-px", type=float, default=None, help="the copies' largest sideways slide, px (default 20; with --yaw-copies)")
  args = ap.parse_args(argv)
  if args.yaw_px is not None and not args.yaw_copies: ap.error("--yaw-px sets the slide of --yaw-copies' copies: give --yaw-copies K too")  # (ignored)
  args.yaw_px = 20.0 if args.yaw_px is None else args.yaw_px
  if args.no_ray and args.ray_address: ap.error("--ray-address has no effect with --no-ray: give one of them")  # (never contacted)
  if args.no_ray and args.max_in_flight is not None: ap.error("--max-in-flight limits Ray's queue: it has no effect with --no-ray")  # (ignored)
  results = tokenize(args.ckpt, args.shards, args.out, not args.no_ray, args.ray_address, args.batch_size,
                     max_in_flight=args.max_in_flight, yaw_copies=args.yaw_copies, yaw_px=args.yaw_px)
  summary = {"shards": len(results), "tokenized": sum(r["status"] == "done" for r in results),
             "skipped": sum(r["status"] == "skipped" for r in results), "frames": sum(r["frames"] for r in results), "out": args.out}
  print(json_line(summary), flush=True)
  return summary

def import_main(argv: Optional[list[str]] = None) -> dict:
  ap = argparse.ArgumentParser(prog="drivegpt import-commavq", formatter_class=HelpFormatter, description="Convert commaVQ token files (.npy, N x 128 or N x 8 x 16 "
                               "ids) into token shards for train-world and eval-world.")
  ap.add_argument("src", type=path_arg, help="a .npy file or a folder searched recursively for them")
  ap.add_argument("--out", required=True, type=path_arg, help="folder for the token shards")
  ap.add_argument("--fps", type=float, default=None, help="frame rate of the tokens (default: 20, commaVQ's; a file's .tokenizer.json gives its own)")
  args = ap.parse_args(argv)
  written = import_commavq(args.src, args.out, args.fps)
  print(json_line({"files": len(written), "out": args.out}), flush=True)
  return {"files": written}

def export_main(argv: Optional[list[str]] = None) -> dict:
  ap = argparse.ArgumentParser(prog="drivegpt export-commavq", formatter_class=HelpFormatter, description="Write token shards as commaVQ token files "
                               "(.npy of int16 ids, N x 8 x 16, or N x 128 with --flat).")
  ap.add_argument("src", type=path_arg, help="a token shard or a folder of them")
  ap.add_argument("--out", required=True, type=path_arg, help="folder for the .npy files")
  ap.add_argument("--flat", action="store_true", help="write N x 128 instead of N x 8 x 16")
  args = ap.parse_args(argv)
  written = export_commavq(args.src, args.out, args.flat)
  print(json_line({"files": len(written), "out": args.out}), flush=True)
  return {"files": written}
