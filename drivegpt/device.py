"""Backends by name: CPU runs kernels with numpy, CL generates OpenCL kernels (`python -m drivegpt.opencl` lists the
OpenCL devices found and whether each compiles)."""
from __future__ import annotations
import importlib
from typing import Any, Callable, Optional, Protocol, runtime_checkable
import numpy as np
from drivegpt.helpers import DType, getenv

@runtime_checkable
class Backend(Protocol):
  """What a backend module provides (backend_numpy.py, backend_cl.py). A buffer is the backend's own object, holding
  `size` elements of one dtype; the engine only hands buffers back to the backend that made them."""
  def alloc(self, size: int, dtype: DType) -> Any: """A buffer whose contents are undefined."""
  def from_numpy(self, x: np.ndarray) -> Any: """A buffer holding a copy of the flat array x."""
  def rand(self, size: int, dtype: DType, seed: Any) -> Any: """Uniform [0, 1) numbers from seed, the same on every backend."""
  def copyin(self, dst: Any, src: Any) -> None: """Copy src's elements into dst, a buffer of the same size (Tensor.assign)."""
  def to_numpy(self, buf: Any, st: Any, dtype: DType) -> np.ndarray: """The view st (a ShapeTracker) of buf as a new array."""
  def compile(self, ast: Any, shape: tuple, dtype: DType) -> Callable[[list], Any]:
    """runner(input buffers) -> a new output buffer of prod(shape) elements for the kernel ast (a LazyOp tree whose
    BufferOps.LOAD leaves index the inputs). The runner may queue the work and return before it is done."""
  def synchronize(self) -> None: """Wait until every queued kernel has finished (for timing)."""

class Device:
  """The backend modules by name; DRIVEGPT_DEVICE picks the default."""
  DEFAULT: str = getenv("DRIVEGPT_DEVICE", "CPU").upper()
  _modules = {"CPU": "drivegpt.backend_numpy", "CL": "drivegpt.backend_cl"}
  @staticmethod
  def canonicalize(device: Optional[str]) -> str:
    name, _, index = (device or Device.DEFAULT).upper().partition(":")  # ("CL:7" ran on the default device, unsaid)
    if name not in Device._modules or index not in ("", "0"): raise ValueError(f"unknown device {device or f'DRIVEGPT_DEVICE={Device.DEFAULT}'!r}: expected one of {sorted(Device._modules)} (DRIVEGPT_CL_DEVICE picks the OpenCL device)")
    return name
  @staticmethod
  def get(device: str) -> Backend: return importlib.import_module(Device._modules[Device.canonicalize(device)])
