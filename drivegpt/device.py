"""Backends by name: CPU runs kernels with numpy, CL generates OpenCL kernels (`python -m drivegpt.opencl` lists the
OpenCL devices found and whether each compiles)."""
from __future__ import annotations
import importlib
from typing import Optional
from drivegpt.helpers import getenv

class Device:
  """The backend modules by name; DRIVEGPT_DEVICE picks the default."""
  DEFAULT: str = getenv("DRIVEGPT_DEVICE", "CPU").upper()
  _modules = {"CPU": "drivegpt.backend_numpy", "CL": "drivegpt.backend_cl"}
  @staticmethod
  def canonicalize(device: Optional[str]) -> str:
    name = (device or Device.DEFAULT).split(":")[0].upper()
    if name not in Device._modules: raise ValueError(f"unknown device {device!r}: expected one of {sorted(Device._modules)}")
    return name
  @staticmethod
  def get(device: str):
    return importlib.import_module(Device._modules[Device.canonicalize(device)])
