"""Tensors on disk: the safetensors format written and read by hand, and atomic training checkpoints built on it. No pickle."""
from __future__ import annotations
import contextlib, fcntl, json, os, secrets, struct, time
from pathlib import Path
from typing import Optional
import numpy as np
from drivegpt import Tensor, dtypes
from drivegpt.helpers import DType, prod
from drivegpt.nn import get_state_dict, get_parameters, load_state_dict  # noqa: F401  (tinygrad's nn.state has all three)

# safetensors dtype names; data is always little-endian
ST_DTYPES: dict[str, DType] = {"F32": dtypes.float32, "F16": dtypes.float16, "I32": dtypes.int32, "I64": dtypes.int64, "BOOL": dtypes.bool}
ST_NAMES = {v: k for k, v in ST_DTYPES.items()}

class CorruptFileError(ValueError):
  """A file that isn't a valid safetensors file (truncated, bad header, data out of bounds)."""

def safe_save(tensors: dict[str, Tensor], path: str, metadata: Optional[dict[str, str]] = None) -> None:
  """Write tensors (and optional string metadata) to path in the safetensors format."""
  write_atomic(path, _encode(tensors, metadata))

def _encode(tensors: dict[str, Tensor], metadata: Optional[dict[str, str]]) -> list[bytes]:
  header: dict = {}
  if metadata:
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()): raise TypeError("safetensors metadata must map str to str")
    header["__metadata__"] = metadata
  blobs, offset = [], 0
  for name, t in tensors.items():  # the spec doesn't fix an order; we keep the caller's
    if name == "__metadata__": raise ValueError("'__metadata__' is reserved in safetensors and can't name a tensor")
    if not isinstance(t, Tensor): raise TypeError(f"tensor {name!r}: a {type(t).__name__}, not a Tensor: pass Tensor(x)")  # (an array's "dtype float32 can't be saved (supported: ... 'F32')")
    if t.dtype not in ST_NAMES: raise TypeError(f"tensor {name!r}: dtype {t.dtype} can't be saved (supported: {sorted(ST_DTYPES)})")
    data = np.ascontiguousarray(t.numpy(), dtype=np.dtype(t.dtype.np).newbyteorder("<")).tobytes()
    header[name] = {"dtype": ST_NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
    blobs.append(data)
    offset += len(data)
  hb = json.dumps(header, separators=(",", ":")).encode()
  hb += b" " * (-len(hb) % 8)  # pad with spaces so the data starts 8-byte aligned, as the reference writer does
  return [struct.pack("<Q", len(hb)), hb, *blobs]

_LOCKS: dict = {}  # the folders this process holds: their lock files stay open, and locked, until it exits
_TAKEN: set = set()  # those a command took (lock_folder(command=True)), to let go at its end: a retry's too, after one failed

class FolderInUse(ValueError): pass

def lock_folder(folder, command: bool = False) -> bool:
  """Hold folder/.lock for the rest of this process (or until release_folder), or raise FolderInUse naming the process
  that holds it: two runs in one folder (a command started twice, two cluster jobs given one out=) would overwrite each
  other's checkpoints and interleave their metrics. Temp files there (`.NAME.*.tmp`) are then a killed run's leftovers,
  and are removed. True if this call took it (False: this process held it already), or, for a command, if a command
  took it (one that raised here left it held, and its retry's end let go of nothing: "a run is still training")."""
  folder = Path(folder)
  key = os.path.realpath(folder)
  if key in _LOCKS: return command and key in _TAKEN
  try: f = open(folder / ".lock", "a+")
  except OSError:  # another user's lock file (0644), or a read-only folder: a read-only handle locks all the same
    try: f = open(folder / ".lock")
    except OSError: return False  # a read-only folder without one (nothing will be written there): unguarded
  for tries in range(10):  # (a reader's look, folder_in_use, holds it shared for a moment: a writer refused by it named a stale pid)
    try: fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB); break
    except BlockingIOError:
      if tries < 9: time.sleep(0.02); continue
      f.seek(0)
      owner = f.read().strip()  # (empty: the other process has the lock but has not written its pid yet)
      f.close()
      raise FolderInUse(f"{folder}: a run is already going on in this folder ({'pid ' + owner if owner else 'another process'}); wait for it to end, or use another folder") from None
    except OSError: break  # a filesystem without locks: unguarded, as before
  try: f.seek(0); f.truncate(); f.write(f"{os.getpid()}\n"); f.flush()
  except OSError: pass  # (a read-only handle: the holder goes unnamed)
  _LOCKS[key] = f
  if command: _TAKEN.add(key)
  for tmp in folder.glob(".*.tmp"):
    with contextlib.suppress(OSError):  # (a read-only folder's stay: a traceback refused the run)
      if tmp.is_file(): tmp.unlink()
  return True

def release_folder(folder) -> None:
  """Let go of folder/.lock (a command done writing there, in a process that goes on: a test, a notebook, Ray workers)."""
  _TAKEN.discard(key := os.path.realpath(folder))
  if (f := _LOCKS.pop(key, None)) is not None: f.close()

@contextlib.contextmanager
def holding(folder):
  """lock_folder for the length of a with block (a command that writes a folder and returns: ingest, tokenize), let
  go after unless this process held it before."""
  took = lock_folder(folder)
  try: yield
  finally:
    if took: release_folder(folder)

def held_folders() -> str:
  """The folders this process holds, os.pathsep-joined: its Ray workers' environment (DRIVEGPT_HELD_FOLDERS)."""
  return os.pathsep.join(_LOCKS)

def folder_in_use(folder) -> Optional[str]:
  """'pid N' (or 'another process') when another process holds folder/.lock (an ingest or tokenize still writing the
  shards there, a run still training); None when nothing does, this process does, or the folder has no lock file."""
  lock, real = Path(folder) / ".lock", os.path.realpath(folder)
  # (a Ray worker of the command that holds it is that command: its driver's folders come in DRIVEGPT_HELD_FOLDERS)
  if real in _LOCKS or real in os.environ.get("DRIVEGPT_HELD_FOLDERS", "").split(os.pathsep) or not lock.is_file(): return None
  try:
    with open(lock) as f:
      try: fcntl.flock(f, fcntl.LOCK_SH | fcntl.LOCK_NB)
      except BlockingIOError: return "pid " + o if (o := f.read().strip()) else "another process"
  except OSError: pass  # unreadable, or a filesystem without locks
  return None

def write_atomic(path: str, chunks: list, tmp_name: Optional[str] = None) -> None:
  """Write atomically: a temp file in the same folder (tmp_name, default .NAME.<random>.tmp), flushed and fsynced, then
  renamed over path. The file gets the permissions the umask gives (0644 usually), not mkstemp's 0600: others on a
  shared cluster folder can read it. An OSError names path (a full disk said only "[Errno 28] No space left on device")."""
  folder = os.path.dirname(os.path.abspath(path))
  tmp = os.path.join(folder, tmp_name or f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
  try: fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if tmp_name else os.O_EXCL), 0o666)  # (a caller's name is its own: host and pid)
  except (FileNotFoundError, NotADirectoryError): raise FileNotFoundError(f"{path}: can't write it: its folder {folder} doesn't exist") from None  # (it named the temp file)
  except OSError as e: raise OSError(e.errno, f"can't write it ({e.strerror})", path) from None
  try:
    with os.fdopen(fd, "wb") as f:
      for c in chunks: f.write(c)
      f.flush()
      os.fsync(f.fileno())
    os.replace(tmp, path)
  except BaseException as e:
    if os.path.exists(tmp): os.unlink(tmp)
    if isinstance(e, OSError) and e.filename is None and e.errno is not None: raise OSError(e.errno, f"can't write it ({e.strerror})", path) from None
    raise
  try:  # make the rename itself durable; not every filesystem lets us open a directory
    dfd = os.open(folder, os.O_RDONLY)
    try: os.fsync(dfd)
    finally: os.close(dfd)
  except OSError: pass

def _bad(path: str, problem: str) -> CorruptFileError: return CorruptFileError(f"{path}: not a valid safetensors file: {problem}")

def _read_header(f, path: str) -> tuple[dict, dict]:
  """(tensor entries, metadata) of the safetensors file open as f, read up to the end of its header (validated against
  the file size): metadata alone need not read gigabytes of weights."""
  size = os.fstat(f.fileno()).st_size
  if size < 8: raise _bad(path, f"file is {size} bytes, too short for the 8-byte header length")
  head = f.read(8)
  (n,) = struct.unpack("<Q", head)
  if 8 + n > size:  # a torch.save zip or a pickle read as a length said "truncated?"
    kind = "a zip archive (torch.save writes these)" if head[:4] == b"PK\x03\x04" else "a pickle (never loaded: it can run code)" if head[:1] == b"\x80" else None
    raise _bad(path, f"it is {kind}: convert it to safetensors" if kind else f"header length {n} runs past the end of the file ({size} bytes): truncated?")
  try: header = strict_json(f.read(n))
  except ValueError as e: raise _bad(path, f"header {e}") from None
  if not isinstance(header, dict): raise _bad(path, "header is not a JSON object")
  metadata = {} if (metadata := header.pop("__metadata__", None)) is None else metadata  # (false or [] read as none; null is none, as the library reads it)
  if not (isinstance(metadata, dict) and all(isinstance(v, str) for v in metadata.values())): raise _bad(path, "__metadata__ is not a map of strings")
  return header, metadata

def strict_json(text: str | bytes):
  """json.loads, refusing what it would read without a word: a key given twice in an object (the last one was kept: a
  second tensor entry, a sidecar's second fps), bytes that are not UTF-8, nesting past Python's stack and integers past
  its digit limit (tracebacks naming no file). ValueError saying which; the caller names the file."""
  def unique(pairs: list) -> dict:
    if len(keys := [k for k, _ in pairs]) != len(set(keys)): raise ValueError(f"has {next(k for k in keys if keys.count(k) > 1)!r} twice")
    return dict(pairs)
  try: return json.loads(text.decode("utf-8") if isinstance(text, bytes) else text, object_pairs_hook=unique)  # (bytes: json
  # guessed UTF-16 and took a BOM, where the safetensors format is UTF-8)
  except RecursionError: raise ValueError("is not valid JSON (nested too deep)") from None
  except ValueError as e: raise ValueError(str(e) if str(e).startswith("has ") else f"is not valid JSON ({e})") from None  # (UnicodeDecodeError too)

def read_safetensors(path: str) -> tuple[dict[str, np.ndarray], dict[str, str]]:
  """The arrays and metadata of a safetensors file, validating its header against the file size."""
  with open(path, "rb") as f:
    header, metadata = _read_header(f, path)
    data = f.read()
  def bad(problem: str): return _bad(path, problem)
  ret, spans = {}, []
  def whole(x): return isinstance(x, int) and not isinstance(x, bool)   # (json's true is an int to Python)
  for name, info in header.items():
    if isinstance(info, dict) and info.get("dtype") in ("BF16", "F64", "I8", "U8", "I16", "U16", "U32", "U64", "F8_E4M3", "F8_E5M2"):
      raise CorruptFileError(f"{path}: tensor {name!r} has dtype {info['dtype']}, which the engine does not load (it loads {', '.join(sorted(ST_DTYPES))}): convert it first")
    try: dt, shape, (lo, hi) = ST_DTYPES[info["dtype"]], tuple(info["shape"]), info["data_offsets"]
    except (KeyError, TypeError, ValueError): raise bad(f"tensor {name!r} has a bad entry {info!r} (supported dtypes: {sorted(ST_DTYPES)})") from None
    if not all(whole(d) and d >= 0 for d in shape): raise bad(f"tensor {name!r} has shape {list(shape)}: sizes must be whole numbers >= 0")
    size = prod(shape) * dt.itemsize
    if not (whole(lo) and whole(hi) and 0 <= lo <= hi <= len(data)):
      raise bad(f"tensor {name!r} data_offsets [{lo}, {hi}] are outside the {len(data)}-byte data section: truncated?")
    if hi - lo != size: raise bad(f"tensor {name!r} has {hi - lo} bytes, but dtype {info['dtype']} and shape {list(shape)} need {size}")
    try: ret[name] = np.frombuffer(data, dtype=np.dtype(dt.np).newbyteorder("<"), count=prod(shape), offset=lo).reshape(shape)
    except ValueError as e: raise bad(f"tensor {name!r} of shape {list(shape)}: {e}") from None   # ([2**62, 0]: "array is too big")
    spans.append((lo, hi, name))
  end = 0   # the tensors tile the data section: two sharing bytes, or bytes no tensor owns, mean a damaged header
  for lo, hi, name in sorted(spans):
    if lo != end: raise bad(f"tensor {name!r} starts at byte {lo}, {'inside another tensor' if lo < end else f'leaving bytes {end}-{lo} unused'}")
    end = hi
  if end != len(data): raise bad(f"data section is {len(data)} bytes, but the tensors cover only {end}")
  return ret, metadata

def safe_load(path: str) -> dict[str, Tensor]:
  """The tensors of a safetensors file, realized."""
  arrays, _ = read_safetensors(path)
  return {k: Tensor(a, dtype=dtypes.from_np(a.dtype.newbyteorder("="))).realize() for k, a in arrays.items()}

# *** checkpoints ***

def save_checkpoint(path: str, model, optimizer, step: int, config: dict, extra: Optional[dict] = None) -> None:
  """Write model weights, optimizer state, step, config (JSON) and the RNG state to one safetensors file, atomically."""
  tensors = {f"model.{k}": v for k, v in get_state_dict(model).items()}
  if optimizer is not None: tensors.update({f"optim.{k}": v for k, v in optimizer.state_dict().items()})
  try: config_json, extra_json = json.dumps(config), json.dumps(extra)
  except TypeError as e: raise TypeError(f"save_checkpoint {path}: config and extra must be JSON data (numbers, text, lists, dicts): {e}") from None
  # a diverged run's NaN weights, saved over its last good checkpoint, were then refused by load_checkpoint: no resume
  if bad := _nonfinite({k: v.numpy() for k, v in tensors.items()}):
    raise FloatingPointError(f"save_checkpoint {path}: {bad} holds NaN or inf (the run diverged?): not saved" + (", the file there is kept" if os.path.exists(path) else ""))
  meta = {"format": "drivegpt-checkpoint-1", "step": str(int(step)), "config": config_json,
          "rng_seed": str(Tensor._seed), "rng_counter": str(Tensor._rng_counter), "extra": extra_json}
  safe_save(tensors, path, meta)

def _nonfinite(arrays: dict) -> Optional[str]:
  """The name of the first float array holding NaN or inf, else None: what checkpoints neither save nor load."""
  return next((k for k, a in arrays.items() if a.dtype.kind == "f" and not np.isfinite(a).all()), None)

def checkpoint_meta(path: str, meta: dict) -> tuple[int, dict, object, int, int]:
  """(step, config, extra, rng seed, rng counter) of a checkpoint's metadata; a bad value is an error naming the file."""
  if meta.get("format") != "drivegpt-checkpoint-1": raise ValueError(f"{path}: not a drivegpt checkpoint (metadata {sorted(meta)})")
  try:
    ret = (int(meta["step"]), strict_json(meta["config"]), strict_json(meta["extra"]), int(meta["rng_seed"]), int(meta["rng_counter"]))
    # (a list for the config crashed the stage that read it; a negative seed failed at the first random draw, naming no file)
    if not isinstance(ret[1], dict) or min(ret[0], ret[3], ret[4]) < 0: raise ValueError("config must be a map, step and RNG state >= 0")
    return ret
  except (KeyError, ValueError, RecursionError) as e: raise CorruptFileError(f"{path}: bad checkpoint metadata ({type(e).__name__}: {e})") from None

def checkpoint_info(path: str) -> tuple[int, dict, object]:
  """(step, config, extra) of a checkpoint, without loading it into a model: build the model from config, then load_checkpoint."""
  with open(path, "rb") as f: metadata = _read_header(f, path)[1]   # (a stage's resume read the whole file 3-4 times)
  return checkpoint_meta(path, metadata)[:3]

def tensor_names(path: str) -> frozenset:
  """The names of the tensors a safetensors file holds (its header alone)."""
  with open(path, "rb") as f: return frozenset(_read_header(f, path)[0])

def load_checkpoint(path: str, model, optimizer=None) -> tuple[int, dict]:
  """Restore what save_checkpoint wrote into model (and optimizer), and the RNG state; returns (step, config).
  Nothing is changed unless every tensor matches the model's (and optimizer's) names, shapes and dtypes."""
  arrays, meta = read_safetensors(path)
  step, config, _, seed, counter = checkpoint_meta(path, meta)
  tensors = {k: Tensor(a, dtype=dtypes.from_np(a.dtype.newbyteorder("="))) for k, a in arrays.items()}
  model_sd = {k[len("model."):]: v for k, v in tensors.items() if k.startswith("model.")}
  optim_sd = {k[len("optim."):]: v for k, v in tensors.items() if k.startswith("optim.")}
  if other := [k for k in tensors if not k.startswith(("model.", "optim."))]: raise ValueError(f"{path}: unexpected tensor {other[0]!r}")
  if bad := _nonfinite(arrays):  # (tokenize wrote all-0 ids)
    raise ValueError(f"{path}: {bad} holds NaN or inf (a run that diverged?): not loaded")
  try:
    _check(model_sd, get_state_dict(model), "model")
    if optimizer is not None: _check(optim_sd := optimizer.upgrade(optim_sd), optimizer.state_dict(), "optimizer")
    load_state_dict(model, model_sd)  # (its checks, tied weights' values, come before it writes anything; they named no file)
  except ValueError as e: raise ValueError(f"{path}: checkpoint doesn't match: {e}") from None
  if optimizer is not None: optimizer.load_state_dict(optim_sd)
  Tensor._seed, Tensor._rng_counter = seed, counter
  return step, config

def _check(saved: dict[str, Tensor], own: dict[str, Tensor], what: str) -> None:
  if missing := [k for k in own if k not in saved]: raise ValueError(f"{what} key {missing[0]!r} is missing from the file")
  if extra := [k for k in saved if k not in own]: raise ValueError(f"file has {what} key {extra[0]!r}, which the {what} doesn't")
  for k, t in own.items():
    if saved[k].shape != t.shape or saved[k].dtype != t.dtype:
      raise ValueError(f"{what} key {k!r} is {saved[k].dtype} {saved[k].shape} in the file, but {t.dtype} {t.shape} in the {what}")
