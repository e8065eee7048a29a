"""Counts the engine core's code lines: no blank lines, comments or docstrings."""
import io, pathlib, tokenize

ROOT = pathlib.Path(__file__).resolve().parents[1] / "drivegpt"

def code_lines(path: pathlib.Path) -> int:
  """Lines that hold code in one Python file."""
  lines, prev = set(), tokenize.INDENT
  for tok in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
    docstring = tok.type == tokenize.STRING and prev in (tokenize.INDENT, tokenize.DEDENT, tokenize.NEWLINE, tokenize.NL)
    if not docstring and tok.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
      lines.update(range(tok.start[0], tok.end[0] + 1))
    if tok.type not in (tokenize.COMMENT, tokenize.NL): prev = tok.type
  return len(lines)

def engine_core_lines() -> tuple:
  """(code lines, files) of drivegpt/ without nn/, models/ and export/ (the ONNX exporter is not the engine core), nor
  the command-line front door (cli.py, __main__.py, and demo.py, which runs its commands)."""
  files = [p for p in ROOT.rglob("*.py") if not {"nn", "models", "export"} & set(p.relative_to(ROOT).parts)
           and p.name not in ("cli.py", "__main__.py", "demo.py")]
  return sum(code_lines(p) for p in files), len(files)
