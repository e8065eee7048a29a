"""Device selection: DRIVEGPT_DEVICE picks the backend, and a missing OpenCL install fails with the command that fixes it.
These run without OpenCL."""
import os, subprocess, sys
import pytest
from drivegpt import Device

def test_device_env_picks_the_default_backend():
  code = "from drivegpt import Tensor, Device; print(Device.DEFAULT, Tensor([1.0]).device)"
  for env, want in [("CPU", "CPU CPU"), ("cl", "CL CL")]:
    r = subprocess.run([sys.executable, "-c", code], env={**os.environ, "DRIVEGPT_DEVICE": env}, capture_output=True, text=True)
    assert r.stdout.strip() == want, r.stderr[-2000:]
  with pytest.raises(ValueError, match="unknown device"): Device.canonicalize("TPU")

@pytest.mark.parametrize("fake", ["raise ImportError('no module named pyopencl')",
                                  "class Error(Exception): pass\ndef get_platforms(): raise Error('PLATFORM_NOT_FOUND_KHR')"])
def test_missing_opencl_names_the_install_command(tmp_path, fake):
  """Without pyopencl or without a platform, using the CL device says how to install one (checked with a fake pyopencl)."""
  (tmp_path / "pyopencl.py").write_text(fake)
  code = "from drivegpt import Tensor\nTensor([1.0], device='CL').numpy()"
  r = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(tmp_path)}, capture_output=True, text=True)
  assert r.returncode != 0 and "pip install pyopencl pocl-binary-distribution" in r.stderr, r.stderr[-2000:]

