"""DriveGPT's tensor engine: lazy tensors on a small set of primitive ops, fused kernels, autograd."""
from drivegpt import blas_env  # noqa: F401  (first: it sets OpenBLAS's environment before numpy loads)
from drivegpt.helpers import dtypes, DType, GlobalCounters, prod
from drivegpt.device import Device
from drivegpt.tensor import Tensor, no_grad
from drivegpt.jit import jit, TinyJit

__all__ = ["Tensor", "jit", "TinyJit", "dtypes", "DType", "GlobalCounters", "Device", "no_grad", "prod"]
