"""OpenBLAS's environment, set before numpy loads its BLAS (drivegpt/__init__.py imports this first). A setting already
in the environment is kept; a process that loaded numpy before drivegpt keeps OpenBLAS's defaults.
OPENBLAS_THREAD_TIMEOUT=4: idle BLAS threads go to sleep at once. By default they spin ~0.1 s after every call, so all
through a training step one of them held a whole core that the engine's own threads and native kernels needed (the
VQVAE-small step on a 2-core VM: 200 -> 156 ms), and that PyTorch needed in the same process (its step 2x slower)."""
import os, sys

if "numpy" not in sys.modules: os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
