"""Process replay: the OpenCL source generated for a fixed set of graphs matches tests/process_replay/ (no device needed)."""
import pytest
from process_replay import GRAPHS, diff

@pytest.mark.parametrize("name", list(GRAPHS))
def test_kernel_source_unchanged(name):
  d = diff(name)
  assert not d, f"kernel source of graph {name!r} changed; if intended, run `python tests/process_replay.py --update`:\n{d}"

def test_replay_catches_a_change(monkeypatch):
  import drivegpt.codegen as codegen
  monkeypatch.setitem(codegen.OPS, codegen.BinaryOps.ADD, "({1}+{0})")  # an unexplained change to the generated code
  assert "+" in diff("elementwise") and diff("elementwise").startswith("---")
