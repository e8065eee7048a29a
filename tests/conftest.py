"""Shared test setup: tests import their helpers from this folder, and every run ends with the engine's line count."""
import sys, pathlib
sys.path.insert(0, str(pathlib.Path(__file__).parent))
from linecount import engine_core_lines

def pytest_terminal_summary(terminalreporter):
  total, files = engine_core_lines()
  terminalreporter.write_line(f"engine core: {total} code lines in {files} files (drivegpt/ without nn/ and models/)")
