"""drivegpt demo: the whole pipeline on a small highway-env dataset, then a report. Each step is a `drivegpt` command
run in its own process (so the engine never imports the pipeline folders, and a step's memory is freed when it ends),
listed with its arguments in configs/demo.yaml. A step that finished with the same arguments is skipped when the demo
runs again; the training stages resume from their checkpoints, so Ctrl-C (or a crash) leaves a run that resumes. A
step that finished, or was interrupted, with other arguments is refused, not run again over its outputs (one that failed
runs as now asked): use --fresh or another --out."""
from __future__ import annotations
import argparse, codecs, functools, html, io, json, math, os, re, resource, shutil, subprocess, sys, threading, time, urllib.parse
from pathlib import Path
from typing import Optional
import yaml
from drivegpt.cli import HelpFormatter, Once, json_line, path_arg
from drivegpt.nn.state import write_atomic

DEFAULT_CONFIG = Path(__file__).resolve().parents[1] / "configs" / "demo.yaml"
KEY_VALUE = ("train-vqvae", "train-world", "train-disengage", "train-policy")  # the stages that take key=value configs

class _AsWritten(yaml.SafeLoader):
  """Every scalar as its text, as a step's command line reads it (YAML 1.1 made `--segments 010` 8 and `1:30` 90, which
  the stages refuse by name when they see the text), and a key given twice refused (a second `record:` step, or a second
  `steps:` section, replaced the first without a word); merge keys `<<:` work."""
  def construct_mapping(self, node, deep=False):
    keys = [self.construct_object(k, deep=True) for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge"]
    if dup := next((k for i, k in enumerate(keys) if k in keys[:i]), None): raise ValueError(f"{dup!r} appears twice")
    return super().construct_mapping(node, deep)
for _tag in ("null", "bool", "int", "float", "timestamp"):
  _AsWritten.add_constructor(f"tag:yaml.org,2002:{_tag}", yaml.SafeLoader.construct_scalar)

@functools.lru_cache(maxsize=None)  # (once: a demo run reads its config twice)
def _say_unread(path: str, keys: tuple) -> None:
  print(f"demo: {path}: not read: {', '.join(map(repr, keys))} (only 'steps' is; a section that holds YAML anchors is fine)", file=sys.stderr)

def load_steps(path: Path, out: str, overrides: list[str]) -> list[tuple[str, list[str]]]:
  """(name, drivegpt argv) of every step in the demo config, with {out} and {configs} (the config's folder) filled in; `name.key=value` overrides append
  key=value to that step's arguments. Unknown step names and malformed entries are errors naming them."""
  try: cfg = yaml.load(path.read_text(), Loader=_AsWritten)
  except OSError as e: raise FileNotFoundError(f"{path}: can't read the demo config ({e.strerror})") from None
  except (yaml.YAMLError, ValueError) as e: raise ValueError(f"{path}: {e}") from None
  if not isinstance(cfg, dict) or not isinstance(cfg.get("steps"), dict): raise ValueError(f"{path}: expected a mapping with 'steps'")
  # a misspelt second section (`step:`) was skipped without a word; a section of YAML anchors for steps to merge is fine
  if other := tuple(str(k) for k in cfg if k != "steps"): _say_unread(str(path), other)
  # in one pass: an --out holding the text `{configs}` had it filled too, and its steps wrote outside the demo's folder
  steps, fill = {}, lambda a: re.sub(r"\{(out|configs)\}", lambda m: out if m[1] == "out" else str(path.resolve().parent), str(a))
  for name, argv in cfg["steps"].items():
    if not isinstance(argv, list) or not argv: raise ValueError(f"{path}: step {name!r} must be a list: [command, args...]")
    steps[name] = [fill(a) for a in argv]
  for i, item in enumerate(overrides):
    key, eq, value = item.partition("=")
    name, dot, sub = key.partition(".")
    if not eq or not dot: raise ValueError(f"override {item!r}: expected step.key=value, e.g. vqvae.steps=100")
    if sub.startswith("-"):  # (vqvae.--config=FILE was appended: the step failed with "--config given twice", after those before it)
      raise ValueError(f"override {item!r}: a step's --options are not overridden: edit its line in {path}")
    if name not in steps: raise ValueError(f"override {item!r}: no step {name!r} (steps: {', '.join(steps)})")
    if steps[name][0] not in KEY_VALUE:  # (it failed only when the step came up, maybe after every step before it)
      raise ValueError(f"override {item!r}: step {name!r} (drivegpt {steps[name][0]}) takes --options, not key=value: edit its line in {path}")
    if any(o.partition("=")[0] == key for o in overrides[:i]): print(f"note: {key} is given twice: the last one counts", file=sys.stderr)
    # in place of the config's own sub=... (the step's command says a key given twice)
    argv = steps[name]
    at = next((j for j, a in enumerate(argv) if j and a.partition("=")[0] == sub and not a.startswith("-")), len(argv))
    argv[at:at + 1] = [f"{sub}={fill(value)}"]  # ({out} too: vqvae.out={out}/v2 made a folder named {out})
    _check_key(item, sub, argv)
  if any(a[0] == "train-policy" and _algo(a) == "ppo" for a in steps.values()):  # (bc.stride=2 failed at PPO, the steps before it run)
    strides = {n: s for n, a in steps.items() if (s := _stride_of(a)) is not None}
    if len(set(strides.values())) > 1:
      raise ValueError(f"frame strides differ ({', '.join(f'{n} {s}' for n, s in strides.items())}): PPO trains its policy in the "
                       "world model on the same frames as the disengagement and BC runs; give them one stride")
  return list(steps.items())

def _config_of(argv: list):
  """(the step's config as its command loads it, or None where it doesn't load here: a path or required key missing; the
  ConfigError)."""
  import importlib
  from train.stage import ConfigError, load_config
  mod, cls = {"train-vqvae": ("train.vqvae", "TrainConfig"), "train-world": ("train.world", "TrainConfig"), "train-disengage": ("rl.disengage", "DisengageConfig"),
              "train-policy": ("rl.train", "PPOTrainConfig") if _algo(argv) == "ppo" else ("rl.policy", "BCConfig")}[argv[0]]
  config = next((argv[j + 1] for j, a in enumerate(argv[:-1]) if a == "--config"), None)
  try: return load_config(getattr(importlib.import_module(mod), cls), config, [a for a in argv[1:] if "=" in a and not a.startswith("-")]), None
  except ConfigError as e: return None, (str(e).removeprefix(f"{config}: ") if config else str(e))

def _algo(argv: list) -> str:
  """A train-policy step's --algo (--algo X or --algo=X; bc without one, train-policy's default)."""
  i = next((i for i, a in enumerate(argv) if a == "--algo" or a.startswith("--algo=")), None)
  return "bc" if i is None else argv[i].partition("=")[2] if "=" in argv[i] else argv[i + 1] if i + 1 < len(argv) else ""

def _stride_of(argv: list):
  """The frame stride a world, disengagement or BC step trains at (None for other steps, or one whose config doesn't load)."""
  if argv[0] not in ("train-world", "train-disengage") and not (argv[0] == "train-policy" and _algo(argv) == "bc"): return None
  cfg, _ = _config_of(argv)
  return None if cfg is None else cfg.data.frame_stride if argv[0] == "train-world" else cfg.stride

def _check_key(item: str, sub: str, argv: list) -> None:
  """Refuse an override the step's config would refuse (an unknown key, a value of the wrong type) now: it failed only
  when its step came up, after every step before it (minutes). Other checks (paths, required keys) stay the step's."""
  _, msg = _config_of(argv)
  if msg is not None:  # (a range check's "iterations must be >= 1" passed: the demo failed at that step, minutes later)
    if msg.startswith((f"unknown config key '{sub}'", f"{sub}:", f"{sub} ", f"{sub}=")) or f": {sub}:" in msg or f"unknown config key '{sub.partition('.')[0]}'" in msg: raise ValueError(f"override {item!r}: {msg}") from None

def run_step(name: str, argv: list[str], log: Path) -> dict:
  """Run `drivegpt argv` in a new process: progress goes to the terminal, its last JSON line on stdout is the result."""
  print(f"\n== demo step {name}: drivegpt {' '.join(argv)}", file=sys.stderr, flush=True)
  t0, cpu0 = time.perf_counter(), _children_cpu()
  proc = subprocess.Popen([sys.executable, "-m", "drivegpt", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=_end_with_parent)
  err = bytearray()  # its stderr, shown as it comes (progress bars) and its end kept: a failure's reason goes into the log too
  def relay():
    decode = codecs.getincrementaldecoder("utf-8")(errors="replace")
    while chunk := proc.stderr.read1(1 << 16):
      sys.stderr.write(decode.decode(chunk)); sys.stderr.flush()
      err.extend(chunk); del err[:-(1 << 14)]
  (t := threading.Thread(target=relay, daemon=True)).start()
  lines = []
  for line in io.TextIOWrapper(proc.stdout, encoding="utf-8", errors="replace"):
    lines.append(line)
    if not line.lstrip().startswith("{"): sys.stderr.write(line)
  t.join()
  _log(log, "".join(lines))
  if proc.wait() != 0:
    last = [l.rsplit("\r", 1)[-1] for l in err.decode("utf-8", "replace").splitlines() if l.rsplit("\r", 1)[-1].strip()][-20:]
    _log(log, f"== demo step {name} failed (exit {proc.returncode}): drivegpt {' '.join(argv)}; its last messages:\n" + "\n".join(last) + "\n")
    raise RuntimeError(f"demo step {name} failed (exit {proc.returncode}): drivegpt {' '.join(argv)}; output in {log}")
  results = [json.loads(l) for l in lines if l.lstrip().startswith("{")]
  return {"results": results, "seconds": round(time.perf_counter() - t0, 1), "cpu_seconds": round(_children_cpu() - cpu0, 1)}

def _log(log: Path, text: str) -> None:
  """Append to demo.log; one that can't be written (a full disk) is said, naming it, and the step's outcome still counts
  (its OSError, naming no file, escaped: a failed step stayed "running", and a re-run with other arguments was refused)."""
  try:
    with open(log, "a") as f: f.write(text)
  except OSError as e: print(f"warning: {log}: can't write it ({e.strerror or e})", file=sys.stderr)

def _end_with_parent() -> None:
  """In the step's process: SIGTERM when the demo dies (Linux), so a killed demo leaves no step running that a re-run would race."""
  import ctypes, signal
  try: ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
  except (OSError, AttributeError): pass

def _children_cpu() -> float:
  r = resource.getrusage(resource.RUSAGE_CHILDREN)
  return r.ru_utime + r.ru_stime

def file_hashes(argv: list[str]) -> dict:
  """sha256 of each config file a step's arguments name (.yaml/.yml): an edited config is a changed step."""
  import hashlib
  paths = [a.partition("=")[2] if a.startswith("--") and "=" in a else a for a in argv]  # (`--config=FILE` was not hashed)
  return {a: hashlib.sha256(Path(a).read_bytes()).hexdigest() for a in paths if a.endswith((".yaml", ".yml")) and Path(a).is_file()}

def output_of(argv: list[str]) -> Optional[str]:
  """The folder or file a step writes: its `--out X` or `out=X`."""
  for i, a in enumerate(argv):
    if a == "--out" and i + 1 < len(argv): return argv[i + 1]
    if a.startswith(("--out=", "out=")): return a.partition("=")[2]
  return None

def made(o: Optional[str]) -> Optional[str]:
  """sha256 of the weights a training step's run folder holds now (its checkpoint's tensors, not its header: the stage's
  command run again by hand with nothing to train saves them again under the folder's other name); None for other outputs."""
  import hashlib
  if o is None or not (ckpt := Path(o) / "ckpt.safetensors").is_file(): return None
  b = ckpt.read_bytes()
  return "tensors:" + hashlib.sha256(b[8 + int.from_bytes(b[:8], "little"):]).hexdigest()

def files_of(o: Optional[str]) -> list[str]:
  """The files a step's output holds (paths relative to it; a file output: its name), hidden ones (locks, temps) aside."""
  if o is None or not (p := Path(o)).exists(): return []
  return [p.name] if p.is_file() else sorted(str(f.relative_to(p)) for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))

def readers(steps: list, name: str) -> list[str]:
  """The steps after `name` that read its output: an argument naming it, a folder inside it or one it is inside (a
  shared folder: export-driving's onnx/ holds export's export.json), or through a step that reads it (export-driving
  reads bc through ppo's run)."""
  names = [n for n, _ in steps]
  made_by, found = [Path(o)] if (o := output_of(dict(steps)[name])) else [], []
  for n, argv in steps[names.index(name) + 1:]:
    # key=value's value, or the argument itself (a path with `=` in it: --out /runs/a=b/raw was read as b/raw)
    paths = [Path(x) for a in argv if "/" in a for x in ([a, a.partition("=")[2]] if "=" in a else [a]) if x]   # (Path("") is ".", a
    # parent of every relative path: with --out runs/demo every later step read every step's output)
    if any(p == m or m in p.parents or p in m.parents for p in paths for m in made_by):
      found.append(n)
      if o2 := output_of(argv): made_by.append(Path(o2))
  return found

def run(config: Path, out: str, overrides: list[str], fresh: bool = False) -> dict:
  """Run every step not already done with the same arguments; then write report.html. Returns the collected results.
  fresh: delete out first (only a demo's own folder: one with demo_state.json, or an empty one)."""
  steps = load_steps(config, out, overrides)   # (first: a bad config or override deletes nothing)
  root = Path(out)
  state_path = root / "demo_state.json"
  if fresh and root.exists():
    if not state_path.exists() and (not root.is_dir() or any(root.iterdir())):
      raise ValueError(f"--fresh: {root} is not a demo's folder (no demo_state.json): not deleting it")
    if root.is_symlink(): raise ValueError(f"--fresh: {root} is a link: give the demo folder itself")  # (rmtree's "Cannot call rmtree on a symbolic link")
    lock = _lock(root) if (root / ".demo.lock").exists() else None  # a demo running there: refused before anything is deleted
    # moved aside while the lock is held, then deleted: two --fresh demos at once both deleted it, and one failed on a file
    # the other had removed ("No such file or directory: 'f15377'")
    try: os.rename(root, trash := root.resolve().with_name(f".{root.resolve().name}.fresh-{os.getpid()}-{os.urandom(4).hex()}"))  # (a killed one's stays)
    except FileNotFoundError: raise ValueError(f"--fresh: another demo is emptying {root} at this moment; wait for it, or use another --out") from None
    finally:
      if lock is not None: lock.close()
    shutil.rmtree(trash)
  # inside another demo's folder: that demo's report took this one's pictures and folders as its own, and a step reading a
  # folder this one sits in (its recordings) ingested this one's rollouts as recorded video
  if outer := next((p for p in root.resolve().parents if (p / "demo_state.json").exists()), None):
    raise ValueError(f"--out {out} is inside the demo folder {outer}: its steps would read this demo's files as their own; use a folder outside it")
  root.mkdir(parents=True, exist_ok=True)
  lock = _lock(root)
  try: return _run(steps, root, state_path, config, overrides)
  finally: lock.close()  # (a failed run's kept traceback held it: the next run was refused, naming its own pid)

def _run(steps: list, root: Path, state_path: Path, config: Path, overrides: list[str]) -> dict:
  state = json.loads(state_path.read_text()) if state_path.exists() else {}
  # a folder moved or renamed: the paths in the results of the steps it skips name the old one (the report pointed there),
  # as given (relative) and resolved
  here, prev = [str(root), str(root.resolve())], state.pop("_root", None) or _old_root(state)
  for was, now in zip([None, prev] if isinstance(prev, str) else prev or [], here):
    if was and was != now: state = _moved(state, was, now)
  state["_root"] = here
  def save_state():
    write_atomic(str(state_path), [json.dumps(state, indent=1).encode()], f".{state_path.name}.tmp")  # never torn; a kill's temp is reused
  save_state()  # (its place now, though every step is skipped: a moved demo made before `_root` named the old one)
  t0 = time.perf_counter()
  # each step's arguments with the folder as {out}: named relatively or absolutely, or moved, the same step (a state saved
  # before templates compares its argv)
  templates = dict(load_steps(config, "{out}", overrides))
  for name, argv in steps:
    now, before = {"argv": argv, "template": templates[name], "files": file_hashes(argv)}, state.get(name, {})
    same = before.get("template", before.get("argv")) in (now["template"], argv) and before.get("files", now["files"]) == now["files"]
    # deleted since: skipped as done, its numbers reported; also a file of it (an ONNX export, a rollout video: the report
    # linked what was no longer there). A training run's own files are its checkpoint's business (made, below)
    gone = (o := output_of(argv)) is not None and (not Path(o).exists() or not set(before.get("files_made", [])) <= set(files_of(o)))
    # a run trained further or replaced in place since (PPO given more iterations): skipped as done, the report showed its old
    # numbers and the evaluation and export of its old weights, beside the new checkpoint
    changed = not gone and str(before.get("made")).startswith("tensors:") and made(o) != before["made"]
    if same and not before.get("running") and not gone and not changed:
      print(f"== demo step {name}: done before, skipped", file=sys.stderr)
      if not str(before.get("made")).startswith("tensors:"):  # (a state of before it was kept, or of another kind)
        state[name]["made"] = made(o)
        save_state()
      continue
    what = ("is gone" if not Path(o).exists() else f"has lost {', '.join(sorted(set(before['files_made']) - set(files_of(o)))[:3])}") if gone else \
           "has lost its checkpoint" if made(o) is None else "has changed since (trained further, or replaced?)"
    # (every later step was named, and refused, where none read it: a deleted rollout needed --fresh)
    if same and (gone or changed) and (later := [n for n in readers(steps, name) if n in state and not state[n].get("running")]):
      raise ValueError(f"demo step {name}: its output {o} {what}, and the steps after it ({', '.join(later)}) ran on what it made then: run the "
                       "demo with --fresh (or use another --out) to make them all again")
    if same and (gone or changed): print(f"== demo step {name}: its output {o} {what}; running it again", file=sys.stderr)
    # a step changed since it ran, or since it was started (its run resumes from a checkpoint made with the old
    # arguments): the steps after it were made from its old outputs, and skipping them mixed old and new
    if before.get("failed") and not same:  # it stopped with an error (a typo'd argument, a refused input): run it as asked now
      print(f"== demo step {name}: it failed as `drivegpt {' '.join(before['argv'])}`; running it as now asked", file=sys.stderr)
    elif before and not same:
      what = "an edited config file" if before.get("argv") == argv else f"`drivegpt {' '.join(argv)}`"
      raise ValueError(f"demo step {name} {'was started' if before.get('running') else 'ran before'} as `drivegpt {' '.join(before['argv'])}`, "
                       f"now {what}: its outputs and the steps after it come from the old one; use another --out (or delete {root}) "
                       f"to run the demo this way")
    state[name] = {**now, "running": True}
    save_state()
    try: result = run_step(name, argv, root / "demo.log")
    except RuntimeError:  # exited with an error: the next run may give it other arguments (a kill keeps the strict rule)
      state[name]["failed"] = True
      save_state()
      raise
    state[name] = {**now, **result, "made": made(o)}
    if made(o) is None: state[name]["files_made"] = files_of(o)   # (a training run's: its checkpoint says)
    save_state()
  report = write_report(root, steps, state)
  # a step's one result line, or all of them (evaluate: one per policy; the last alone read as the step's numbers)
  summary = {name: rows[0] if len(rows := state[name]["results"]) == 1 else rows for name, _ in steps}
  line = {"report": str(report), "seconds": round(time.perf_counter() - t0, 1), "steps": summary}
  print(json_line(line), flush=True)
  return line

def _lock(root: Path):
  """Hold root/.demo.lock while this demo runs, or raise naming the demo that holds it: two demos into one --out ran side
  by side (record's segments collided, "segment folder already exists", and each rewrote demo_state.json)."""
  import fcntl
  f = open(root / ".demo.lock", "a+")
  try: fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
  except BlockingIOError:
    f.seek(0)
    raise ValueError(f"{root}: another demo is running in this folder (pid {f.read().strip() or '?'}); wait for it to end, or use another --out") from None
  except OSError: pass  # a filesystem without locks: unguarded
  f.seek(0); f.truncate(); f.write(f"{os.getpid()}\n"); f.flush()
  return f

def _old_root(state: dict) -> Optional[str]:
  """The folder a state saved before it kept `_root` ran in: a step's argv against its template ({out} in it)."""
  for s in state.values():
    for a, t in zip(s.get("argv", []), s.get("template", [])) if isinstance(s, dict) else ():
      if "{out}" in t and a.startswith((pre := t.split("{out}", 1))[0]) and a.endswith(pre[1]): return a[len(pre[0]):len(a) - len(pre[1])]
  return None

def _moved(v, old: str, new: str):
  """v (a step's saved state) with paths under the folder's old place moved to its new one."""
  if isinstance(v, str):  # a path, or a key=path argument
    key, eq, path = v.partition("=") if "=" in v and not v.startswith(old) else ("", "", v)
    return key + eq + (new + path[len(old):] if path == old or path.startswith(old + "/") else path)
  if isinstance(v, dict): return {k: _moved(x, old, new) for k, x in v.items()}
  if isinstance(v, list): return [_moved(x, old, new) for x in v]
  return v

def _table(rows: list[dict]) -> str:
  if not rows: return "<p>(no results)</p>"
  keys = list(dict.fromkeys(k for r in rows for k in r))
  head = "".join(f"<th>{html.escape(str(k))}</th>" for k in keys)
  body = "".join("<tr>" + "".join(f"<td>{html.escape(_fmt(r.get(k, '')))}</td>" for k in keys) + "</tr>" for r in rows)
  return f"<table><tr>{head}</tr>{body}</table>"

def _fmt(v) -> str:  # as the steps' JSON lines write values (null, true: Python's None and True were printed)
  if isinstance(v, float) and math.isfinite(v): return f"{v:.0f}" if (v.is_integer() or abs(v) >= 1e4) and abs(v) < 1e9 else f"{v:.4g}"  # (123456.0, 12345.67: not 1.235e+05, 1.235e+04)
  return v if isinstance(v, str) else json.dumps(_rounded(v))

def _rounded(v):
  if isinstance(v, float): return float(f"{v:.4g}")
  if isinstance(v, dict): return {k: _rounded(x) for k, x in v.items()}
  if isinstance(v, list): return [_rounded(x) for x in v]
  return v

def write_report(root: Path, steps: list, state: dict) -> Path:
  """report.html in root: pictures, videos and result tables of every step, and where each artifact is."""
  def shown(p: Path) -> bool: return not p.name.startswith(".")  # a killed writer's temp file (.rollout_3.mp4.tmp.mp4) came first
  # (a folder named report above root hid every picture: a review); rollout_10 after rollout_9, not after rollout_1
  pics = sorted(p for p in root.rglob("*.png") if "report" not in p.relative_to(root).parts and shown(p))
  vids = sorted(filter(shown, root.rglob("*.mp4")), key=lambda p: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", str(p))])[:4]
  parts = ["<!doctype html><meta charset=utf-8><title>DriveGPT demo</title><style>body{font-family:sans-serif;margin:2em;max-width:1200px}"
           "table{border-collapse:collapse;margin:.5em 0;display:block;overflow-x:auto}td,th{border:1px solid #ccc;padding:2px 8px;font-size:13px}"
           "img,video{max-width:100%;border:1px solid #ddd}</style><h1>DriveGPT demo</h1>",
           f"<p>Run folder: <code>{html.escape(str(root.resolve()))}</code></p>"]
  done = [(name, state[name]) for name, _ in steps if name in state]
  parts.append(f"<p>{len(done)} of {len(steps)} steps done, {sum(s['seconds'] for _, s in done) / 60:.1f} minutes in all.</p>")
  parts.append(_table([{"step": name, "seconds": s["seconds"], "cpu_seconds": s.get("cpu_seconds", "")} for name, s in done]))
  for name, argv in steps:
    s = state.get(name)
    if s is None: continue
    parts.append(f"<h2>{html.escape(name)}</h2><p><code>drivegpt {html.escape(' '.join(argv))}</code> ({s['seconds']} s)</p>")
    parts.append(_table([r for r in s["results"] if isinstance(r, dict)]))
  parts.append("<h2>Pictures</h2>")
  src = lambda p: html.escape(urllib.parse.quote(str(p.relative_to(root))))  # noqa: E731 (a `#` or `?` in a folder's name cut the link)
  parts += [f"<h3>{html.escape(str(p.relative_to(root)))}</h3><img src='{src(p)}'>" for p in pics]
  if vids:
    parts.append("<h2>Rollouts</h2>")
    parts += [f"<h3>{html.escape(str(v.relative_to(root)))}</h3><video controls loop src='{src(v)}'></video>" for v in vids]
  files = sorted(p for p in root.rglob("*") if p.is_file() and shown(p) and p.suffix in (".safetensors", ".onnx", ".h5", ".json", ".jsonl", ".yaml", ".npy", ".mp4", ".hevc", ".png"))
  by_dir: dict = {}
  for f in files: by_dir.setdefault(str(f.parent.relative_to(root)), []).append(f.name)
  parts.append("<h2>Artifacts</h2><ul>" + "".join(f"<li><code>{html.escape(d)}/</code>: {html.escape(', '.join(n[:12]) + (' ...' if len(n) > 12 else ''))}</li>"
                                                  for d, n in by_dir.items()) + "</ul>")
  path = root / "report.html"
  write_atomic(str(path), ["\n".join(parts).encode()], f".{path.name}.tmp")
  return path

def main(argv: Optional[list[str]] = None) -> int:
  ap = argparse.ArgumentParser(prog="drivegpt demo", description=__doc__, formatter_class=HelpFormatter)
  ap.add_argument("--config", type=lambda t: Path(path_arg(t)), default=DEFAULT_CONFIG, action=Once, help="demo config: the steps and their arguments")
  ap.add_argument("--out", default="runs/demo", type=path_arg, help="folder for every step's output and report.html")
  ap.add_argument("--fresh", action="store_true", help="delete --out first instead of resuming (only a demo's own folder, one with demo_state.json, or an empty one)")
  ap.add_argument("overrides", nargs="*", metavar="step.key=value", help="extra key=value for one step, e.g. vqvae.steps=100: the "
                  "steps that take key=value configs (vqvae, world, disengage, bc, ppo); the others take --options")
  args = ap.parse_intermixed_args(argv)  # (overrides on both sides of --out: the later ones were "unrecognized")
  out = os.path.normpath(args.out)   # (runs/demo/ is runs/demo); ./-demo: each step's --out -demo/raw read as an option
  try: run(args.config, "./" + out if out.startswith("-") else out, args.overrides, args.fresh)
  except KeyboardInterrupt:
    print(f"\ndemo interrupted: run the same command again to resume ({args.out})", file=sys.stderr)
    return 130
  except RuntimeError as e:
    print(f"drivegpt demo: error: {e}", file=sys.stderr)
    return 1
  return 0
