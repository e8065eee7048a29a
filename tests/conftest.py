"""Shared test setup: tests import their helpers from this folder, and every run ends with the engine's line count."""
import sys, pathlib
import pytest
sys.path.insert(0, str(pathlib.Path(__file__).parent))
from linecount import engine_core_lines

def pytest_terminal_summary(terminalreporter):
  total, files = engine_core_lines()
  terminalreporter.write_line(f"engine core: {total} code lines in {files} files (drivegpt/ without nn/ and models/)")

@pytest.fixture(autouse=True)
def _engine_flags():
  """Tensor.training and Tensor.no_grad as they were before each test: a test that fails inside a training block
  would otherwise leave dropout on for every test after it."""
  from drivegpt import Tensor
  flags = Tensor.training, Tensor.no_grad
  yield
  Tensor.training, Tensor.no_grad = flags
