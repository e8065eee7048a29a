"""DriveGPT's tensor engine: lazy tensors on a small set of primitive ops, fused kernels, autograd."""
from drivegpt.helpers import dtypes, DType, GlobalCounters, prod
from drivegpt.lazy import Device
from drivegpt.tensor import Tensor, no_grad

__all__ = ["Tensor", "dtypes", "DType", "GlobalCounters", "Device", "no_grad", "prod"]
