"""The drivegpt command: one subcommand per pipeline stage, each forwarded to its stage module's main (loaded by name,
so the engine never imports the pipeline folders). Run `drivegpt <command> --help` for a command's options."""
from __future__ import annotations
import argparse, importlib, json, math, os, sys
from typing import Callable, Optional

# command -> (module, function, one-line help); the module's function takes argv and parses it itself
COMMANDS = {
  "record": ("data.record", "main", "record highway-env driving segments (comma2k19 layout)"),
  "ingest": ("data.ingest", "main", "turn segments or plain videos into HDF5 frame shards (on Ray)"),
  "train-vqvae": ("train.vqvae", "main", "train the VQVAE tokenizer: --config FILE and key=value overrides; resumes"),
  "eval-vqvae": ("train.vqvae", "eval_main", "PSNR, SSIM, codebook usage and perplexity of a tokenizer on shards"),
  "tokenize": ("train.tokenize", "main", "frame shards -> token shards (int16 N x h x w: 8 x 16 for 128x256 frames, with poses and labels), on Ray"),
  "import-commavq": ("train.tokenize", "import_main", "commaVQ .npy token files -> token shards"),
  "export-commavq": ("train.tokenize", "export_main", "token shards -> commaVQ .npy token files"),
  "train-world": ("train.world", "main", "train the pose-conditioned world model on token shards or commaVQ .npy; resumes"),
  "eval-world": ("train.world", "eval_main", "bits/token of a world model on token segments, true vs shuffled poses, vs lzma"),
  "rollout": ("sim.rollout", "main", "world-model rollouts from real segments on Ray actors -> MP4s beside the real continuation"),
  "train-disengage": ("rl.disengage", "main", "train p(human takeover within 0.5/1/2/4 s) on token shards; AUROC and calibration on held-out segments"),
  "train-policy": ("rl.policy", "main", "--algo bc (the default): behaviour cloning on logged actions; --algo ppo: PPO in the world model, disengagement reward"),
  "evaluate": ("rl.evaluate", "main", "closed-loop driving in highway-env from camera frames: km per takeover, crashes, lane-centre recovery"),
  "export": ("drivegpt.export.command", "main", "ONNX files of a run (--ckpt RUNDIR --out DIR [--fp16]); float32 models checked on onnxruntime"),
  "export-driving": ("rl.export", "main", "a train-policy run as openpilot's driving_vision.onnx + driving_policy.onnx, checked on onnxruntime"),
  "demo": ("drivegpt.demo", "main", "the whole pipeline on a small highway-env dataset, then runs/demo/report.html; resumes"),
}

def json_line(metrics: dict) -> str:
  """metrics as one line of strict JSON, NaN and inf as null (JSON.parse refuses them); here: every stage may import cli."""
  def plain(v):
    if isinstance(v, float) and not math.isfinite(v): return None
    if isinstance(v, dict): return {k: plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)): return [plain(x) for x in v]
    return v
  return json.dumps(plain(metrics), allow_nan=False)

class HelpFormatter(argparse.RawDescriptionHelpFormatter):
  """A stage's --help: its description as written, and each option's default after its help (not a required option's
  None, an off flag's False or an empty list; nor where the help already says it)."""
  def _get_help_string(self, action):
    text, d = action.help or "", action.default
    shown = d is not None and d is not False and d != argparse.SUPPRESS and not (isinstance(d, (list, tuple, str)) and not d)
    return text + " (default: %(default)s)" if action.option_strings and shown and "default" not in text else text

def at_least(lo: float, kind: type = float) -> Callable[[str], float]:
  """An argparse type=: a finite kind (int or float) >= lo, else the parser's one-line error naming the option."""
  def parse(text: str):
    try: v = kind(text)
    except ValueError: v = None
    if v is None or not math.isfinite(v) or v < lo:
      raise argparse.ArgumentTypeError(f"must be {'an integer' if kind is int else 'a finite number'} >= {lo:g}, got {text!r}")
    return v
  return parse

class Once(argparse.Action):
  """action= for an option a second use of which would drop the first without a word (--config a.yaml --config b.yaml
  read b.yaml alone: files are not merged): refused."""
  def __call__(self, parser, namespace, values, option_string=None):
    if (was := getattr(namespace, self.dest)) is not self.default:
      parser.error(f"{option_string} is given twice ({was}, then {values}): give one (change its keys with key=value)")
    setattr(namespace, self.dest, values)

def path_arg(text: str) -> str:
  """An argparse type= for a file or folder option: ~ expanded (the shell leaves --out=~/x alone: it made ./~/x), an
  empty one refused (an unset shell variable made it the working folder, which the command then read or wrote)."""
  if not text.strip(): raise argparse.ArgumentTypeError("empty: give a file or folder (an unset shell variable?)")
  return os.path.expanduser(text)

def end_bars() -> None:
  """Close the progress bars a failed command left open (its error line began at the end of the bar's line)."""
  for bar in list(getattr(getattr(sys.modules.get("tqdm"), "tqdm", None), "_instances", ())): bar.close()

class LineAfterBars:
  """sys.stderr while a command runs: text written after a progress bar's redraw (which ends without a newline) starts a
  line of its own (a stage's warning mid-run was glued to the end of the bar's line, and lost to a log filtered of bars)."""
  def __init__(self, f): self.f, self.on_bar = f, False
  def write(self, s: str) -> int:
    if s and self.on_bar and not s.startswith(("\r", "\n")): self.f.write("\n")
    if s: self.on_bar = s.startswith("\r") and not s.endswith("\n")
    return self.f.write(s)
  def __getattr__(self, name): return getattr(self.f, name)

def usage() -> str:
  width = max(map(len, COMMANDS))
  lines = [f"  {name:<{width}}  {text}" for name, (_, _, text) in COMMANDS.items()]
  return "usage: drivegpt <command> [options]   (drivegpt <command> --help for its options)\n\ncommands:\n" + "\n".join(lines)

def main(argv: Optional[list[str]] = None) -> int:
  """Run `drivegpt <command> ...`; returns the exit code."""
  argv = sys.argv[1:] if argv is None else argv
  if not argv or argv[0] in ("-h", "--help", "help"):
    print(usage())
    return 0
  if argv[0] not in COMMANDS:
    print(f"drivegpt: unknown command {argv[0]!r}\n\n{usage()}", file=sys.stderr)
    return 2
  module, fn, _ = COMMANDS[argv[0]]
  sys.stderr, stderr = LineAfterBars(sys.stderr), sys.stderr
  try:
    try: ret = getattr(importlib.import_module(module), fn)(argv[1:])
    except BaseException: end_bars(); raise
    finally: sys.stderr = stderr
  except (FileExistsError, NotADirectoryError) as e:  # an --out that is a file: "[Errno 17] File exists: 'x'" said neither what nor why
    what = "something of that name is in the way" if isinstance(e, FileExistsError) else "a folder on that path is a file"
    print(f"drivegpt {argv[0]}: error: {e.filename}: {what} ({e.strerror}){f': {e.filename2}' if e.filename2 else ''}", file=sys.stderr)
    return 2
  except (ValueError, OSError, FloatingPointError) as e:  # a bad config, file or argument, a diverged run: the message names it
    print(f"drivegpt {argv[0]}: error: {e}", file=sys.stderr)
    return 2
  except MemoryError as e:  # numpy's "Unable to allocate 95.4 GiB for an array with shape ...", as a traceback
    print(f"drivegpt {argv[0]}: error: out of memory ({e}): a batch_size, model size or frame size too big for this machine", file=sys.stderr)
    return 2
  except RuntimeError as e:  # DRIVEGPT_DEVICE=CL with no OpenCL device (drivegpt.opencl.select names the fix): a traceback was printed
    if not str(e).startswith("the CL device"): raise
    print(f"drivegpt {argv[0]}: error: {e}", file=sys.stderr)
    return 2
  except KeyboardInterrupt:  # Ctrl-C: a stage's traceback (a dozen frames into numpy) was printed above the demo's message
    print(f"\ndrivegpt {argv[0]}: interrupted (what was saved stays: the same command resumes where it can)", file=sys.stderr)
    return 130
  return ret if isinstance(ret, int) else 0

if __name__ == "__main__": sys.exit(main())
