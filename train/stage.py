"""What every pipeline stage shares: a config dataclass filled from YAML and key=value overrides (unknown keys and bad
values rejected by name), and a run directory with the resolved config, metrics.jsonl, an atomic checkpoint that a
re-run of the same command resumes from, a progress bar, and one JSON line of final metrics on stdout."""
from __future__ import annotations
import argparse, copy, dataclasses, functools, json, math, os, re, sys, time, types, typing
from pathlib import Path
from typing import Any, Callable, Optional
import yaml
from drivegpt.cli import Once, end_bars, json_line, path_arg
from drivegpt.nn.state import folder_in_use, lock_folder, release_folder  # noqa: F401  (the stages' folder locks)

class ConfigError(ValueError):
  """A config file, key or value a user got wrong."""

# *** config ***

def _hints(cls) -> dict: return typing.get_type_hints(cls)

def _coerce(value: Any, tp: Any, key: str) -> Any:
  """value checked against (and, for tuples and floats, converted to) the annotated type tp; ConfigError naming key."""
  origin, args = typing.get_origin(tp), typing.get_args(tp)
  if origin in (typing.Union, types.UnionType):
    if value is None and type(None) in args: return None
    errors = []
    for a in (a for a in args if a is not type(None)):
      try: return _coerce(value, a, key)
      except ConfigError as e: errors.append(str(e))
    raise ConfigError(errors[0] if len(errors) == 1 else f"{key}: {value!r} matches none of {tp}")
  if isinstance(value, Yaml11Number) and tp in (int, float):  # (YAML 1.1 read `steps: 010` as 8, `1:30` as 90, silently)
    raise ConfigError(f"{key}: {str(value)!r}: write the number in plain decimal digits (YAML 1.1 reads 010 as 8, 0x10 as 16, 1:30 as 90, 1_0 as 10)")
  if isinstance(value, Yaml11Number): value = str(value)
  if dataclasses.is_dataclass(tp):
    if not isinstance(value, dict): raise ConfigError(f"{key}: expected a mapping of {tp.__name__} fields, got {value!r}")
    return build(tp, value, prefix=f"{key}.")
  if tp in (tuple, list) or origin in (tuple, list):
    if not isinstance(value, (list, tuple)): raise ConfigError(f"{key}: expected a list, got {value!r}")
    inner = args[0] if args else Any
    return tuple(_coerce(v, inner, f"{key}[{i}]") for i, v in enumerate(value))
  if tp is Any: return value
  if tp is float and isinstance(value, (int, float, str)) and not isinstance(value, bool):  # YAML reads 1e-3 (no dot) as a string
    try: value = float(value)
    except ValueError: pass
    # inf passed every range check (lr=inf trained to NaN and exited 0); NaN failed them with less clear messages
    if isinstance(value, float) and not math.isfinite(value): raise ConfigError(f"{key}: must be a finite number, got {value}")
  if tp is bool and not isinstance(value, bool): raise ConfigError(f"{key}: expected true or false, got {value!r}")
  if tp is int and (isinstance(value, bool) or not isinstance(value, int)): raise ConfigError(f"{key}: expected an integer, got {value!r}")
  if tp is str and isinstance(value, bool):  # (`model.pose=off` said "expected str, got False")
    raise ConfigError(f"{key}: expected text, got {value!r} (YAML reads yes/no/on/off as true or false: put the word in quotes)")
  if not isinstance(value, tp): raise ConfigError(f"{key}: expected {tp.__name__}, got {value!r}")
  return value

def build(cls, values: dict, prefix: str = ""):
  """An instance of dataclass cls from a (nested) dict; a key cls doesn't have, or a value of the wrong type, raises."""
  hints, names = _hints(cls), {f.name for f in dataclasses.fields(cls)}
  if unknown := [k for k in values if k not in names]:  # (a key 1 or null raised a TypeError joining it to the prefix)
    raise ConfigError(f"unknown config key {prefix + str(unknown[0])!r} (known: {', '.join(sorted(names))})")
  kw = {}
  for k, v in values.items():
    if dataclasses.is_dataclass(hints[k]) and v is None: v = {}  # a section with every key commented out: its defaults
    if dataclasses.is_dataclass(hints[k]) and isinstance(v, dict):  # a partial mapping overrides the defaults
      v = {**to_dict(getattr(cls(), k) if _has_default(cls, k) else hints[k]()), **v}
    kw[k] = _coerce(v, hints[k], prefix + k)
  obj = cls(**kw)
  _check_shared(obj, prefix)
  if check := getattr(obj, "check", None): check()
  return obj

def _check_shared(obj, prefix: str) -> None:
  """The training keys several configs share, checked wherever they appear: out of range, a run trains the wrong way
  without an error (grad_clip=-1 made train-world climb to 10.8 bits per token, uniform guessing; lr=-1 to 45.8)."""
  val = lambda k: getattr(obj, k, None)
  for k in ("lr", "grad_clip"):
    if val(k) is not None and not val(k) > 0: raise ConfigError(f"{prefix}{k}: must be positive, got {val(k)}")
  for k in ("min_lr", "weight_decay", "warmup", "seed", "split_seed"):  # (seed=-3: numpy's "expected non-negative integer", no key named)
    if val(k) is not None and not val(k) >= 0: raise ConfigError(f"{prefix}{k}: must be >= 0, got {val(k)}")
  if val("dropout") is not None and not 0 <= val("dropout") < 1: raise ConfigError(f"{prefix}dropout: must be in [0, 1), got {val('dropout')}")
  if val("min_lr") is not None and val("lr") is not None and val("min_lr") > val("lr"):
    raise ConfigError(f"{prefix}min_lr: {val('min_lr')} is above lr {val('lr')}")
  # AdamW scales each weight by 1 - lr x weight_decay a step: at 1 or more it wiped them out or flipped their signs, and
  # train-world exited 0 at exactly 5.0 bits per token (uniform guessing) or 6.6e10
  if val("weight_decay") and val("lr") and val("lr") * val("weight_decay") >= 1:
    raise ConfigError(f"{prefix}weight_decay: {val('weight_decay')} x lr {val('lr')} >= 1: AdamW's decay (each weight times "
                      "1 - lr x weight_decay a step) would wipe out or flip the weights")

def warn_short_schedule(cfg, stage: str) -> None:
  """Say so when warmup is not shorter than steps: the learning rate never reaches lr nor decays (a quick run with
  steps=20 under a config's warmup of 100 ended at a fifth of lr, without a word)."""
  if cfg.warmup and cfg.warmup >= cfg.steps:
    print(f"{stage}: warmup={cfg.warmup} is not below steps={cfg.steps}: the learning rate ramps only up to "
          f"{cfg.lr * cfg.steps / cfg.warmup:.3g} (lr={cfg.lr:g}) and never decays; set warmup= below steps", file=sys.stderr)

def _has_default(cls, name: str) -> bool:
  f = next(f for f in dataclasses.fields(cls) if f.name == name)
  return f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING

def to_dict(cfg) -> dict:
  """A config as plain YAML/JSON-able data (tuples become lists)."""
  def plain(v):
    if isinstance(v, (list, tuple)): return [plain(x) for x in v]
    if isinstance(v, dict): return {k: plain(x) for k, x in v.items()}
    return v
  return plain(dataclasses.asdict(cfg))

class Yaml11Number(str):
  """A number in a config file written other than in decimal (`010`, `0x10`, `1:30`), which YAML 1.1 reads as 8, 16 and
  90: kept as its text, so a number key refuses it by name (_coerce) and a text key (a path) takes it as written."""

class _UniqueKeys(yaml.SafeLoader):
  """yaml.safe_load that refuses a key given twice in one mapping (a second `model:` section replaced the first); `<<:`
  merge keys work (the keys written beside one override it); numbers not in decimal stay text (Yaml11Number)."""
  def construct_mapping(self, node, deep=False):
    keys = [(self.construct_object(k, deep=True), k.start_mark.line + 1) for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge"]
    for i, (k, line) in enumerate(keys):
      if k in [k0 for k0, _ in keys[:i]]: raise ConfigError(f"key {k!r} appears twice (line {line})")
    return super().construct_mapping(node, deep)
  def construct_decimal(self, node):
    if not DECIMAL.fullmatch(node.value.strip()): return Yaml11Number(node.value)
    return self.construct_yaml_int(node) if node.tag.endswith(":int") else self.construct_yaml_float(node)
_UniqueKeys.add_constructor("tag:yaml.org,2002:int", _UniqueKeys.construct_decimal)
_UniqueKeys.add_constructor("tag:yaml.org,2002:float", _UniqueKeys.construct_decimal)

DECIMAL = re.compile(r"[-+]?((0|[1-9]\d*)(\.\d*)?|\.\d+)([eE][-+]?\d+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)")

def load_config(cls, path: Optional[str] = None, overrides: Optional[list[str]] = None):
  """cls's defaults, updated by the YAML file at path, then by 'a.b=value' overrides (values parsed as YAML). A config
  with a check_given(keys) method is handed the (flat) keys the file and the overrides gave, to refuse those it ignores."""
  values: dict = {}
  file_values: dict = {}
  if path is not None:
    try: text = Path(path).read_text()
    except OSError as e: raise ConfigError(f"{path}: can't read config ({e.strerror})") from None
    try: values = yaml.load(text, Loader=_UniqueKeys) or {}
    except yaml.YAMLError as e: raise ConfigError(f"{path}: not valid YAML ({e})") from None
    except ConfigError as e: raise ConfigError(f"{path}: {e}") from None
    if not isinstance(values, dict): raise ConfigError(f"{path}: expected a mapping of config keys, got {type(values).__name__}")
    file_values = copy.deepcopy(values)  # (what the file gave: the overrides write into values)
  seen: dict = {}
  for item in overrides or []:
    key, eq, raw = item.partition("=")
    if not eq or not key: raise ConfigError(f"override {item!r}: expected key=value")
    # a path given empty (an unset shell variable: data.shards=$SHARDS) was the working folder, read or written
    if key.split(".")[-1] in PATH_KEYS and not raw.strip(): raise ConfigError(f"{key}: empty: give a folder (an unset shell variable?), or leave the key out")
    try: value = yaml.load(raw, Loader=_UniqueKeys) if raw else ""  # as a file reads it (model.mults=[1,010] was [1, 8])
    except yaml.YAMLError: value = raw
    except ConfigError as e: raise ConfigError(f"override {item!r}: {str(e).split(' (line')[0]}") from None  # a key given twice
    if (" #" in raw and raw.strip()[:1] not in "'\"") or raw.lstrip().startswith(("&", "!")): value = raw  # YAML cut `out=/runs/a #2`
    # to /runs/a: the text as given (a quoted one is YAML's string: its quotes were kept, and the run went into a folder `"`)
    # a path is its text, as given: `out=~` was null, `out=12345` (a job id) a number, and YAML trimmed spaces, joined a
    # newline into a space and read a date (data.shards=' shx' read the folder shx); a quoted one ("/a/b", as json.dumps
    # writes it) is YAML's string, null unsets a path key but out, and ~ is the home folder
    if (key == "out" or key.split(".")[-1] in PATH_KEYS) and not (isinstance(value, str) and raw.strip()[:1] in "'\"") and not (key != "out" and raw.strip() in ("null", "Null", "NULL")): value = raw
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not DECIMAL.fullmatch(raw.strip()):
      value = Yaml11Number(raw.strip())  # as in a file: a number key refuses it by name, a text key (a path) takes it as written
    # the last one counts, as for an option given twice (steps=2 steps=3 took it without a word); a key counts under
    # either spelling (model.width=96 'model={width: 48}' took 48 without a word)
    for k in _flat({key: value}) if isinstance(value, dict) and value else [key]:
      if k in seen: print(f"note: {k} is given twice ({seen[k]!r}, then {item!r}): the last one counts", file=sys.stderr)
      seen[k] = item
    *parents, leaf = key.split(".")
    d = values
    for p in parents:
      if d.get(p) is None: d[p] = {}  # (a file's empty section: the override was blamed, "'model' is not a section")
      if not isinstance(d[p], dict): raise ConfigError(f"override {item!r}: {p!r} is not a section")
      d = d[p]
    # a section given whole (`model={patch: 4}`) is merged into what the file and earlier overrides gave, as model.patch=4
    # is (it replaced them: the file's other model keys fell back to the full-size defaults, without a word)
    d[leaf] = _merged(d[leaf], value) if isinstance(value, dict) and isinstance(d.get(leaf), dict) else value
  try:
    # a key the stage sets itself, refused before its section is built (model.tokens_per_frame=64 said "grid (8, 16) must
    # hold the 64 tokens" first); check_given refuses them after
    if (ignored := getattr(cls, "IGNORED", None)) and (bad := next((k for k, v in _flat(values).items() if k in ignored and v != _flat(to_dict(cls())).get(k)), None)):
      raise ConfigError(f"{bad} has no effect here: {ignored[bad]}; leave it out")
    cfg = build(cls, values)
    # keys the user wrote that the stage would ignore: refused here, not in build, which also rebuilds a saved run's
    # config (every key in it)
    if check_given := getattr(cfg, "check_given", None): check_given(set(_flat(values)))
  except ConfigError as e:  # the file named only where the key came from it (an override's bad value was blamed on it)
    given = {k.partition("=")[0] for k in overrides or []}
    # another stage's config file said only "unknown config key 'eval_frames'"
    kind = f" (it looks like a {other} config)" if path and (other := stage_of(file_values)) not in ("unknown", stage_of(to_dict(cls()))) else ""
    mine = any(str(e).startswith((f"{k}:", f"{k}[", f"{k}.", f"{k}=", f"{k} ")) or f"key '{k}" in str(e) for k in given)  # (ray_address=...: one process...)
    raise ConfigError(f"{path}: {e}{kind}" if path and not mine else str(e)) from None
  if getattr(cfg, "out", None) is not None:  # `out=` (an unset $RUNDIR) trained into the working folder; `out=~/run` made ./~
    if not str(cfg.out).strip(): raise ConfigError("out: empty: give the run folder (out=RUNDIR)")
    cfg.out = os.path.expanduser(cfg.out)
  _absolute(cfg)
  return cfg

def check_ray(cfg) -> None:
  """A Ray cluster given to a run of one process (workers=1) was never contacted, without a word: refused. Only for a
  config the user gives (load_config), not a saved run's, which tokenize, export and the sim rebuild."""
  if cfg.ray_address and cfg.workers == 1:
    raise ConfigError(f"ray_address={cfg.ray_address}: only a data-parallel run (workers > 1) uses a Ray cluster: give workers=N, or leave it out")

def _merged(was: dict, new: dict) -> dict:
  """new's keys over was's, section by section."""
  return {**was, **{k: _merged(was[k], v) if isinstance(v, dict) and isinstance(was.get(k), dict) else v for k, v in new.items()}}

# keys naming another run or a data folder: saved absolute, since later commands read them back from the checkpoint
# (export-driving packed the disengagement model that `disengage=runs/disengage` meant in *its* working directory)
PATH_KEYS = ("tokens", "vqvae", "world", "disengage", "bc", "shards", "val_shards")
def _path(key: str, value: Any) -> Any:
  return os.path.abspath(os.path.expanduser(value)) if key.split(".")[-1] in PATH_KEYS and isinstance(value, str) and value else value

def _absolute(cfg) -> None:
  for f in dataclasses.fields(cfg):
    v = getattr(cfg, f.name)
    if dataclasses.is_dataclass(v): _absolute(v)
    else: setattr(cfg, f.name, _path(f.name, v))

def stage_args(prog: str, description: str, argv: Optional[list[str]] = None, config_cls=None) -> argparse.Namespace:
  """The command line every stage takes: --config FILE and key=value overrides; --help lists config_cls's keys with
  their defaults."""
  flat = _flat(to_dict(config_cls())) if config_cls is not None else {}
  keys = "\n".join(f"  {k} = {v!r}" for k, v in flat.items())
  # the example's input key is one of this stage's own (data.shards, data.tokens, tokens, world): a fixed one named a key
  # that most stages lack
  source = next((k for k, v in flat.items() if isinstance(v, str) and k != "out"), None)
  ap = argparse.ArgumentParser(prog=prog, description=description, formatter_class=argparse.RawDescriptionHelpFormatter,
                               epilog=f"config keys and their defaults:\n{keys}" if keys else None)
  ap.add_argument("--config", type=path_arg, action=Once, help="YAML config file (keys as in the config dataclass; nested sections allowed)")
  ap.add_argument("overrides", nargs="*", metavar="key=value", help=f"override a config key, e.g. out=RUNDIR{f' {source}=PATH' if source else ''}")
  return ap.parse_intermixed_args(argv)  # (parse_args took overrides after --config FILE as unrecognized ones)

# *** run directory ***

def write_atomic(path: Path, data: bytes) -> None:
  """Write path as a whole or not at all: a temp file in the same folder, then a rename (the engine's checkpoint writer)."""
  from drivegpt.nn.state import write_atomic as write_chunks
  write_chunks(str(path), [data])

def stage_of(conf: dict, weights: frozenset = frozenset()) -> str:
  """The command that saved a checkpoint with this config (and these weight names, where known): for errors about a run
  handed to the wrong command. A BC run saved before lane_weight has the policy's log_std."""
  m = conf.get("model") if isinstance(conf.get("model"), dict) else {}
  if "bc" in conf and "disengage" in conf: return "train-policy --algo ppo"
  if "horizons" in m: return "train-policy --algo bc" if "lane_weight" in conf or "model.log_std" in weights else "train-disengage"
  return "train-world" if "tokens_per_frame" in m else "train-vqvae" if "n_codes" in m else "unknown"

def _names(ckpt: Path) -> frozenset:
  """The tensor names of a checkpoint, none where it can't be read (it is named where it is loaded)."""
  from drivegpt.nn.state import tensor_names
  try: return tensor_names(str(ckpt))
  except (OSError, ValueError): return frozenset()

def _read_saved_config(path: Path, ckpt_config: Callable[[], dict]) -> dict:
  """A run's config.yaml, or where it is damaged (said on stderr) the checkpoint's own copy, ckpt_config(): an empty or cut
  file said the folder held "a unknown run", bad YAML was a traceback."""
  try: was = yaml.safe_load(path.read_text())
  except (yaml.YAMLError, UnicodeDecodeError) as e: problem = f"not valid YAML ({str(e).splitlines()[0]})"
  else:
    try: ck, yml = (_flat(ckpt_config()), _flat(was)) if isinstance(was, dict) else ({}, {})
    except (OSError, ValueError): ck, yml = {}, {}  # (a damaged checkpoint is named where it is loaded)
    # (paths as paths: a data-parallel run's checkpoint has its out= absolute, config.yaml the one typed, and every resume
    # of one with a relative out= warned of a hand edit)
    def norm(k, v): return os.path.abspath(os.path.expanduser(v)) if k == "out" and isinstance(v, str) and v else _path(k, v)
    lost, edited = sorted(set(ck) - set(yml)), [k for k in ck if k in yml and norm(k, yml[k]) != norm(k, ck[k])]
    problem = "empty" if not was else "not a mapping of config keys" if not isinstance(was, dict) else \
              f"lacks {len(lost)} keys of the checkpoint's config ({', '.join(lost[:3])}{', ...' if len(lost) > 3 else ''}): cut short?" if lost else \
              f"says {edited[0]}={yml[edited[0]]!r}, its checkpoint was trained with {ck[edited[0]]!r}: " + \
              ("a checkpoint copied in from another run's folder (the rows here are this folder's run's), or edited by hand?" if edited[0] == "out" else "edited by hand?") if edited else None
  # (a config.yaml edited by hand resumed under its values: the steps so far ran with the checkpoint's, said nowhere)
  if not problem: return was
  print(f"warning: {path}: {problem}: the checkpoint's own copy of the config is used, and written there", file=sys.stderr)
  try: write_atomic(path, yaml.safe_dump(was := ckpt_config(), sort_keys=False).encode())   # (a write that failed after its checkpoint's
  except OSError: pass   # left it stale for good: a finished run is not saved again, and each run warned of it; read-only: said above)
  return was

class Run:
  """A run directory: config.yaml (resolved), metrics.jsonl, ckpt.safetensors and pictures. Opening an existing one
  checks that the config agrees (keys in may_change excepted), so re-running a command resumes the same run. One
  process at a time uses a run folder (lock_folder)."""
  CKPT = "ckpt.safetensors"

  def __init__(self, out: str, config, may_change: tuple = (), added: Optional[dict] = None):
    """added: keys (flat, "model.conv") a stage gained after runs were saved, each with the value a run saved without
    it was made with, so such a run resumes when the command asks for that value."""
    self.dir, self.config, self._was = Path(out), to_dict(config), {}
    try: self.dir.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):  # ("[Errno 17] File exists: 'afile'" named neither out= nor the problem)
      raise ConfigError(f"out={out}: {'it' if self.dir.exists() else 'a folder above it'} is a file, not a folder: give a run folder") from None
    self._took = lock_folder(self.dir, command=True)  # (let go in finish: a process that goes on, a notebook or a sweep, held every run's)
    try: self._open(may_change, added)
    except BaseException:  # refused here (another run's config, a finished run without its checkpoint): nothing ran, and
      if self._took: release_folder(self.dir)  # other processes read the folder as a run still training
      raise
    self._clock, self._training, self._routes, self._held, self._data = (time.perf_counter(), 0.0), True, None, None, None

  def _open(self, may_change: tuple, added: Optional[dict]) -> None:
    """Check an existing run's config against this one (see the class docstring), or write a new run's config.yaml."""
    saved_path = self.dir / "config.yaml"
    if (self.dir / self.CKPT).exists():  # (without config.yaml, the checkpoint's own copy: it resumed under any config)
      from drivegpt.nn.state import checkpoint_info
      own = lambda: checkpoint_info(str(self.ckpt))[1]   # (the checkpoint's own copy of the config)  # noqa: E731
      was = _read_saved_config(saved_path, own) if saved_path.exists() else own()
      saved, now = {**(added or {}), **_flat(was or {})}, _flat(self.config)
      self._was = saved
      diff = [k for k in sorted(set(saved) | set(now)) if not self._same_path(k, saved.get(k), now.get(k)) and k != "out"]  # (this folder, named
      # another way: runs/a/, an absolute path, from another working directory)
      # (its own keys and weights: with the keys added since, a train-disengage run read as a BC one and was refused over model.dropout)
      if (bad := [k for k in diff if k not in may_change]) and (kind := stage_of(was or {}, names) if (names := _names(self.ckpt)) else stage_of(_nested(saved))) != stage_of(self.config):
        raise ConfigError(f"{self.dir}: holds a {kind} run, not a {stage_of(self.config)} one: use another out= folder")  # (it said "run was started with context_noise=None")
      if bad and max(saved.get("workers") or 1, now.get("workers") or 1) > 1 and checkpoint_info(str(self.ckpt))[0] == 0:
        # a workers>1 run saves its initial weights (step 0) for a replica lost before the first checkpoint: stopped before
        # that one, it refused another config where one process (no checkpoint yet) started over
        print(f"note: {self.dir}: holds only a run's initial weights (step 0: stopped before its first checkpoint), started with "
              f"{bad[0]}={saved.get(bad[0])!r}: starting over with {bad[0]}={now.get(bad[0])!r}", file=sys.stderr)
        self.ckpt.unlink()
        return self.write_config()
      if bad:
        raise ConfigError(f"{saved_path}: run was started with {bad[0]}={saved.get(bad[0])!r}, now {now.get(bad[0])!r}; "
                          f"use another out= folder to start a new run")
      for k in [k for k in diff if k.split(".")[-1] in PATH_KEYS]:  # other data: allowed, never silently (the rows so far
        print(f"warning: {self.dir}: resumed with {k}={now.get(k)!r}; its steps so far ran with {saved.get(k)!r}", file=sys.stderr)  # came from it)
      length = "iterations" if "iterations" in now else "steps"  # (PPO counts iterations)
      # steps=0 asks for epochs= passes over the data: Run.length says what that comes to (it said "nothing to train", then
      # trained to the epochs' length, its config keeping the old steps)
      if length in diff and isinstance(n := now.get(length), int) and 0 < n <= (done := checkpoint_info(str(self.ckpt))[0]):
        print(f"note: {self.dir}: {length}={n} is not above the {done} it has trained: nothing to train; it stays the run it is", file=sys.stderr)
        self.config[length] = saved.get(length)  # (its config.yaml said steps: 3 from then on, and a note spoke of a new schedule)
      elif length in diff and now.get(length):  # training longer is allowed, never silently: a schedule over steps (warmup, decay) follows the new length
        print(f"note: {self.dir}: {length} {saved.get(length)} -> {now.get(length)}" + (": a learning-rate schedule over steps follows the "
              f"new length from the checkpoint on, so the result is not that of a run started with steps={now.get('steps')}" if length == "steps" else ""), file=sys.stderr)
    elif (self.dir / "final.json").exists():  # (it started again from step 0, its metrics deleted, without a word); before
      raise ConfigError(f"{self.dir}: final.json says this run finished, but its checkpoint {self.dir / self.CKPT} is missing: "  # config.yaml
                        "put it back, or use another out= folder to train a new run")  # is written: the run's own stays
    # a resumed run's config.yaml is rewritten with its next checkpoint (save): a resume refused after this (by check_split,
    # another tokenizer) left it naming data the run never trained on, and the next resume warned of it
    if not self.ckpt.exists(): self.write_config()

  def length(self, steps: int, start: int) -> int:
    """The steps a run trains to, from the steps its config asks for (steps=, or with steps=0 epochs= passes over the
    data) and the steps it has done: never fewer than those. A resumed run whose epochs= changed says so, as for steps=
    above (a train-disengage run went on, or stopped, without a word, and its config.yaml kept epochs it never trained), and
    so does one that was given steps= and now steps=0 (it said "nothing to train", then trained to the epochs' length)."""
    if start and not self.config.get("steps") and "epochs" in self._was and (self._was.get("steps") or self._was["epochs"] != self.config.get("epochs")):
      key = "steps" if self._was.get("steps") else "epochs"  # what set its length until now
      if steps <= start:
        print(f"note: {self.dir}: epochs={self.config.get('epochs')} is {steps} steps, not above the {start} it has trained: nothing "
              f"to train; it stays the run it is (one cut short ends here: its {key}={self._was[key]} trains it to its end)", file=sys.stderr)
        self.config["epochs"], self.config["steps"] = self._was["epochs"], self._was.get("steps", 0)
      else:
        print(f"note: {self.dir}: {key} {self._was[key]} -> epochs {self.config.get('epochs')} ({steps} steps): a learning-rate schedule "
              f"over steps follows the new length from step {start} on, so the result is not that of a run started with "
              f"epochs={self.config.get('epochs')}", file=sys.stderr)
    return max(steps, start)

  def write_config(self) -> None: write_atomic(self.dir / "config.yaml", yaml.safe_dump(self.config, sort_keys=False).encode())

  @property
  def ckpt(self) -> Path: return self.dir / self.CKPT

  def _same_path(self, key: str, was: Any, now: Any) -> bool:
    """Is a saved config value the one given now? A run saved before paths were made absolute: its relative ones as this
    working directory reads them. A run folder moved or copied with its project (or mounted elsewhere, as on a cluster's
    nodes): a path at the same place relative to the run folder as when it was saved."""
    if (was := _path(key, was)) == (now := _path(key, now)): return True
    if not (isinstance(was, str) and isinstance(now, str) and key.split(".")[-1] in PATH_KEYS): return False
    from drivegpt.nn.state import checkpoint_info
    try: saved_dir = (checkpoint_info(str(self.ckpt))[2] or {}).get("run_dir")
    except (OSError, ValueError): return False
    return bool(saved_dir) and os.path.relpath(was, saved_dir) == os.path.relpath(now, self.dir.resolve())

  def resume(self, model, optimizer) -> int:
    """Load the run's checkpoint if there is one; returns the step to continue from (0 for a new run). Metrics logged
    after the checkpoint (by a run that was killed; all of them without one) are dropped, since those steps run again."""
    from drivegpt.nn.state import load_checkpoint
    if not self.ckpt.exists():  # a new run: rows of an attempt killed before its first checkpoint go (they were plotted)
      rows = [l for l in (self.dir / "metrics.jsonl").read_text().splitlines() if l.strip()] if (self.dir / "metrics.jsonl").exists() else []
      steps = [s for s in map(_step_of, rows) if s < 1 << 62]   # (a torn last row's 2^62 was printed as its step)
      if rows: print(f"note: {self.dir}: no checkpoint: training from step 0; the {len(rows)} rows metrics.jsonl held"
                     f"{f' (to step {steps[-1]})' if steps else ''} are dropped", file=sys.stderr)
      self.trim_metrics(0)
      self.start_clock(0)
      return 0
    from drivegpt.nn.state import checkpoint_info
    step, _ = load_checkpoint(str(self.ckpt), model, optimizer)
    if step and not (self.dir / "metrics.jsonl").exists() and (checkpoint_info(str(self.ckpt))[2] or {}).get("logged"):  # (its curve began there, unsaid)
      print(f"note: {self.dir}: metrics.jsonl is missing: the rows to step {step} are lost; new ones are written from there", file=sys.stderr)
    self.trim_metrics(step)
    self.start_clock(step)
    return step

  def start_clock(self, step: int) -> None:
    """Training time goes on from the train_seconds the checkpoint of step recorded (0 for step 0): the `time` column
    and train_seconds of a resumed run restarted at 0, as if all its steps had taken only the last process's time."""
    from drivegpt.nn.state import checkpoint_info
    extra = checkpoint_info(str(self.ckpt))[2] if step and self.ckpt.exists() else None
    self._clock = (time.perf_counter(), float((extra or {}).get("train_seconds", 0.0)))

  def seconds(self) -> float:
    """Seconds of training so far, over every process that ran this run's steps (steps run again after a kill count
    once). A re-run with nothing left to train (progress() says so) adds nothing: its scoring and saving were added."""
    return self._clock[1] + (time.perf_counter() - self._clock[0] if self._training else 0.0)

  def extra(self, **kw) -> dict:
    """A checkpoint's extra values: kw, the training time so far, the drives trained on (check_split) and the digest of
    the token segments (check_data)."""
    return {**kw, "train_seconds": self.seconds(), "run_dir": str(self.dir.resolve()), "logged": (self.dir / "metrics.jsonl").exists(),  # (rows were written: resume)
            **({"train_routes": self._routes, "val_routes": self._held} if self._routes is not None else {}),
            **({"data": self._data} if self._data else {}), **({"data_held": self._data_held} if getattr(self, "_data_held", None) else {})}

  def check_data(self, key: str, segments: list, refuse: bool = True, fields: tuple = ("tokens", "pose", "speed", "action", "disengage", "times", "ended")) -> None:
    """Refuse to resume a run whose token folder (config key) now holds other segments than it trained on (drives added,
    or a segment replaced in place): its held-out and early-stopping splits, its constant predictor and its episodes'
    seeds moved with them, without a word. A digest of the segments' tokens and labels is kept with each checkpoint.
    segments may also be arrays (train-vqvae: frames sampled from its shards), and refuse=False says it on stderr
    and goes on (a tokenizer may train on, but its held-out rows from here on score other frames). fields: the segments'
    arrays (and flags) that count: those the stage reads (train-world's: tokens and poses, its shards' speeds train
    nothing; BC adds the takeovers' causes, and its lane target where it trains one)."""
    import hashlib
    import numpy as np
    from drivegpt.nn.state import checkpoint_info
    def digest(seg, fields) -> str:  # its tokens and labels (a segment replaced in place with another of the same length passed)
      h = hashlib.sha256()
      if isinstance(seg, np.ndarray): h.update(str(seg.shape).encode() + np.ascontiguousarray(seg).tobytes())
      for k in fields:
        if isinstance(v := getattr(seg, k, None), np.ndarray): h.update(k.encode() + np.ascontiguousarray(v).tobytes())
        elif isinstance(v, bool) and v: h.update(k.encode())   # (a drive the recorder ended at a crash: other labels)
      return h.hexdigest()
    # (by content, not name: an identical copy kept in place of the original, as unique_videos may, is the same data).
    # A "d4-" digest names the fields it covers, so one saved before a stage read more is compared on those it had
    kind = "f1-" if all(isinstance(s, np.ndarray) for s in segments) else "d4-"
    def of(fields, kind=kind):
      return kind + (",".join(fields) + ":" if kind == "d4-" else "") + hashlib.sha256("".join(sorted(digest(s, fields) for s in segments)).encode()).hexdigest()[:16]
    self._data = of(fields)
    extra = (checkpoint_info(str(self.ckpt))[2] or {}) if self.ckpt.exists() else {}
    saved = extra.get("data")
    if saved == self._data and getattr(self, "_renamed", None): raise ConfigError(self._renamed)   # (check_split's)
    if kind == "d4-" and (val := getattr(self, "_val_now", None)) is not None:  # the held-out side's contents, by its drives
      self._data_held = hashlib.sha256("".join(sorted(digest(s, fields) for s in segments if (getattr(s, "route", "") or s.name) in val)).encode()).hexdigest()[:16]
      if saved == self._data and extra.get("data_held") not in (None, self._data_held):  # two drives' names swapped in place: no
        raise ConfigError(f"{self.dir}: {key} holds the segments this run trained on, but other ones are held out (drives' "  # name gone or new
                          "names swapped or moved between files?): held-out numbers would count drives trained on; use another "
                          "out= folder, or the data as it was named")
    if not saved or saved == self._data: return
    saved = str(saved)   # (a hand-edited number was a traceback)
    named = tuple(saved[3:].split(":")[0].split(",")) if saved[:3] == "d4-" and ":" in saved else ()
    then = tuple(f for f in fields if f in ("tokens", "pose", "speed", "action", "disengage"))   # (the fields before session 45)
    if saved[:3] == "d2-" and kind == "d4-":  # saved before session 45: of the fields it had then, or (PPO's, whose token
      same = saved in (of(then, "d2-"), of(tuple(f for f in then if f != "speed"), "d2-"))   # segments had no speeds) without them
    elif saved[:3] == "d3-" and kind == "d4-":   # (this session's first kind, over each field set it had)
      same = any(saved[3:] == of(f).split(":")[1] for f in (fields, then, then + ("cause", "lane", "times")))
    elif saved[:3] == "d4-" == kind: same = "tokens" in named and set(named) <= set(fields) and saved == of(named)  # (only
    # the fields it names that this stage reads: a hand-edited "d4-:..." compared nothing but the count of segments)
    else: same = saved[:3] != self._data[:3]   # (another kind of digest: not compared)
    if not same:
      if not refuse:
        print(f"warning: {self.dir}: {key} holds other frames than when this run last saved (added, removed or replaced "
              "since): it trains on with them, and its held-out rows from here on may score other frames", file=sys.stderr)
        return
      raise ConfigError(f"{self.dir}: {key} holds other segments than this run trained on (added, removed or replaced since): "
                        "its splits and statistics would move under it; use another out= folder, or the data as it was")

  def check_split(self, train: list, val: list) -> None:
    """Refuse to resume a run whose data now holds out a drive (route) it trained on, as its checkpoint lists them
    (train_routes): a folder grown by a drive moves the hash split's boundary, and the resumed run's held-out numbers
    counted drives it had trained on. train: the drives it trains on now; with those of its checkpoint, kept with every
    checkpoint from here on (a resume on fewer drives dropped the others from the list, and --split val scored them)."""
    from drivegpt.nn.state import checkpoint_info
    both = sorted(set(train) & set(val))  # held-out shards of a drive trained on (data.val_shards) were scored
    if sure := [r for r in both if "|" in r or "/" in r]:  # a drive's folder names it; plain videos of one name share a
      raise ConfigError(f"the training data and the held-out data share {len(sure)} drive(s) ({sure[0]}, ...): held-out "
                        "numbers would count frames of drives trained on; hold out whole drives")
    if both:  # route by design (front.mp4 of two trips): maybe other drives
      print(f"warning: the training and held-out data both have inputs named {both[0]!r} ({len(both)} such names): if they are "
            "one drive's, held-out numbers count frames of a drive trained on", file=sys.stderr)
    extra = checkpoint_info(str(self.ckpt))[2] if self.ckpt.exists() else None
    saved, held = routes_trained(extra), routes_trained(extra, "val_routes")
    self._routes, self._held, self._val_now = sorted(set(train) | saved), sorted(set(val) | held), set(val)
    if leaked := sorted(saved & set(val)):
      raise ConfigError(f"{self.dir}: the data now holds out {len(leaked)} drive(s) this run trained on ({leaked[0]}, ...), so its "
                        f"held-out numbers would count them: use another out= folder, or the data it was trained on")
    # and the other way: a drive it held out, now trained on (a folder grown in place moved the boundary), made its held-out
    # rows before and after the resume score different drives, and the model's last ones not held out at all
    if moved := sorted(held & set(train)):
      raise ConfigError(f"{self.dir}: the data now trains on {len(moved)} drive(s) this run held out ({moved[0]}, ...), so its "
                        f"held-out numbers would count drives trained on: use another out= folder, or the data it was trained on")
    # the same data with drives of other names (renamed .npy files: each is named by its file) passes check_data, which
    # compares contents; but the split is by name, and moved drives trained on into the held-out split unseen above
    gone, new = sorted((saved | held) - set(train) - set(val)), sorted((set(train) | set(val)) - saved - held)
    sides = {r in saved for r in gone} | {r in set(train) for r in new}   # (a copy kept in the original's place on its side: fine)
    self._renamed = gone and new and len(sides) > 1 and (f"{self.dir}: the data holds the frames this run trained on, but names its drives "
      f"otherwise ({gone[0]!r} is gone, {new[0]!r} is new; {len(gone)} and {len(new)} such): renamed, its split by name would move and "
      "held-out numbers could count drives trained on: use another out= folder, or the data as it was named")

  def trim_metrics(self, step: int) -> None:
    """Drop the metrics logged after step (they run again from its checkpoint)."""
    metrics = self.dir / "metrics.jsonl"
    if metrics.exists():
      kept = [l for l in metrics.read_text().splitlines() if l.strip() and _step_of(l) <= step]
      write_atomic(metrics, "".join(l + "\n" for l in kept).encode())

  def save(self, model, optimizer, step: int, extra: Optional[dict] = None) -> None:
    """Checkpoint model and optimizer at step (atomically)."""
    from drivegpt.nn.state import save_checkpoint
    save_checkpoint(str(self.ckpt), model, optimizer, step=step, config=self.config, extra=self.extra(**(extra or {})))
    self.write_config()

  def log(self, step: int, last: bool = False, **metrics) -> None:
    """Append one line of metrics to metrics.jsonl. A loss (bits per token, PPO's kl, entropy) that is not finite stops the run after
    writing it: it has diverged (a run with lr=inf trained on to NaN weights and exited 0); so does, at the run's last
    step (last: before its checkpoint), a PSNR under 0 dB."""
    try:
      with open(path := self.dir / "metrics.jsonl", "a") as f: f.write(json_line({"step": step, **metrics}) + "\n")
    except OSError as e:  # (a full disk said only "[Errno 28] No space left on device")
      if e.filename is None and e.errno is not None: raise OSError(e.errno, f"can't write it ({e.strerror})", str(path)) from None
      raise
    if bad := [k for k, v in metrics.items() if ("loss" in k or "bits_per_token" in k or k in ("kl", "entropy")) and isinstance(v, float) and not math.isfinite(v)]:
      raise FloatingPointError(f"{self.dir}: {bad[0]} is {metrics[bad[0]]} at step {step}: training diverged (a lower lr or weight_decay?)")
    # a PSNR under 0 dB at the end: reconstructions further off than the frames' whole range (train-vqvae at lr=1000 logged
    # -134.9 dB, finished at exit 0 and tokenize wrote every frame as one code; a dip under 0 early on can recover)
    if last and (bad := next((k for k, v in metrics.items() if k.endswith("psnr") and isinstance(v, float) and v < 0), None)) is not None:
      raise FloatingPointError(f"{self.dir}: {bad} is {metrics[bad]:.4g} dB at step {step}: training diverged (a lower lr?)")

  def log_rescored(self, step: int, **metrics) -> None:
    """Log the scores of a re-run with nothing left to train unless its last row of them says the same (eval_windows or
    the held-out data changed on the re-run: stdout and final.json gave other numbers than metrics.jsonl)."""
    rows = [json.loads(l) for l in (self.dir / "metrics.jsonl").read_text().splitlines() if l.strip()] if (self.dir / "metrics.jsonl").exists() else []
    last = next((r for r in reversed(rows) if set(metrics) <= set(r)), None)
    if last is None or last["step"] != step or any(json.loads(json_line({k: v}))[k] != last[k] for k, v in metrics.items()): self.log(step, **metrics)

  def progress(self, total: int, initial: int, desc: str):
    """A tqdm progress bar on stderr, for steps initial..total (none left: the training clock stays stopped)."""
    from tqdm import tqdm
    self._training = initial < total
    return tqdm(total=total, initial=initial, desc=desc, unit="step", dynamic_ncols=True, file=sys.stderr)

  @staticmethod
  def progress_from(bar, step: int) -> None:
    """Restart bar's count at step (replicas (re)started from its checkpoint): its rate and time left count the steps this
    process runs (set to the resumed step, the restored steps read as done in its first seconds: 11/40 at 2.35 step/s)."""
    bar.initial = bar.n = bar.last_print_n = step
    bar.start_t = bar.last_print_t = bar._time()
    bar.refresh()

  def finish(self, metrics: dict) -> dict:
    """Write final.json and print the final metrics as one JSON line on stdout (strict JSON: NaN and inf as null)."""
    line = json_line(metrics)
    write_atomic(self.dir / "final.json", (line + "\n").encode())
    print(line, flush=True)
    if self._took: release_folder(self.dir)
    return metrics

def save_curves(path: Path, metrics: Path, keys: list[str], label: str) -> None:
  """A PNG line plot of metrics.jsonl columns against step (PIL only; each key its colour, legend at the top left)."""
  from PIL import Image, ImageDraw
  import io
  rows = [json.loads(l) for l in metrics.read_text().splitlines() if l.strip()] if metrics.exists() else []
  num = (int, float)   # (null: a value that wasn't finite; a row's text, hand-written, was a traceback)
  series = {k: [(r["step"], r[k]) for r in rows if isinstance(r, dict) and isinstance(r.get("step"), num) and isinstance(r.get(k), num)] for k in keys}
  series = {k: v for k, v in series.items() if v}
  W, H, m = 640, 360, 40
  img = Image.new("RGB", (W, H), "white")
  d = ImageDraw.Draw(img)
  d.rectangle([m, 10, W - 10, H - m], outline="black")
  if series:
    pts = [p for v in series.values() for p in v]
    x0, x1 = min(p[0] for p in pts), max(max(p[0] for p in pts), min(p[0] for p in pts) + 1)
    y0, y1 = min(p[1] for p in pts), max(p[1] for p in pts)
    pad = 0.05 * ((y1 - y0) or abs(y1) or 1.0)  # (one row of 1.7e7: y1 - y0 + 1e-9 was 0, a ZeroDivisionError)
    y0, y1 = y0 - pad, y1 + pad
    xy = lambda s, v: (m + (s - x0) / (x1 - x0) * (W - 10 - m), H - m - (v - y0) / (y1 - y0) * (H - m - 10))
    for (k, v), col in zip(series.items(), ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]):
      d.line([xy(s, y) for s, y in v], fill=col, width=2) if len(v) > 1 else d.ellipse([*(c - 2 for c in xy(*v[0])), *(c + 2 for c in xy(*v[0]))], fill=col)
      d.text((m + 8, 14 + 12 * list(series).index(k)), k, fill=col)
    d.text((m, H - m + 6), f"step {x0}", fill="black")
    d.text((W - 90, H - m + 6), f"step {x1}", fill="black")
    d.text((2, 12), f"{y1:.2f}", fill="black")
    d.text((2, H - m - 12), f"{y0:.2f}", fill="black")
  d.text((W // 2 - 40, H - 18), label, fill="black")
  buf = io.BytesIO()
  img.save(buf, format="PNG")
  write_atomic(path, buf.getvalue())

def lets_go(train):
  """A stage's train function that lets go of the run folders it locked when it returns or raises: an interrupted or
  failed run held its folder until the process ended (a notebook's next run there, or another process's, was told "a
  run is already going on (pid N)" with nothing running)."""
  @functools.wraps(train)
  def run(*a, **k):
    from drivegpt.nn import state
    before = set(state._TAKEN)
    try: return train(*a, **k)
    finally:
      for key in set(state._TAKEN) - before: release_folder(key)
  return run

def ckpt_file(path) -> Path:
  """The checkpoint of a run directory, or the checkpoint file given."""
  return Path(path) / Run.CKPT if Path(path).is_dir() else Path(path)

def run_path(run, path):
  """A path a run's config names, as saved; where that is gone, at the same place relative to the run folder as when it
  was saved, if that exists (a project moved whole, or mounted elsewhere: a policy's VQVAE was looked for in the old
  place, "no checkpoint"), said on stderr. (A copy's original, still there, is read: the copy's own runs could have been
  retrained since, and their fingerprints would refuse them.)"""
  from drivegpt.nn.state import checkpoint_info
  if not isinstance(path, str) or not path or os.path.exists(path): return path
  try: saved = (checkpoint_info(str(ckpt := ckpt_file(run)))[2] or {}).get("run_dir")
  except (OSError, ValueError): return path
  if not isinstance(saved, str) or (now := str(ckpt.parent.resolve())) == saved: return path
  # (realpath: run_dir is saved resolved, config paths only absolute: through a linked folder the relative path went past /)
  moved = os.path.normpath(os.path.join(now, os.path.relpath(os.path.realpath(path), saved)))
  if not os.path.exists(moved): return path
  print(f"note: {run}: read {moved} for its {path} (the same place beside the run, which was saved in {saved})", file=sys.stderr)
  return moved

def load_run_model(path: str, cfg_cls, make) -> tuple:
  """(model, config) of a run directory (or its checkpoint file): the config rebuilt as cfg_cls, make(config) the model,
  the checkpoint's weights loaded into it."""
  from drivegpt.nn.state import load_checkpoint
  cfg = run_config(path, cfg_cls)
  model = make(cfg)
  load_checkpoint(str(ckpt_file(path)), model)
  return model, cfg

def note_unfinished(run: str, steps: int, what: str, use: str, refuse: bool = True) -> int:
  """The step of a run's checkpoint; a run still training is refused (said, with refuse=False: an evaluation of it), one
  short of its steps (killed part way) is said on stderr, use saying what is done with it anyway (rollout and export
  used it without a word; eval-world and eval-vqvae scored it, and tokenize used it, so)."""
  from drivegpt.nn.state import checkpoint_info, folder_in_use
  at, conf, _ = checkpoint_info(str(ckpt_file(run)))
  if (who := folder_in_use(folder := ckpt_file(run).parent)) and refuse:
    raise ValueError(f"{what}: a {stage_of(conf or {})} run is still training in {folder} (its lock is held by {who}): wait for it to end, or end that process")
  if who: print(f"note: {what} is still training ({who}): at step {at} of its {steps}, {use}", file=sys.stderr)
  elif at < steps: print(f"note: {what} stopped at step {at} of its {steps} (an unfinished {stage_of(conf or {})} run): {use}; "
                         "run its command again first to finish it", file=sys.stderr)
  return at

def run_config(path: str, cfg_cls) -> Any:
  """The config of a run directory (or its checkpoint file), rebuilt as cfg_cls; another stage's run is named as such."""
  from drivegpt.nn.state import checkpoint_info
  ckpt = ckpt_file(path)
  if not ckpt.exists(): raise FileNotFoundError(f"{path}: no checkpoint ({ckpt} doesn't exist)")
  conf = checkpoint_info(str(ckpt))[1] or {}
  try: return build(cfg_cls, conf)
  except ConfigError as e:  # another stage's run: "unknown config key 'weight_decay'" said little
    want = {"train.vqvae": "train-vqvae", "train.world": "train-world"}.get(cfg_cls.__module__)
    if want is None or stage_of(conf) == want: raise ConfigError(f"{path}: {e}") from None
    raise ConfigError(f"{path}: a {want} run is needed here; it looks like a {stage_of(conf)} run ({e})") from None

def weights_of(path: str) -> str:
  """A fingerprint of the model a run's checkpoint holds (a run folder or a checkpoint file): its weights and what its
  extra says of them (a calibration), not the optimizer, the step or the clock, so a run re-saved unchanged (its command
  run again) keeps it. A run built on another keeps it: a dependency trained further in place is noticed, not used."""
  import hashlib
  from drivegpt.nn.state import checkpoint_meta, read_safetensors
  ckpt = str(ckpt_file(path))
  (arrays, meta), h = read_safetensors(ckpt), hashlib.sha256()   # (one read: a checkpoint replaced between two mixed them)
  for k in sorted(k for k in arrays if k.startswith("model.")): h.update(k.encode() + arrays[k].tobytes())
  extra = {k: v for k, v in (checkpoint_meta(ckpt, meta)[2] or {}).items() if k not in ("train_seconds", "run_dir", "logged", "train_routes", "val_routes", "env", "inputs", "data")}
  h.update(json.dumps(extra, sort_keys=True).encode())
  return "m1-" + h.hexdigest()[:16]  # (versioned: a run saved with another kind of fingerprint is not compared)

def routes_trained(extra, key: str = "train_routes") -> set:
  """The drives a checkpoint's extra lists as trained on (train_routes; val_routes: held out), as this version names them
  (one saved before the 29th session may name a drive's segments apart)."""
  from data.layout import drive_route
  return {drive_route(r) for r in (extra or {}).get(key, ())}

def trained_on(run: str, routes: list, videos: Optional[list] = None, tokens: Optional[list] = None) -> int:
  """How many of routes (drives, one per shard or segment; videos: their video checksums, "" unknown; tokens: their token
  ids, a world segment's) the run (a folder or its checkpoint) trained on: its checkpoint lists the drives,
  trained_videos their checksums (known). Scored as if held out, they flatter it (eval-vqvae reported them without a word)."""
  from drivegpt.nn.state import checkpoint_info
  ck = ckpt_file(run)
  trained = routes_trained(checkpoint_info(str(ck))[2])
  seen = trained_videos(run, tokens is not None and not all(videos)) if videos is not None else frozenset()
  return sum(r in trained or (videos is not None and known(videos[i], tokens[i] if tokens is not None else None, seen)) for i, r in enumerate(routes))

def known(video: str, tokens, seen: frozenset) -> bool:
  """Is a segment (its video checksum, "" unknown; its token ids or None) one of a run's trained ones (trained_videos)?
  By its video; by its tokens where one side knows no video (a bare .npy: renamed, they were scored as held out), as two
  drives of a covered camera, each with its video, have the same tokens."""
  if video and ("v", video) in seen: return True
  kinds = ("t0",) if video else ("t0", "t1")
  if tokens is None or not _kinds(seen if isinstance(seen, frozenset) else frozenset(seen)).intersection(kinds): return False   # (none to match)
  from train.world_data import token_sum
  t = token_sum(tokens)
  return any((k, t) in seen for k in kinds)

@functools.lru_cache(maxsize=4)
def _kinds(seen: frozenset) -> frozenset:
  """The kinds of entry in trained_videos' set, once per set (scanned for each segment asked about, 3,200 held-out against
  32,000 trained took 29 s)."""
  return frozenset(k for k, _ in seen)

def trained_videos(run: str, tokens: bool = False) -> frozenset:
  """What the drives a run trained on are known by (see known): ("v", video checksum); ("t0", token checksum) of those
  without one (bare .npy files); with tokens, ("t1", token checksum) of the others too (read and hashed, 5 ms a shard:
  only where a segment asked about is bare). Read from the training folder its config names (data.shards, data.tokens,
  tokens) where it still is: the same recordings ingested from another folder are other routes ("rec/7" from ds/, "7"
  from ds/rec/), and eval-world, rollout, probe and eval-vqvae scored them as held out. Empty without it."""
  from drivegpt.nn.state import checkpoint_info
  from data.layout import files_under
  _, conf, extra = checkpoint_info(str(ckpt_file(run)))
  trained, data = routes_trained(extra), conf.get("data") if isinstance(conf.get("data"), dict) else {}
  folder = data.get("shards") or data.get("tokens") or conf.get("tokens")
  if not trained or not isinstance(folder, str) or not Path(folder).is_dir(): return frozenset()
  files = files_under(Path(folder), (".h5", ".npy"))   # (commaVQ .npy files too, by their tokens: renamed, they were held out)
  files = [f for f in files if not f.name.endswith(".pose.npy")]   # (with their times below: a shard rewritten since is read again)
  return _videos(frozenset(trained), tuple((str(p), p.stat().st_mtime_ns) for p in files), folder, tokens)

@functools.lru_cache(maxsize=8)   # (eval-world asks twice: each opened every shard of the training folder)
def _videos(trained: frozenset, files: tuple, folder: str, tokens: bool) -> frozenset:
  import h5py
  from data.layout import drive_route
  from train.world_data import npy_checksum, npy_route, npy_sidecar, shard_video, token_sum
  out = set()
  for p, _ in files:
    try:
      if p.endswith(".npy"):
        route = drive_route(npy_route(Path(p), Path(folder), side := npy_sidecar(Path(p))))
        if route not in trained: continue
        video = str(side.get("checksum") or "")
        tok = npy_checksum(Path(p)) if tokens or not video else None
      else:
        with h5py.File(p, "r") as f:
          route = drive_route(f.attrs.get("route") or Path(p).stem)
          if route not in trained: continue
          tok_sum = functools.cache(lambda: token_sum(f["tokens"][()]))   # (an import's tokens read and hashed once)
          video = shard_video(f.attrs, tok_sum) if "tokens" in f else str(f.attrs.get("checksum") or "")
          tok = tok_sum() if (tokens or not video) and "tokens" in f else None
    except (OSError, ValueError, KeyError, RuntimeError): continue   # (an unreadable shard is named where it is trained on)
    out.update([("v", video)] if video else [])
    out.update([("t1" if video else "t0", tok)] if tok else [])
  return frozenset(out)

def changed_since(saved: Any, path: str, now: Optional[str] = None) -> bool:
  """Has the run at path changed since a run built on it saved its fingerprint (weights_of; now: its fingerprint today,
  if known)? One saved with another kind of fingerprint, or none, is not compared."""
  return str(saved or "").startswith("m1-") and saved != (now or weights_of(path))

def _step_of(line: str) -> int:
  """A metrics.jsonl row's step; 2^62 (dropped) for a torn last line, or a row not ours: one without a whole-number step
  ({"step": null}, "2", none) was a traceback at the resume, or at the curve's drawing after it."""
  try: step = json.loads(line).get("step")
  except (ValueError, AttributeError, RecursionError): return 1 << 62
  return step if isinstance(step, int) and not isinstance(step, bool) else 1 << 62

def _nested(flat: dict) -> dict:
  """_flat's inverse: {"model.conv": 0} -> {"model": {"conv": 0}}."""
  out: dict = {}
  for k, v in flat.items():
    *parents, leaf = k.split(".")
    d = out
    for p in parents: d = d.setdefault(p, {})
    d[leaf] = v
  return out

def _flat(d: dict, prefix: str = "") -> dict:
  out = {}
  for k, v in d.items():
    if isinstance(v, dict): out.update(_flat(v, f"{prefix}{k}."))
    else: out[prefix + k] = v
  return out

def run_main(fn, argv: Optional[list[str]] = None) -> int:
  """Call fn(argv) turning user errors (ConfigError and other ValueErrors, OSErrors, a diverged run) into 'error: ...' and exit code 2."""
  try: fn(argv)
  except (ValueError, OSError, FloatingPointError) as e:
    end_bars()
    print(f"error: {e}", file=sys.stderr)
    return 2
  return 0
